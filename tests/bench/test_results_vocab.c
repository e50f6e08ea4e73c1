/*
 * The results vocabulary is the one list of field names: a report with every
 * kind of row (handshake with latency and breakdown, bulk at two thread
 * counts, a reference, a failed row) is written as JSON and CSV, and every
 * key the writers emit must be in hsb_vocab with its type; the CSV header is
 * the table's CSV columns; bench/RESULTS.md (argv[1]) names every field of
 * the table, and its tables and CSV list name no field the table lacks.
 * With --list it prints the table instead (for scripts/hsb_results.py's
 * check, tests/scripts/test_vocab.py).
 */
#include <jansson.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsb_report.h"
#include "hsb_suite.h"
#include "hsb_test.h"
#include "hsb_vocab.h"

static const char *type_of(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "object";
    case JSON_ARRAY:
        return "array";
    case JSON_STRING:
        return "string";
    case JSON_INTEGER:
        return "integer";
    case JSON_REAL:
        return "real";
    case JSON_TRUE:
    case JSON_FALSE:
        return "boolean";
    default:
        return "null";
    }
}

/* How many keys of o the vocabulary lacks or types otherwise; each one is
 * described on stderr when `say`. */
static unsigned bad_keys(const json_t *o, hsb_field_where where, int say)
{
    const char *k;
    json_t *v;
    unsigned bad = 0;
    json_object_foreach((json_t *)o, k, v)
    {
        const hsb_field *f = hsb_vocab_find(where, k);
        if (f && !strcmp(f->type, type_of(v))) continue;
        bad++;
        if (!say) continue;
        if (f)
            fprintf(stderr, "%s: %s, written as %s\n", k, f->type, type_of(v));
        else
            fprintf(stderr, "the writer emits '%s', which the vocabulary lacks\n", k);
    }
    return bad;
}

static void check_keys(const json_t *o, hsb_field_where where)
{
    CHECK(bad_keys(o, where, 1) == 0);
}

/* The check can fail: a planted key and a field of the wrong type are
 * caught, in a row and in the context. */
static void check_the_check(void)
{
    json_t *row = json_pack("{s:s, s:i, s:s}", "name", "x", "planted_key", 1, "threads", "two");
    json_t *ctx = json_pack("{s:s, s:i}", "version", "1", "planted_key", 1);
    CHECK(row && bad_keys(row, HSB_FIELD_ROW, 0) == 2);
    CHECK(ctx && bad_keys(ctx, HSB_FIELD_CONTEXT, 0) == 1);
    json_decref(row);
    json_decref(ctx);
}

/* The table, for scripts that follow it (tests/scripts/test_vocab.py):
 * "row|context|csv NAME TYPE [UNIT]" per line. */
static int list_table(void)
{
    static const char *const where[] = {"row", "context", "csv"};
    size_t n;
    const hsb_field *v = hsb_vocab(&n);
    for (size_t i = 0; i < n; i++)
        printf("%s %s %s %s\n", where[v[i].where], v[i].name, v[i].type, v[i].unit);
    return 0;
}

/* A measured figure with two repetitions of plausible counters. */
static hsb_figure *figure(hsb_report *r, const char *suite, const char *variant, unsigned threads,
                          size_t bytes)
{
    size_t idx;
    hsb_figure *f = hsb_report_add_row(r, &idx, suite, variant, "openssl", threads);
    f->bytes = bytes;
    f->n_reps = 2;
    f->reps = calloc(2, sizeof *f->reps);
    for (unsigned k = 0; k < 2; k++) {
        hsb_rep *p = &f->reps[k];
        p->wall_s = 0.1 + 0.01 * k;
        p->cpu_s = 0.1;
        p->tsc = p->op_tsc = 1e8;
        p->iters = 1000 + k;
        p->bd[0] = 1000;
        p->client_cpu_s = p->server_cpu_s = 0.05;
    }
    f->measured = 1;
    hsb_figure_set_name(f);
    hsb_figure_impl(f, "aes", "openssl:x");
    return f;
}

static void build(hsb_report *r)
{
    hsb_figure *ref = figure(r, "handshake", "dhe-2048", 1, 0);
    ref->is_reference = 1;
    hsb_figure *hs = figure(r, "handshake", "dhe-2048", 1, 0);
    hs->ref = 0;
    hs->bits = 2048;
    snprintf(hs->group, sizeof hs->group, "ffdhe2048");
    hs->dh_check = 0;
    hs->latency = hs->breakdown = 1;
    hs->duration_s = 0.1;
    hs->reps[0].errors = 1;
    for (unsigned k = 0; k < 2; k++) {
        hs->reps[k].lat = malloc(sizeof *hs->reps[k].lat);
        hsb_hist_reset(hs->reps[k].lat);
        hsb_hist_add(hs->reps[k].lat, 1000);
    }
    figure(r, "bulk", "sha256", 1, 64);
    figure(r, "bulk", "sha256", 2, 64);
    size_t idx;
    hsb_figure *bad = hsb_report_add_row(r, &idx, "modexp", "crt-2048", "gmp", 1);
    hsb_figure_set_name(bad);
    hsb_report_fail(r, bad, "planned");
}

static void check_json(const char *path)
{
    json_error_t e;
    json_t *root = json_load_file(path, 0, &e);
    CHECKF(root != NULL, "%s: %s", path, e.text);
    if (!root) return;
    check_keys(json_object_get(json_object_get(root, "context"), "hsbench"), HSB_FIELD_CONTEXT);
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(root, "benchmarks"), i, row) check_keys(row, HSB_FIELD_ROW);
    CHECK(i > 10);
    json_decref(root);
}

static void check_csv(const char *path)
{
    char line[1024] = "", want[1024] = "";
    FILE *f = fopen(path, "r");
    CHECK(f && fgets(line, sizeof line, f));
    if (f) fclose(f);
    size_t n, off = 0;
    const hsb_field *v = hsb_vocab(&n);
    for (size_t i = 0; i < n; i++)
        if (v[i].where == HSB_FIELD_CSV)
            off +=
                (size_t)snprintf(want + off, sizeof want - off, "%s%s", off ? "," : "", v[i].name);
    snprintf(want + off, sizeof want - off, "\n");
    CHECKF(!strcmp(line, want), "CSV header %s", line);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

/* `name` (or `name[]`, `name:`) appears in the text. */
static int documented(const char *doc, const char *name)
{
    size_t l = strlen(name);
    for (const char *s = strchr(doc, '`'); s; s = strchr(s + 1, '`'))
        if (!strncmp(s + 1, name, l) && strchr("`[:, ", s[1 + l])) return 1;
    return 0;
}

/* RESULTS.md's CSV column list ("columns: `a, b, c (note), d`"), with the
 * parenthesised notes dropped, into cols (space-separated, padded). */
static void csv_columns(const char *doc, char *cols, size_t len)
{
    const char *s = strstr(doc, "columns: `");
    size_t off = (size_t)snprintf(cols, len, " ");
    CHECK(s != NULL);
    if (!s) return;
    int depth = 0;
    for (s += 10; *s && *s != '`' && off + 2 < len; s++) {
        depth += *s == '(' ? 1 : *s == ')' ? -1 : 0;
        if (depth || *s == ')') continue;
        cols[off++] = *s == ',' || *s == '\n' ? ' ' : *s;
    }
    snprintf(cols + off, len - off, " ");
}

/* Every name in the first column of RESULTS.md's field tables is in the
 * vocabulary. */
static void check_doc_names(const char *doc)
{
    regex_t re;
    regmatch_t m[2];
    CHECK(regcomp(&re, "\n\\| `([a-z_0-9]+)`", REG_EXTENDED) == 0);
    for (const char *s = doc; regexec(&re, s, 2, m, 0) == 0; s += m[0].rm_eo) {
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(m[1].rm_eo - m[1].rm_so), s + m[1].rm_so);
        CHECKF(hsb_vocab_find(HSB_FIELD_ROW, name) || hsb_vocab_find(HSB_FIELD_CONTEXT, name),
               "RESULTS.md documents '%s', which the vocabulary lacks", name);
    }
    regfree(&re);
}

static void check_doc(const char *path)
{
    const char *doc = slurp(path);
    CHECKF(doc != NULL, "cannot read %s", path);
    if (!doc) return;
    char cols[2048], want[2048];
    csv_columns(doc, cols, sizeof cols);
    size_t n, off = (size_t)snprintf(want, sizeof want, " ");
    const hsb_field *v = hsb_vocab(&n);
    for (size_t i = 0; i < n; i++) {
        if (v[i].where != HSB_FIELD_CSV)
            CHECKF(documented(doc, v[i].name), "RESULTS.md does not name '%s'", v[i].name);
        else
            off += (size_t)snprintf(want + off, sizeof want - off, "%s ", v[i].name);
    }
    /* The CSV columns: the same names in the same order. */
    char squeezed[2048];
    size_t k = 0;
    for (const char *s = cols; *s && k + 1 < sizeof squeezed; s++)
        if (!(*s == ' ' && k && squeezed[k - 1] == ' ')) squeezed[k++] = *s;
    squeezed[k] = '\0';
    CHECKF(!strcmp(squeezed, want), "RESULTS.md's CSV columns%s differ from%s", squeezed, want);
    check_doc_names(doc);
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "--list")) return list_table();
    check_the_check();
    hsb_opts o;
    memset(&o, 0, sizeof o);
    o.cmd = "handshake";
    o.duration_s = 0.1;
    o.repetitions = 2;
    o.quiet = 1;
    o.pin = HSB_PIN_NONE;
    hsb_report r;
    hsb_report_init(&r, &o);
    build(&r);
    hsb_report_finish(&r);
    char js[4096], cs[4096];
    const char *dir = argc > 2 ? argv[2] : ".";
    snprintf(js, sizeof js, "%s/vocab.json", dir);
    snprintf(cs, sizeof cs, "%s/vocab.csv", dir);
    CHECK(hsb_report_json(&r, js) == HSB_OK);
    CHECK(hsb_report_csv(&r, cs) == HSB_OK);
    check_json(js);
    check_csv(cs);
    if (argc > 1) check_doc(argv[1]);
    hsb_report_free(&r);
    return hsb_test_report("results_vocab");
}
