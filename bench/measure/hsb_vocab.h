/*
 * hsb_vocab.h - the results vocabulary: every field the JSON writer may put
 * in a benchmarks[] entry or in context.hsbench, and every CSV column, with
 * its type and unit, defined once. The CSV header is written from this
 * table; tests/bench/test_results_vocab checks that the JSON writer emits
 * nothing the table lacks and that bench/RESULTS.md lists exactly these
 * names; scripts/hsb_results.py reads fields by these names, and
 * tests/scripts/test_vocab.py (scripts_vocab) checks it against this table.
 */
#ifndef HSB_VOCAB_H
#define HSB_VOCAB_H

#include <stddef.h>

typedef enum hsb_field_where {
    HSB_FIELD_ROW,     /* a key of a benchmarks[] entry */
    HSB_FIELD_CONTEXT, /* a key of context.hsbench */
    HSB_FIELD_CSV,     /* a CSV column, in header order */
} hsb_field_where;

typedef struct hsb_field {
    hsb_field_where where;
    const char *name;
    const char *type; /* JSON: string, integer, real, boolean, object, array;
                       * CSV: string, integer, real, boolean */
    const char *unit; /* "" where none */
} hsb_field;

/* The table, in the order the writers emit the fields; *n gets its length. */
const hsb_field *hsb_vocab(size_t *n);
/* The entry for name in that place, NULL when the table lacks it. */
const hsb_field *hsb_vocab_find(hsb_field_where where, const char *name);

#endif
