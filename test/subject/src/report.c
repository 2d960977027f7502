/* Output: iperf3's text lines and its -J document (built during the test, printed once at the end). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>

#include "iperf.h"
#include "timer.h"
#include "units.h"

static const char separator[] = "- - - - - - - - - - - - - - - - - - - - - - - - -\n";
static const char hdr_plain[] = "[ ID] Interval           Transfer     Bitrate\n";
static const char hdr_retr[] = "[ ID] Interval           Transfer     Bitrate         Retr\n";
static const char hdr_cwnd[] = "[ ID] Interval           Transfer     Bitrate         Retr  Cwnd\n";

void iperf_printf(struct iperf_test *test, const char *fmt, ...)
{
    if (test->json)
        return; /* -J: stdout carries the JSON document only */
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    if (test->forceflush)
        fflush(stdout);
}

void iperf_err(struct iperf_test *test, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (test->json && test->json_top != NULL) {
        struct jnode *old = json_get(test->json_top, "error");
        if (old == NULL)
            json_add(test->json_top, "error", json_str(msg));
        return;
    }
    fflush(stdout);
    fprintf(stderr, "iperf3: %s\n", msg);
}

static int local_is_sender(const struct iperf_test *test)
{
    return test->role == 'c' ? !test->reverse : test->reverse;
}

void iperf_cpu_start(struct iperf_test *test)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    test->cpu_start_user = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
    test->cpu_start_system = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    test->cpu_start_wall = time_now();
}

void iperf_cpu_stop(struct iperf_test *test)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double user = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 - test->cpu_start_user;
    double sys = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6 - test->cpu_start_system;
    double wall = time_now() - test->cpu_start_wall;
    if (wall <= 0)
        wall = 1e-6;
    test->cpu_local.user = 100.0 * user / wall;
    test->cpu_local.system = 100.0 * sys / wall;
    test->cpu_local.total = test->cpu_local.user + test->cpu_local.system;
}

void iperf_json_begin(struct iperf_test *test)
{
    if (!test->json)
        return;
    json_free(test->json_top);
    test->json_top = json_object();
    test->json_start = json_add(test->json_top, "start", json_object());
    test->json_connected = json_add(test->json_start, "connected", json_array());
    json_add(test->json_start, "version", json_str(IPERF_VERSION));
    struct utsname u;
    if (uname(&u) == 0) {
        char sys[512];
        snprintf(sys, sizeof(sys), "%s %s %s %s %s", u.sysname, u.nodename, u.release, u.version, u.machine);
        json_add(test->json_start, "system_info", json_str(sys));
    }
    test->json_intervals = json_add(test->json_top, "intervals", json_array());
    test->json_end = json_add(test->json_top, "end", json_object());
}

void iperf_report_connected(struct iperf_test *test, struct iperf_stream *sp)
{
    iperf_printf(test, "[%3d] local %s port %d connected to %s port %d\n", sp->id, sp->local_host,
                 sp->local_port, sp->remote_host, sp->remote_port);
    if (test->json_connected == NULL)
        return;
    struct jnode *c = json_append(test->json_connected, json_object());
    json_add(c, "socket", json_int(sp->id));
    json_add(c, "local_host", json_str(sp->local_host));
    json_add(c, "local_port", json_int(sp->local_port));
    json_add(c, "remote_host", json_str(sp->remote_host));
    json_add(c, "remote_port", json_int(sp->remote_port));
}

void iperf_report_test_start(struct iperf_test *test)
{
    if (test->json_start == NULL)
        return;
    time_t now = time(NULL);
    struct tm tm;
    char buf[64];
    gmtime_r(&now, &tm);
    strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    struct jnode *ts = json_add(test->json_start, "timestamp", json_object());
    json_add(ts, "time", json_str(buf));
    json_add(ts, "timesecs", json_int((long long)now));
    struct jnode *peer = json_add(test->json_start, test->role == 'c' ? "connecting_to" : "accepted_connection",
                                  json_object());
    json_add(peer, "host", json_str(test->role == 'c' ? test->server_host : test->peer_host));
    json_add(peer, "port", json_int(test->role == 'c' ? test->port : test->peer_port));
    json_add(test->json_start, "cookie", json_str(test->cookie));
    json_add(test->json_start, "target_bitrate", json_int((long long)test->rate));
    struct jnode *t = json_add(test->json_start, "test_start", json_object());
    json_add(t, "protocol", json_str("TCP"));
    json_add(t, "num_streams", json_int(test->num_streams));
    json_add(t, "blksize", json_int(test->blksize));
    json_add(t, "omit", json_int(0));
    json_add(t, "duration", json_int(test->duration));
    json_add(t, "bytes", json_int(0));
    json_add(t, "blocks", json_int(0));
    json_add(t, "reverse", json_int(test->reverse));
    json_add(t, "tos", json_int(0));
    json_add(t, "target_bitrate", json_int((long long)test->rate));
}

static void text_line(struct iperf_test *test, const char *label, double st, double en, double bytes,
                      int retr, unsigned cwnd, const char *role)
{
    char xfer[32], rate[32], win[32];
    double secs = en - st > 0 ? en - st : 1e-9;
    unit_bytes(xfer, sizeof(xfer), bytes);
    unit_bits(rate, sizeof(rate), bytes * 8.0 / secs);
    if (retr < 0) {
        iperf_printf(test, "%s %6.2f-%-6.2f sec  %ss  %ss/sec                  %s\n", label, st, en, xfer, rate,
                     role);
    } else if (cwnd > 0) {
        unit_bytes(win, sizeof(win), cwnd);
        iperf_printf(test, "%s %6.2f-%-6.2f sec  %ss  %ss/sec  %3d   %ss       %s\n", label, st, en, xfer, rate,
                     retr, win, role);
    } else {
        iperf_printf(test, "%s %6.2f-%-6.2f sec  %ss  %ss/sec  %3d             %s\n", label, st, en, xfer, rate,
                     retr, role);
    }
}

static struct jnode *json_period(int socket, double st, double en, double bytes, int retr, int sender)
{
    struct jnode *o = json_object();
    double secs = en - st > 0 ? en - st : 1e-9;
    if (socket >= 0)
        json_add(o, "socket", json_int(socket));
    json_add(o, "start", json_num(st));
    json_add(o, "end", json_num(en));
    json_add(o, "seconds", json_num(en - st));
    json_add(o, "bytes", json_int((long long)bytes));
    json_add(o, "bits_per_second", json_num(bytes * 8.0 / secs));
    if (retr >= 0)
        json_add(o, "retransmits", json_int(retr));
    json_add(o, "omitted", json_bool(0));
    json_add(o, "sender", json_bool(sender));
    return o;
}

void iperf_report_interval(struct iperf_test *test, double now)
{
    int sender = local_is_sender(test);
    double st = test->interval_start - test->start_time;
    double en = now - test->start_time;
    struct jnode *iv = NULL, *streams = NULL;
    if (test->json_intervals != NULL) {
        iv = json_append(test->json_intervals, json_object());
        streams = json_add(iv, "streams", json_array());
    }
    if (st <= 0.0001)
        iperf_printf(test, "%s", sender ? hdr_cwnd : hdr_plain);
    double sum = 0;
    int sum_retr = 0;
    for (int i = 0; i < test->nstreams; i++) {
        struct iperf_stream *sp = &test->streams[i];
        uint64_t total = atomic_load_explicit(&sp->bytes, memory_order_relaxed);
        double delta = (double)(total - sp->interval_mark);
        sp->interval_mark = total;
        unsigned cwnd = 0, rtt = 0;
        int retr = -1;
        if (sender) {
            unsigned all = iperf_stream_retransmits(sp, &cwnd, &rtt);
            retr = (int)(all - sp->retrans_mark);
            sp->retrans_mark = all;
            sum_retr += retr;
        }
        sum += delta;
        char label[16];
        snprintf(label, sizeof(label), "[%3d]", sp->id);
        text_line(test, label, st, en, delta, retr, sender ? (cwnd > 0 ? cwnd : 1) : 0, "");
        if (streams != NULL) {
            struct jnode *o = json_append(streams, json_period(sp->id, st, en, delta, retr, sender));
            if (sender) {
                json_add(o, "snd_cwnd", json_int(cwnd));
                json_add(o, "rtt", json_int(rtt));
            }
        }
    }
    if (test->nstreams > 1) {
        text_line(test, "[SUM]", st, en, sum, sender ? sum_retr : -1, 0, "");
        iperf_printf(test, "%s", separator);
    }
    if (iv != NULL)
        json_add(iv, "sum", json_period(-1, st, en, sum, sender ? sum_retr : -1, sender));
    test->interval_start = now;
}

void iperf_report_summary(struct iperf_test *test)
{
    int sender = local_is_sender(test);
    double en = test->end_time - test->start_time;
    if (en <= 0)
        en = 1e-9;
    double sent = 0, received = 0;
    unsigned retr_sum = 0;
    int show_both = test->role == 'c';
    /* with several streams the last interval already ended with a separator */
    if (test->nstreams <= 1 || test->interval <= 0)
        iperf_printf(test, "%s", separator);
    iperf_printf(test, "%s", (sender || show_both) ? hdr_retr : hdr_plain);
    struct jnode *jstreams = NULL;
    if (test->json_end != NULL)
        jstreams = json_add(test->json_end, "streams", json_array());
    for (int i = 0; i < test->nstreams; i++) {
        struct iperf_stream *sp = &test->streams[i];
        double local = (double)atomic_load(&sp->bytes);
        double remote = test->have_remote_results ? (double)sp->remote.bytes : 0;
        double s_bytes = sender ? local : remote;
        double r_bytes = sender ? remote : local;
        unsigned retr = sender ? sp->retrans_total : sp->remote.retransmits;
        sent += s_bytes;
        received += r_bytes;
        retr_sum += retr;
        char label[16];
        snprintf(label, sizeof(label), "[%3d]", sp->id);
        if (sender || show_both)
            text_line(test, label, 0, en, s_bytes, (int)retr, 0, "sender");
        if (!sender || show_both)
            text_line(test, label, 0, en, r_bytes, -1, 0, "receiver");
        if (jstreams != NULL) {
            struct jnode *o = json_append(jstreams, json_object());
            json_add(o, "sender", json_period(sp->id, 0, en, s_bytes, (int)retr, sender));
            json_add(o, "receiver", json_period(sp->id, 0, en, r_bytes, -1, sender));
        }
    }
    if (test->nstreams > 1) {
        if (sender || show_both)
            text_line(test, "[SUM]", 0, en, sent, (int)retr_sum, 0, "sender");
        if (!sender || show_both)
            text_line(test, "[SUM]", 0, en, received, -1, 0, "receiver");
    }
    if (test->json_end != NULL) {
        json_add(test->json_end, "sum_sent", json_period(-1, 0, en, sent, (int)retr_sum, sender));
        json_add(test->json_end, "sum_received", json_period(-1, 0, en, received, -1, sender));
        struct jnode *cpu = json_add(test->json_end, "cpu_utilization_percent", json_object());
        json_add(cpu, "host_total", json_num(test->cpu_local.total));
        json_add(cpu, "host_user", json_num(test->cpu_local.user));
        json_add(cpu, "host_system", json_num(test->cpu_local.system));
        json_add(cpu, "remote_total", json_num(test->cpu_remote.total));
        json_add(cpu, "remote_user", json_num(test->cpu_remote.user));
        json_add(cpu, "remote_system", json_num(test->cpu_remote.system));
        if (test->congestion[0] != '\0')
            json_add(test->json_end, sender ? "sender_tcp_congestion" : "receiver_tcp_congestion",
                     json_str(test->congestion));
    }
    if (test->role == 'c')
        iperf_printf(test, "\niperf Done.\n");
}

void iperf_json_finish(struct iperf_test *test, const char *error)
{
    if (!test->json || test->json_top == NULL)
        return;
    if (error != NULL && json_get(test->json_top, "error") == NULL)
        json_add(test->json_top, "error", json_str(error));
    json_print(stdout, test->json_top);
    fflush(stdout);
    json_free(test->json_top);
    test->json_top = test->json_start = test->json_connected = test->json_intervals = test->json_end = NULL;
}
