/* CPU feature detection by CPUID and XGETBV, once per process. */
#include "hsb_backends.h"

#include <cpuid.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static hsb_cpu_features feats;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static unsigned long long xgetbv0(void)
{
    unsigned eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((unsigned long long)edx << 32) | eax;
}

/* Is name in the comma list? "all" matches everything. */
static int listed(const char *list, const char *name)
{
    if (!list) return 0;
    size_t n = strlen(name);
    for (const char *s = list; *s;) {
        size_t len = strcspn(s, ",");
        if ((len == n && strncmp(s, name, n) == 0) || (len == 3 && strncmp(s, "all", 3) == 0))
            return 1;
        s += len;
        if (*s == ',') s++;
    }
    return 0;
}

static void detect(void)
{
    unsigned a, b, c, d;
    hsb_cpu_features f;
    memset(&f, 0, sizeof f);

    unsigned max = (unsigned)__get_cpuid_max(0, NULL);
    if (max >= 1) {
        __cpuid(0, a, b, c, d);
        memcpy(f.vendor, &b, 4);
        memcpy(f.vendor + 4, &d, 4);
        memcpy(f.vendor + 8, &c, 4);
    }
    int ymm_os = 0, zmm_os = 0;
    if (max >= 1) {
        __cpuid(1, a, b, c, d);
        f.aesni = (c >> 25) & 1;
        f.pclmul = (c >> 1) & 1;
        if ((c >> 27) & 1) { /* OSXSAVE */
            unsigned long long x = xgetbv0();
            ymm_os = (x & 0x6) == 0x6;
            zmm_os = (x & 0xe6) == 0xe6;
        }
    }
    if (max >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        f.avx2 = ymm_os && ((b >> 5) & 1);
        f.bmi2 = (b >> 8) & 1;
        f.adx = (b >> 19) & 1;
        f.sha_ni = (b >> 29) & 1;
        f.avx512f = zmm_os && ((b >> 16) & 1);
        f.avx512bw = f.avx512f && ((b >> 30) & 1);
        f.avx512vl = f.avx512f && ((b >> 31) & 1);
        f.avx512ifma = f.avx512f && ((b >> 21) & 1);
        f.vaes = ymm_os && ((c >> 9) & 1);
        f.vpclmul = ymm_os && ((c >> 10) & 1);
    }
    if ((unsigned)__get_cpuid_max(0x80000000, NULL) >= 0x80000004u) {
        unsigned *w = (unsigned *)f.brand;
        for (unsigned i = 0; i < 3; i++)
            __cpuid(0x80000002 + i, w[4 * i], w[4 * i + 1], w[4 * i + 2], w[4 * i + 3]);
        f.brand[sizeof f.brand - 1] = '\0';
        /* Trim the padding some CPUs put around the brand string. */
        char *s = f.brand;
        while (*s == ' ') s++;
        memmove(f.brand, s, strlen(s) + 1);
        for (size_t n = strlen(f.brand); n && f.brand[n - 1] == ' ';) f.brand[--n] = '\0';
    }

    const char *off = getenv("HSB_CPU_DISABLE");
    size_t dl = 0;
#define DROP(field, key)                                                                           \
    if (f.field && listed(off, key)) {                                                             \
        f.field = 0;                                                                               \
        dl +=                                                                                      \
            (size_t)snprintf(f.disabled + dl, dl < sizeof f.disabled ? sizeof f.disabled - dl : 0, \
                             "%s%s", dl ? " " : "", #field);                                       \
    }
    DROP(aesni, "aesni")
    DROP(pclmul, "pclmul")
    DROP(vaes, "vaes")
    DROP(vpclmul, "vpclmul")
    DROP(avx2, "avx2")
    DROP(avx512ifma, "avx512ifma")
    DROP(avx512ifma, "avx512")
    DROP(avx512f, "avx512")
    DROP(avx512bw, "avx512")
    DROP(avx512vl, "avx512")
    DROP(sha_ni, "sha")
    DROP(adx, "adx")
    DROP(bmi2, "bmi2")
#undef DROP
    feats = f;
}

const hsb_cpu_features *hsb_cpu(void)
{
    pthread_once(&once, detect);
    return &feats;
}

void hsb_cpu_describe(const hsb_cpu_features *f, char *buf, size_t len)
{
    size_t off = 0;
    buf[0] = '\0';
#define ADD(field, label)                                                                          \
    if (f->field && off < len)                                                                     \
        off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? " " : "", label);
    ADD(aesni, "aes-ni")
    ADD(vaes, "vaes")
    ADD(pclmul, "pclmulqdq")
    ADD(vpclmul, "vpclmulqdq")
    ADD(avx2, "avx2")
    ADD(avx512f, "avx512f")
    ADD(avx512bw, "avx512bw")
    ADD(avx512vl, "avx512vl")
    ADD(avx512ifma, "avx512ifma")
    ADD(sha_ni, "sha-ni")
    ADD(adx, "adx")
    ADD(bmi2, "bmi2")
#undef ADD
}
