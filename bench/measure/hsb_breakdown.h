/*
 * hsb_breakdown.h - timing wrappers around a composition's classes, for
 * `hsbench handshake --breakdown`.
 *
 * hsb_bd_wrap() gives a provider whose every class function reads the TSC
 * around the real call and adds the ticks to the calling thread's bound
 * counters (hsb_bd_bind), one bucket per hsb_bd_kind. Calls made from inside
 * a timed call (a DH keygen drawing random bytes) count once, in the outer
 * bucket. With no counters bound the wrappers only forward.
 *
 * hsb_bd_wrap() also installs core's X.509 probe (hsb_tls_set_probe), which
 * times libcrypto's certificate parsing and checks into HSB_BD_X509 (left
 * installed: it only counts on threads with bound counters).
 *
 * One wrapped composition at a time: the real classes are held in statics
 * (the classes' functions take no pointer to their class). Wrap before the
 * workers start and leave it until they have stopped.
 */
#ifndef HSB_BREAKDOWN_H
#define HSB_BREAKDOWN_H

#include <stdint.h>

#include <stdio.h>

#include "hsb_provider.h"
#include "hsb_runner.h"

/* Bind this thread's counters (HSB_BD_COUNT of them), or NULL to unbind. */
void hsb_bd_bind(uint64_t *counters);

/* out = real with every present class wrapped; labels and from[] kept. */
HSB_MUST_CHECK hsb_rc hsb_bd_wrap(const hsb_provider *real, hsb_provider *out);

/* "rsa-priv", "rsa-pub", "dh-keygen", "dh-derive", "dh-check", "modexp",
 * "hash-prf", "cipher", "rng", "x509 (libcrypto)". */
const char *hsb_bd_name(hsb_bd_kind k);

/* Shares of a handshake's cycles from the --breakdown figures of r. */
struct hsb_report;
void hsb_breakdown_print(const struct hsb_report *r, FILE *to);

#endif
