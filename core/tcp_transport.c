/* The TCP transport: a connected socket, and connect/listen helpers. */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hsb_tls.h"

/* --------------------------------------------------------------- TCP */

static hsb_rc tcp_send(void *io, const uint8_t *buf, size_t len, size_t *n)
{
    int fd = (int)(intptr_t)io;
    *n = 0;
    for (;;) {
        ssize_t r = send(fd, buf, len, MSG_NOSIGNAL);
        if (r >= 0) {
            *n = (size_t)r;
            return HSB_OK;
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return HSB_E_WOULD_BLOCK;
        HSB_BAIL_MSG(HSB_E_IO, strerror(errno));
    }
}

static hsb_rc tcp_recv(void *io, uint8_t *buf, size_t cap, size_t *n)
{
    int fd = (int)(intptr_t)io;
    *n = 0;
    for (;;) {
        ssize_t r = recv(fd, buf, cap, 0);
        if (r >= 0) {
            *n = (size_t)r;
            return HSB_OK;
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return HSB_E_WOULD_BLOCK;
        HSB_BAIL_MSG(HSB_E_IO, strerror(errno));
    }
}

hsb_tls_transport hsb_tcp_transport(int fd)
{
    return (hsb_tls_transport){.send = tcp_send, .recv = tcp_recv, .io = (void *)(intptr_t)fd};
}

hsb_rc hsb_tcp_connect(const char *host, const char *port, int *fd, char *err, size_t err_len)
{
    HSB_ENSURE(host && port && fd, HSB_E_USAGE);
    *fd = -1;
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int gai = getaddrinfo(host, port, &hints, &res);
    if (gai != 0) {
        if (err) snprintf(err, err_len, "cannot resolve %s:%s: %s", host, port, gai_strerror(gai));
        HSB_BAIL_MSG(HSB_E_IO, "getaddrinfo");
    }
    int last = 0;
    for (struct addrinfo *a = res; a; a = a->ai_next) {
        int s = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (s < 0) {
            last = errno;
            continue;
        }
        if (connect(s, a->ai_addr, a->ai_addrlen) == 0) {
            int one = 1;
            setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            freeaddrinfo(res);
            *fd = s;
            return HSB_OK;
        }
        last = errno;
        close(s);
    }
    freeaddrinfo(res);
    if (err) snprintf(err, err_len, "cannot connect to %s:%s: %s", host, port, strerror(last));
    HSB_BAIL_MSG(HSB_E_IO, "connect");
}

hsb_rc hsb_tcp_listen(const char *addr, const char *port, int backlog, int *fd,
                      unsigned *bound_port, char *err, size_t err_len)
{
    HSB_ENSURE(port && fd, HSB_E_USAGE);
    *fd = -1;
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    int gai = getaddrinfo(addr && *addr ? addr : NULL, port, &hints, &res);
    if (gai != 0) {
        if (err)
            snprintf(err, err_len, "cannot resolve %s:%s: %s", addr ? addr : "*", port,
                     gai_strerror(gai));
        HSB_BAIL_MSG(HSB_E_IO, "getaddrinfo");
    }
    int last = 0;
    for (struct addrinfo *a = res; a; a = a->ai_next) {
        int s = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (s < 0) {
            last = errno;
            continue;
        }
        int one = 1;
        setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(s, a->ai_addr, a->ai_addrlen) == 0 && listen(s, backlog) == 0) {
            struct sockaddr_storage ss;
            socklen_t sl = sizeof ss;
            unsigned p = 0;
            if (getsockname(s, (struct sockaddr *)&ss, &sl) == 0) {
                if (ss.ss_family == AF_INET)
                    p = ntohs(((struct sockaddr_in *)&ss)->sin_port);
                else if (ss.ss_family == AF_INET6)
                    p = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
            }
            if (bound_port) *bound_port = p;
            freeaddrinfo(res);
            *fd = s;
            return HSB_OK;
        }
        last = errno;
        close(s);
    }
    freeaddrinfo(res);
    if (err)
        snprintf(err, err_len, "cannot listen on %s:%s: %s", addr ? addr : "*", port,
                 strerror(last));
    HSB_BAIL_MSG(HSB_E_IO, "listen");
}
