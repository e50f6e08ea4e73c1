/*
 * ipsecmb_internal.h - what the ipsecmb backend's files share: its class
 * instances, the per-thread IMB_MGR, and the one-job submit helper.
 */
#ifndef HSB_IPSECMB_INTERNAL_H
#define HSB_IPSECMB_INTERNAL_H

#include <intel-ipsec-mb.h>

#include "hsb_provider.h"

extern const hsb_aes_class hsb_ipsecmb_aes;
extern const hsb_gcm_class hsb_ipsecmb_gcm;
extern const hsb_hmac_sha256_class hsb_ipsecmb_hmac_sha256;

/*
 * Whether the backend can run here: AES-NI and PCLMULQDQ, as hsb_cpu() (and
 * HSB_CPU_DISABLE) say. ipsec-mb 1.3's no-AES-NI manager is not used: as
 * packaged in Debian 12 its init crashes (seen with alloc_mb_mgr(
 * IMB_FLAG_AESNI_OFF) + init_mb_mgr_sse), so without AES-NI every class of
 * this backend is absent rather than risky.
 */
int hsb_imb_usable(void);

/*
 * This thread's IMB_MGR, made at its first use (alloc_mb_mgr + the init for
 * the architecture chosen from hsb_cpu(), so HSB_CPU_DISABLE reaches the
 * library too) and freed when the thread exits. NULL when allocation fails.
 * Every thread gets the same architecture, so key material prepared by one
 * thread's manager (GCM key data) is valid for every other's.
 */
IMB_MGR *hsb_imb_mgr(void);

/* This thread's manager for HMAC jobs and SHA-256 calls: the SSE one (with
 * SHA-NI) when the CPU has SHA-NI, else the same as hsb_imb_mgr(). */
IMB_MGR *hsb_imb_hash_mgr(void);

/* "AVX2", "SSE" ...: the architectures of the two (before first use, "?"). */
const char *hsb_imb_arch_name(void);
const char *hsb_imb_hash_arch_name(void);

/*
 * Submit the job just filled in (from IMB_GET_NEXT_JOB on m) and wait for
 * it: one job in flight per thread, so a job the manager queues for its
 * multi-buffer lanes is completed at once by flushing. HSB_E_CRYPTO with the
 * library's reason when the job fails.
 */
hsb_rc hsb_imb_run_job(IMB_MGR *m);

#endif
