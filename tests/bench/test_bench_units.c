/* Unit tests of the driver's machinery: statistics, the latency histogram,
 * duration parsing, thread placement, the worker pool, the breakdown
 * wrappers, the availability rules for rows, and the progress line. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hsb_backends.h"
#include "hsb_breakdown.h"
#include "hsb_cmd_opts.h"
#include "hsb_pin.h"
#include "hsb_runner.h"
#include "hsb_stats.h"
#include "hsb_suite.h"
#include "hsb_test.h"
#include "hsb_tsc.h"

#define NEAR(a, b, tol) (fabs((a) - (b)) <= (tol))

static void test_summary(void)
{
    double x[] = {5, 1, 4, 2, 3};
    hsb_summary s = hsb_summarize(x, 5);
    CHECK(s.n == 5 && s.median == 3 && s.min == 1 && s.max == 5 && s.mean == 3);
    CHECK(NEAR(s.stddev, sqrt(2.5), 1e-12)); /* sample stddev of 1..5 */
    CHECK(NEAR(s.cv, sqrt(2.5) / 3, 1e-12));
    CHECK(x[0] == 5); /* input untouched */
    double y[] = {4, 1, 3, 2};
    CHECK(hsb_summarize(y, 4).median == 2.5);
    double one = 7;
    s = hsb_summarize(&one, 1);
    CHECK(s.median == 7 && s.stddev == 0 && s.cv == 0);
    CHECK(hsb_summarize(NULL, 0).n == 0);
}

static void test_hist(void)
{
    hsb_hist *h = malloc(sizeof *h);
    hsb_hist_reset(h);
    CHECK(hsb_hist_quantile(h, 0.5) == 0);
    /* 1..100000: exact below 128, within 1/64 above */
    for (uint64_t v = 1; v <= 100000; v++) hsb_hist_add(h, v);
    CHECK(h->count == 100000 && h->max == 100000);
    double p50 = hsb_hist_quantile(h, 0.5), p99 = hsb_hist_quantile(h, 0.99);
    CHECK(fabs(p50 - 50000) / 50000 < 1.0 / 64);
    CHECK(fabs(p99 - 99000) / 99000 < 1.0 / 64);
    CHECK(hsb_hist_quantile(h, 1.0) == 100000);
    hsb_hist_reset(h);
    for (int i = 0; i < 10; i++) hsb_hist_add(h, 100);
    hsb_hist_add(h, 1000000);
    CHECK(hsb_hist_quantile(h, 0.5) == 100);
    CHECK(hsb_hist_quantile(h, 1.0) == 1000000);
    /* every bucket index is in range, and indices grow with the value */
    unsigned last = 0;
    for (int b = 0; b < 64; b++) {
        uint64_t v = (uint64_t)1 << b;
        unsigned i = hsb_hist_index(v);
        CHECK(i < HSB_HIST_BUCKETS && i >= last);
        last = i;
    }
    CHECK(hsb_hist_index(UINT64_MAX) < HSB_HIST_BUCKETS);
    hsb_hist *g = malloc(sizeof *g);
    hsb_hist_reset(g);
    hsb_hist_add(g, 5);
    hsb_hist_merge(g, h);
    CHECK(g->count == 12 && g->max == 1000000);
    free(g);
    free(h);
}

static void test_duration(void)
{
    double d;
    CHECK(hsb_parse_duration("500ms", &d) && NEAR(d, 0.5, 1e-12));
    CHECK(hsb_parse_duration("3s", &d) && d == 3);
    CHECK(hsb_parse_duration("1.5", &d) && d == 1.5);
    CHECK(hsb_parse_duration("250us", &d) && NEAR(d, 250e-6, 1e-15));
    CHECK(hsb_parse_duration("2m", &d) && d == 120);
    CHECK(!hsb_parse_duration("", &d));
    CHECK(!hsb_parse_duration("5xs", &d));
    CHECK(!hsb_parse_duration("-1s", &d));
    CHECK(!hsb_parse_duration("ms", &d));
    CHECK(!hsb_parse_duration("nan", &d));
}

static void test_placement(void)
{
    hsb_topo_summary ts = hsb_topo_summarize();
    CHECK(ts.pus >= 1 && ts.cores >= 1 && ts.cores <= ts.pus);
    hsb_placement pl;
    /* compact: the first `cores` workers on distinct cores */
    unsigned n = ts.pus;
    CHECK(hsb_place(n, HSB_PIN_COMPACT, &pl) == HSB_OK);
    CHECK(pl.threads == n && !pl.oversubscribed);
    for (unsigned i = 0; i < n && i < ts.cores; i++)
        for (unsigned j = 0; j < i; j++) CHECK(pl.core[i] != pl.core[j]);
    /* every PU is used exactly once with threads == PUs */
    for (unsigned i = 0; i < n; i++) {
        CHECK(pl.pu[i] >= 0);
        for (unsigned j = 0; j < i; j++) CHECK(pl.pu[i] != pl.pu[j]);
    }
    CHECK(hsb_place(n, HSB_PIN_SPREAD, &pl) == HSB_OK);
    for (unsigned i = 0; i < n; i++) CHECK(pl.pu[i] >= 0);
    CHECK(hsb_place(n, HSB_PIN_NONE, &pl) == HSB_OK && pl.pu[0] == -1);
    CHECK(hsb_place(n + 1, HSB_PIN_COMPACT, &pl) == HSB_OK && pl.oversubscribed);
    CHECK(pl.pu[n] == pl.pu[0]); /* wraps around */
    CHECK(hsb_place(0, HSB_PIN_COMPACT, &pl) == HSB_E_USAGE);
    CHECK(hsb_pin_parse("core") == HSB_PIN_COMPACT && hsb_pin_parse("diagonal") == -1);
}

/* A counting op for the pool: each thread counts into its own state. */
typedef struct cnt {
    uint64_t n;
    unsigned tid;
} cnt;
static hsb_rc cnt_init(void *arg, unsigned tid, void **out)
{
    (void)arg;
    cnt *c = calloc(1, sizeof *c);
    if (!c) return HSB_E_NOMEM;
    c->tid = tid;
    *out = c;
    return HSB_OK;
}
static hsb_rc cnt_op(void *s, hsb_tstats *st)
{
    cnt *c = s;
    c->n++;
    st->client_cpu_ns += 1;
    volatile double x = 1;
    for (int i = 0; i < 1000; i++) x = x * 1.0000001;
    return HSB_OK;
}
static void cnt_free(void *arg, void *s)
{
    (void)arg;
    free(s);
}
static hsb_rc fail_op(void *s, hsb_tstats *st)
{
    (void)s, (void)st;
    return hsb_raise(HSB_E_CRYPTO, __FILE__, __LINE__, "planned failure");
}

static void test_runner(void)
{
    hsb_placement pl;
    unsigned n = hsb_topo_summarize().pus > 1 ? 2 : 1;
    CHECK(hsb_place(n, HSB_PIN_COMPACT, &pl) == HSB_OK);
    hsb_run_cfg cfg = {0.02, 0.005, 3, &pl};
    hsb_work w = {cnt_init, cnt_op, cnt_free, NULL, 1, 0};
    hsb_rep reps[3];
    int seen[2] = {-1, -1};
    char err[256] = "";
    CHECK(hsb_run(&cfg, &w, reps, seen, err, sizeof err) == HSB_OK);
    for (int r = 0; r < 3; r++) {
        CHECK(reps[r].iters >= n);
        CHECK(reps[r].wall_s >= 0.015 && reps[r].wall_s < 2);
        CHECK(reps[r].lat && reps[r].lat->count == reps[r].iters);
        CHECK(reps[r].client_cpu_s > 0); /* the ops' own counters are summed */
        CHECK(reps[r].tsc > 0 && reps[r].cpu_s > 0);
        hsb_rep_free(&reps[r]);
    }
    for (unsigned i = 0; i < n; i++) CHECK(seen[i] == pl.pu[i]); /* pinned where placed */
    hsb_work bad = {cnt_init, fail_op, cnt_free, NULL, 0, 0};
    CHECK(hsb_run(&cfg, &bad, reps, NULL, err, sizeof err) == HSB_E_CRYPTO);
    CHECK(strstr(err, "planned failure") != NULL);
}

/* An op that sleeps 2 ms with the clocks paused (hsb_tstats_pause) and
 * then does a little work: the paused time must stay out of the wall, CPU
 * and TSC figures. Without the pause each op would cost at least 2 ms of
 * wall time (the sleep's lower bound), so a wall time under half of that
 * per op shows it was left out, however slow the machine. */
static hsb_rc paused_op(void *s, hsb_tstats *st)
{
    hsb_tstats_pause(st);
    struct timespec ts = {0, 2000000};
    nanosleep(&ts, NULL);
    hsb_tstats_resume(st);
    return cnt_op(s, st);
}

static void test_pause(void)
{
    hsb_placement pl;
    CHECK(hsb_place(1, HSB_PIN_COMPACT, &pl) == HSB_OK);
    hsb_run_cfg cfg = {0.05, 0, 2, &pl};
    hsb_work w = {cnt_init, paused_op, cnt_free, NULL, 1, 0};
    hsb_rep reps[2];
    char err[256] = "";
    CHECK(hsb_run(&cfg, &w, reps, NULL, err, sizeof err) == HSB_OK);
    for (int r = 0; r < 2; r++) {
        CHECKF(reps[r].iters >= 1 && reps[r].wall_s < 0.001 * (double)reps[r].iters,
               "%llu ops in %.4f s: the paused sleeps were counted",
               (unsigned long long)reps[r].iters, reps[r].wall_s);
        CHECK(reps[r].wall_s > 0 && reps[r].tsc > 0);
        CHECK(reps[r].op_tsc <= reps[r].tsc); /* latency without the pauses too */
        hsb_rep_free(&reps[r]);
    }
    /* outside the runner (st NULL) the calls do nothing */
    hsb_tstats_pause(NULL);
    hsb_tstats_resume(NULL);
}

/* The timing wrappers forward every call and count into the bound buckets. */
static void test_breakdown(void)
{
    hsb_provider p, w;
    char err[256];
    CHECK(hsb_provider_from_spec("openssl", &p, err, sizeof err) == HSB_OK);
    if (!p.cls.sha256 || !p.cls.rng) return;
    CHECK(hsb_bd_wrap(&p, &w) == HSB_OK);
    CHECK(w.cls.sha256 != p.cls.sha256 && !strcmp(w.cls.sha256->name, p.cls.sha256->name));
    uint64_t bd[HSB_BD_COUNT] = {0};
    hsb_bd_bind(bd);
    void *ctx = hsb_ctx_alloc(w.cls.sha256->ctx_size);
    uint8_t a[32], b[32];
    CHECK(w.cls.sha256->init(ctx) == HSB_OK);
    w.cls.sha256->update(ctx, "abc", 3);
    w.cls.sha256->final(ctx, a);
    w.cls.sha256->clear(ctx);
    CHECK(p.cls.sha256->init(ctx) == HSB_OK);
    p.cls.sha256->update(ctx, "abc", 3);
    p.cls.sha256->final(ctx, b);
    p.cls.sha256->clear(ctx);
    hsb_ctx_free(ctx, w.cls.sha256->ctx_size);
    CHECK(memcmp(a, b, 32) == 0);
    CHECK(bd[HSB_BD_HASH] > 0 && bd[HSB_BD_RSA_PRIV] == 0);
    uint8_t r[16];
    CHECK(w.cls.rng->fill(r, sizeof r) == HSB_OK && bd[HSB_BD_RNG] > 0);
    hsb_bd_bind(NULL);
    uint64_t before = bd[HSB_BD_RNG];
    CHECK(w.cls.rng->fill(r, sizeof r) == HSB_OK && bd[HSB_BD_RNG] == before);
}

/* A row is UNAVAILABLE when the named backend lacks the class, even though
 * the composition borrowed it. */
static void test_availability(void)
{
    hsb_comp c;
    char why[128];
    size_t nb;
    const hsb_backend *const *bs = hsb_backends(&nb);
    for (size_t i = 0; i < nb; i++) {
        snprintf(c.spec, sizeof c.spec, "%s", bs[i]->name);
        CHECK(hsb_provider_from_spec(c.spec, &c.p, why, sizeof why) == HSB_OK);
        for (unsigned k = 0; k < HSB_CLASS_COUNT; k++) {
            int has = hsb_backend_class(bs[i], (hsb_class_id)k) != NULL;
            int ok = hsb_suite_row_available(&c, HSB_CLASS_BIT(k), why, sizeof why);
            CHECK(ok == has);
            if (!ok) CHECK(strstr(why, bs[i]->name) != NULL);
        }
    }
    /* a keyed spec: cipher=openssl serves aes from openssl, as asked */
    snprintf(c.spec, sizeof c.spec, "gmp,cipher=openssl");
    if (hsb_backend_by_name("gmp") &&
        hsb_provider_from_spec(c.spec, &c.p, why, sizeof why) == HSB_OK) {
        CHECK(hsb_suite_row_available(&c, HSB_CLASS_BIT(HSB_CLASS_AES), why, sizeof why));
        char label[96];
        hsb_suite_row_label(&c.p, HSB_CLASS_BIT(HSB_CLASS_AES), label, sizeof label);
        CHECK(!strcmp(label, "openssl"));
    }
}

/* The progress line: count, total, and the time left in words. */
static void test_progress_format(void)
{
    char b[256];
    hsb_progress_format(b, sizeof b, 3, 14, "handshake/rsa-2048/openssl/threads:1", 0, 40.2);
    CHECK(!strcmp(b, "[3/14] handshake/rsa-2048/openssl/threads:1 ~40 s left"));
    hsb_progress_format(b, sizeof b, 8, 8, "modexp/crt-1024/evp-reference", 3, 0.4);
    CHECK(!strcmp(b, "[8/8] modexp/crt-1024/evp-reference and the rows beside it <1 s left"));
    hsb_progress_format(b, sizeof b, 1, 90, "x", 0, 180);
    CHECK(!strcmp(b, "[1/90] x ~3 min left"));
    hsb_progress_format(b, sizeof b, 1, 90, "x", 0, 7200);
    CHECK(!strcmp(b, "[1/90] x ~2.0 h left"));
    /* no plan (a report filled by hand): the count alone, as before plans */
    hsb_progress_format(b, sizeof b, 5, 0, "x", 1, 12);
    CHECK(!strcmp(b, "[5] x and the rows beside it ..."));
}

static int fake_calls[2]; /* [planning]: how often each pass ran */

/* A suite that plans, or finishes, one row per thread count; 3 thread
 * counts make it fail. */
static hsb_rc fake_suite(hsb_report *r, const hsb_opts *o)
{
    fake_calls[r->planning]++;
    CHECK(r->duration_s == o->duration_s && r->warmup_s == o->warmup_s);
    if (r->planning)
        hsb_report_plan(r, o->n_threads);
    else
        hsb_report_finished(r, o->n_threads);
    return o->n_threads == 3 ? HSB_E_USAGE : HSB_OK;
}

/* hsb_report_run plans every stage before running any, each with its own
 * duration and warm-up; the estimate is warm-up + repetitions x duration. */
static void test_progress_plan(void)
{
    hsb_report r;
    memset(&r, 0, sizeof r);
    r.repetitions = 3, r.duration_s = 9, r.warmup_s = 8;
    hsb_opts a, b, bad;
    memset(&a, 0, sizeof a);
    a.duration_s = 0.5, a.warmup_s = 0.1, a.n_threads = 2;
    b = a;
    b.duration_s = 1, b.warmup_s = 0, b.n_threads = 1;
    bad = a;
    bad.n_threads = 3;
    hsb_stage st[] = {{fake_suite, &a}, {fake_suite, &b}, {fake_suite, &bad}};
    CHECK(hsb_report_run(&r, st, 2) == HSB_OK);
    CHECK(fake_calls[1] == 2 && fake_calls[0] == 2 && !r.planning);
    CHECK(r.plan_rows == 3 && r.done_rows == 3);
    CHECK(NEAR(r.plan_s, 2 * (0.1 + 3 * 0.5) + 3 * 1.0, 1e-9) && NEAR(r.done_s, r.plan_s, 1e-9));
    CHECK(r.duration_s == 9 && r.warmup_s == 8);
    /* a stage that fails while planning: nothing runs for real */
    memset(fake_calls, 0, sizeof fake_calls);
    CHECK(hsb_report_run(&r, st, 3) == HSB_E_USAGE);
    CHECK(fake_calls[1] == 3 && fake_calls[0] == 0 && !r.planning);
}

int main(void)
{
    test_summary();
    test_hist();
    test_duration();
    test_placement();
    test_runner();
    test_pause();
    test_breakdown();
    test_availability();
    test_progress_format();
    test_progress_plan();
    CHECK(hsb_tsc_hz() > 1e6);
    return hsb_test_report("bench units");
}
