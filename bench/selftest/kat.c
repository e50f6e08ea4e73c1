/* The published known answers, typed in once: see hsb_st_kat.h. */
#include "hsb_st_kat.h"

#include <stdlib.h>
#include <string.h>

#include "hsb_hex.h"

/* ------------------------------------------------------------------ AES */

const hsb_st_kat_cipher hsb_st_kat_fips197_c1 = {
    .name = "FIPS-197 C.1 AES-128",
    .key = "000102030405060708090a0b0c0d0e0f",
    .iv = "00000000000000000000000000000000",
    .pt = "00112233445566778899aabbccddeeff",
    .ct = "69c4e0d86a7b0430d8cdb78070b4c55a",
};

#define SP38A_KEY128 "2b7e151628aed2a6abf7158809cf4f3c"
#define SP38A_PT                                                                                   \
    "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"                             \
    "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710"
#define SP38A_CBC_IV "000102030405060708090a0b0c0d0e0f"

const hsb_st_kat_cipher hsb_st_kat_sp38a_cbc128 = {
    .name = "SP 800-38A F.2.1 CBC-AES128",
    .key = SP38A_KEY128,
    .iv = SP38A_CBC_IV,
    .pt = SP38A_PT,
    .ct = "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2"
          "73bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7",
};

const hsb_st_kat_cipher hsb_st_kat_sp38a_ctr128 = {
    .name = "SP 800-38A F.5.1 CTR-AES128",
    .key = SP38A_KEY128,
    .iv = "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
    .pt = SP38A_PT,
    .ct = "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff"
          "5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee",
};

const hsb_st_kat_cipher hsb_st_kat_sp38a_cbc192 = {
    .name = "SP 800-38A F.2.3 CBC-AES192, block 1",
    .key = "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b",
    .iv = SP38A_CBC_IV,
    .pt = "6bc1bee22e409f96e93d7e117393172a",
    .ct = "4f021db243bc633d7178183a9fa071e8",
};

const hsb_st_kat_cipher hsb_st_kat_sp38a_cbc256 = {
    .name = "SP 800-38A F.2.5 CBC-AES256, block 1",
    .key = "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
    .iv = SP38A_CBC_IV,
    .pt = "6bc1bee22e409f96e93d7e117393172a",
    .ct = "f58c4c04d6e5f1ba779eabfb5f7bfbd6",
};

/* ------------------------------------------------------------------ GCM */

const hsb_st_kat_gcm hsb_st_kat_gcm_spec[HSB_ST_KAT_GCM_N] = {
    {"GCM spec test case 1", "00000000000000000000000000000000", "000000000000000000000000", "", "",
     "", "58e2fccefa7e3061367f1d57a4e7455a"},
    {"GCM spec test case 2", "00000000000000000000000000000000", "000000000000000000000000",
     "00000000000000000000000000000000", "", "0388dace60b6a392f328c2b971b2fe78",
     "ab6e47d42cec13bdf53a67b21257bddf"},
    {"GCM spec test case 3", "feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
     "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
     "",
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
     "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985",
     "4d5c2af327cd64a62cf35abd2ba6fab4"},
    {"GCM spec test case 4", "feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
     "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
     "feedfacedeadbeeffeedfacedeadbeefabaddad2",
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
     "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
     "5bc94fbc3221a5db94fae95ae7121a47"},
};

/* -------------------------------------------------------------- SHA-256 */

const hsb_st_kat_sha256 hsb_st_kat_sha256_fips[HSB_ST_KAT_SHA256_N] = {
    [HSB_ST_KAT_SHA256_ABC] = {"FIPS 180-2 B.1 \"abc\"", "abc",
                               "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                               1},
    [HSB_ST_KAT_SHA256_448] = {"FIPS 180-2 B.2 448-bit message",
                               "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                               "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
                               1},
    [HSB_ST_KAT_SHA256_MILLION] =
        {"FIPS 180-2 B.3 one million 'a'", NULL,
         "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", 1000},
    [HSB_ST_KAT_SHA256_EMPTY] = {"empty message", "",
                                 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                                 1},
};

/* ----------------------------------------------------------------- HMAC */

#define TEXT(s)                                                                                    \
    {                                                                                              \
        .text = (s)                                                                                \
    }
#define HEX(h)                                                                                     \
    {                                                                                              \
        .hex = (h)                                                                                 \
    }
#define FILL(b, n)                                                                                 \
    {                                                                                              \
        .byte = (b), .repeat = (n)                                                                 \
    }

const hsb_st_kat_hmac hsb_st_kat_hmac_sha256[HSB_ST_KAT_HMAC_N] = {
    {"RFC 4231 TC1", FILL(0x0b, 20), TEXT("Hi There"),
     "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
    {"RFC 4231 TC2", TEXT("Jefe"), TEXT("what do ya want for nothing?"),
     "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
    {"RFC 4231 TC3", FILL(0xaa, 20), FILL(0xdd, 50),
     "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
    {"RFC 4231 TC4", HEX("0102030405060708090a0b0c0d0e0f10111213141516171819"), FILL(0xcd, 50),
     "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
    {"RFC 4231 TC6", FILL(0xaa, 131),
     TEXT("Test Using Larger Than Block-Size Key - Hash Key First"),
     "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
    {"RFC 4231 TC7", FILL(0xaa, 131),
     TEXT("This is a test using a larger than block-size key and a larger than block-size "
          "data. The key needs to be hashed before being used by the HMAC algorithm."),
     "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
    /* Not from the RFC: the value every HMAC library gives (OpenSSL's
     * HMAC(EVP_sha256(), "", 0, "", 0)). */
    {"empty key, empty message", TEXT(""), TEXT(""),
     "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"},
};

uint8_t *hsb_st_kat_bytes(const hsb_st_kat_data *d, size_t *len)
{
    if (d->hex) return hsb_hex_alloc(d->hex, len);
    size_t n = d->text ? strlen(d->text) : d->repeat;
    uint8_t *out = malloc(n + 1);
    if (!out) return NULL;
    if (d->text)
        memcpy(out, d->text, n);
    else
        memset(out, d->byte, n);
    *len = n;
    return out;
}

/* -------------------------------------------------------------- TLS PRF */

const hsb_st_kat_prf hsb_st_kat_tls12_prf_sha256 = {
    .name = "IETF TLS list PRF SHA-256 \"test label\", 100 bytes",
    .secret = "9bbe436ba940f017b17652849a71db35",
    .label = "test label",
    .seed = "a0ba9f936cda311827a6f796ffd5198c",
    .out = "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a"
           "6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab"
           "4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701"
           "87347b66",
};
