/* The results vocabulary's table, made from HSB_VOCAB (hsb_vocab.h, where
 * the names are defined); bench/RESULTS.md explains each field. */
#include "hsb_vocab.h"

#include <string.h>

#define HSB_WHERE_ROW HSB_FIELD_ROW
#define HSB_WHERE_CTX HSB_FIELD_CONTEXT
#define HSB_WHERE_CSV HSB_FIELD_CSV
#define HSB_VOCAB_ENTRY(where, name, type, unit) {HSB_WHERE_##where, #name, type, unit},

static const hsb_field fields[] = {HSB_VOCAB(HSB_VOCAB_ENTRY)};

_Static_assert(sizeof fields / sizeof fields[0] == HSB_FIELD_COUNT,
               "hsb_field_id indexes the table");

const hsb_field *hsb_vocab(size_t *n)
{
    *n = sizeof fields / sizeof fields[0];
    return fields;
}

const hsb_field *hsb_vocab_find(hsb_field_where where, const char *name)
{
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (fields[i].where == where && !strcmp(fields[i].name, name)) return &fields[i];
    return NULL;
}

const char *hsb_field_name(hsb_field_id id)
{
    return (unsigned)id < HSB_FIELD_COUNT ? fields[id].name : "";
}
