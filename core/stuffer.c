/* The cursor buffer codec (see hsb_stuffer.h). */
#include "hsb_stuffer.h"

#include <string.h>

void hsb_stuffer_init_write(hsb_stuffer *s, uint8_t *buf, size_t cap)
{
    s->data = buf;
    s->cap = cap;
    s->wpos = 0;
    s->rpos = 0;
}

void hsb_stuffer_init_read(hsb_stuffer *s, const uint8_t *buf, size_t len)
{
    /* The reader only ever reads; the cast keeps one struct for both uses. */
    s->data = (uint8_t *)(uintptr_t)buf;
    s->cap = len;
    s->wpos = len;
    s->rpos = 0;
}

hsb_rc hsb_stuffer_reserve(hsb_stuffer *s, size_t len, uint8_t **p)
{
    if (len > s->cap - s->wpos) HSB_BAIL_MSG(HSB_E_INTERNAL, "stuffer full");
    *p = s->data + s->wpos;
    s->wpos += len;
    return HSB_OK;
}

static hsb_rc write_be(hsb_stuffer *s, uint32_t v, unsigned n)
{
    uint8_t *p = NULL;
    HSB_GUARD(hsb_stuffer_reserve(s, n, &p));
    for (unsigned i = 0; i < n; i++) p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
    return HSB_OK;
}

hsb_rc hsb_stuffer_write_u8(hsb_stuffer *s, uint8_t v)
{
    return write_be(s, v, 1);
}
hsb_rc hsb_stuffer_write_u16(hsb_stuffer *s, uint16_t v)
{
    return write_be(s, v, 2);
}
hsb_rc hsb_stuffer_write_u24(hsb_stuffer *s, uint32_t v)
{
    HSB_ENSURE(v < (1u << 24), HSB_E_INTERNAL);
    return write_be(s, v, 3);
}
hsb_rc hsb_stuffer_write_u32(hsb_stuffer *s, uint32_t v)
{
    return write_be(s, v, 4);
}

hsb_rc hsb_stuffer_write_bytes(hsb_stuffer *s, const void *src, size_t len)
{
    uint8_t *p = NULL;
    HSB_GUARD(hsb_stuffer_reserve(s, len, &p));
    if (len) memcpy(p, src, len);
    return HSB_OK;
}

hsb_rc hsb_stuffer_begin_vec(hsb_stuffer *s, unsigned len_bytes, size_t *mark)
{
    HSB_ENSURE(len_bytes >= 1 && len_bytes <= 3, HSB_E_INTERNAL);
    *mark = s->wpos;
    return write_be(s, 0, len_bytes);
}

hsb_rc hsb_stuffer_end_vec(hsb_stuffer *s, unsigned len_bytes, size_t mark)
{
    HSB_ENSURE(len_bytes >= 1 && len_bytes <= 3 && mark + len_bytes <= s->wpos, HSB_E_INTERNAL);
    size_t body = s->wpos - mark - len_bytes;
    HSB_ENSURE(body < ((size_t)1 << (8 * len_bytes)), HSB_E_INTERNAL);
    for (unsigned i = 0; i < len_bytes; i++)
        s->data[mark + i] = (uint8_t)(body >> (8 * (len_bytes - 1 - i)));
    return HSB_OK;
}

hsb_rc hsb_stuffer_write_vec(hsb_stuffer *s, unsigned len_bytes, const void *p, size_t len)
{
    size_t mark = 0;
    HSB_GUARD(hsb_stuffer_begin_vec(s, len_bytes, &mark));
    HSB_GUARD(hsb_stuffer_write_bytes(s, p, len));
    return hsb_stuffer_end_vec(s, len_bytes, mark);
}

static hsb_rc read_be(hsb_stuffer *s, unsigned n, uint32_t *v)
{
    if (hsb_stuffer_remaining(s) < n) HSB_BAIL_MSG(HSB_E_PROTOCOL, "message truncated");
    uint32_t x = 0;
    for (unsigned i = 0; i < n; i++) x = (x << 8) | s->data[s->rpos + i];
    s->rpos += n;
    *v = x;
    return HSB_OK;
}

hsb_rc hsb_stuffer_read_u8(hsb_stuffer *s, uint8_t *v)
{
    uint32_t x = 0;
    HSB_GUARD(read_be(s, 1, &x));
    *v = (uint8_t)x;
    return HSB_OK;
}
hsb_rc hsb_stuffer_read_u16(hsb_stuffer *s, uint16_t *v)
{
    uint32_t x = 0;
    HSB_GUARD(read_be(s, 2, &x));
    *v = (uint16_t)x;
    return HSB_OK;
}
hsb_rc hsb_stuffer_read_u24(hsb_stuffer *s, uint32_t *v)
{
    return read_be(s, 3, v);
}
hsb_rc hsb_stuffer_read_u32(hsb_stuffer *s, uint32_t *v)
{
    return read_be(s, 4, v);
}

hsb_rc hsb_stuffer_read_ptr(hsb_stuffer *s, size_t len, const uint8_t **p)
{
    if (hsb_stuffer_remaining(s) < len) HSB_BAIL_MSG(HSB_E_PROTOCOL, "message truncated");
    *p = s->data + s->rpos;
    s->rpos += len;
    return HSB_OK;
}

hsb_rc hsb_stuffer_read_bytes(hsb_stuffer *s, void *dst, size_t len)
{
    const uint8_t *p = NULL;
    HSB_GUARD(hsb_stuffer_read_ptr(s, len, &p));
    if (len) memcpy(dst, p, len);
    return HSB_OK;
}

hsb_rc hsb_stuffer_read_vec(hsb_stuffer *s, unsigned len_bytes, size_t min, size_t max,
                            hsb_stuffer *sub)
{
    uint32_t len = 0;
    HSB_ENSURE(len_bytes >= 1 && len_bytes <= 3, HSB_E_INTERNAL);
    HSB_GUARD(read_be(s, len_bytes, &len));
    if (len < min || len > max) HSB_BAIL_MSG(HSB_E_PROTOCOL, "vector length out of range");
    const uint8_t *p = NULL;
    HSB_GUARD(hsb_stuffer_read_ptr(s, len, &p));
    hsb_stuffer_init_read(sub, p, len);
    return HSB_OK;
}

hsb_rc hsb_stuffer_ensure_done(const hsb_stuffer *s)
{
    if (hsb_stuffer_remaining(s) != 0) HSB_BAIL_MSG(HSB_E_PROTOCOL, "trailing bytes in message");
    return HSB_OK;
}
