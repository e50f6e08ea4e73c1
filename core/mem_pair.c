/*
 * The in-memory transport: two fixed byte queues between a client and a
 * server conn in one process (hsb_tls.h). No allocation: the caller owns the
 * hsb_mem_pair storage, whose layout only this file knows.
 */
#include <string.h>

#include "hsb_tls.h"

struct hsb_mem_queue {
    size_t head, len; /* bytes live at buf[head .. head+len) (no wrap) */
    int shut;         /* the writer closed: recv on empty gives EOF */
    uint8_t buf[HSB_MEM_QUEUE_CAP];
};

/* The layout behind hsb_mem_pair's storage. */
typedef struct mem_pair {
    hsb_mem_queue to_server, to_client;
} mem_pair;

_Static_assert(sizeof(mem_pair) <= sizeof(hsb_mem_pair), "HSB_MEM_PAIR_SIZE too small");
_Static_assert(_Alignof(mem_pair) <= _Alignof(hsb_mem_pair), "hsb_mem_pair under-aligned");

static mem_pair *layout(hsb_mem_pair *p)
{
    return (mem_pair *)(void *)p->opaque;
}

static void queue_reset(hsb_mem_queue *q)
{
    q->head = q->len = 0;
    q->shut = 0;
}

void hsb_mem_pair_init(hsb_mem_pair *p)
{
    queue_reset(&layout(p)->to_server);
    queue_reset(&layout(p)->to_client);
}

hsb_mem_queue *hsb_mem_pair_to_server(hsb_mem_pair *p)
{
    return &layout(p)->to_server;
}

hsb_mem_queue *hsb_mem_pair_to_client(hsb_mem_pair *p)
{
    return &layout(p)->to_client;
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

int hsb_mem_queue_is_shut(const hsb_mem_queue *q)
{
    return q->shut;
}

void hsb_mem_queue_discard(hsb_mem_queue *q)
{
    q->head = q->len = 0;
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
    return q_send(hsb_mem_pair_to_server(io), buf, len, n);
}
static hsb_rc client_recv(void *io, uint8_t *buf, size_t cap, size_t *n)
{
    return q_recv(hsb_mem_pair_to_client(io), buf, cap, n);
}
static hsb_rc server_send(void *io, const uint8_t *buf, size_t len, size_t *n)
{
    return q_send(hsb_mem_pair_to_client(io), buf, len, n);
}
static hsb_rc server_recv(void *io, uint8_t *buf, size_t cap, size_t *n)
{
    return q_recv(hsb_mem_pair_to_server(io), buf, cap, n);
}

hsb_tls_transport hsb_mem_pair_client(hsb_mem_pair *p)
{
    return (hsb_tls_transport){.send = client_send, .recv = client_recv, .io = p};
}

hsb_tls_transport hsb_mem_pair_server(hsb_mem_pair *p)
{
    return (hsb_tls_transport){.send = server_send, .recv = server_recv, .io = p};
}
