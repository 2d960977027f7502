/* Core types of the sigstorm test subject (an iperf3 look-alike). */
#ifndef IPERF_H
#define IPERF_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"

#define IPERF_VERSION "iperf 3.18-subject (sigstorm test subject)"
#define DEFAULT_PORT 5201
#define DEFAULT_DURATION 10
#define DEFAULT_BLKSIZE (128 * 1024)
#define MAX_STREAMS 128
#define COOKIE_SIZE 37 /* 36 random characters plus NUL, as iperf3 */

/* Control-connection states, numbered as in iperf3. */
enum iperf_state {
    TEST_START = 1,
    TEST_RUNNING = 2,
    TEST_END = 4,
    PARAM_EXCHANGE = 9,
    CREATE_STREAMS = 10,
    SERVER_TERMINATE = 11,
    CLIENT_TERMINATE = 12,
    EXCHANGE_RESULTS = 13,
    DISPLAY_RESULTS = 14,
    IPERF_START = 15,
    IPERF_DONE = 16,
    ACCESS_DENIED = -1,
    SERVER_ERROR = -2,
};

/* What the peer reports about one stream at the results exchange. */
struct stream_result {
    int id;
    uint64_t bytes;
    double seconds;
    unsigned retransmits;
};

struct iperf_test;

/* One TCP data connection, moved by its own worker thread. */
struct iperf_stream {
    struct iperf_test *test;
    int id;     /* shown as [  5]: the socket number, like iperf3 */
    int sock;
    int sender; /* this side writes on the stream */
    char *buf;
    pthread_t thread;
    int thread_started;
    atomic_uint_fast64_t bytes; /* moved so far; written by the worker only */
    atomic_int done;            /* worker has left its loop */
    atomic_int err;             /* errno of the failure that stopped the worker, 0 if none */
    uint64_t interval_mark;     /* bytes at the start of the current interval (main thread) */
    unsigned retrans_mark;      /* retransmits at the start of the current interval */
    unsigned retrans_total;     /* captured when the worker stopped */
    char local_host[64];
    char remote_host[64];
    int local_port;
    int remote_port;
    struct stream_result remote; /* filled at the results exchange */
};

struct cpu_usage {
    double user, system, total; /* percent of one CPU over the test */
};

struct iperf_test {
    char role; /* 's' or 'c' */
    /* options */
    char *server_host;
    int port;
    int num_streams;
    int duration;
    int json;
    int one_off;
    uint64_t rate; /* bits per second per stream, 0 = unlimited */
    int reverse;
    double interval;
    int blksize;
    int forceflush;
    /* connections */
    int listen_fd;
    int ctrl_fd;
    char cookie[COOKIE_SIZE];
    char peer_host[64];
    int peer_port;
    int state;
    int test_number;
    /* streams */
    struct iperf_stream *streams;
    int nstreams; /* streams created so far */
    atomic_int stop; /* tells every worker to leave its loop */
    int wake_pipe[2]; /* workers write here so the main thread notices them */
    /* timing (CLOCK_MONOTONIC seconds) */
    double start_time;
    double end_time;
    double interval_start;
    double cpu_start_user, cpu_start_system, cpu_start_wall;
    struct cpu_usage cpu_local;
    struct cpu_usage cpu_remote;
    int have_remote_results;
    char congestion[32];
    /* -J output, printed once at the end */
    struct jnode *json_top;
    struct jnode *json_start;
    struct jnode *json_connected;
    struct jnode *json_intervals;
    struct jnode *json_end;
    /* scratch buffer of the results exchange, kept here so an interrupt never leaks it */
    char *xfer_buf;
};

/* options.c */
int iperf_parse_arguments(struct iperf_test *test, int argc, char **argv);
void iperf_usage(FILE *f);
void iperf_test_init(struct iperf_test *test);

/* stream.c */
int iperf_create_stream(struct iperf_test *test, int sock, int sender);
int iperf_start_workers(struct iperf_test *test);
void iperf_stop_workers(struct iperf_test *test, int how);
void iperf_free_streams(struct iperf_test *test);
int iperf_stream_error(struct iperf_test *test, int *is_write);
unsigned iperf_stream_retransmits(struct iperf_stream *sp, unsigned *cwnd, unsigned *rtt);

/* report.c */
void iperf_printf(struct iperf_test *test, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void iperf_err(struct iperf_test *test, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void iperf_json_begin(struct iperf_test *test);
void iperf_report_connected(struct iperf_test *test, struct iperf_stream *sp);
void iperf_report_test_start(struct iperf_test *test);
void iperf_report_interval(struct iperf_test *test, double now);
void iperf_report_summary(struct iperf_test *test);
void iperf_json_finish(struct iperf_test *test, const char *error);
void iperf_cpu_start(struct iperf_test *test);
void iperf_cpu_stop(struct iperf_test *test);

/* client.c / server.c */
int iperf_run_client(struct iperf_test *test);
int iperf_run_server(struct iperf_test *test);

/* main.c: the interrupt path the signal handler jumps to. Never returns. */
void iperf_got_sigend(struct iperf_test *test) __attribute__((noreturn));
void iperf_reset_test(struct iperf_test *test);
void iperf_free_test(struct iperf_test *test);

#endif
