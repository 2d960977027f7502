/* Termination signals the iperf3 3.18 way: signal() + longjmp into the main thread. */
#ifndef SIGNALS_H
#define SIGNALS_H

#include <setjmp.h>
#include <signal.h>
#include <sys/select.h>

/* Set with setjmp() by the main thread; the handler jumps here. */
extern jmp_buf sigend_jmp_buf;

/* Install the handler for SIGTERM, SIGINT and SIGHUP, and ignore SIGPIPE. */
void iperf_catch_sigend(void);
/* Block (or unblock) SIGTERM/SIGINT/SIGHUP in the calling thread. */
void iperf_block_sigend(int block);
/* First thing after the jump lands: no second signal may re-enter the cleanup. */
void iperf_sigend_landed(void);
/* The signal that ended the run (0 if none). */
int iperf_sigend_caught(void);
/*
 * Wait for readable descriptors (timeout < 0: forever). This is the only
 * place where the main thread may be interrupted by the jump: a signal that
 * arrives anywhere else is kept until the next wait, so the jump never leaves
 * a lock (malloc, stdio) held behind it.
 */
int iperf_wait_readable(int nfds, fd_set *readable, double timeout);

#endif
