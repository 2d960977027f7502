/* Client side: connect, run the streams for -t seconds, exchange results, report. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "iperf.h"
#include "net.h"
#include "protocol.h"
#include "signals.h"
#include "timer.h"

/* iperf3's iperf_errexit: "iperf3: error - ..." (JSON: the message in "error"), exit status 1. */
static int client_fail(struct iperf_test *test, int with_summary, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    iperf_stop_workers(test, SHUT_RDWR);
    if (with_summary && test->start_time > 0) {
        if (test->end_time <= 0)
            test->end_time = time_now();
        iperf_cpu_stop(test);
        iperf_report_summary(test);
    }
    if (test->json)
        iperf_json_finish(test, msg);
    else
        iperf_err(test, "error - %s", msg);
    return -1;
}

/* A state from the server that ends the test early; 0 if the state is not one. */
static int client_unexpected_state(struct iperf_test *test, int got, int state)
{
    if (got == 0)
        return client_fail(test, 0, "control socket has closed unexpectedly");
    if (got < 0)
        return client_fail(test, 0, "control socket has closed unexpectedly: %s", strerror(errno));
    switch (state) {
    case SERVER_TERMINATE: return client_fail(test, 1, "the server has terminated");
    case ACCESS_DENIED: return client_fail(test, 0, "the server is busy running a test. try again later");
    case SERVER_ERROR: {
        uint32_t codes[2] = {0, 0};
        int err = 0;
        if (net_read_exact(test->ctrl_fd, codes, sizeof(codes), 1.0) == (ssize_t)sizeof(codes))
            err = (int)ntohl(codes[1]);
        return client_fail(test, 0, "the server has reported an error%s%s", err ? ": " : "",
                           err ? strerror(err) : "");
    }
    default: return 0;
    }
}

static void make_cookie(char *cookie)
{
    static const char chars[] = "abcdefghijklmnopqrstuvwxyz234567";
    for (int i = 0; i < COOKIE_SIZE - 1; i++)
        cookie[i] = chars[rand() % 32];
    cookie[COOKIE_SIZE - 1] = '\0';
}

static int create_streams(struct iperf_test *test)
{
    for (int i = 0; i < test->num_streams; i++) {
        int fd = net_connect(test->server_host, test->port);
        if (fd < 0)
            return client_fail(test, 0, "unable to connect stream: %s", strerror(errno));
        if (net_write_all(fd, test->cookie, COOKIE_SIZE) < 0) {
            close(fd);
            return client_fail(test, 0, "unable to send cookie to server: %s", strerror(errno));
        }
        if (iperf_create_stream(test, fd, !test->reverse) < 0) {
            close(fd);
            return client_fail(test, 0, "unable to create a new stream: %s", strerror(errno));
        }
        iperf_report_connected(test, &test->streams[test->nstreams - 1]);
    }
    return 0;
}

/* Wait for the server to let the test run, answering its setup requests. */
static int client_setup(struct iperf_test *test)
{
    for (;;) {
        int state = 0;
        int got = proto_recv_state(test, -1, &state);
        int rc = client_unexpected_state(test, got, state);
        if (rc != 0)
            return rc;
        switch (state) {
        case PARAM_EXCHANGE:
            test->state = PARAM_EXCHANGE;
            if (proto_send_params(test) < 0)
                return client_fail(test, 0, "unable to send parameters to server: %s", strerror(errno));
            break;
        case CREATE_STREAMS:
            test->state = CREATE_STREAMS;
            if (create_streams(test) < 0)
                return -1;
            break;
        case TEST_START:
            test->state = TEST_START;
            test->start_time = test->interval_start = time_now();
            iperf_cpu_start(test);
            iperf_report_test_start(test);
            break;
        case TEST_RUNNING:
            test->state = TEST_RUNNING;
            if (iperf_start_workers(test) < 0)
                return client_fail(test, 0, "unable to create a new thread: %s", strerror(errno));
            return 0;
        default:
            return client_fail(test, 0, "unexpected state %d from the server", state);
        }
    }
}

static void drain_wake_pipe(struct iperf_test *test)
{
    char buf[64];
    while (read(test->wake_pipe[0], buf, sizeof(buf)) > 0) {
    }
}

/* The timer/select loop of the main thread while the workers move data. */
static int client_run(struct iperf_test *test)
{
    double end = test->start_time + test->duration;
    double next_report = test->interval > 0 ? test->start_time + test->interval : end + 1;
    for (;;) {
        double now = time_now();
        if (now >= next_report && next_report <= end) {
            iperf_report_interval(test, now);
            next_report += test->interval;
        }
        if (now >= end)
            return 0;
        double wake_at = next_report < end ? next_report : end;
        fd_set rfds;
        FD_ZERO(&rfds);
        FD_SET(test->ctrl_fd, &rfds);
        FD_SET(test->wake_pipe[0], &rfds);
        int maxfd = test->ctrl_fd > test->wake_pipe[0] ? test->ctrl_fd : test->wake_pipe[0];
        int n = iperf_wait_readable(maxfd + 1, &rfds, wake_at - now);
        if (n < 0 && errno != EINTR)
            return client_fail(test, 0, "select failed: %s", strerror(errno));
        if (n <= 0)
            continue;
        if (FD_ISSET(test->ctrl_fd, &rfds)) {
            int state = 0;
            int got = proto_recv_state(test, 5.0, &state);
            int rc = client_unexpected_state(test, got, state);
            if (rc != 0)
                return rc;
        }
        if (FD_ISSET(test->wake_pipe[0], &rfds)) {
            drain_wake_pipe(test);
            int is_write = 0;
            int err = iperf_stream_error(test, &is_write);
            if (err != 0) {
                /* The server says why first, if it is still there to say it. */
                int state = 0;
                int got = proto_recv_state(test, 0.5, &state);
                if (!(got < 0 && errno == ETIMEDOUT)) {
                    int rc = client_unexpected_state(test, got, state);
                    if (rc != 0)
                        return rc;
                }
                return client_fail(test, 0, "unable to %s stream socket: %s", is_write ? "write to" : "read from",
                                   strerror(err));
            }
        }
    }
}

/* Wait for one specific state, failing on anything that ends the test. */
static int client_expect(struct iperf_test *test, int wanted)
{
    int state = 0;
    int got = proto_recv_state(test, 30.0, &state);
    int rc = client_unexpected_state(test, got, state);
    if (rc != 0)
        return rc;
    if (state != wanted)
        return client_fail(test, 0, "unexpected state %d from the server (expected %d)", state, wanted);
    return 0;
}

static int client_finish(struct iperf_test *test)
{
    test->end_time = time_now();
    if (test->interval > 0 && test->end_time - test->interval_start > 0.01 * test->interval)
        iperf_report_interval(test, test->end_time);
    if (!test->reverse)
        iperf_stop_workers(test, SHUT_WR); /* senders stop; the server drains to EOF */
    iperf_cpu_stop(test);
    if (proto_send_state(test, TEST_END) < 0)
        return client_fail(test, 0, "unable to send control message: %s", strerror(errno));
    if (client_expect(test, EXCHANGE_RESULTS) != 0)
        return -1;
    test->state = EXCHANGE_RESULTS;
    if (test->reverse)
        iperf_stop_workers(test, SHUT_WR); /* the server has stopped sending: receivers reach EOF */
    if (proto_send_results(test) < 0 || proto_recv_results(test) < 0)
        return client_fail(test, 0, "unable to exchange results: %s", strerror(errno));
    if (client_expect(test, DISPLAY_RESULTS) != 0)
        return -1;
    iperf_report_summary(test);
    (void)proto_send_state(test, IPERF_DONE);
    iperf_json_finish(test, NULL);
    fflush(stdout);
    return 0;
}

int iperf_run_client(struct iperf_test *test)
{
    test->streams = calloc((size_t)test->num_streams, sizeof(*test->streams));
    if (test->streams == NULL)
        return client_fail(test, 0, "out of memory");
    iperf_json_begin(test);
    test->ctrl_fd = net_connect(test->server_host, test->port);
    if (test->ctrl_fd < 0)
        return client_fail(test, 0, "unable to connect to server: %s", strerror(errno));
    iperf_printf(test, "Connecting to host %s, port %d\n", test->server_host, test->port);
    if (test->reverse)
        iperf_printf(test, "Reverse mode, remote host %s is sending\n", test->server_host);
    make_cookie(test->cookie);
    if (net_write_all(test->ctrl_fd, test->cookie, COOKIE_SIZE) < 0)
        return client_fail(test, 0, "unable to send cookie to server: %s", strerror(errno));
    test->state = IPERF_START;
    if (client_setup(test) < 0)
        return -1;
    if (client_run(test) < 0)
        return -1;
    return client_finish(test);
}
