/*
 * hsb_opts.h - the settings every timed suite shares.
 *
 * The settings a timed suite runs with. The command layer fills them
 * (cmd/opts.c parses them, hsb_cmd_opts.h); the suites only read them.
 */
#ifndef HSB_OPTS_H
#define HSB_OPTS_H

#include <stddef.h>
#include <stdio.h>

#include "hsb_pin.h"
#include "hsb_provider.h"

enum {
    HSB_OPT_BACKEND = 1u << 0,
    HSB_OPT_THREADS = 1u << 1,
    HSB_OPT_PIN = 1u << 2,
    HSB_OPT_DURATION = 1u << 3, /* --duration --warmup --repetitions */
    HSB_OPT_OUTPUT = 1u << 4,   /* --json --csv -q */
    HSB_OPT_KX = 1u << 5,
    HSB_OPT_BITS = 1u << 6,
    HSB_OPT_DH = 1u << 7, /* --dh-group --dh-check */
    HSB_OPT_SIZES = 1u << 8,
    HSB_OPT_REFERENCE = 1u << 9,
    HSB_OPT_BREAKDOWN = 1u << 10,
    HSB_OPT_ALLOW_ERRORS = 1u << 11,
    HSB_OPT_DH_GROUPS = 1u << 12, /* --dh-group takes a list (modexp) */
    HSB_OPT_ETM = 1u << 13,       /* --etm on|off */
    HSB_OPT_EMS = 1u << 14,       /* --ems on|off */
    HSB_OPT_ETM_BOTH = 1u << 15,  /* --etm also takes both (bulk's record rows) */
    HSB_OPT_SUITE = 1u << 16,     /* --suite rsa-cbc,dhe-gcm,... */
    HSB_OPT_STREAMS = 1u << 17,   /* --streams K (bulk: records of K connections at once) */
    HSB_OPT_BATCH = 1u << 18,     /* --batch B (modexp's batch rows) */
    HSB_OPT_INFLIGHT = 1u << 19,  /* --inflight K (handshake) */
};

/* --etm values: the MAC order of the CBC records (RFC 7366). */
enum { HSB_ETM_OFF = 0, HSB_ETM_ON = 1, HSB_ETM_BOTH = 2 };

#define HSB_MAX_SPECS 16
#define HSB_MAX_LIST 16
#define HSB_MAX_STREAMS 64 /* --streams */
/* --inflight at most (memory pairs per worker: about 300 KiB each) */
#define HSB_MAX_INFLIGHT 64
#define HSB_STR_(x) #x
#define HSB_STR(x) HSB_STR_(x)

enum { HSB_KX_RSA = 1u << 0, HSB_KX_DHE = 1u << 1 };
/* Record protections (--suite): AES-128-CBC + HMAC-SHA256, AES-128-GCM. */
enum { HSB_CIPH_CBC = 1u << 0, HSB_CIPH_GCM = 1u << 1 };

typedef struct hsb_opts {
    const char *cmd;
    /* --backend: composition specs, in order; none given = the suite's default */
    char specs[HSB_MAX_SPECS][160];
    size_t n_specs;
    /* --threads: worker counts, in order */
    unsigned threads[HSB_MAX_LIST];
    size_t n_threads;
    hsb_pin_policy pin;
    double duration_s, warmup_s;
    unsigned repetitions;
    const char *json_path, *csv_path;
    unsigned kx; /* HSB_KX_* */
    unsigned bits[HSB_MAX_LIST];
    size_t n_bits;
    const char *dh_groups[HSB_MAX_LIST]; /* names; none = matched to --bits */
    size_t n_dh_groups;
    hsb_dh_check dh_check;
    size_t sizes[HSB_MAX_LIST];
    size_t n_sizes;
    int reference, quiet, breakdown, allow_errors;
    int explicit_threads; /* --threads was given */
    /* --etm: HSB_ETM_* (default on; bulk: both); --ems: 1 on (default), 0 off.
     * Ours and the libssl reference use the same setting. */
    int etm, ems;
    /* --suite: the record protections (HSB_CIPH_*) of the suites named; the
     * key exchanges go into kx. Default CBC (handshake), CBC and GCM (bulk). */
    unsigned ciphers;
    /* --streams K: bulk's record-seal-streams rows seal the records of K
     * connections at once (the cbc-hmac class's seal_batch); 0: no such rows. */
    unsigned streams;
    /* --inflight: handshakes each worker keeps in flight, their public-key
     * ops run in batches (1, the default: one handshake at a time, no
     * batches). */
    unsigned inflight;
    /* --batch B: modexp's batch rows submit B jobs per call (0: no rows). */
    unsigned batch;
} hsb_opts;

#endif
