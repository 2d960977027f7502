/* Sockets: listen, connect, and control-channel I/O that waits interruptibly. */
#ifndef NET_H
#define NET_H

#include <stddef.h>
#include <sys/types.h>

int net_listen(int port);
int net_connect(const char *host, int port);
/* Accept one connection, waiting at most timeout seconds (< 0: forever). -1 with errno, ETIMEDOUT. */
int net_accept(int listen_fd, double timeout, char *host, size_t hostlen, int *port);
void net_endpoints(int sock, char *lhost, size_t llen, int *lport, char *rhost, size_t rlen, int *rport);
void net_set_nonblocking(int fd);
/*
 * Read exactly len bytes, waiting interruptibly; timeout in seconds for the whole read (< 0: forever).
 * Returns len, 0 on EOF before anything arrived, -1 on error (errno; ETIMEDOUT).
 */
ssize_t net_read_exact(int fd, void *buf, size_t len, double timeout);
ssize_t net_write_all(int fd, const void *buf, size_t len);

#endif
