// The one file that includes <benchmark/benchmark.h>: the C shim of
// hsb_gbench.h over Google Benchmark.
#include "hsb_gbench.h"

#include <benchmark/benchmark.h>

#include <string>

namespace
{

benchmark::State *st(hsb_gbench_state *s)
{
    return reinterpret_cast<benchmark::State *>(s);
}
const benchmark::State *st(const hsb_gbench_state *s)
{
    return reinterpret_cast<const benchmark::State *>(s);
}

void run_one(benchmark::State &state, hsb_gbench_def def)
{
    hsb_clear_error();
    hsb_rc rc = def.run(&def, reinterpret_cast<hsb_gbench_state *>(&state));
    if (rc != HSB_OK && !state.error_occurred()) {
        std::string msg = std::string(hsb_rc_name(rc)) + ": " + hsb_last_error();
        state.SkipWithError(msg.c_str());
    }
}

} // namespace

extern "C" {

void hsb_gbench_register(const char *name, const hsb_gbench_def *def)
{
    hsb_gbench_def copy = *def;
    benchmark::internal::Benchmark *b = benchmark::RegisterBenchmark(
        name, [copy](benchmark::State &state) { run_one(state, copy); });
    if (copy.flags & HSB_GBENCH_FLAG_USE_REAL_TIME) b->UseRealTime();
    if (copy.flags & HSB_GBENCH_FLAG_MEASURE_PROCESS_CPU_TIME) b->MeasureProcessCPUTime();
    switch (copy.time_unit) {
    case HSB_GBENCH_UNIT_NS:
        b->Unit(benchmark::kNanosecond);
        break;
    case HSB_GBENCH_UNIT_US:
        b->Unit(benchmark::kMicrosecond);
        break;
    case HSB_GBENCH_UNIT_MS:
        b->Unit(benchmark::kMillisecond);
        break;
    case HSB_GBENCH_UNIT_S:
        b->Unit(benchmark::kSecond);
        break;
    default:
        break;
    }
    if (copy.min_time_s > 0) b->MinTime(copy.min_time_s);
    if (copy.threads > 1) b->Threads(copy.threads);
    if (copy.repetitions > 0) b->Repetitions(copy.repetitions);
}

int hsb_gbench_keep_running(hsb_gbench_state *s, uint64_t batch)
{
    return st(s)->KeepRunningBatch(static_cast<benchmark::IterationCount>(batch ? batch : 1));
}

void hsb_gbench_pause_timing(hsb_gbench_state *s)
{
    st(s)->PauseTiming();
}

void hsb_gbench_resume_timing(hsb_gbench_state *s)
{
    st(s)->ResumeTiming();
}

void hsb_gbench_set_bytes_processed(hsb_gbench_state *s, int64_t bytes)
{
    st(s)->SetBytesProcessed(bytes);
}

void hsb_gbench_set_items_processed(hsb_gbench_state *s, int64_t items)
{
    st(s)->SetItemsProcessed(items);
}

void hsb_gbench_set_counter(hsb_gbench_state *s, const char *name, double value, unsigned flags)
{
    int f = benchmark::Counter::kDefaults;
    if (flags & HSB_GBENCH_COUNTER_RATE) f |= benchmark::Counter::kIsRate;
    if (flags & HSB_GBENCH_COUNTER_AVG_THREADS) f |= benchmark::Counter::kAvgThreads;
    if (flags & HSB_GBENCH_COUNTER_AVG_ITERATIONS) f |= benchmark::Counter::kAvgIterations;
    st(s)->counters[name] = benchmark::Counter(value, static_cast<benchmark::Counter::Flags>(f));
}

void hsb_gbench_set_label(hsb_gbench_state *s, const char *label)
{
    st(s)->SetLabel(label);
}

void hsb_gbench_skip_with_error(hsb_gbench_state *s, const char *msg)
{
    st(s)->SkipWithError(msg);
}

int64_t hsb_gbench_iterations(const hsb_gbench_state *s)
{
    return static_cast<int64_t>(st(s)->iterations());
}

int hsb_gbench_thread_index(const hsb_gbench_state *s)
{
    return st(s)->thread_index();
}

int hsb_gbench_threads(const hsb_gbench_state *s)
{
    return st(s)->threads();
}

void hsb_gbench_add_context(const char *key, const char *value)
{
    benchmark::AddCustomContext(key, value);
}

int hsb_gbench_main(int argc, char **argv)
{
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}

} // extern "C"
