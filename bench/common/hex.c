/* The one hex decoder: see hsb_hex.h. */
#include "hsb_hex.h"

#include <stdlib.h>
#include <string.h>

static int digit(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int hsb_hex_byte(const char *s)
{
    int hi = digit((unsigned char)s[0]);
    if (hi < 0) return -1;
    int lo = digit((unsigned char)s[1]);
    return lo < 0 ? -1 : hi << 4 | lo;
}

size_t hsb_hex_decode(uint8_t *out, size_t cap, const char *hex)
{
    size_t n = 0;
    for (; n < cap; n++, hex += 2) {
        int b = hsb_hex_byte(hex);
        if (b < 0) break;
        out[n] = (uint8_t)b;
    }
    return n;
}

uint8_t *hsb_hex_alloc(const char *hex, size_t *len)
{
    size_t n = strlen(hex);
    if (n % 2) return NULL;
    uint8_t *out = malloc(n / 2 ? n / 2 : 1);
    if (!out) return NULL;
    if (hsb_hex_decode(out, n / 2, hex) != n / 2) {
        free(out);
        return NULL;
    }
    *len = n / 2;
    return out;
}

uint8_t *hsb_hex_alloc_number(const char *hex, size_t *len)
{
    size_t n = strlen(hex);
    if (n % 2 == 0) return hsb_hex_alloc(hex, len);
    /* An odd count: the first digit alone is the top byte. */
    int top = digit((unsigned char)hex[0]);
    uint8_t *out = malloc(n / 2 + 1);
    if (!out) return NULL;
    if (top < 0 || hsb_hex_decode(out + 1, n / 2, hex + 1) != n / 2) {
        free(out);
        return NULL;
    }
    out[0] = (uint8_t)top;
    *len = n / 2 + 1;
    return out;
}

int hsb_hex_equal(const uint8_t *got, const char *hex)
{
    size_t n = strlen(hex);
    if (n % 2) return 0;
    for (size_t i = 0; i < n / 2; i++)
        if (hsb_hex_byte(hex + 2 * i) != got[i]) return 0;
    return 1;
}
