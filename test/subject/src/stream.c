/* Data streams: one worker thread per stream runs the send or receive loop. */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "iperf.h"
#include "net.h"
#include "signals.h"
#include "timer.h"

static void wake_main(struct iperf_test *test)
{
    char c = 'w';
    /* Non-blocking pipe: a full pipe already means "wake up". */
    ssize_t n = write(test->wake_pipe[1], &c, 1);
    (void)n;
}

/* Sleep just long enough to stay under the -b rate; short naps so a stop is noticed quickly. */
static void pace(struct iperf_stream *sp, double start, uint64_t sent)
{
    uint64_t rate = sp->test->rate;
    if (rate == 0)
        return;
    double due = start + (double)sent * 8.0 / (double)rate;
    double ahead = due - time_now();
    if (ahead > 0)
        time_sleep(ahead < 0.01 ? ahead : 0.01);
}

static void *stream_worker(void *arg)
{
    struct iperf_stream *sp = arg;
    struct iperf_test *test = sp->test;

    /* Termination signals belong to the main thread: its jmp_buf is on its stack. */
    iperf_block_sigend(1);

    double start = time_now();
    uint64_t moved = 0;
    for (;;) {
        ssize_t n;
        /* Receivers read on until EOF so nothing sent is left uncounted. */
        if (sp->sender && atomic_load(&test->stop))
            break;
        if (sp->sender) {
            pace(sp, start, moved);
            if (atomic_load(&test->stop))
                break;
            n = write(sp->sock, sp->buf, (size_t)test->blksize);
        } else {
            n = read(sp->sock, sp->buf, (size_t)test->blksize);
        }
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            if (!atomic_load(&test->stop))
                atomic_store(&sp->err, errno);
            break;
        }
        if (n == 0)
            break; /* peer finished sending */
        moved += (uint64_t)n;
        atomic_store_explicit(&sp->bytes, moved, memory_order_relaxed);
    }
    atomic_store(&sp->done, 1);
    wake_main(test);
    return NULL;
}

int iperf_create_stream(struct iperf_test *test, int sock, int sender)
{
    if (test->nstreams >= test->num_streams)
        return -1;
    struct iperf_stream *sp = &test->streams[test->nstreams];
    memset(sp, 0, sizeof(*sp));
    sp->test = test;
    sp->sock = sock;
    sp->id = sock;
    sp->sender = sender;
    atomic_init(&sp->bytes, 0);
    atomic_init(&sp->done, 0);
    atomic_init(&sp->err, 0);
    sp->buf = malloc((size_t)test->blksize);
    if (sp->buf == NULL)
        return -1;
    /* iperf3 fills the send buffer with random data */
    for (int i = 0; i < test->blksize; i++)
        sp->buf[i] = (char)(rand() & 0xff);
    net_endpoints(sock, sp->local_host, sizeof(sp->local_host), &sp->local_port, sp->remote_host,
                  sizeof(sp->remote_host), &sp->remote_port);
    if (test->congestion[0] == '\0') {
        socklen_t len = sizeof(test->congestion) - 1;
        if (getsockopt(sock, IPPROTO_TCP, TCP_CONGESTION, test->congestion, &len) != 0)
            test->congestion[0] = '\0';
    }
    test->nstreams++;
    return 0;
}

int iperf_start_workers(struct iperf_test *test)
{
    /* Threads inherit the creator's mask: block first so no worker is ever exposed. */
    iperf_block_sigend(1);
    atomic_store(&test->stop, 0);
    int rc = 0;
    for (int i = 0; i < test->nstreams; i++) {
        struct iperf_stream *sp = &test->streams[i];
        int err = pthread_create(&sp->thread, NULL, stream_worker, sp);
        if (err != 0) {
            errno = err;
            rc = -1;
            break;
        }
        sp->thread_started = 1;
    }
    iperf_block_sigend(0);
    return rc;
}

/*
 * Stop every worker and wait for it. how = SHUT_WR lets receivers on the
 * other side drain what was sent (normal end); SHUT_RDWR wakes everything
 * at once (interrupt, error). Workers are never cancelled.
 */
void iperf_stop_workers(struct iperf_test *test, int how)
{
    atomic_store(&test->stop, 1);
    for (int i = 0; i < test->nstreams; i++) {
        struct iperf_stream *sp = &test->streams[i];
        if (sp->sock >= 0 && (how == SHUT_RDWR || sp->sender))
            shutdown(sp->sock, how);
    }
    for (int i = 0; i < test->nstreams; i++) {
        struct iperf_stream *sp = &test->streams[i];
        if (sp->thread_started) {
            pthread_join(sp->thread, NULL);
            sp->thread_started = 0;
            sp->retrans_total = iperf_stream_retransmits(sp, NULL, NULL);
        }
    }
}

void iperf_free_streams(struct iperf_test *test)
{
    for (int i = 0; i < test->nstreams; i++) {
        struct iperf_stream *sp = &test->streams[i];
        if (sp->sock >= 0)
            close(sp->sock);
        sp->sock = -1;
        free(sp->buf);
        sp->buf = NULL;
    }
    test->nstreams = 0;
}

/* The first failed worker's errno (0 if none); *is_write says whether it was sending. */
int iperf_stream_error(struct iperf_test *test, int *is_write)
{
    for (int i = 0; i < test->nstreams; i++) {
        int err = atomic_load(&test->streams[i].err);
        if (err != 0) {
            *is_write = test->streams[i].sender;
            return err;
        }
    }
    return 0;
}

unsigned iperf_stream_retransmits(struct iperf_stream *sp, unsigned *cwnd, unsigned *rtt)
{
    struct tcp_info ti;
    socklen_t len = sizeof(ti);
    memset(&ti, 0, sizeof(ti));
    if (sp->sock < 0 || getsockopt(sp->sock, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0) {
        if (cwnd != NULL)
            *cwnd = 0;
        if (rtt != NULL)
            *rtt = 0;
        return sp->retrans_total;
    }
    if (cwnd != NULL)
        *cwnd = ti.tcpi_snd_cwnd * ti.tcpi_snd_mss;
    if (rtt != NULL)
        *rtt = ti.tcpi_rtt;
    return ti.tcpi_total_retrans;
}
