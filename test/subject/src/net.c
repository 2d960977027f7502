/* Sockets: listen, connect, and control-channel I/O that waits interruptibly. */
#include "config.h"

#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "signals.h"
#include "timer.h"

int net_listen(int port)
{
    int fd = socket(AF_INET6, SOCK_STREAM, 0);
    int v6 = fd >= 0;
    if (fd < 0)
        fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    int rc;
    if (v6) {
        int zero = 0; /* accept IPv4 too, like iperf3's default listener */
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
        struct sockaddr_in6 sa;
        memset(&sa, 0, sizeof(sa));
        sa.sin6_family = AF_INET6;
        sa.sin6_addr = in6addr_any;
        sa.sin6_port = htons((unsigned short)port);
        rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
    } else {
        struct sockaddr_in sa;
        memset(&sa, 0, sizeof(sa));
        sa.sin_family = AF_INET;
        sa.sin_addr.s_addr = htonl(INADDR_ANY);
        sa.sin_port = htons((unsigned short)port);
        rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
    }
    if (rc != 0 || listen(fd, 64) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    net_set_nonblocking(fd);
    return fd;
}

int net_connect(const char *host, int port)
{
    struct addrinfo hints, *res = NULL;
    char portstr[16];
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    snprintf(portstr, sizeof(portstr), "%d", port);
    int gai = getaddrinfo(host, portstr, &hints, &res);
    if (gai != 0) {
        errno = EHOSTUNREACH;
        return -1;
    }
    int fd = -1;
    int saved = ECONNREFUSED;
    for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0) {
            saved = errno;
            continue;
        }
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
            break;
        saved = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
        errno = saved;
    return fd;
}

static void addr_string(const struct sockaddr_storage *ss, char *host, size_t hostlen, int *port)
{
    if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
        if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
            inet_ntop(AF_INET, &s6->sin6_addr.s6_addr[12], host, (socklen_t)hostlen);
        else
            inet_ntop(AF_INET6, &s6->sin6_addr, host, (socklen_t)hostlen);
        *port = ntohs(s6->sin6_port);
    } else {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
        inet_ntop(AF_INET, &s4->sin_addr, host, (socklen_t)hostlen);
        *port = ntohs(s4->sin_port);
    }
}

int net_accept(int listen_fd, double timeout, char *host, size_t hostlen, int *port)
{
    double deadline = timeout >= 0 ? time_now() + timeout : -1;
    for (;;) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof(ss);
        int fd = accept(listen_fd, (struct sockaddr *)&ss, &sl);
        if (fd >= 0) {
            int flags = fcntl(fd, F_GETFL, 0);
            fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
            if (host != NULL)
                addr_string(&ss, host, hostlen, port);
            return fd;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED)
            return -1;
        double left = deadline < 0 ? -1 : deadline - time_now();
        if (deadline >= 0 && left <= 0) {
            errno = ETIMEDOUT;
            return -1;
        }
        fd_set rfds;
        FD_ZERO(&rfds);
        FD_SET(listen_fd, &rfds);
        if (iperf_wait_readable(listen_fd + 1, &rfds, left) < 0 && errno != EINTR)
            return -1;
    }
}

void net_endpoints(int sock, char *lhost, size_t llen, int *lport, char *rhost, size_t rlen, int *rport)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    memset(&ss, 0, sizeof(ss));
    if (getsockname(sock, (struct sockaddr *)&ss, &sl) == 0)
        addr_string(&ss, lhost, llen, lport);
    sl = sizeof(ss);
    memset(&ss, 0, sizeof(ss));
    if (getpeername(sock, (struct sockaddr *)&ss, &sl) == 0)
        addr_string(&ss, rhost, rlen, rport);
}

void net_set_nonblocking(int fd)
{
    int flags = fcntl(fd, F_GETFL, 0);
    fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

ssize_t net_read_exact(int fd, void *buf, size_t len, double timeout)
{
    double deadline = timeout >= 0 ? time_now() + timeout : -1;
    size_t got = 0;
    while (got < len) {
        double left = deadline < 0 ? -1 : deadline - time_now();
        if (deadline >= 0 && left <= 0) {
            errno = ETIMEDOUT;
            return -1;
        }
        fd_set rfds;
        FD_ZERO(&rfds);
        FD_SET(fd, &rfds);
        int rc = iperf_wait_readable(fd + 1, &rfds, left);
        if (rc < 0 && errno != EINTR)
            return -1;
        if (rc <= 0)
            continue;
        ssize_t n = recv(fd, (char *)buf + got, len - got, MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR)
                continue;
            return -1;
        }
        if (n == 0) {
            if (got == 0)
                return 0;
            errno = ECONNRESET;
            return -1;
        }
        got += (size_t)n;
    }
    return (ssize_t)len;
}

ssize_t net_write_all(int fd, const void *buf, size_t len)
{
    size_t done = 0;
    while (done < len) {
        /* plain write(), as iperf3: with SIGPIPE ignored a dead peer gives EPIPE */
        ssize_t n = write(fd, (const char *)buf + done, len - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        done += (size_t)n;
    }
    return (ssize_t)len;
}
