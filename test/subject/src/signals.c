/* Termination signals the iperf3 3.18 way: signal() + longjmp into the main thread. */
#include "config.h"

#include "signals.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

jmp_buf sigend_jmp_buf;

/* Lock-free atomics are async-signal-safe and keep TSan quiet. */
static atomic_int sigend_caught;
static atomic_int jump_armed;

static void sigend_handler(int sig)
{
    int expected = 0;
    atomic_compare_exchange_strong(&sigend_caught, &expected, sig);
    /* Jump only when the main thread is parked in iperf_wait_readable() (or has jumped already). */
    if (atomic_load(&jump_armed))
        longjmp(sigend_jmp_buf, 1);
}

void iperf_catch_sigend(void)
{
    signal(SIGTERM, sigend_handler);
    signal(SIGINT, sigend_handler);
    signal(SIGHUP, sigend_handler);
    /* A write to a vanished peer must fail with EPIPE, not kill us. */
    signal(SIGPIPE, SIG_IGN);
}

void iperf_block_sigend(int block)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(block ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
}

void iperf_sigend_landed(void)
{
    /*
     * jump_armed stays set: the main thread is on the interrupt path now and
     * no thread that blocks the signals can run the handler any more.
     */
    iperf_block_sigend(1);
}

int iperf_sigend_caught(void) { return atomic_load(&sigend_caught); }

int iperf_wait_readable(int nfds, fd_set *readable, double timeout)
{
    struct timespec ts;
    struct timespec *tsp = NULL;
    if (timeout >= 0) {
        ts.tv_sec = (time_t)timeout;
        ts.tv_nsec = (long)((timeout - (double)ts.tv_sec) * 1e9);
        tsp = &ts;
    }
    atomic_store(&jump_armed, 1);
    /* A signal that came while we were busy: take the jump now, from a safe place. */
    if (atomic_load(&sigend_caught) != 0)
        longjmp(sigend_jmp_buf, 1);
    int rc = pselect(nfds, readable, NULL, NULL, tsp, NULL);
    int saved = errno;
    atomic_store(&jump_armed, 0);
    errno = saved;
    return rc;
}
