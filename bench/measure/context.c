/* The JSON context: the machine, the build, the libraries, the settings,
 * and the warnings about anything that makes figures less trustworthy. */
#include <gmp.h>
#include <jansson.h>
#include <math.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hsb_backends.h"
#include "hsb_report.h"
#include "hsb_tsc.h"
#include "hsb_vocab.h"

#ifndef HSB_GIT_COMMIT
#define HSB_GIT_COMMIT "unknown"
#endif
#ifndef HSB_BUILD_TYPE
#define HSB_BUILD_TYPE ""
#endif
#ifndef HSB_COMPILER
#define HSB_COMPILER "unknown"
#endif
#ifndef HSB_CFLAGS
#define HSB_CFLAGS ""
#endif
#ifndef HSB_VERSION
#define HSB_VERSION "0"
#endif
#ifndef HSB_HWLOC_VERSION
#define HSB_HWLOC_VERSION "?"
#endif
#ifndef HSB_BENCHMARK_VERSION
#define HSB_BENCHMARK_VERSION ""
#endif

static int debug_build(void)
{
    return strcmp(HSB_BUILD_TYPE, "Release") != 0 &&
           strcmp(HSB_BUILD_TYPE, "RelWithDebInfo") != 0 &&
           strcmp(HSB_BUILD_TYPE, "MinSizeRel") != 0;
}

static int sanitized(void)
{
#ifdef HSB_SANITIZED
    return 1;
#else
    return 0;
#endif
}

/* The first line of a small file into buf, newline stripped; 0 if absent. */
static int read_line(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    int ok = fgets(buf, (int)len, f) != NULL;
    fclose(f);
    if (ok) buf[strcspn(buf, "\n")] = '\0';
    return ok;
}

void hsb_context_warnings(hsb_report *r)
{
    char gov[64];
    if (!read_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", gov, sizeof gov))
        hsb_report_warn(r, "no cpufreq information (/sys/devices/system/cpu/cpu0/cpufreq is "
                           "absent): the core clock may vary; cycles are TSC reference cycles");
    else if (strcmp(gov, "performance") != 0)
        hsb_report_warn(r, "cpufreq governor is '%s', not 'performance': the clock scales", gov);
    if (r->pin == HSB_PIN_NONE)
        hsb_report_warn(r, "workers are not pinned (--pin none): the scheduler may move them");
    if (sanitized())
        hsb_report_warn(r, "sanitizer build (ASan+UBSan): figures are not representative");
    else if (debug_build())
        hsb_report_warn(r, "%s build (not Release): figures are not representative",
                        HSB_BUILD_TYPE[0] ? HSB_BUILD_TYPE : "untyped");
    double load[3];
    unsigned pus = hsb_topo_summarize().pus;
    if (getloadavg(load, 1) == 1 && load[0] > 0.5 * pus)
        hsb_report_warn(r,
                        "load average %.2f on %u PUs when the run began (> 0.5 per PU): "
                        "other work competes for the CPUs",
                        load[0], pus);
}

static void set_real(json_t *o, const char *k, double v)
{
    if (isfinite(v)) json_object_set_new(o, k, json_real(v));
}

/* The whole command line, from /proc (the subcommands see only their part). */
static json_t *command_line(void)
{
    char buf[8192];
    FILE *f = fopen("/proc/self/cmdline", "r");
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f) fclose(f);
    buf[n] = '\0';
    char out[8192];
    size_t o = 0;
    for (size_t i = 0; i < n && o + 4 < sizeof out;) {
        const char *arg = buf + i;
        size_t len = strlen(arg);
        int quote = len == 0 || strpbrk(arg, " \t'\"$;&|*?()<>\\") != NULL;
        if (o) out[o++] = ' ';
        if (quote) out[o++] = '\'';
        for (size_t k = 0; k < len && o + 6 < sizeof out; k++) {
            if (arg[k] == '\'') {
                memcpy(out + o, "'\\''", 4);
                o += 4;
            } else {
                out[o++] = arg[k];
            }
        }
        if (quote) out[o++] = '\'';
        i += len + 1;
    }
    out[o] = '\0';
    return json_string(out);
}

static json_t *caches(hwloc_topology_t t)
{
    json_t *a = json_array();
    if (!t) return a;
    static const hwloc_obj_type_t types[] = {HWLOC_OBJ_L1CACHE, HWLOC_OBJ_L1ICACHE,
                                             HWLOC_OBJ_L2CACHE, HWLOC_OBJ_L3CACHE,
                                             HWLOC_OBJ_L4CACHE};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        hwloc_obj_t o = hwloc_get_obj_by_type(t, types[i], 0);
        if (!o || !o->attr) continue;
        const char *ty = o->attr->cache.type == HWLOC_OBJ_CACHE_DATA          ? "Data"
                         : o->attr->cache.type == HWLOC_OBJ_CACHE_INSTRUCTION ? "Instruction"
                                                                              : "Unified";
        json_t *c = json_object();
        json_object_set_new(c, "type", json_string(ty));
        json_object_set_new(c, "level", json_integer(o->attr->cache.depth));
        json_object_set_new(c, "size", json_integer((json_int_t)o->attr->cache.size));
        json_object_set_new(c, "num_sharing", json_integer(hwloc_bitmap_weight(o->cpuset)));
        json_object_set_new(c, "count", json_integer(hwloc_get_nbobjs_by_type(t, types[i])));
        json_array_append_new(a, c);
    }
    return a;
}

static double cpu_mhz(void)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    double mhz = 0;
    char line[512];
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "cpu MHz : %lf", &mhz) == 1) break;
    if (f) fclose(f);
    return mhz > 0 ? mhz : hsb_tsc_hz() / 1e6;
}

/* Google Benchmark's context fields: when, where, which machine. */
static void machine_json(json_t *c, const hsb_topo_summary *ts)
{
    char buf[256];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S%z", &tm);
    /* ISO 8601 wants +hh:mm */
    size_t bl = strlen(buf);
    if (bl > 4) {
        memmove(buf + bl - 1, buf + bl - 2, 3);
        buf[bl - 2] = ':';
    }
    json_object_set_new(c, "date", json_string(buf));
    if (gethostname(buf, sizeof buf) != 0) snprintf(buf, sizeof buf, "unknown");
    buf[sizeof buf - 1] = '\0';
    json_object_set_new(c, "host_name", json_string(buf));
    ssize_t el = readlink("/proc/self/exe", buf, sizeof buf - 1);
    buf[el > 0 ? el : 0] = '\0';
    json_object_set_new(c, "executable", json_string(buf));
    json_object_set_new(c, "num_cpus", json_integer(ts->pus));
    json_object_set_new(c, "mhz_per_cpu", json_integer((json_int_t)llround(cpu_mhz())));
    char gov[64];
    int scaling =
        read_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", gov, sizeof gov) &&
        strcmp(gov, "performance") != 0;
    json_object_set_new(c, "cpu_scaling_enabled", json_boolean(scaling));
    json_object_set_new(c, "caches", caches(hsb_topology()));
    double load[3] = {0, 0, 0};
    int nl = getloadavg(load, 3);
    json_t *la = json_array();
    for (int i = 0; i < nl; i++) json_array_append_new(la, json_real(load[i]));
    json_object_set_new(c, "load_avg", la);
    json_object_set_new(c, "library_build_type",
                        json_string(debug_build() || sanitized() ? "debug" : "release"));
}

/* The CPU as hsbench sees it: model, flags, topology, the TSC. */
static void cpu_json(json_t *h, const hsb_topo_summary *ts)
{
    const hsb_cpu_features *cf = hsb_cpu();
    json_object_set_new(h, HSB_CTX(cpu_model), json_string(cf->brand[0] ? cf->brand : "unknown"));
    json_object_set_new(h, HSB_CTX(cpu_vendor), json_string(cf->vendor));
    char feats[256];
    hsb_cpu_describe(cf, feats, sizeof feats);
    json_t *fl = json_array();
    for (char *save = NULL, *tok = strtok_r(feats, " ", &save); tok;
         tok = strtok_r(NULL, " ", &save))
        json_array_append_new(fl, json_string(tok));
    json_object_set_new(h, HSB_CTX(cpu_flags), fl);
    if (cf->disabled[0]) json_object_set_new(h, HSB_CTX(cpu_disabled), json_string(cf->disabled));
    json_t *topo = json_object();
    json_object_set_new(topo, "packages", json_integer(ts->packages));
    json_object_set_new(topo, "cores", json_integer(ts->cores));
    json_object_set_new(topo, "pus", json_integer(ts->pus));
    json_object_set_new(topo, "numa_nodes", json_integer(ts->numa_nodes));
    json_object_set_new(h, HSB_CTX(topology), topo);
    set_real(h, HSB_CTX(tsc_hz), hsb_tsc_hz());
    json_object_set_new(h, HSB_CTX(tsc_note), json_string(hsb_tsc_note()));
    json_object_set_new(h, HSB_CTX(cycles),
                        json_string(hsb_tsc_is_cycles() ? "tsc-reference-cycles" : "none"));
}

/* The build and the libraries it runs with, and the backends it has. */
static void build_json(json_t *h)
{
    char buf[256];
    json_object_set_new(h, HSB_CTX(compiler), json_string(HSB_COMPILER));
    json_object_set_new(h, HSB_CTX(cflags), json_string(HSB_CFLAGS));
    json_object_set_new(h, HSB_CTX(build_type), json_string(HSB_BUILD_TYPE));
    json_object_set_new(h, HSB_CTX(sanitized), json_boolean(sanitized()));
    json_t *libs = json_object();
    json_object_set_new(libs, "openssl", json_string(OpenSSL_version(OPENSSL_VERSION)));
    json_object_set_new(libs, "gmp", json_string(gmp_version));
    /* The package version the build found, and the API version of the
     * library loaded at run time. */
    unsigned hv = hwloc_get_api_version();
    snprintf(buf, sizeof buf, "%s (API %u.%u.%u)", HSB_HWLOC_VERSION, hv >> 16, (hv >> 8) & 0xff,
             hv & 0xff);
    json_object_set_new(libs, "hwloc", json_string(buf));
    json_object_set_new(libs, "jansson", json_string(jansson_version_str()));
    json_object_set_new(libs, "benchmark", json_string(HSB_BENCHMARK_VERSION));
    json_object_set_new(h, HSB_CTX(libraries), libs);
    size_t nb;
    const hsb_backend *const *bs = hsb_backends(&nb);
    json_t *backs = json_object();
    for (size_t i = 0; i < nb; i++)
        json_object_set_new(backs, bs[i]->name, json_string(bs[i]->about));
    json_object_set_new(h, HSB_CTX(backends), backs);
}

/* Where each thread count's workers ran: PU and core per worker. */
static json_t *thread_map_json(const hsb_report *r)
{
    json_t *tm_arr = json_array();
    for (size_t i = 0; i < r->n_maps; i++) {
        const hsb_placement *pl = &r->maps[i];
        json_t *m = json_object();
        json_object_set_new(m, "threads", json_integer(pl->threads));
        json_t *pus = json_array(), *cores = json_array();
        for (unsigned k = 0; k < pl->threads; k++) {
            json_array_append_new(pus, pl->pu[k] >= 0 ? json_integer(pl->pu[k]) : json_null());
            json_array_append_new(cores,
                                  pl->core[k] >= 0 ? json_integer(pl->core[k]) : json_null());
        }
        json_object_set_new(m, "pus", pus);
        json_object_set_new(m, "cores", cores);
        json_array_append_new(tm_arr, m);
    }
    return tm_arr;
}

static json_t *strings_json(char *const *list, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) json_array_append_new(a, json_string(list[i]));
    return a;
}

void *hsb_context_json(const hsb_report *r)
{
    json_t *c = json_object();
    hsb_topo_summary ts = hsb_topo_summarize();
    machine_json(c, &ts);
    json_t *h = json_object();
    json_object_set_new(h, HSB_CTX(version), json_string(HSB_VERSION));
    json_object_set_new(h, HSB_CTX(git_commit), json_string(HSB_GIT_COMMIT));
    json_object_set_new(h, HSB_CTX(command_line), command_line());
    cpu_json(h, &ts);
    build_json(h);
    json_object_set_new(h, HSB_CTX(pin), json_string(hsb_pin_name(r->pin)));
    json_object_set_new(h, HSB_CTX(thread_map), thread_map_json(r));
    json_object_set_new(h, HSB_CTX(repetitions), json_integer(r->repetitions));
    set_real(h, HSB_CTX(warmup_s), r->warmup_s);
    set_real(h, HSB_CTX(duration_s), r->duration_s);
    json_object_set_new(h, HSB_CTX(warnings), strings_json(r->warnings, r->n_warnings));
    json_object_set_new(h, HSB_CTX(notes), strings_json(r->notes, r->n_notes));
    if (r->rank_contexts) json_object_set(h, HSB_CTX(ranks), r->rank_contexts);
    json_object_set_new(c, "hsbench", h);
    return c;
}
