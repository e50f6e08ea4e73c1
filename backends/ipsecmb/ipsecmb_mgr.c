/* The per-thread IMB_MGRs and the one-job helper (see ipsecmb_internal.h). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "hsb_backends.h"
#include "ipsecmb_internal.h"

typedef struct thread_mgrs {
    IMB_MGR *cipher, *hash; /* hash may equal cipher */
} thread_mgrs;

static pthread_key_t mgr_key;
static int mgr_key_ok;
static pthread_once_t mgr_once = PTHREAD_ONCE_INIT;
/* Every thread picks the same architectures; the names are kept for reports. */
static _Atomic(const char *) cipher_arch = "?";
static _Atomic(const char *) hash_arch = "?";

static void mgrs_destroy(void *p)
{
    thread_mgrs *t = p;
    if (t->hash && t->hash != t->cipher) free_mb_mgr(t->hash);
    if (t->cipher) free_mb_mgr(t->cipher);
    free(t);
}

static void mgr_key_create(void)
{
    mgr_key_ok = pthread_key_create(&mgr_key, mgrs_destroy) == 0;
}

int hsb_imb_usable(void)
{
    const hsb_cpu_features *f = hsb_cpu();
    return f->aesni && f->pclmul;
}

static const char *arch_name(uint32_t arch)
{
    switch (arch) {
    case IMB_ARCH_NOAESNI:
        return "no-AESNI";
    case IMB_ARCH_SSE:
        return "SSE";
    case IMB_ARCH_AVX:
        return "AVX";
    case IMB_ARCH_AVX2:
        return "AVX2";
    case IMB_ARCH_AVX512:
        return "AVX512";
    default:
        return "?";
    }
}

/* sse: the SSE manager (SHA-NI when allowed); else the widest allowed. */
static IMB_MGR *make_mgr(int sse)
{
    const hsb_cpu_features *f = hsb_cpu();
    uint64_t flags = 0;
    if (!f->sha_ni) flags |= IMB_FLAG_SHANI_OFF;
    IMB_MGR *m = alloc_mb_mgr(flags);
    if (!m) return NULL;
    if (!sse && f->avx512f && f->avx512bw && f->avx512vl)
        init_mb_mgr_avx512(m);
    else if (!sse && f->avx2)
        init_mb_mgr_avx2(m);
    else
        init_mb_mgr_sse(m);
    if (imb_get_errno(m) != 0) {
        free_mb_mgr(m);
        return NULL;
    }
    return m;
}

static thread_mgrs *mgrs(void)
{
    pthread_once(&mgr_once, mgr_key_create);
    if (!mgr_key_ok || !hsb_imb_usable()) return NULL;
    thread_mgrs *t = pthread_getspecific(mgr_key);
    if (t) return t;
    t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->cipher = make_mgr(0);
    /*
     * HMAC-SHA256 on one stream: the AVX2/AVX-512 managers hash in 8/16 SIMD
     * lanes, and a lone job is flushed through with one lane busy, several
     * times slower than the SSE manager's SHA-NI code (ipsec-mb 1.3 uses
     * SHA-NI in its SSE manager only). So hashes get an SSE manager when the
     * CPU has SHA-NI.
     */
    t->hash = t->cipher && hsb_cpu()->sha_ni && t->cipher->used_arch != IMB_ARCH_SSE ? make_mgr(1)
                                                                                     : t->cipher;
    if (!t->cipher || !t->hash || pthread_setspecific(mgr_key, t) != 0) {
        mgrs_destroy(t);
        return NULL;
    }
    atomic_store(&cipher_arch, arch_name(t->cipher->used_arch));
    atomic_store(&hash_arch, arch_name(t->hash->used_arch));
    return t;
}

IMB_MGR *hsb_imb_mgr(void)
{
    thread_mgrs *t = mgrs();
    return t ? t->cipher : NULL;
}

IMB_MGR *hsb_imb_hash_mgr(void)
{
    thread_mgrs *t = mgrs();
    return t ? t->hash : NULL;
}

const char *hsb_imb_arch_name(void)
{
    return atomic_load(&cipher_arch);
}

const char *hsb_imb_hash_arch_name(void)
{
    return atomic_load(&hash_arch);
}

hsb_rc hsb_imb_run_job(IMB_MGR *m)
{
    IMB_JOB *done = IMB_SUBMIT_JOB(m);
    if (!done) done = IMB_FLUSH_JOB(m);
    if (!done || done->status != IMB_STATUS_COMPLETED) {
        char msg[160];
        int err = imb_get_errno(m);
        snprintf(msg, sizeof msg, "ipsec-mb job %s: %s", done ? "failed" : "lost",
                 err ? imb_get_strerror(err) : "no reason given");
        /* Drain anything left so the next call starts from an empty queue. */
        while (IMB_FLUSH_JOB(m)) {
        }
        return hsb_raise(HSB_E_CRYPTO, __FILE__, __LINE__, msg);
    }
    return HSB_OK;
}
