/* Server side: accept a test, run the streams until the client ends it, report, repeat (or -1: exit). */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "iperf.h"
#include "net.h"
#include "protocol.h"
#include "signals.h"
#include "timer.h"

#define SETUP_TIMEOUT 10.0 /* seconds the client may take to open its streams */

/*
 * Report a failed test and give up on it; the server itself keeps going.
 * Like iperf3, tell the client with SERVER_ERROR (state byte, then error code
 * and errno): even after EOF on the control socket it may still be reading.
 */
static int server_fail(struct iperf_test *test, const char *msg)
{
    int saved = errno;
    iperf_stop_workers(test, SHUT_RDWR);
    if (test->ctrl_fd >= 0 && test->state != 0) {
        uint32_t codes[2] = {htonl(1), htonl((uint32_t)saved)};
        if (proto_send_state(test, SERVER_ERROR) == 0)
            (void)net_write_all(test->ctrl_fd, codes, sizeof(codes));
    }
    iperf_err(test, "%s", msg);
    return -1;
}

static void deny_busy(struct iperf_test *test)
{
    int fd = net_accept(test->listen_fd, 0, NULL, 0, NULL);
    if (fd < 0)
        return;
    signed char c = ACCESS_DENIED;
    (void)net_write_all(fd, &c, 1);
    close(fd);
}

/* The client spoke (or hung up) on the control connection while we waited for its streams. */
static int setup_interrupted(struct iperf_test *test)
{
    int state = 0;
    int got = proto_recv_state(test, 1.0, &state);
    if (got == 1 && state == CLIENT_TERMINATE) {
        iperf_stop_workers(test, SHUT_RDWR);
        iperf_err(test, "the client has terminated");
        return -1;
    }
    if (got == 1)
        return server_fail(test, "error - unexpected control message from the client");
    return server_fail(test, "the client has unexpectedly closed the connection");
}

static int accept_streams(struct iperf_test *test)
{
    double deadline = time_now() + SETUP_TIMEOUT;
    while (test->nstreams < test->num_streams) {
        fd_set rfds;
        FD_ZERO(&rfds);
        FD_SET(test->listen_fd, &rfds);
        FD_SET(test->ctrl_fd, &rfds);
        int maxfd = test->listen_fd > test->ctrl_fd ? test->listen_fd : test->ctrl_fd;
        double left = deadline - time_now();
        int n = left > 0 ? iperf_wait_readable(maxfd + 1, &rfds, left) : 0;
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0)
            errno = ETIMEDOUT;
        if (n > 0 && FD_ISSET(test->ctrl_fd, &rfds))
            return setup_interrupted(test);
        int fd = n > 0 ? net_accept(test->listen_fd, 0, NULL, 0, NULL) : -1;
        if (fd < 0 && n > 0 && errno == ETIMEDOUT)
            continue; /* the connection went away before we took it */
        if (fd < 0) {
            char msg[256];
            snprintf(msg, sizeof(msg), "error - unable to accept stream connection: %s", strerror(errno));
            return server_fail(test, msg);
        }
        char cookie[COOKIE_SIZE];
        if (net_read_exact(fd, cookie, COOKIE_SIZE, SETUP_TIMEOUT) != COOKIE_SIZE ||
            memcmp(cookie, test->cookie, COOKIE_SIZE) != 0) {
            /* someone else's connection (a second client): tell it we are busy */
            signed char c = ACCESS_DENIED;
            (void)net_write_all(fd, &c, 1);
            close(fd);
            continue;
        }
        if (iperf_create_stream(test, fd, test->reverse) < 0) {
            close(fd);
            return server_fail(test, "error - unable to create a new stream");
        }
        iperf_report_connected(test, &test->streams[test->nstreams - 1]);
    }
    return 0;
}

static int server_setup(struct iperf_test *test)
{
    test->ctrl_fd = net_accept(test->listen_fd, -1, test->peer_host, sizeof(test->peer_host), &test->peer_port);
    if (test->ctrl_fd < 0) {
        char msg[256];
        snprintf(msg, sizeof(msg), "error - unable to accept connection from client: %s", strerror(errno));
        return server_fail(test, msg);
    }
    test->state = IPERF_START;
    if (net_read_exact(test->ctrl_fd, test->cookie, COOKIE_SIZE, SETUP_TIMEOUT) != COOKIE_SIZE)
        return server_fail(test, "error - unable to receive cookie at server");
    test->cookie[COOKIE_SIZE - 1] = '\0';
    iperf_printf(test, "Accepted connection from %s, port %d\n", test->peer_host, test->peer_port);
    if (proto_send_state(test, PARAM_EXCHANGE) < 0 || proto_recv_params(test) < 0)
        return server_fail(test, "error - unable to receive parameters from client");
    test->streams = calloc((size_t)test->num_streams, sizeof(*test->streams));
    if (test->streams == NULL)
        return server_fail(test, "error - out of memory");
    if (proto_send_state(test, CREATE_STREAMS) < 0)
        return server_fail(test, "the client has unexpectedly closed the connection");
    if (accept_streams(test) < 0)
        return -1;
    if (proto_send_state(test, TEST_START) < 0)
        return server_fail(test, "the client has unexpectedly closed the connection");
    test->start_time = test->interval_start = time_now();
    iperf_cpu_start(test);
    iperf_report_test_start(test);
    if (proto_send_state(test, TEST_RUNNING) < 0)
        return server_fail(test, "the client has unexpectedly closed the connection");
    if (iperf_start_workers(test) < 0)
        return server_fail(test, "error - unable to create a new thread");
    return 0;
}

/* TEST_END: stop, swap results, let the client display, print our side. */
static int server_end_test(struct iperf_test *test)
{
    test->end_time = time_now();
    if (test->interval > 0 && test->end_time - test->interval_start > 0.01 * test->interval)
        iperf_report_interval(test, test->end_time);
    /* senders stop writing; receivers read the client's last bytes up to its EOF */
    iperf_stop_workers(test, SHUT_WR);
    iperf_cpu_stop(test);
    if (proto_send_state(test, EXCHANGE_RESULTS) < 0 || proto_recv_results(test) < 0 ||
        proto_send_results(test) < 0 || proto_send_state(test, DISPLAY_RESULTS) < 0)
        return server_fail(test, "the client has unexpectedly closed the connection");
    int state = 0;
    int got = proto_recv_state(test, 30.0, &state);
    iperf_report_summary(test);
    if (got == 1 && state == IPERF_DONE)
        return 0;
    if (got == 1 && state == CLIENT_TERMINATE)
        return server_fail(test, "the client has terminated");
    return server_fail(test, "the client has unexpectedly closed the connection");
}

/* A control message while the streams run. 1 = keep running, 0/-1 = test over. */
static int server_control(struct iperf_test *test, int got, int state)
{
    if (got == 0 || (got < 0 && errno != ETIMEDOUT)) {
        return server_fail(test, "the client has unexpectedly closed the connection");
    }
    if (got < 0)
        return 1;
    switch (state) {
    case TEST_END: return server_end_test(test);
    case CLIENT_TERMINATE:
        test->end_time = time_now();
        iperf_stop_workers(test, SHUT_RDWR);
        iperf_cpu_stop(test);
        iperf_report_summary(test);
        iperf_err(test, "the client has terminated");
        return 0;
    default: return server_fail(test, "error - unexpected control message from the client");
    }
}

static int server_run(struct iperf_test *test)
{
    double next_report = test->interval > 0 ? test->start_time + test->interval : -1;
    for (;;) {
        double now = time_now();
        if (next_report > 0 && now >= next_report) {
            iperf_report_interval(test, now);
            next_report += test->interval;
        }
        fd_set rfds;
        FD_ZERO(&rfds);
        FD_SET(test->ctrl_fd, &rfds);
        FD_SET(test->wake_pipe[0], &rfds);
        FD_SET(test->listen_fd, &rfds);
        int maxfd = test->ctrl_fd;
        if (test->wake_pipe[0] > maxfd)
            maxfd = test->wake_pipe[0];
        if (test->listen_fd > maxfd)
            maxfd = test->listen_fd;
        int n = iperf_wait_readable(maxfd + 1, &rfds, next_report > 0 ? next_report - now : -1);
        if (n < 0 && errno != EINTR)
            return server_fail(test, "error - select failed");
        if (n <= 0)
            continue;
        if (FD_ISSET(test->ctrl_fd, &rfds)) {
            int state = 0;
            int got = proto_recv_state(test, 5.0, &state);
            int rc = server_control(test, got, state);
            if (rc <= 0)
                return rc;
        }
        if (FD_ISSET(test->listen_fd, &rfds))
            deny_busy(test);
        if (FD_ISSET(test->wake_pipe[0], &rfds)) {
            char buf[64];
            while (read(test->wake_pipe[0], buf, sizeof(buf)) > 0) {
            }
            int is_write = 0;
            int err = iperf_stream_error(test, &is_write);
            if (err != 0) {
                /* The control connection tells why (client gone, terminated) if it can. */
                int state = 0;
                int got = proto_recv_state(test, 0.5, &state);
                if (!(got < 0 && errno == ETIMEDOUT))
                    return server_control(test, got, state) <= 0 ? -1 : -1;
                char msg[256];
                snprintf(msg, sizeof(msg), "error - unable to %s stream socket: %s",
                         is_write ? "write to" : "read from", strerror(err));
                return server_fail(test, msg);
            }
        }
    }
}

int iperf_run_server(struct iperf_test *test)
{
    test->listen_fd = net_listen(test->port);
    if (test->listen_fd < 0) {
        iperf_json_begin(test);
        char msg[256];
        snprintf(msg, sizeof(msg), "unable to start listener for connections: %s", strerror(errno));
        if (test->json) {
            iperf_json_finish(test, msg);
        } else {
            iperf_err(test, "error - %s", msg);
            iperf_err(test, "exiting");
        }
        return -1;
    }
    for (;;) {
        test->test_number++;
        iperf_json_begin(test);
        iperf_printf(test,
                     "-----------------------------------------------------------\n"
                     "Server listening on %d (test #%d)\n"
                     "-----------------------------------------------------------\n",
                     test->port, test->test_number);
        fflush(stdout);
        if (server_setup(test) == 0)
            (void)server_run(test);
        iperf_json_finish(test, NULL);
        fflush(stdout);
        iperf_reset_test(test);
        /* like iperf3: a failed test still ends a one-off server with status 0 */
        if (test->one_off)
            return 0;
    }
}
