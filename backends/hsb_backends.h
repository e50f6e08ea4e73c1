/*
 * hsb_backends.h - the registry of backends and the CPU features the native
 * code dispatches on. bench/ and tests/ include this; core/ never does.
 */
#ifndef HSB_BACKENDS_H
#define HSB_BACKENDS_H

#include <stddef.h>

#include "hsb_provider.h"

/* Every backend compiled in, the reference (openssl) first. Backends that
 * lack a class or an instruction set leave it NULL. The list is built once,
 * at the first call, after CPU detection. */
const hsb_backend *const *hsb_backends(size_t *count);
/* By name, NULL when absent. */
const hsb_backend *hsb_backend_by_name(const char *name);

/* Compose from the registry (see hsb_compose). */
HSB_MUST_CHECK hsb_rc hsb_provider_from_spec(const char *spec, hsb_provider *out, char *err,
                                             size_t err_len);

/* Each backend's entry point. */
const hsb_backend *hsb_openssl_backend(void);
const hsb_backend *hsb_gmp_backend(void);
const hsb_backend *hsb_native_backend(void);
const hsb_backend *hsb_ipsecmb_backend(void); /* NULL when not built */

/* ------------------------------------------------------------ CPU features */

typedef struct hsb_cpu_features {
    unsigned aesni : 1, pclmul : 1, vaes : 1, vpclmul : 1, avx2 : 1, avx512f : 1, avx512bw : 1,
        avx512vl : 1, avx512ifma : 1, sha_ni : 1, adx : 1, bmi2 : 1;
    char vendor[16];
    char brand[64];
    /* Features the OS or CPU offers but HSB_CPU_DISABLE turned off. */
    char disabled[128];
} hsb_cpu_features;

/*
 * The features found by CPUID (with the OS's XSAVE support for the AVX/AVX-512
 * state checked through XGETBV), less those named in the environment
 * variable HSB_CPU_DISABLE, a comma list of: aesni, pclmul, vaes, vpclmul,
 * avx2, avx512 (all AVX-512), avx512ifma, sha, adx, bmi2, or "all". Tests use
 * it to force the portable paths on a CPU that has the fast ones.
 */
const hsb_cpu_features *hsb_cpu(void);
/* "aesni vaes pclmul ..." for reports. */
void hsb_cpu_describe(const hsb_cpu_features *f, char *buf, size_t len);

#endif
