/*
 * hsb_suite.h - what the timed suites share: choosing the compositions to
 * measure, deciding whether a row can be measured at all (a class the named
 * backend lacks is UNAVAILABLE, never borrowed), labelling rows, naming
 * figures, the RSA keys of a run, and the suites themselves (so that the
 * default suite can run them into one report).
 */
#ifndef HSB_SUITE_H
#define HSB_SUITE_H

#include <openssl/evp.h>

#include "hsb_opts.h"
#include "hsb_provider.h"
#include "hsb_report.h"
#include "hsb_keys.h"

#define HSB_CLASS_BIT(c) (1u << (c))

/* A composition to measure, with the words the user gave for it. */
typedef struct hsb_comp {
    hsb_provider p;
    char spec[160];
} hsb_comp;

/*
 * The compositions to measure: o->specs, or by default every registered
 * backend that has at least one class in `want` (a mask of HSB_CLASS_BIT).
 * Their count goes into *n (0 is allowed: only reference rows then); a bad
 * spec is a usage error, printed on stderr (HSB_E_USAGE).
 */
HSB_MUST_CHECK hsb_rc hsb_suite_compositions(const hsb_opts *o, unsigned want, hsb_comp *out,
                                             size_t max, size_t *n);

/*
 * Can composition c measure a row that uses the classes in `need`? Each must
 * come from the backend the spec named for it (c->p.intended[]: its
 * KEY=NAME, else the base name, else openssl); when that backend lacks it,
 * writes "gmp has no aes" into why and returns 0: the row is UNAVAILABLE,
 * not borrowed.
 */
int hsb_suite_row_available(const hsb_comp *c, unsigned need, char *why, size_t len);

/* The label of a row: the distinct backends serving the classes in `mask`,
 * in class order, joined by '+' ("gmp", "native+openssl"); see
 * hsb_provider_label. */
void hsb_suite_row_label(const hsb_provider *p, unsigned mask, char *buf, size_t len);

/* Record class -> implementation for the classes in mask. */
void hsb_suite_row_impls(hsb_figure *f, const hsb_provider *p, unsigned mask);

/* Build f->name from its fields: suite/variant[/bytes]/backend[/threads:N];
 * handshake names always carry threads, the others when N > 1. */
void hsb_figure_set_name(hsb_figure *f);

/* The suites: append their figures to r. HSB_OK when done (figures may
 * still have failed: hsb_report_output says so), HSB_E_USAGE on a bad
 * --backend (reported on stderr), HSB_E_NOMEM when out of memory. */
HSB_MUST_CHECK hsb_rc hsb_suite_modexp(hsb_report *r, const hsb_opts *o);
HSB_MUST_CHECK hsb_rc hsb_suite_bulk(hsb_report *r, const hsb_opts *o);
HSB_MUST_CHECK hsb_rc hsb_suite_handshake(hsb_report *r, const hsb_opts *o);

#endif
