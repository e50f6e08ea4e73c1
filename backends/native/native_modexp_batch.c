/*
 * native_modexp_batch.c - the modexp batch class (up to eight independent
 * base^exp mod N, each lane its own modulus), the per-thread cache of 8-lane
 * moduli that it and the DH batch share, and the pass runner both use.
 *
 * A job the batch does not take as it is (no exponent, a modulus the
 * contract refuses, base >= mod, ...) goes to the single op, which answers
 * with the contract's code; the others run as 8-lane passes, one per
 * (limb count, exponent length) -- both public. Timing per lane as
 * native_mb.h: constant time in base and exponent.
 */
#include <stdio.h>
#include <string.h>

#include "hsb_ct.h"
#include "native_batch.h"

/* ------------------------------------------------------------------ cache */

#define CACHE_SLOTS 16 /* > 8: a pass never evicts a modulus it holds (LRU) */

typedef struct cache_slot {
    uint64_t stamp; /* 0: empty */
    size_t n;
    hsb_nm_mb_mod mod;
} cache_slot;

static _Thread_local cache_slot cache[CACHE_SLOTS];
static _Thread_local uint64_t cache_clock;

const hsb_nm_mb_mod *hsb_nm_mb_mod_cached(const uint64_t *N, size_t n)
{
    if (n == 0 || n > HSB_NM_MAX_LIMBS || !(N[0] & 1) || hsb_nm_bitlen_public(N, n) < 2)
        return NULL;
    size_t lru = 0;
    for (size_t s = 0; s < CACHE_SLOTS; s++) {
        cache_slot *c = &cache[s];
        /* N is public: a plain comparison. */
        if (c->stamp && c->n == n && memcmp(c->mod.m.N, N, n * sizeof *N) == 0) {
            c->stamp = ++cache_clock;
            return &c->mod;
        }
        if (c->stamp < cache[lru].stamp) lru = s;
    }
    cache_slot *c = &cache[lru];
    hsb_nm_mb_mod_init(&c->mod, hsb_nm_mb_e64(&hsb_nm_engine_ifma), N, n,
                       hsb_nm_bitlen_public(N, n) - 1);
    c->n = n;
    c->stamp = ++cache_clock;
    return &c->mod;
}

/* ------------------------------------------------------- kernel coverage */

int hsb_nm_mb_lane_ok(const hsb_nm_mb_mod *m)
{
    if (hsb_nm_mb_engine_get() != &hsb_nm_mb_engine_ifma) return 1;
    if (!m || m->L == 0 || m->L > HSB_NM_MB_LMAX) return 0;
    /* Ask the kernel itself (it answers 0 for limb counts it has no code
     * for), once per count and thread: one product of zeros. */
    static _Thread_local signed char known[HSB_NM_MB_LMAX + 1];
    if (!known[m->L]) {
        static _Thread_local uint64_t z[4][HSB_NM_MB_LANES * HSB_NM_MB_LMAX];
        known[m->L] = hsb_nm_mb_ifma_amm(z[0], z[1], z[2], z[3], z[3], m->L) ? 1 : -1;
    }
    return known[m->L] > 0;
}

/* ------------------------------------------------------------ pass runner */

/* One pass: the lanes in todo with the first one's (n, exp_len). */
static unsigned run_pass(const hsb_nm_mb_engine *mb, hsb_nm_mb_lane *lanes, size_t count,
                         unsigned todo)
{
    const hsb_nm_mb_mod *mod[8] = {0};
    uint64_t *out[8] = {0};
    const uint64_t *base[8] = {0};
    const uint8_t *exp[8] = {0};
    size_t n = 0, exp_len = 0;
    unsigned pass = 0;
    for (size_t i = 0; i < count; i++) {
        if (!((todo >> i) & 1)) continue;
        if (!pass) n = lanes[i].mod->m.n, exp_len = lanes[i].exp_len;
        if (lanes[i].mod->m.n != n || lanes[i].exp_len != exp_len) continue;
        mod[i] = lanes[i].mod, out[i] = lanes[i].out, base[i] = lanes[i].base;
        exp[i] = lanes[i].exp;
        pass |= 1u << i;
    }
    /* The kernel answers "not taken" for sizes it has no code for. */
    if (!mb->pow(mod, out, base, exp, exp_len))
        hsb_nm_mb_engine_seq.pow(mod, out, base, exp, exp_len);
    return pass;
}

void hsb_nm_mb_run_lanes(hsb_nm_mb_lane *lanes, size_t count, unsigned todo)
{
    const hsb_nm_mb_engine *mb = hsb_nm_mb_engine_get();
    while (todo) todo &= ~run_pass(mb, lanes, count, todo);
}

/* ----------------------------------------------------------------- modexp */

static const hsb_modexp_class *mx_single;

/* The lane for a job in the batch's shape, else 0 (the single op answers). */
static int modexp_lane(const hsb_modexp_job *j, hsb_nm_mb_lane *l)
{
    if (!j->out || !j->mod || !j->exp || j->exp_len == 0 || (!j->base && j->base_len)) return 0;
    size_t off = 0; /* the modulus is public */
    while (off < j->mod_len && j->mod[off] == 0) off++;
    size_t mlen = j->mod_len - off;
    if (mlen == 0 || mlen > HSB_MAX_MODULUS_BYTES) return 0;
    size_t n = (mlen + 7) / 8;
    uint64_t N[HSB_NM_MAX_LIMBS];
    hsb_nm_from_bytes(N, n, j->mod + off, mlen);
    l->mod = hsb_nm_mb_mod_cached(N, n);
    if (!l->mod || !hsb_nm_mb_lane_ok(l->mod)) return 0;
    size_t keep = j->base_len > 8 * n ? 8 * n : j->base_len;
    uint64_t high = 0;
    for (size_t i = 0; i < j->base_len - keep; i++) high |= j->base[i];
    hsb_nm_from_bytes(l->base, n, keep ? j->base + (j->base_len - keep) : j->base, keep);
    /* base < mod without a branch on base; the verdict is public. */
    uint64_t ok = hsb_nm_lt(l->base, N, n) & hsb_nm_mask_zero(high);
    HSB_NM_DECLASSIFY(&ok, sizeof ok);
    l->exp = j->exp, l->exp_len = j->exp_len;
    return (int)ok;
}

static hsb_rc modexp_batch_run(hsb_modexp_job *jobs, size_t n)
{
    HSB_ENSURE(jobs != NULL && n >= 1 && n <= HSB_NM_MB_LANES, HSB_E_USAGE);
    hsb_nm_mb_lane lanes[HSB_NM_MB_LANES];
    unsigned todo = 0;
    for (size_t i = 0; i < n; i++) {
        hsb_modexp_job *j = &jobs[i];
        if (modexp_lane(j, &lanes[i])) {
            todo |= 1u << i;
            continue;
        }
        j->rc =
            mx_single->modexp(j->out, j->base, j->base_len, j->exp, j->exp_len, j->mod, j->mod_len);
    }
    hsb_nm_mb_run_lanes(lanes, n, todo);
    for (size_t i = 0; i < n; i++) {
        if (!((todo >> i) & 1)) continue;
        hsb_nm_to_bytes(jobs[i].out, jobs[i].mod_len, lanes[i].out, lanes[i].mod->m.n);
        jobs[i].rc = HSB_OK;
    }
    hsb_wipe(lanes, sizeof lanes);
    for (size_t i = 0; i < n; i++)
        if (jobs[i].rc != HSB_OK) return jobs[i].rc;
    return HSB_OK;
}

void hsb_nm_mb_class_name(char *buf, size_t len, const char *stem)
{
    /* "ifma-mb8" -> "ifma", "seq-mb8" -> "seq". */
    const char *name = hsb_nm_mb_engine_get()->name;
    snprintf(buf, len, "%s-%.*s", stem, (int)strcspn(name, "-"), name);
}

const hsb_modexp_batch_class *hsb_native_modexp_batch_get(const hsb_modexp_class *single)
{
    static hsb_modexp_batch_class cls;
    static char name[64];
    if (!single) return NULL;
    hsb_nm_mb_class_name(name, sizeof name, "native-mont-mb8");
    mx_single = single; /* the native modexp classes differ by engine only */
    cls = (hsb_modexp_batch_class){
        .name = name, .lanes = HSB_NM_MB_LANES, .single = single, .run = modexp_batch_run};
    return &cls;
}
