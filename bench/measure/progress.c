/*
 * Where a run is: the plan (how many rows the suites will add, and how long
 * measuring them takes) and the progress line on stderr built from it.
 *
 * The plan comes from running the suites once in planning mode: the
 * row-group builder applies the same availability and measure-once rules as
 * when it adds rows, so the count is the count of rows the run will have.
 * The time left is what the rows not yet finished take by their settings
 * (warm-up, then repetitions x duration); set-up (key generation, test
 * certificates, worker start) is not in it, so it is a lower bound.
 */
#include <stdio.h>

#include "hsb_report.h"

/* The measuring time of one row under r's current settings. */
static double row_s(const hsb_report *r)
{
    double warmup = r->warmup_s > 0 ? r->warmup_s : 0;
    return warmup + r->repetitions * r->duration_s;
}

void hsb_report_plan(hsb_report *r, size_t rows)
{
    r->plan_rows += rows;
    r->plan_s += (double)rows * row_s(r);
}

void hsb_report_finished(hsb_report *r, size_t rows)
{
    r->done_rows += rows;
    r->done_s += (double)rows * row_s(r);
}

/* "~40 s", "~3 min", "~1.5 h"; "<1 s" for what is nearly done. */
static void format_left(char *buf, size_t len, double s)
{
    if (s < 1)
        snprintf(buf, len, "<1 s");
    else if (s < 100)
        snprintf(buf, len, "~%.0f s", s);
    else if (s < 100 * 60)
        snprintf(buf, len, "~%.0f min", s / 60);
    else
        snprintf(buf, len, "~%.1f h", s / 3600);
}

void hsb_progress_format(char *buf, size_t len, size_t done, size_t total, const char *name,
                         size_t beside, double left_s)
{
    const char *more = beside ? " and the rows beside it" : "";
    if (!total) {
        snprintf(buf, len, "[%zu] %s%s ...", done, name, more);
        return;
    }
    char left[32];
    format_left(left, sizeof left, left_s);
    snprintf(buf, len, "[%zu/%zu] %s%s %s left", done, total, name, more, left);
}

void hsb_report_progress(hsb_report *r, size_t n, const char *name)
{
    if (!r->tty || r->quiet || !n) return;
    r->progress += n;
    char line[320];
    size_t done = r->plan_rows ? r->done_rows + n : r->progress;
    hsb_progress_format(line, sizeof line, done, r->plan_rows, name, n - 1, r->plan_s - r->done_s);
    fprintf(stderr, "\r\033[K%s", line);
    fflush(stderr);
}

/* Point r at a stage's duration and warm-up (its figures record them). */
static void use_stage(hsb_report *r, const hsb_stage *s)
{
    r->duration_s = s->o->duration_s;
    r->warmup_s = s->o->warmup_s;
}

hsb_rc hsb_report_run(hsb_report *r, const hsb_stage *stages, size_t n)
{
    double duration = r->duration_s, warmup = r->warmup_s;
    hsb_rc rc = HSB_OK;
    r->planning = 1;
    for (size_t i = 0; i < n && rc == HSB_OK; i++) {
        use_stage(r, &stages[i]);
        rc = stages[i].suite(r, stages[i].o);
    }
    r->planning = 0;
    for (size_t i = 0; i < n && rc == HSB_OK; i++) {
        use_stage(r, &stages[i]);
        rc = stages[i].suite(r, stages[i].o);
    }
    r->duration_s = duration;
    r->warmup_s = warmup;
    return rc;
}
