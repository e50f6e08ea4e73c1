/* The selftest runner: targets, result rows, file dispatch, the folder walk
 * and the report. The format runners live in selftest_{wycheproof,cavp,derived}.c,
 * the known answers in selftest_builtin.c, the differential checks in
 * selftest_diff.c. */
#include "hsb_selftest.h"

#include <dirent.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hsb_backends.h"

/* ----------------------------------------------------------------- targets */

static void target_from_backend(hsb_st_target *t, const hsb_backend *b)
{
    memset(t, 0, sizeof *t);
    snprintf(t->label, sizeof t->label, "%s", b->name);
    t->cls = *b;
    for (unsigned c = 0; c < HSB_CLASS_COUNT; c++)
        t->from[c] = hsb_backend_class(b, (hsb_class_id)c) ? b->name : NULL;
}

size_t hsb_st_targets_registry(hsb_st_target *out, size_t cap)
{
    size_t n;
    const hsb_backend *const *bs = hsb_backends(&n);
    size_t k = 0;
    for (size_t i = 0; i < n && k < cap; i++) target_from_backend(&out[k++], bs[i]);
    return k;
}

hsb_rc hsb_st_target_from_spec(const char *spec, hsb_st_target *out, char *err, size_t err_len)
{
    hsb_provider p;
    HSB_GUARD(hsb_provider_from_spec(spec, &p, err, err_len));
    memset(out, 0, sizeof *out);
    snprintf(out->label, sizeof out->label, "%s", p.label);
    out->cls = p.cls;
    out->cls.name = out->label;
    for (unsigned c = 0; c < HSB_CLASS_COUNT; c++) out->from[c] = p.from[c];
    return HSB_OK;
}

int hsb_st_is_reference(const hsb_st_target *t, hsb_class_id id)
{
    size_t n;
    const hsb_backend *const *bs = hsb_backends(&n);
    return t->from[id] && n > 0 && strcmp(t->from[id], bs[0]->name) == 0;
}

/* ----------------------------------------------------------------- results */

void hsb_st_init(hsb_st_run *r, const hsb_st_target *targets, size_t n_targets)
{
    memset(r, 0, sizeof *r);
    r->targets = targets;
    r->n_targets = n_targets;
    r->log = stderr;
}

void hsb_st_free(hsb_st_run *r)
{
    for (size_t i = 0; i < r->n_res; i++) free(r->res[i]);
    free(r->res);
    r->res = NULL;
    r->n_res = r->cap_res = 0;
}

hsb_st_result *hsb_st_row(hsb_st_run *r, const hsb_st_target *t, const char *file)
{
    for (size_t i = 0; i < r->n_res; i++)
        if (strcmp(r->res[i]->target, t->label) == 0 && strcmp(r->res[i]->file, file) == 0)
            return r->res[i];
    if (r->n_res == r->cap_res) {
        size_t cap = r->cap_res ? 2 * r->cap_res : 64;
        hsb_st_result **p = realloc(r->res, cap * sizeof *p);
        if (!p) {
            r->errors++;
            return NULL;
        }
        r->res = p;
        r->cap_res = cap;
    }
    hsb_st_result *row = calloc(1, sizeof *row);
    if (!row) {
        r->errors++;
        return NULL;
    }
    snprintf(row->target, sizeof row->target, "%s", t->label);
    snprintf(row->file, sizeof row->file, "%s", file);
    r->res[r->n_res++] = row;
    return row;
}

void hsb_st_case(hsb_st_run *r, hsb_st_result *row, hsb_st_outcome o, const char *fmt, ...)
{
    if (!row) return;
    char what[224] = "";
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(what, sizeof what, fmt, ap);
        va_end(ap);
    }
    switch (o) {
    case HSB_ST_PASS:
        row->passed++;
        break;
    case HSB_ST_UNSUPPORTED:
        row->unsupported++;
        if (fmt && r->verbose)
            fprintf(r->log, "  [%s] %s: unsupported: %s\n", row->target, row->file, what);
        break;
    case HSB_ST_FAIL:
    default:
        row->failed++;
        if (row->kept < HSB_ST_FAILS_KEPT)
            snprintf(row->fail[row->kept++], sizeof row->fail[0], "%s", fmt ? what : "?");
        if (r->verbose) fprintf(r->log, "  [%s] %s: FAILED: %s\n", row->target, row->file, what);
        break;
    }
}

void hsb_st_unavailable(hsb_st_result *row, const char *class_name)
{
    if (row) snprintf(row->unavailable, sizeof row->unavailable, "%s", class_name);
}

void hsb_st_note(const hsb_st_run *r, const char *fmt, ...)
{
    if (!r->verbose) return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(r->log, fmt, ap);
    va_end(ap);
    fputc('\n', r->log);
}

/* ------------------------------------------------------------------ files */

/* Read a whole file, NUL-terminated; NULL when unreadable or over 64 MiB. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (cap - n < 65536) {
            if (cap >= (64u << 20)) goto fail;
            cap = cap ? 2 * cap : 65536;
            char *p = realloc(buf, cap + 1);
            if (!p) goto fail;
            buf = p;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    if (ferror(f)) goto fail;
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
fail:
    fclose(f);
    free(buf);
    return NULL;
}

static unsigned long cases_for(const hsb_st_run *r, const char *display)
{
    unsigned long n = 0;
    for (size_t i = 0; i < r->n_res; i++)
        if (strcmp(r->res[i]->file, display) == 0)
            n += r->res[i]->passed + r->res[i]->failed + r->res[i]->unsupported;
    return n;
}

hsb_rc hsb_st_file(hsb_st_run *r, const char *path, const char *display, int *recognised)
{
    size_t len;
    char *text = slurp(path, &len);
    *recognised = 0;
    if (!text) {
        fprintf(r->log, "selftest: cannot read %s\n", path);
        r->errors++;
        return HSB_E_IO;
    }
    int rc = 0;
    if (memchr(text, '\0', len)) {
        rc = 0; /* binary: no format of ours */
    } else {
        const char *p = text;
        while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') p++;
        if (*p == '{') {
            json_error_t jerr;
            json_t *root = json_loadb(text, len, 0, &jerr);
            if (!root) {
                hsb_st_note(r, "  %s: not JSON (line %d: %s): skipped", display, jerr.line,
                            jerr.text);
            } else {
                rc = hsb_st_wycheproof(r, root, display);
                if (!rc) rc = hsb_st_derived(r, root, display);
                json_decref(root);
            }
        } else {
            rc = hsb_st_cavp(r, text, len, display);
        }
    }
    free(text);
    if (rc == 1) {
        r->files_recognised++;
        if (cases_for(r, display) == 0) {
            if (r->n_empty < sizeof r->empty / sizeof r->empty[0])
                snprintf(r->empty[r->n_empty], sizeof r->empty[0], "%s", display);
            r->n_empty++;
        }
    } else {
        hsb_st_note(r, "  %s: not a format the runner knows: skipped", display);
    }
    *recognised = rc == 1;
    return HSB_OK;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static long walk(hsb_st_run *r, const char *dir, const char *rel, int depth)
{
    if (depth > 16) return 0;
    struct dirent **names;
    int n = scandir(dir, &names, NULL, by_name);
    if (n < 0) return -1;
    long found = 0;
    for (int i = 0; i < n; i++) {
        const char *nm = names[i]->d_name;
        if (nm[0] == '.') { /* ".", "..", hidden files */
            free(names[i]);
            continue;
        }
        char path[4096], sub[1024];
        snprintf(path, sizeof path, "%s/%s", dir, nm);
        snprintf(sub, sizeof sub, "%s%s%s", rel, rel[0] ? "/" : "", nm);
        struct stat st;
        if (stat(path, &st) == 0) {
            if (S_ISDIR(st.st_mode)) {
                long k = walk(r, path, sub, depth + 1);
                if (k > 0) found += k;
            } else if (S_ISREG(st.st_mode)) {
                int rec = 0;
                if (hsb_st_file(r, path, sub, &rec) == HSB_OK && rec) found++;
            }
        }
        free(names[i]);
    }
    free(names);
    return found;
}

hsb_rc hsb_st_dir(hsb_st_run *r, const char *dir, long *found)
{
    struct stat st;
    *found = 0;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) return HSB_E_IO;
    long n = walk(r, dir, "", 0);
    if (n < 0) return HSB_E_IO;
    *found = n;
    return HSB_OK;
}

/* ----------------------------------------------------------------- report */

/* Column widths and running sums of the table. */
typedef struct report {
    FILE *out;
    int lw, width;
    unsigned long p, f, u;
} report;

static void report_layout(const hsb_st_run *r, report *rp)
{
    size_t width = 24;
    for (size_t i = 0; i < r->n_res; i++) {
        size_t l = strlen(r->res[i]->file);
        if (l > width) width = l;
    }
    rp->width = width > 60 ? 60 : (int)width;
    rp->lw = 12;
    for (size_t i = 0; i < r->n_res; i++)
        if ((int)strlen(r->res[i]->target) > rp->lw) rp->lw = (int)strlen(r->res[i]->target);
}

/* One line of counts; end is "" or, after a TOTAL, the blank line. */
static void report_counts(report *rp, const char *target, const char *file, unsigned long p,
                          unsigned long f, unsigned long u, const char *end)
{
    fprintf(rp->out, "%-*s  %-*s  passed %lu  failed %lu  unsupported %lu\n%s", rp->lw, target,
            rp->width, file, p, f, u, end);
}

static void report_target(report *rp, const hsb_st_run *r, const char *label)
{
    unsigned long p = 0, f = 0, u = 0;
    int any = 0;
    for (size_t i = 0; i < r->n_res; i++) {
        const hsb_st_result *row = r->res[i];
        if (strcmp(row->target, label) != 0) continue;
        any = 1;
        if (row->unavailable[0] && row->passed + row->failed + row->unsupported == 0) {
            fprintf(rp->out, "%-*s  %-*s  unavailable (no %s class)\n", rp->lw, label, rp->width,
                    row->file, row->unavailable);
            continue;
        }
        report_counts(rp, label, row->file, row->passed, row->failed, row->unsupported, "");
        p += row->passed;
        f += row->failed;
        u += row->unsupported;
    }
    if (any) report_counts(rp, label, "TOTAL", p, f, u, "\n");
    rp->p += p;
    rp->f += f;
    rp->u += u;
}

/* Rows of targets not in the list (e.g. "core" checks independent of any backend). */
static void report_unlisted(report *rp, const hsb_st_run *r)
{
    for (size_t i = 0; i < r->n_res; i++) {
        const hsb_st_result *row = r->res[i];
        int listed = 0;
        for (size_t t = 0; t < r->n_targets && !listed; t++)
            listed = strcmp(row->target, r->targets[t].label) == 0;
        if (listed) continue;
        report_counts(rp, row->target, row->file, row->passed, row->failed, row->unsupported, "");
        rp->p += row->passed;
        rp->f += row->failed;
        rp->u += row->unsupported;
    }
}

static void report_failures(const report *rp, const hsb_st_run *r)
{
    fprintf(rp->out, "\nfailures (first %d per backend and file):\n", HSB_ST_FAILS_KEPT);
    for (size_t i = 0; i < r->n_res; i++) {
        const hsb_st_result *row = r->res[i];
        for (unsigned k = 0; k < row->kept; k++)
            fprintf(rp->out, "  %s  %s  %s\n", row->target, row->file, row->fail[k]);
        if (row->failed > row->kept)
            fprintf(rp->out, "  %s  %s  ... and %lu more\n", row->target, row->file,
                    row->failed - row->kept);
    }
}

/* The run-level errors; non-zero when any makes the run fail. */
static int report_errors(const report *rp, const hsb_st_run *r)
{
    int status = 0;
    for (size_t i = 0; i < r->n_empty && i < sizeof r->empty / sizeof r->empty[0]; i++)
        fprintf(rp->out, "error: %s was recognised but yielded no test for any backend\n",
                r->empty[i]);
    if (r->n_empty) status = 1;
    if (r->errors) {
        fprintf(rp->out, "error: %lu file(s) or internal step(s) could not be run\n", r->errors);
        status = 1;
    }
    if (rp->p == 0) {
        fprintf(rp->out, "error: nothing passed (everything skipped or unavailable)\n");
        status = 1;
    }
    return status;
}

hsb_rc hsb_st_report(const hsb_st_run *r, FILE *out)
{
    report rp = {.out = out};
    report_layout(r, &rp);
    for (size_t t = 0; t < r->n_targets; t++) report_target(&rp, r, r->targets[t].label);
    report_unlisted(&rp, r);
    fprintf(out, "ALL: passed %lu  failed %lu  unsupported %lu  (%lu vector files recognised)\n",
            rp.p, rp.f, rp.u, r->files_recognised);
    if (rp.f) report_failures(&rp, r);
    int status = report_errors(&rp, r) || rp.f;
    fprintf(out, "%s\n", status ? "selftest: FAILED" : "selftest: OK");
    return status ? HSB_E_CRYPTO : HSB_OK;
}
