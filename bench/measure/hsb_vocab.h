/*
 * hsb_vocab.h - the results vocabulary: every field the JSON writer may put
 * in a benchmarks[] entry or in context.hsbench, and every CSV column, with
 * its type and unit. The names are defined here, once, in HSB_VOCAB below:
 * that list makes the table (vocab.c, hsb_vocab) and the field ids
 * (hsb_field_id), and the writers name a field by its id (HSB_ROW(hs_per_s),
 * HSB_CTX(tsc_hz): the name's string from the table, and a compile error for
 * a name the list lacks), never by a string literal of their own.
 *
 * The CSV header is written from the table; tests/bench/test_results_vocab
 * checks that the JSON writer emits nothing the table lacks and that
 * bench/RESULTS.md lists exactly these names; scripts/hsb_results.py reads
 * fields by these names, and tests/scripts/test_vocab.py (scripts_vocab)
 * checks it against this table.
 */
#ifndef HSB_VOCAB_H
#define HSB_VOCAB_H

#include <stddef.h>

typedef enum hsb_field_where {
    HSB_FIELD_ROW,     /* a key of a benchmarks[] entry */
    HSB_FIELD_CONTEXT, /* a key of context.hsbench */
    HSB_FIELD_CSV,     /* a CSV column, in header order */
} hsb_field_where;

/*
 * X(WHERE, name, type, unit) per field, in the order the writers emit them.
 * WHERE: ROW (benchmarks[]), CTX (context.hsbench) or CSV (a column, in
 * header order). name: the field's name, spelled as a C identifier (the
 * table gets its string by #name, the id is HSB_<WHERE>_<name>). type, for
 * JSON: "string", "integer", "real", "boolean", "object", "array"; for CSV:
 * "string", "integer", "real", "boolean". unit: "" where none.
 */
#define HSB_VOCAB(X)                                                                               \
    /* benchmarks[]: Google Benchmark's fields, then ours */                                       \
    X(ROW, name, "string", "")                                                                     \
    X(ROW, family_index, "integer", "")                                                            \
    X(ROW, per_family_instance_index, "integer", "")                                               \
    X(ROW, run_name, "string", "")                                                                 \
    X(ROW, repetitions, "integer", "")                                                             \
    X(ROW, threads, "integer", "")                                                                 \
    X(ROW, suite, "string", "")                                                                    \
    X(ROW, variant, "string", "")                                                                  \
    X(ROW, backend, "string", "")                                                                  \
    X(ROW, implementations, "object", "")                                                          \
    X(ROW, is_reference, "boolean", "")                                                            \
    X(ROW, reference, "string", "")                                                                \
    X(ROW, bytes, "integer", "B")                                                                  \
    X(ROW, streams, "integer", "")                                                                 \
    X(ROW, bits, "integer", "bit")                                                                 \
    X(ROW, group, "string", "")                                                                    \
    X(ROW, dh_check, "string", "")                                                                 \
    X(ROW, pin, "string", "")                                                                      \
    X(ROW, pus, "array", "")                                                                       \
    X(ROW, duration_s, "real", "s")                                                                \
    X(ROW, warmup_s, "real", "s")                                                                  \
    X(ROW, time_unit, "string", "")                                                                \
    X(ROW, run_type, "string", "")                                                                 \
    X(ROW, repetition_index, "integer", "")                                                        \
    X(ROW, iterations, "integer", "")                                                              \
    X(ROW, real_time, "real", "ns")                                                                \
    X(ROW, cpu_time, "real", "ns")                                                                 \
    X(ROW, items_per_second, "real", "1/s")                                                        \
    X(ROW, bytes_per_second, "real", "B/s")                                                        \
    X(ROW, hs_per_s, "real", "1/s")                                                                \
    X(ROW, hs_per_s_per_thread, "real", "1/s")                                                     \
    X(ROW, wall_s, "real", "s")                                                                    \
    X(ROW, cycles_per_item, "real", "cycles")                                                      \
    X(ROW, cycles_per_byte, "real", "cycles/B")                                                    \
    X(ROW, ratio_to_reference, "real", "")                                                         \
    X(ROW, errors, "integer", "")                                                                  \
    X(ROW, latency_us, "object", "us")                                                             \
    X(ROW, client_cpu_us, "real", "us")                                                            \
    X(ROW, server_cpu_us, "real", "us")                                                            \
    X(ROW, offered_rate, "real", "1/s")                                                            \
    X(ROW, connections, "integer", "")                                                             \
    X(ROW, errors_by_kind, "object", "")                                                           \
    X(ROW, unstarted, "integer", "")                                                               \
    X(ROW, connection_latency_us, "object", "us")                                                  \
    X(ROW, ranks, "integer", "")                                                                   \
    X(ROW, rank, "integer", "")                                                                    \
    X(ROW, host, "string", "")                                                                     \
    X(ROW, aggregate_name, "string", "")                                                           \
    X(ROW, aggregate_unit, "string", "")                                                           \
    X(ROW, noisy, "boolean", "")                                                                   \
    X(ROW, scaling_efficiency, "real", "")                                                         \
    X(ROW, client_cpu_share, "real", "")                                                           \
    X(ROW, inflight, "integer", "")                                                                \
    X(ROW, batch_lanes, "integer", "")                                                             \
    X(ROW, batch_fill, "real", "")                                                                 \
    X(ROW, breakdown, "object", "cycles")                                                          \
    X(ROW, server, "object", "")                                                                   \
    X(ROW, error_occurred, "boolean", "")                                                          \
    X(ROW, error_message, "string", "")                                                            \
                                                                                                   \
    /* context.hsbench */                                                                          \
    X(CTX, version, "string", "")                                                                  \
    X(CTX, git_commit, "string", "")                                                               \
    X(CTX, command_line, "string", "")                                                             \
    X(CTX, cpu_model, "string", "")                                                                \
    X(CTX, cpu_vendor, "string", "")                                                               \
    X(CTX, cpu_flags, "array", "")                                                                 \
    X(CTX, cpu_disabled, "string", "")                                                             \
    X(CTX, topology, "object", "")                                                                 \
    X(CTX, tsc_hz, "real", "Hz")                                                                   \
    X(CTX, tsc_note, "string", "")                                                                 \
    X(CTX, cycles, "string", "")                                                                   \
    X(CTX, compiler, "string", "")                                                                 \
    X(CTX, cflags, "string", "")                                                                   \
    X(CTX, build_type, "string", "")                                                               \
    X(CTX, sanitized, "boolean", "")                                                               \
    X(CTX, libraries, "object", "")                                                                \
    X(CTX, backends, "object", "")                                                                 \
    X(CTX, pin, "string", "")                                                                      \
    X(CTX, thread_map, "array", "")                                                                \
    X(CTX, repetitions, "integer", "")                                                             \
    X(CTX, warmup_s, "real", "s")                                                                  \
    X(CTX, duration_s, "real", "s")                                                                \
    X(CTX, warnings, "array", "")                                                                  \
    X(CTX, notes, "array", "")                                                                     \
    X(CTX, ranks, "array", "")                                                                     \
                                                                                                   \
    /* CSV columns, in order */                                                                    \
    X(CSV, name, "string", "")                                                                     \
    X(CSV, suite, "string", "")                                                                    \
    X(CSV, variant, "string", "")                                                                  \
    X(CSV, backend, "string", "")                                                                  \
    X(CSV, is_reference, "boolean", "")                                                            \
    X(CSV, threads, "integer", "")                                                                 \
    X(CSV, bytes, "integer", "B")                                                                  \
    X(CSV, bits, "integer", "bit")                                                                 \
    X(CSV, group, "string", "")                                                                    \
    X(CSV, repetition, "integer", "")                                                              \
    X(CSV, iterations, "integer", "")                                                              \
    X(CSV, wall_s, "real", "s")                                                                    \
    X(CSV, cpu_s, "real", "s")                                                                     \
    X(CSV, rate, "real", "rate_unit")                                                              \
    X(CSV, rate_unit, "string", "")                                                                \
    X(CSV, bytes_per_second, "real", "B/s")                                                        \
    X(CSV, real_time_ns, "real", "ns")                                                             \
    X(CSV, cpu_time_ns, "real", "ns")                                                              \
    X(CSV, cycles_per_item, "real", "cycles")                                                      \
    X(CSV, cycles_per_byte, "real", "cycles/B")                                                    \
    X(CSV, ratio_to_reference, "real", "")                                                         \
    X(CSV, errors, "integer", "")                                                                  \
    X(CSV, latency_p50_us, "real", "us")                                                           \
    X(CSV, latency_p99_us, "real", "us")                                                           \
    X(CSV, offered_rate, "real", "1/s")                                                            \
    X(CSV, client_cpu_us, "real", "us")                                                            \
    X(CSV, rank, "integer", "")                                                                    \
    X(CSV, host, "string", "")

/* A field's id: HSB_ROW_name, HSB_CTX_pin, HSB_CSV_rate_unit, ..., in table
 * order (the id is the field's index in hsb_vocab). */
#define HSB_VOCAB_ID(where, name, type, unit) HSB_##where##_##name,
#define HSB_VOCAB_ONE(where, name, type, unit) +1
typedef enum hsb_field_id { HSB_VOCAB(HSB_VOCAB_ID) } hsb_field_id;
enum { HSB_FIELD_COUNT = 0 HSB_VOCAB(HSB_VOCAB_ONE) };
#undef HSB_VOCAB_ID
#undef HSB_VOCAB_ONE

typedef struct hsb_field {
    hsb_field_where where;
    const char *name;
    const char *type; /* as in HSB_VOCAB */
    const char *unit; /* "" where none */
} hsb_field;

/* The table, in the order the writers emit the fields; *n gets its length. */
const hsb_field *hsb_vocab(size_t *n);
/* The entry for name in that place, NULL when the table lacks it. */
const hsb_field *hsb_vocab_find(hsb_field_where where, const char *name);
/* The name of field id. */
const char *hsb_field_name(hsb_field_id id);

/* A field's name for the writers: HSB_ROW(hs_per_s) is "hs_per_s". */
#define HSB_ROW(name) hsb_field_name(HSB_ROW_##name)
#define HSB_CTX(name) hsb_field_name(HSB_CTX_##name)
#define HSB_CSV(name) hsb_field_name(HSB_CSV_##name)

#endif
