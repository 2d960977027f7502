/* sigstorm test subject: an iperf3 look-alike (NOT iperf3) with iperf3 3.18's signal architecture. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "iperf.h"
#include "protocol.h"
#include "signals.h"
#include "timer.h"

/* Static storage: the test must survive the longjmp unchanged. */
static struct iperf_test the_test;

void iperf_reset_test(struct iperf_test *test)
{
    iperf_stop_workers(test, SHUT_RDWR);
    iperf_free_streams(test);
    free(test->streams);
    test->streams = NULL;
    if (test->ctrl_fd >= 0)
        close(test->ctrl_fd);
    test->ctrl_fd = -1;
    free(test->xfer_buf);
    test->xfer_buf = NULL;
    json_free(test->json_top);
    test->json_top = test->json_start = test->json_connected = test->json_intervals = test->json_end = NULL;
    test->state = 0;
    test->start_time = test->end_time = 0;
    test->have_remote_results = 0;
    memset(&test->cpu_remote, 0, sizeof(test->cpu_remote));
    atomic_store(&test->stop, 0);
}

void iperf_free_test(struct iperf_test *test)
{
    iperf_reset_test(test);
    if (test->listen_fd >= 0)
        close(test->listen_fd);
    test->listen_fd = -1;
    for (int i = 0; i < 2; i++) {
        if (test->wake_pipe[i] >= 0)
            close(test->wake_pipe[i]);
        test->wake_pipe[i] = -1;
    }
    free(test->server_host);
    test->server_host = NULL;
}

/*
 * Where the signal handler's longjmp lands (via main). Signals are already
 * blocked: stop the workers, tell the peer, print what we have, exit 1.
 */
void iperf_got_sigend(struct iperf_test *test)
{
    const char *msg = test->role == 's' ? "interrupt - the server has terminated"
                                        : "interrupt - the client has terminated";
    /* Tell the peer first, so it reports "terminated" rather than a broken stream. */
    if (test->ctrl_fd >= 0 && test->state != 0)
        (void)proto_send_state(test, test->role == 's' ? SERVER_TERMINATE : CLIENT_TERMINATE);
    iperf_stop_workers(test, SHUT_RDWR);
    if (test->start_time > 0) {
        if (test->end_time <= 0)
            test->end_time = time_now();
        iperf_cpu_stop(test);
        iperf_report_summary(test);
    }
    iperf_err(test, "%s", msg);
    iperf_json_finish(test, msg);
    fflush(stdout);
    iperf_free_test(test);
    exit(1);
}

int main(int argc, char **argv)
{
    struct iperf_test *test = &the_test;
    iperf_test_init(test);
    argv[0] = (char *)"iperf3"; /* getopt's messages say "iperf3: ...", as iperf3's do */
    int rc = iperf_parse_arguments(test, argc, argv);
    if (rc != 0) {
        iperf_free_test(test);
        return rc < 0 ? 1 : 0;
    }
    srand((unsigned)(time_wall() * 1e6) ^ (unsigned)getpid());

    if (pipe(test->wake_pipe) != 0) {
        fprintf(stderr, "iperf3: error - unable to create a pipe: %s\n", strerror(errno));
        return 1;
    }
    for (int i = 0; i < 2; i++) {
        fcntl(test->wake_pipe[i], F_SETFL, fcntl(test->wake_pipe[i], F_GETFL, 0) | O_NONBLOCK);
        fcntl(test->wake_pipe[i], F_SETFD, FD_CLOEXEC);
    }

    iperf_catch_sigend();
    if (setjmp(sigend_jmp_buf)) {
        iperf_sigend_landed();
        iperf_got_sigend(test);
    }

    if (test->role == 's')
        rc = iperf_run_server(test);
    else
        rc = iperf_run_client(test);
    iperf_free_test(test);
    return rc < 0 ? 1 : 0;
}
