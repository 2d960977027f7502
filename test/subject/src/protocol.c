/* The control protocol: one state byte at a time, plus length-prefixed parameter and result blocks. */
#include "config.h"

#include "protocol.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"

#define PROTO_TIMEOUT 30.0 /* seconds a peer may take to answer during setup and results */
#define BLOCK_MAX 65536

int proto_send_state(struct iperf_test *test, int state)
{
    signed char c = (signed char)state;
    test->state = state;
    return net_write_all(test->ctrl_fd, &c, 1) == 1 ? 0 : -1;
}

int proto_recv_state(struct iperf_test *test, double timeout, int *state)
{
    signed char c;
    ssize_t n = net_read_exact(test->ctrl_fd, &c, 1, timeout);
    if (n <= 0)
        return (int)n;
    *state = c;
    return 1;
}

static int send_block(struct iperf_test *test, const char *text)
{
    uint32_t len = htonl((uint32_t)strlen(text));
    if (net_write_all(test->ctrl_fd, &len, sizeof(len)) < 0)
        return -1;
    return net_write_all(test->ctrl_fd, text, strlen(text)) < 0 ? -1 : 0;
}

/* Reads into test->xfer_buf, which stays owned by the test so an interrupt cannot leak it. */
static int recv_block(struct iperf_test *test)
{
    uint32_t netlen;
    ssize_t n = net_read_exact(test->ctrl_fd, &netlen, sizeof(netlen), PROTO_TIMEOUT);
    if (n <= 0) {
        if (n == 0)
            errno = ECONNRESET;
        return -1;
    }
    uint32_t len = ntohl(netlen);
    if (len > BLOCK_MAX) {
        errno = EPROTO;
        return -1;
    }
    free(test->xfer_buf);
    test->xfer_buf = malloc(len + 1);
    if (test->xfer_buf == NULL)
        return -1;
    if (len > 0 && net_read_exact(test->ctrl_fd, test->xfer_buf, len, PROTO_TIMEOUT) != (ssize_t)len) {
        if (errno == 0)
            errno = ECONNRESET;
        return -1;
    }
    test->xfer_buf[len] = '\0';
    return 0;
}

int proto_send_params(struct iperf_test *test)
{
    char text[256];
    snprintf(text, sizeof(text), "parallel=%d\ntime=%d\nlen=%d\nreverse=%d\nbandwidth=%llu\n",
             test->num_streams, test->duration, test->blksize, test->reverse,
             (unsigned long long)test->rate);
    return send_block(test, text);
}

int proto_recv_params(struct iperf_test *test)
{
    if (recv_block(test) < 0)
        return -1;
    char *save = NULL;
    for (char *line = strtok_r(test->xfer_buf, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
        char *eq = strchr(line, '=');
        if (eq == NULL)
            continue;
        *eq = '\0';
        const char *val = eq + 1;
        if (strcmp(line, "parallel") == 0)
            test->num_streams = atoi(val);
        else if (strcmp(line, "time") == 0)
            test->duration = atoi(val);
        else if (strcmp(line, "len") == 0)
            test->blksize = atoi(val);
        else if (strcmp(line, "reverse") == 0)
            test->reverse = atoi(val);
        else if (strcmp(line, "bandwidth") == 0)
            test->rate = strtoull(val, NULL, 10);
    }
    if (test->num_streams < 1 || test->num_streams > MAX_STREAMS || test->blksize < 1 ||
        test->blksize > 16 * 1024 * 1024 || test->duration < 0) {
        errno = EINVAL;
        return -1;
    }
    return 0;
}

int proto_send_results(struct iperf_test *test)
{
    size_t cap = 128 + (size_t)test->nstreams * 96;
    char *text = malloc(cap);
    if (text == NULL)
        return -1;
    size_t off = (size_t)snprintf(text, cap, "cpu %.4f %.4f %.4f\n", test->cpu_local.user,
                                  test->cpu_local.system, test->cpu_local.total);
    for (int i = 0; i < test->nstreams && off < cap; i++) {
        struct iperf_stream *sp = &test->streams[i];
        off += (size_t)snprintf(text + off, cap - off, "stream %d %llu %.6f %u\n", sp->id,
                                (unsigned long long)atomic_load(&sp->bytes), test->end_time - test->start_time,
                                sp->sender ? sp->retrans_total : 0);
    }
    int rc = send_block(test, text);
    free(text);
    return rc;
}

int proto_recv_results(struct iperf_test *test)
{
    if (recv_block(test) < 0)
        return -1;
    int idx = 0;
    char *save = NULL;
    for (char *line = strtok_r(test->xfer_buf, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
        struct stream_result r;
        unsigned long long bytes;
        if (sscanf(line, "cpu %lf %lf %lf", &test->cpu_remote.user, &test->cpu_remote.system,
                   &test->cpu_remote.total) == 3)
            continue;
        if (sscanf(line, "stream %d %llu %lf %u", &r.id, &bytes, &r.seconds, &r.retransmits) == 4 &&
            idx < test->nstreams) {
            r.bytes = bytes;
            test->streams[idx++].remote = r; /* streams match by creation order */
        }
    }
    test->have_remote_results = 1;
    return 0;
}
