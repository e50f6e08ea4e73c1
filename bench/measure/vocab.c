/* The results vocabulary (hsb_vocab.h); bench/RESULTS.md explains each field. */
#include "hsb_vocab.h"

#include <string.h>

#define ROW(n, t, u)                                                                               \
    {                                                                                              \
        HSB_FIELD_ROW, n, t, u                                                                     \
    }
#define CTX(n, t, u)                                                                               \
    {                                                                                              \
        HSB_FIELD_CONTEXT, n, t, u                                                                 \
    }
#define CSV(n, t, u)                                                                               \
    {                                                                                              \
        HSB_FIELD_CSV, n, t, u                                                                     \
    }

static const hsb_field fields[] = {
    /* benchmarks[]: Google Benchmark's fields, then ours */
    ROW("name", "string", ""),
    ROW("family_index", "integer", ""),
    ROW("per_family_instance_index", "integer", ""),
    ROW("run_name", "string", ""),
    ROW("repetitions", "integer", ""),
    ROW("threads", "integer", ""),
    ROW("suite", "string", ""),
    ROW("variant", "string", ""),
    ROW("backend", "string", ""),
    ROW("implementations", "object", ""),
    ROW("is_reference", "boolean", ""),
    ROW("reference", "string", ""),
    ROW("bytes", "integer", "B"),
    ROW("bits", "integer", "bit"),
    ROW("group", "string", ""),
    ROW("dh_check", "string", ""),
    ROW("pin", "string", ""),
    ROW("pus", "array", ""),
    ROW("duration_s", "real", "s"),
    ROW("warmup_s", "real", "s"),
    ROW("time_unit", "string", ""),
    ROW("run_type", "string", ""),
    ROW("repetition_index", "integer", ""),
    ROW("iterations", "integer", ""),
    ROW("real_time", "real", "ns"),
    ROW("cpu_time", "real", "ns"),
    ROW("items_per_second", "real", "1/s"),
    ROW("bytes_per_second", "real", "B/s"),
    ROW("hs_per_s", "real", "1/s"),
    ROW("hs_per_s_per_thread", "real", "1/s"),
    ROW("wall_s", "real", "s"),
    ROW("cycles_per_item", "real", "cycles"),
    ROW("cycles_per_byte", "real", "cycles/B"),
    ROW("ratio_to_reference", "real", ""),
    ROW("errors", "integer", ""),
    ROW("latency_us", "object", "us"),
    ROW("client_cpu_us", "real", "us"),
    ROW("server_cpu_us", "real", "us"),
    ROW("aggregate_name", "string", ""),
    ROW("aggregate_unit", "string", ""),
    ROW("noisy", "boolean", ""),
    ROW("scaling_efficiency", "real", ""),
    ROW("client_cpu_share", "real", ""),
    ROW("breakdown", "object", "cycles"),
    ROW("error_occurred", "boolean", ""),
    ROW("error_message", "string", ""),

    /* context.hsbench */
    CTX("version", "string", ""),
    CTX("git_commit", "string", ""),
    CTX("command_line", "string", ""),
    CTX("cpu_model", "string", ""),
    CTX("cpu_vendor", "string", ""),
    CTX("cpu_flags", "array", ""),
    CTX("cpu_disabled", "string", ""),
    CTX("topology", "object", ""),
    CTX("tsc_hz", "real", "Hz"),
    CTX("tsc_note", "string", ""),
    CTX("cycles", "string", ""),
    CTX("compiler", "string", ""),
    CTX("cflags", "string", ""),
    CTX("build_type", "string", ""),
    CTX("sanitized", "boolean", ""),
    CTX("libraries", "object", ""),
    CTX("backends", "object", ""),
    CTX("pin", "string", ""),
    CTX("thread_map", "array", ""),
    CTX("repetitions", "integer", ""),
    CTX("warmup_s", "real", "s"),
    CTX("duration_s", "real", "s"),
    CTX("warnings", "array", ""),
    CTX("notes", "array", ""),

    /* CSV columns, in order */
    CSV("name", "string", ""),
    CSV("suite", "string", ""),
    CSV("variant", "string", ""),
    CSV("backend", "string", ""),
    CSV("is_reference", "boolean", ""),
    CSV("threads", "integer", ""),
    CSV("bytes", "integer", "B"),
    CSV("bits", "integer", "bit"),
    CSV("group", "string", ""),
    CSV("repetition", "integer", ""),
    CSV("iterations", "integer", ""),
    CSV("wall_s", "real", "s"),
    CSV("cpu_s", "real", "s"),
    CSV("rate", "real", "rate_unit"),
    CSV("rate_unit", "string", ""),
    CSV("bytes_per_second", "real", "B/s"),
    CSV("real_time_ns", "real", "ns"),
    CSV("cpu_time_ns", "real", "ns"),
    CSV("cycles_per_item", "real", "cycles"),
    CSV("cycles_per_byte", "real", "cycles/B"),
    CSV("ratio_to_reference", "real", ""),
    CSV("errors", "integer", ""),
    CSV("latency_p50_us", "real", "us"),
    CSV("latency_p99_us", "real", "us"),
};

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
