/* Transports: the in-memory pair (fixed queues) and TCP sockets. */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hsb_tls.h"

/* ------------------------------------------------------------ memory */

void hsb_mem_pair_init(hsb_mem_pair *p)
{
    p->to_server.head = p->to_server.len = 0;
    p->to_server.shut = 0;
    p->to_client.head = p->to_client.len = 0;
    p->to_client.shut = 0;
}

size_t hsb_mem_queue_pending(const hsb_mem_queue *q)
{
    return q->len;
}

hsb_rc hsb_mem_queue_push(hsb_mem_queue *q, const uint8_t *data, size_t len)
{
    HSB_ENSURE(q && (data || len == 0), HSB_E_USAGE);
    if (len > HSB_MEM_QUEUE_CAP - q->len) return HSB_E_WOULD_BLOCK;
    if (q->head + q->len + len > HSB_MEM_QUEUE_CAP) {
        memmove(q->buf, q->buf + q->head, q->len);
        q->head = 0;
    }
    if (len) memcpy(q->buf + q->head + q->len, data, len);
    q->len += len;
    return HSB_OK;
}

static size_t queue_pop(hsb_mem_queue *q, uint8_t *buf, size_t cap)
{
    size_t k = q->len < cap ? q->len : cap;
    memcpy(buf, q->buf + q->head, k);
    q->head += k;
    q->len -= k;
    if (q->len == 0) q->head = 0;
    return k;
}

hsb_rc hsb_mem_queue_take_record(hsb_mem_queue *q, uint8_t *buf, size_t cap, size_t *len)
{
    HSB_ENSURE(q && buf && len, HSB_E_USAGE);
    *len = 0;
    if (q->len < 5) return HSB_E_WOULD_BLOCK;
    const uint8_t *h = q->buf + q->head;
    size_t n = 5 + ((size_t)h[3] << 8 | h[4]);
    if (q->len < n) return HSB_E_WOULD_BLOCK;
    HSB_ENSURE(n <= cap, HSB_E_USAGE);
    *len = queue_pop(q, buf, n);
    return HSB_OK;
}

void hsb_mem_queue_shut(hsb_mem_queue *q)
{
    q->shut = 1;
}

static hsb_rc q_send(hsb_mem_queue *q, const uint8_t *buf, size_t len, size_t *n)
{
    *n = 0;
    if (q->shut) return HSB_E_IO;
    size_t room = HSB_MEM_QUEUE_CAP - q->len;
    size_t k = len < room ? len : room;
    if (k == 0) return len ? HSB_E_WOULD_BLOCK : HSB_OK;
    hsb_rc rc = hsb_mem_queue_push(q, buf, k);
    if (rc != HSB_OK) return rc;
    *n = k;
    return HSB_OK;
}

static hsb_rc q_recv(hsb_mem_queue *q, uint8_t *buf, size_t cap, size_t *n)
{
    *n = 0;
    if (q->len == 0) return q->shut ? HSB_OK : HSB_E_WOULD_BLOCK;
    *n = queue_pop(q, buf, cap);
    return HSB_OK;
}

static hsb_rc client_send(void *io, const uint8_t *buf, size_t len, size_t *n)
{
    return q_send(&((hsb_mem_pair *)io)->to_server, buf, len, n);
}
static hsb_rc client_recv(void *io, uint8_t *buf, size_t cap, size_t *n)
{
    return q_recv(&((hsb_mem_pair *)io)->to_client, buf, cap, n);
}
static hsb_rc server_send(void *io, const uint8_t *buf, size_t len, size_t *n)
{
    return q_send(&((hsb_mem_pair *)io)->to_client, buf, len, n);
}
static hsb_rc server_recv(void *io, uint8_t *buf, size_t cap, size_t *n)
{
    return q_recv(&((hsb_mem_pair *)io)->to_server, buf, cap, n);
}

hsb_tls_transport hsb_mem_pair_client(hsb_mem_pair *p)
{
    return (hsb_tls_transport){.send = client_send, .recv = client_recv, .io = p};
}

hsb_tls_transport hsb_mem_pair_server(hsb_mem_pair *p)
{
    return (hsb_tls_transport){.send = server_send, .recv = server_recv, .io = p};
}

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
