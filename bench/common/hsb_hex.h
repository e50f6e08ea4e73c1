/*
 * hsb_hex.h - the one hex decoder: vector files, the built-in known answers
 * and the test programs all read hex through it.
 *
 * Digits are accepted in either case; anything else (spaces, "0x", signs)
 * ends a decode. Bytes come out in the order the digits are written.
 */
#ifndef HSB_HEX_H
#define HSB_HEX_H

#include <stddef.h>
#include <stdint.h>

/* The value of the two hex digits at s, or -1 when either is not a digit
 * (s[0] may be the string's end: then s[1] is not read). */
int hsb_hex_byte(const char *s);

/* Decodes whole pairs of digits from hex into out until the string ends,
 * a pair is not two digits, or cap bytes are written; returns the bytes
 * written. A caller that needs the whole string compares the count with
 * strlen(hex) / 2. */
size_t hsb_hex_decode(uint8_t *out, size_t cap, const char *hex);

/* hex of even length ("" is zero bytes) into a new buffer (free() it; never
 * NULL on success, even for zero bytes); NULL on bad hex or out of memory. */
uint8_t *hsb_hex_alloc(const char *hex, size_t *len);

/* The same for a hex *number*, whose digit count may be odd: "1c3" is the
 * two bytes 01 c3. */
uint8_t *hsb_hex_alloc_number(const char *hex, size_t *len);

/* 1 when hex decodes in full (even length, digits only) and the first
 * strlen(hex) / 2 bytes of got equal it, else 0. */
int hsb_hex_equal(const uint8_t *got, const char *hex);

#endif
