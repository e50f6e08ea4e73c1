/*
 * hsb_stuffer.h - a cursor over a fixed byte buffer (s2n's stuffer shape),
 * for writing and parsing TLS structures in network byte order.
 *
 * A stuffer never allocates: it borrows `data` of `cap` bytes. Writes append
 * at `wpos` (HSB_E_INTERNAL when the buffer is full: our own buffers are sized
 * for every message we write); reads consume from `rpos` up to `wpos` and fail
 * with HSB_E_PROTOCOL (a decode_error for the peer's message) when the data
 * runs out. Vectors: hsb_stuffer_begin_vec reserves an N-byte length field
 * and hsb_stuffer_end_vec patches it once the body is written; reading a
 * vector gives a sub-stuffer over exactly its bytes, so parsers read like the
 * RFC's struct definitions and cannot run past a vector's end.
 */
#ifndef HSB_STUFFER_H
#define HSB_STUFFER_H

#include <stddef.h>
#include <stdint.h>

#include "hsb_error.h"

typedef struct hsb_stuffer {
    uint8_t *data;
    size_t cap;  /* bytes available for writing */
    size_t wpos; /* end of the written (readable) data */
    size_t rpos; /* next byte to read */
} hsb_stuffer;

/* A writer over buf[0..cap). */
void hsb_stuffer_init_write(hsb_stuffer *s, uint8_t *buf, size_t cap);
/* A reader over the len bytes of buf (const-correct at the call site: the
 * reader never writes). */
void hsb_stuffer_init_read(hsb_stuffer *s, const uint8_t *buf, size_t len);

static inline size_t hsb_stuffer_remaining(const hsb_stuffer *s)
{
    return s->wpos - s->rpos;
}
static inline const uint8_t *hsb_stuffer_cursor(const hsb_stuffer *s)
{
    return s->data + s->rpos;
}

HSB_MUST_CHECK hsb_rc hsb_stuffer_write_u8(hsb_stuffer *s, uint8_t v);
HSB_MUST_CHECK hsb_rc hsb_stuffer_write_u16(hsb_stuffer *s, uint16_t v);
HSB_MUST_CHECK hsb_rc hsb_stuffer_write_u24(hsb_stuffer *s, uint32_t v);
HSB_MUST_CHECK hsb_rc hsb_stuffer_write_u32(hsb_stuffer *s, uint32_t v);
HSB_MUST_CHECK hsb_rc hsb_stuffer_write_bytes(hsb_stuffer *s, const void *p, size_t len);
/* Reserve len bytes to fill in place: *p points at them. */
HSB_MUST_CHECK hsb_rc hsb_stuffer_reserve(hsb_stuffer *s, size_t len, uint8_t **p);

/* Length-prefixed vector with a len_bytes (1, 2 or 3) prefix: begin returns
 * the mark to give end, which writes the body's length (HSB_E_INTERNAL when
 * it does not fit the prefix). */
HSB_MUST_CHECK hsb_rc hsb_stuffer_begin_vec(hsb_stuffer *s, unsigned len_bytes, size_t *mark);
HSB_MUST_CHECK hsb_rc hsb_stuffer_end_vec(hsb_stuffer *s, unsigned len_bytes, size_t mark);
/* Write a whole vector at once. */
HSB_MUST_CHECK hsb_rc hsb_stuffer_write_vec(hsb_stuffer *s, unsigned len_bytes, const void *p,
                                            size_t len);

HSB_MUST_CHECK hsb_rc hsb_stuffer_read_u8(hsb_stuffer *s, uint8_t *v);
HSB_MUST_CHECK hsb_rc hsb_stuffer_read_u16(hsb_stuffer *s, uint16_t *v);
HSB_MUST_CHECK hsb_rc hsb_stuffer_read_u24(hsb_stuffer *s, uint32_t *v);
HSB_MUST_CHECK hsb_rc hsb_stuffer_read_u32(hsb_stuffer *s, uint32_t *v);
/* Copy len bytes out. */
HSB_MUST_CHECK hsb_rc hsb_stuffer_read_bytes(hsb_stuffer *s, void *p, size_t len);
/* Point *p at the next len bytes and skip them. */
HSB_MUST_CHECK hsb_rc hsb_stuffer_read_ptr(hsb_stuffer *s, size_t len, const uint8_t **p);
/* Read a len_bytes-prefixed vector whose length must lie in [min, max]
 * (else HSB_E_PROTOCOL); sub reads exactly its body. */
HSB_MUST_CHECK hsb_rc hsb_stuffer_read_vec(hsb_stuffer *s, unsigned len_bytes, size_t min,
                                           size_t max, hsb_stuffer *sub);
/* HSB_E_PROTOCOL unless every byte was read (trailing garbage is an error). */
HSB_MUST_CHECK hsb_rc hsb_stuffer_ensure_done(const hsb_stuffer *s);

#endif
