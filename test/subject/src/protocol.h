/* The control protocol: one state byte at a time, plus length-prefixed parameter and result blocks. */
#ifndef PROTOCOL_H
#define PROTOCOL_H

#include "iperf.h"

int proto_send_state(struct iperf_test *test, int state);
/* 1 = got a state in *state, 0 = control socket closed, -1 = error (errno; ETIMEDOUT). */
int proto_recv_state(struct iperf_test *test, double timeout, int *state);
int proto_send_params(struct iperf_test *test);
int proto_recv_params(struct iperf_test *test);
int proto_send_results(struct iperf_test *test);
int proto_recv_results(struct iperf_test *test);

#endif
