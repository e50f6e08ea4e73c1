/*
 * native_seal_mb.h - multi-buffer sealing of TLS 1.2 AES-128-CBC +
 * HMAC-SHA256 records of different connections at once (internal to
 * backends/native and its tests; core never includes it).
 *
 * A record is sealed MAC-then-encrypt (RFC 5246 6.2.3.2):
 *
 *   MAC  = HMAC-SHA256(mac_key, seq_num || type || version || length || data)
 *   sealed = AES-128-CBC(key, IV, data || MAC || padding)
 *
 * with padding = pad+1 bytes of value pad, the least that makes the
 * plaintext a whole number of 16-byte blocks (pad = 15 - (len + 32) % 16),
 * and IV the record's explicit IV (RFC 5246 6.2.3.2, chosen by the caller,
 * normally fresh random bytes per record, and sent in front of the record).
 *
 * A batch is up to HSB_NATIVE_SEAL_MB_LANES records, each with its own keys,
 * sequence number, type, IV and length: the records of different
 * connections. Paths:
 *
 *   "vaes512-x16"  the 16 MACs on the 16-lane AVX-512 SHA-256 and 16 CBC
 *                  chains in flight, four per zmm with VAES-512, each 128-bit
 *                  lane with its own round keys (seal_mb_vaes512.c); while
 *                  every lane has data blocks left, a CBC step runs after
 *                  each 16 SHA rounds (hsb_native_seal_x16_stitched), the
 *                  rest (sha256_mb.c's resumed lanes, then the MAC and
 *                  padding blocks) after. Needs AES-NI, VAES, AVX-512F/BW.
 *   "portable"     a loop over the one-record seal (hsb_native_seal_one: the
 *                  best one-stream HMAC, AES-NI CBC). Needs AES-NI, as every
 *                  native AES does.
 *
 * Lengths: any mix from 0 to HSB_NATIVE_SEAL_MAX_DATA bytes. The fast case is
 * equal lengths: lanes run in lockstep and none idles. The MAC's first
 * block (the header and 51 data bytes, built aside since the header is not
 * in front of the data) runs on the 16-lane kernel for every record of 51
 * bytes or more (shorter ones hash alone); then the blocks common to all
 * lanes run in lockstep and each lane's rest alone (sha256_mb.c). The CBC
 * chains all run for the longest lane's block count; lanes that have ended
 * retire (their blocks go to a scratch block and are thrown away). So a
 * batch costs about its longest record times the lane count: batch records
 * of like sizes.
 *
 * Timing depends on the lengths (public: they are in the record header)
 * and on nothing else: not on the keys, the IVs or the data.
 */
#ifndef HSB_NATIVE_SEAL_MB_H
#define HSB_NATIVE_SEAL_MB_H

#include <stddef.h>
#include <stdint.h>

#include "hsb_native_aes.h"
#include "hsb_provider.h"
#include "native_sha256.h"

#define HSB_NATIVE_SEAL_MB_LANES 16
#define HSB_NATIVE_SEAL_HDR_LEN 13
/* Longest data a record may carry: 2^14 + 1024 (RFC 5246 6.2.3, the bound
 * on TLSCiphertext's fragment, as the cbc-hmac class's seal takes it). */
#define HSB_NATIVE_SEAL_MAX_DATA (16384u + 1024u)

/* Bytes CBC encrypts for a len-byte record: data, MAC and padding (pad =
 * 15 - (len + 32) % 16, pad + 1 bytes): the least multiple of 16 above
 * len + 32. */
#define HSB_NATIVE_SEAL_ENC_LEN(len) (((size_t)(len) + 32 + 16) / 16 * 16)

/*
 * One record of a batch. The caller fills the inputs; the seal fills out_len
 * and rc. buf holds the len data bytes and has room for 48 more; the seal
 * writes CBC(data || MAC || padding) there in place,
 * HSB_NATIVE_SEAL_ENC_LEN(len) bytes. hdr is the MAC header, seq_num(8) ||
 * type || version(2) || length(2) (RFC 5246 6.2.3.1); iv the record's
 * explicit IV, the first CBC chaining value (not written). The keys are the
 * connection's: aes its expanded AES-128 key, istate / ostate its HMAC
 * chaining values after key^ipad and key^opad (RFC 2104; as
 * hsb_native_hmac_key makes them). None of hdr, iv, keys may overlap buf.
 */
typedef struct hsb_native_seal_lane {
    const hsb_native_aes_ctx *aes;
    const uint32_t *istate, *ostate; /* 8 words each */
    const uint8_t *hdr;              /* HSB_NATIVE_SEAL_HDR_LEN bytes */
    const uint8_t *iv;               /* 16 bytes */
    uint8_t *buf;
    size_t len;
    size_t out_len; /* out: bytes written at buf, 0 for a lane that failed */
    hsb_rc rc;      /* out: HSB_OK, or HSB_E_USAGE for a bad lane */
} hsb_native_seal_lane;

typedef enum hsb_native_seal_path {
    HSB_NATIVE_SEAL_AUTO = 0, /* vaes512-x16 where present, else portable */
    HSB_NATIVE_SEAL_PORTABLE,
    HSB_NATIVE_SEAL_VAES512,
} hsb_native_seal_path;

/* Whether this CPU (after HSB_CPU_DISABLE) runs path: the portable path
 * needs AES-NI; vaes512 also VAES and AVX-512F/BW. */
int hsb_native_seal_mb_available(hsb_native_seal_path path);
/* "vaes512-x16", "portable"; AUTO names the path it picks. */
const char *hsb_native_seal_mb_path_name(hsb_native_seal_path path);

/*
 * Seal n records (any n; batches of 16). A bad lane (a NULL pointer, len
 * over HSB_NATIVE_SEAL_MAX_DATA) gets rc HSB_E_USAGE and out_len 0, its buf
 * untouched, and the others are sealed as if it were absent. Returns HSB_OK
 * when every lane was sealed, HSB_E_USAGE when some lane was bad (or lanes is
 * NULL with n > 0), HSB_E_UNAVAILABLE (no lane touched) for a path this CPU
 * lacks. Allocates nothing; wipes its copies of keys and MACs.
 */
hsb_rc hsb_native_seal_mb(hsb_native_seal_lane *lanes, size_t n);
hsb_rc hsb_native_seal_mb_path(hsb_native_seal_path path, hsb_native_seal_lane *lanes, size_t n);

/* One record alone: the definition a batch must equal byte for byte. Checks
 * and fills *lane as the batch does. */
hsb_rc hsb_native_seal_one(hsb_native_seal_lane *lane);

/* ---- the cbc-hmac class's batch (seal_mb_class.c) ---- */

/*
 * seal_batch of the native cbc-hmac class (contract in hsb_provider.h; the
 * contexts are hsb_native_cbc_hmac_ctx, native_cbc_hmac.h): with VAES-512
 * and AVX-512 the jobs go to hsb_native_seal_mb (16 lanes); elsewhere, said
 * by hsb_native_cbc_hmac_batch_path, each job is sealed alone by the class's
 * one-record seal (the portable fallback). n > HSB_NATIVE_SEAL_MB_LANES:
 * HSB_E_USAGE, no job touched. A job with a NULL pointer or len over
 * HSB_CBC_HMAC_MAX_LEN fails alone (its rc HSB_E_USAGE). Returns HSB_OK or
 * the first failing job's code.
 */
hsb_rc hsb_native_cbc_hmac_seal_batch(hsb_cbc_hmac_job *jobs, size_t n);
/* "vaes512-x16" or "one-record loop": what seal_batch runs on this CPU. */
const char *hsb_native_cbc_hmac_batch_path(void);

/* ---- the kernels (seal_mb_vaes512.c) ---- */

/*
 * 16 CBC-encrypt chains at once, in place: lane l encrypts nblk[l] blocks at
 * buf[l] with key sched[l] (enc schedule) from chaining value iv[l]. Lanes
 * with nblk 0 are idle (their sched may be NULL). No argument checks.
 */
/*
 * The MAC and the CBC of 16 records in one loop: nblocks SHA-256 blocks per
 * lane, lane l's block j at msg[l] + 64 j, into st (transposed chaining
 * values), and after every 16 rounds one CBC step, so that the four steps
 * of block j encrypt the 64 bytes at data[l] + 64 j in place from chain[l]
 * (updated) under sched[l]. The caller makes sure block j has read those
 * bytes (the seal's msg is data + 51). Lanes with sched NULL are idle for
 * the CBC (msg and data must still point at readable memory).
 */
void hsb_native_seal_x16_stitched(const hsb_native_aes_ctx *const sched[16], uint8_t chain[16][16],
                                  uint32_t st[8][16], const uint8_t *const msg[16],
                                  uint8_t *const data[16], size_t nblocks);

void hsb_native_cbc_enc_x16_vaes512(const hsb_native_aes_ctx *const sched[16],
                                    const uint8_t *const iv[16], uint8_t *const buf[16],
                                    const size_t nblk[16]);

#endif
