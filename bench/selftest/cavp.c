/* NIST CAVP response files (.rsp): text with CRLF line endings, '#'
 * comments, "[NAME]" or "[NAME = value]" section headers, and records of
 * "Field = value" lines ended by a blank line. Recognised by the fields of
 * their records, never by the file name:
 *   KEY, PLAINTEXT, CIPHERTEXT (IV: CBC, none: ECB)  AESVS KAT and MMT
 *   Len, Msg, MD                                      SHAVS Short/LongMsg
 *   Seed, then COUNT, MD                              SHAVS Monte
 *   Klen, Tlen, Key, Msg, Mac                         HMACVS
 *   pre_master_secret, ..., master_secret, key_block  SP 800-135 TLS KDF
 * Only SHA-256 sections ([L = 32], [L=32], [TLS 1.2, SHA-256]) run; records
 * of other sections count as UNSUPPORTED. */
#include "hsb_selftest.h"

#include <stdlib.h>
#include <string.h>

#include "hsb_hex.h"
#include <strings.h>

#include "hsb_ct.h"
#include "hsb_prf.h"

#define CAVP_MAX_FIELDS 12

typedef struct cavp_rec {
    size_t line;          /* where the record starts */
    const char *sections; /* "|ENCRYPT|", "|TLS1.2,SHA-256|pre-mastersecretlength=384|..." */
    const char *name[CAVP_MAX_FIELDS];
    const char *value[CAVP_MAX_FIELDS];
    unsigned n;
} cavp_rec;

typedef enum cavp_kind {
    CAVP_NONE = 0,
    CAVP_AES,
    CAVP_SHA,
    CAVP_MONTE,
    CAVP_HMAC,
    CAVP_TLS
} cavp_kind;

typedef struct cavp_file {
    char *text; /* mutable copy; names and values point into it */
    cavp_rec *rec;
    size_t n_rec, cap;
    char **sections; /* owned section strings */
    size_t n_sections;
    cavp_kind kind;
} cavp_file;

static const char *field(const cavp_rec *r, const char *name)
{
    for (unsigned i = 0; i < r->n; i++)
        if (strcasecmp(r->name[i], name) == 0) return r->value[i];
    return NULL;
}

static int in_section(const cavp_rec *r, const char *token)
{
    char want[80];
    snprintf(want, sizeof want, "|%s|", token);
    return r->sections && strstr(r->sections, want) != NULL;
}

static cavp_kind kind_of(const cavp_rec *r)
{
    if (field(r, "KEY") && field(r, "PLAINTEXT") && field(r, "CIPHERTEXT")) return CAVP_AES;
    if (field(r, "Klen") && field(r, "Tlen") && field(r, "Key") && field(r, "Msg") &&
        field(r, "Mac"))
        return CAVP_HMAC;
    if (field(r, "Len") && field(r, "Msg") && field(r, "MD")) return CAVP_SHA;
    if (field(r, "Seed") || (field(r, "COUNT") && field(r, "MD") && !field(r, "Msg")))
        return CAVP_MONTE;
    if (field(r, "pre_master_secret") && field(r, "master_secret") && field(r, "key_block"))
        return CAVP_TLS;
    return CAVP_NONE;
}

static void cavp_free(cavp_file *f)
{
    free(f->text);
    free(f->rec);
    for (size_t i = 0; i < f->n_sections; i++) free(f->sections[i]);
    free(f->sections);
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r')) s[--n] = '\0';
    return s;
}

/* The state of cavp_parse between lines. */
typedef struct cavp_parser {
    cavp_file *f;
    char sect[512];     /* "|" then each header of the current section, "|"-ended */
    int headers_closed; /* a record came after the last header: the next header starts anew */
    const char *cur_sections;
    cavp_rec cur;
    int in_rec;
    size_t line_no;
} cavp_parser;

static int rec_push(cavp_file *f, const cavp_rec *rec)
{
    if (f->n_rec == f->cap) {
        size_t cap = f->cap ? 2 * f->cap : 256;
        cavp_rec *nr = realloc(f->rec, cap * sizeof *nr);
        if (!nr) return -1;
        f->rec = nr;
        f->cap = cap;
    }
    f->rec[f->n_rec++] = *rec;
    return 0;
}

/* A blank or header line ends the record being read. */
static int rec_end(cavp_parser *ps)
{
    if (!ps->in_rec) return 0;
    if (rec_push(ps->f, &ps->cur) != 0) return -1;
    memset(&ps->cur, 0, sizeof ps->cur);
    ps->in_rec = 0;
    ps->headers_closed = 1;
    return 0;
}

/* "[ENCRYPT]", "[L = 32]": added to the section, blanks dropped so that
 * "[L = 32]" and "[L=32]" read alike. */
static void header_line(cavp_parser *ps, char *s)
{
    char *end = strchr(s, ']');
    if (!end) return;
    *end = '\0';
    if (ps->headers_closed) {
        strcpy(ps->sect, "|");
        ps->headers_closed = 0;
    }
    size_t o = strlen(ps->sect);
    for (const char *q = s + 1; *q && o + 2 < sizeof ps->sect; q++)
        if (*q != ' ' && *q != '\t') ps->sect[o++] = *q;
    ps->sect[o++] = '|';
    ps->sect[o] = '\0';
    ps->cur_sections = NULL;
}

static int good_name(const char *name)
{
    if (*name == '\0') return 0;
    for (const char *q = name; *q; q++)
        if (!(*q == '_' || (*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'z') ||
              (*q >= 'A' && *q <= 'Z')))
            return 0;
    return 1;
}

/* The first field of a record: it takes the current section, copied once
 * per section into f->sections. */
static int rec_begin(cavp_parser *ps)
{
    cavp_file *f = ps->f;
    if (!ps->cur_sections) {
        char *copy = strdup(ps->sect);
        char **ns = realloc(f->sections, (f->n_sections + 1) * sizeof *ns);
        if (ns) f->sections = ns;
        if (!copy || !ns) {
            free(copy);
            return -1;
        }
        f->sections[f->n_sections++] = copy;
        ps->cur_sections = copy;
    }
    ps->cur.line = ps->line_no;
    ps->cur.sections = ps->cur_sections;
    ps->in_rec = 1;
    return 0;
}

/* "NAME = value"; any other line is ignored. */
static int field_line(cavp_parser *ps, char *s)
{
    char *eq = strchr(s, '=');
    if (!eq) return 0;
    *eq = '\0';
    char *name = trim(s), *value = trim(eq + 1);
    if (!good_name(name)) return 0;
    if (!ps->in_rec && rec_begin(ps) != 0) return -1;
    if (ps->cur.n < CAVP_MAX_FIELDS) {
        ps->cur.name[ps->cur.n] = name;
        ps->cur.value[ps->cur.n] = value;
        ps->cur.n++;
    }
    return 0;
}

static int parse_line(cavp_parser *ps, char *s)
{
    if (*s == '#') return 0;
    if (*s != '\0' && *s != '[') return field_line(ps, s);
    if (rec_end(ps) != 0) return -1;
    if (*s == '[') header_line(ps, s);
    return 0;
}

/* Split the text into records. Returns 0, or -1 out of memory. */
static int cavp_parse(cavp_file *f, const char *text, size_t len)
{
    memset(f, 0, sizeof *f);
    f->text = malloc(len + 1);
    if (!f->text) return -1;
    memcpy(f->text, text, len);
    f->text[len] = '\0';
    cavp_parser ps = {.f = f, .sect = "|"};
    /* strtok would drop the empty lines that end records: walk by hand. */
    char *p = f->text;
    while (p && *p) {
        char *nl = strchr(p, '\n');
        if (nl) *nl = '\0';
        ps.line_no++;
        char *s = trim(p);
        p = nl ? nl + 1 : NULL;
        if (parse_line(&ps, s) != 0) return -1;
    }
    if (ps.in_rec && rec_push(f, &ps.cur) != 0) return -1;
    for (size_t i = 0; i < f->n_rec && f->kind == CAVP_NONE; i++) f->kind = kind_of(&f->rec[i]);
    return 0;
}

/* A readable name for a record in failure lines; count_label is how the
 * file family spells its COUNT field (HMACVS: "Count"). */
static void rec_id(const cavp_rec *r, const char *count_label, char *buf, size_t len)
{
    const char *count = field(r, "COUNT");
    const char *ln = field(r, "Len");
    if (count)
        snprintf(buf, len, "%s %s", count_label, count);
    else if (ln)
        snprintf(buf, len, "Len %s", ln);
    else
        buf[0] = '\0';
    size_t o = strlen(buf);
    char sect[48];
    snprintf(sect, sizeof sect, "%s", r->sections ? r->sections + 1 : "");
    char *bar = strchr(sect, '|');
    if (bar) *bar = '\0';
    snprintf(buf + o, len - o, "%s[%s] (line %zu)", o ? " " : "", sect, r->line);
}

/* Decode a field; on failure count the record as failed. */
static uint8_t *hexfield(hsb_st_run *r, hsb_st_result *row, const cavp_rec *rec, const char *name,
                         size_t *len)
{
    const char *v = field(rec, name);
    uint8_t *out = v ? hsb_hex_alloc(v, len) : NULL;
    if (!out) {
        char id[96];
        rec_id(rec, "COUNT", id, sizeof id);
        hsb_st_case(r, row, HSB_ST_FAIL, "%s: field %s missing or not hex", id, name);
    }
    return out;
}

/* Decode the n named fields in order into v[] (NULL-initialised by the
 * caller, freed with free_fields); 0, or -1 at the first bad one (counted). */
static int hexfields(hsb_st_run *r, hsb_st_result *row, const cavp_rec *rec,
                     const char *const *names, unsigned n, uint8_t **v, size_t *len)
{
    for (unsigned i = 0; i < n; i++)
        if (!(v[i] = hexfield(r, row, rec, names[i], &len[i]))) return -1;
    return 0;
}

static void free_fields(uint8_t **v, unsigned n)
{
    for (unsigned i = 0; i < n; i++) free(v[i]);
}

/* The end of every record: passed, or "<id>: <what> differs". */
static void verdict(hsb_st_run *r, hsb_st_result *row, const char *id, int ok, const char *what)
{
    if (ok)
        hsb_st_case(r, row, HSB_ST_PASS, NULL);
    else
        hsb_st_case(r, row, HSB_ST_FAIL, "%s: %s differs", id, what);
}

/* The prologue of every record: its name in id, and whether it belongs to a
 * section that runs (section NULL: all do); one that does not is counted
 * UNSUPPORTED with why. */
static int rec_runs(hsb_st_run *r, hsb_st_result *row, const cavp_rec *rec, const char *count_label,
                    const char *section, const char *why, char id[96])
{
    rec_id(rec, count_label, id, 96);
    if (!section || in_section(rec, section)) return 1;
    hsb_st_case(r, row, HSB_ST_UNSUPPORTED, "%s: %s", id, why);
    return 0;
}

/* ------------------------------------------------------------------ AES */

/* ECB as CBC with a zero IV, one block at a time. */
static hsb_rc ecb(const hsb_aes_class *cls, void *ctx, int enc, uint8_t *out, const uint8_t *in,
                  size_t len)
{
    hsb_rc rc = HSB_OK;
    uint8_t ivc[16];
    for (size_t o = 0; o < len && rc == HSB_OK; o += 16) {
        memset(ivc, 0, 16);
        rc = enc ? cls->cbc_encrypt(ctx, ivc, out + o, in + o, 16)
                 : cls->cbc_decrypt(ctx, ivc, out + o, in + o, 16);
    }
    return rc;
}

/* CBC (iv) in two calls split after the first block, so the IV must chain;
 * ECB when iv is NULL. */
static hsb_rc aes_encrypt(const hsb_aes_class *cls, void *ctx, const uint8_t *iv, uint8_t *out,
                          const uint8_t *in, size_t len)
{
    if (!iv) return ecb(cls, ctx, 1, out, in, len);
    uint8_t ivc[16];
    memcpy(ivc, iv, 16);
    size_t first = len > 16 ? 16 : len;
    hsb_rc rc = cls->cbc_encrypt(ctx, ivc, out, in, first);
    return rc ? rc : cls->cbc_encrypt(ctx, ivc, out + first, in + first, len - first);
}

/* In place, in one call (CBC) or block by block (ECB, iv NULL). */
static hsb_rc aes_decrypt(const hsb_aes_class *cls, void *ctx, const uint8_t *iv, uint8_t *buf,
                          size_t len)
{
    if (!iv) return ecb(cls, ctx, 0, buf, buf, len);
    uint8_t ivc[16];
    memcpy(ivc, iv, 16);
    return cls->cbc_decrypt(ctx, ivc, buf, buf, len);
}

/* Encrypt pt and decrypt ct as the record's section asks ([ENCRYPT],
 * [DECRYPT] or both): NULL, or which direction went wrong (*rc its code). */
static const char *aes_directions(const hsb_aes_class *cls, void *ctx, const cavp_rec *rec,
                                  const uint8_t *iv, const uint8_t *pt, const uint8_t *ct,
                                  size_t len, uint8_t *buf, hsb_rc *rc)
{
    if (!in_section(rec, "DECRYPT")) {
        *rc = aes_encrypt(cls, ctx, iv, buf, pt, len);
        if (*rc != HSB_OK || memcmp(buf, ct, len) != 0) return "encryption";
    }
    if (!in_section(rec, "ENCRYPT")) {
        memcpy(buf, ct, len);
        *rc = aes_decrypt(cls, ctx, iv, buf, len);
        if (*rc != HSB_OK || memcmp(buf, pt, len) != 0) return "decryption";
    }
    return NULL;
}

/* One AESVS record; v holds KEY, IV (CBC only), PLAINTEXT, CIPHERTEXT. */
static void aes_run(hsb_st_run *r, hsb_st_result *row, const hsb_aes_class *cls, void *ctx,
                    const cavp_rec *rec, const char *id, uint8_t *const *v, const size_t *len)
{
    int cbc = field(rec, "IV") != NULL;
    const uint8_t *key = v[0], *iv = cbc ? v[1] : NULL, *pt = v[1 + cbc], *ct = v[2 + cbc];
    size_t key_len = len[0], pt_len = len[1 + cbc];
    if (!(cls->key_sizes & hsb_st_aes_key_bit(key_len))) {
        hsb_st_case(r, row, HSB_ST_UNSUPPORTED, "%s: AES-%zu", id, key_len * 8);
        return;
    }
    if (pt_len != len[2 + cbc] || pt_len % 16 || (cbc && len[1] != 16)) {
        hsb_st_case(r, row, HSB_ST_FAIL, "%s: record lengths inconsistent", id);
        return;
    }
    hsb_rc rc = cls->init(ctx, key, key_len);
    if (rc != HSB_OK) {
        hsb_st_case(r, row, HSB_ST_FAIL, "%s: init of AES-%zu (claimed) gave %s", id, key_len * 8,
                    hsb_rc_name(rc));
        return;
    }
    uint8_t *buf = malloc(pt_len + 1);
    const char *bad = buf ? aes_directions(cls, ctx, rec, iv, pt, ct, pt_len, buf, &rc) : NULL;
    if (bad)
        hsb_st_case(r, row, HSB_ST_FAIL, "%s: %s %s", id, bad, rc ? hsb_rc_name(rc) : "differs");
    else if (buf)
        hsb_st_case(r, row, HSB_ST_PASS, NULL);
    cls->clear(ctx);
    free(buf);
}

static void aes_rec(hsb_st_run *r, hsb_st_result *row, const hsb_aes_class *cls, void *ctx,
                    const cavp_rec *rec)
{
    static const char *const cbc_names[] = {"KEY", "IV", "PLAINTEXT", "CIPHERTEXT"};
    static const char *const ecb_names[] = {"KEY", "PLAINTEXT", "CIPHERTEXT"};
    char id[96];
    rec_runs(r, row, rec, "COUNT", NULL, NULL, id);
    int cbc = field(rec, "IV") != NULL;
    unsigned n = cbc ? 4 : 3;
    uint8_t *v[4] = {0};
    size_t len[4] = {0};
    if (hexfields(r, row, rec, cbc ? cbc_names : ecb_names, n, v, len) == 0)
        aes_run(r, row, cls, ctx, rec, id, v, len);
    free_fields(v, n);
}

/* --------------------------------------------------------------- SHA-256 */

static void sha_rec(hsb_st_run *r, hsb_st_result *row, const hsb_sha256_class *cls, void *ctx,
                    const cavp_rec *rec)
{
    static const char *const names[] = {"Msg", "MD"};
    char id[96];
    if (!rec_runs(r, row, rec, "COUNT", "L=32", "not SHA-256", id)) return;
    const char *lens = field(rec, "Len");
    char *end;
    unsigned long bits = strtoul(lens, &end, 10);
    if (*end || bits % 8) {
        hsb_st_case(r, row, HSB_ST_UNSUPPORTED, "%s: bit-oriented length", id);
        return;
    }
    uint8_t *v[2] = {0};
    size_t len[2] = {0};
    if (hexfields(r, row, rec, names, 2, v, len) != 0) goto done;
    const uint8_t *msg = v[0], *md = v[1];
    size_t msg_len = len[0];
    if (msg_len < bits / 8 || len[1] != 32) {
        hsb_st_case(r, row, HSB_ST_FAIL, "%s: record lengths inconsistent", id);
        goto done;
    }
    msg_len = bits / 8; /* Len = 0 carries a placeholder "00" */
    hsb_rc rc = cls->init(ctx);
    if (rc != HSB_OK) {
        hsb_st_case(r, row, HSB_ST_FAIL, "%s: init gave %s", id, hsb_rc_name(rc));
        goto done;
    }
    /* Three uneven pieces, so the block buffering is exercised. */
    size_t a = msg_len / 3, b = msg_len / 2;
    uint8_t out[32];
    cls->update(ctx, msg, a);
    cls->update(ctx, msg + a, b - a);
    cls->update(ctx, msg + b, msg_len - b);
    cls->final(ctx, out);
    cls->clear(ctx);
    verdict(r, row, id, memcmp(out, md, 32) == 0, "digest");
done:
    free_fields(v, 2);
}

/* SHAVS Monte Carlo: MD0 = MD1 = MD2 = Seed; Mi = MD(i-3) || MD(i-2) || MD(i-1),
 * MDi = SHA(Mi) for i = 3..1002; the record's MD is MD1002, the next Seed. */
static void monte(hsb_st_run *r, hsb_st_result *row, const hsb_sha256_class *cls, void *ctx,
                  const cavp_file *f)
{
    uint8_t seed[32];
    int have_seed = 0;
    for (size_t i = 0; i < f->n_rec; i++) {
        const cavp_rec *rec = &f->rec[i];
        char id[96];
        rec_id(rec, "COUNT", id, sizeof id);
        int l32 = in_section(rec, "L=32");
        if (field(rec, "Seed")) {
            size_t n = 0;
            uint8_t *s = l32 ? hexfield(r, row, rec, "Seed", &n) : NULL;
            have_seed = s && n == 32;
            if (have_seed) memcpy(seed, s, 32);
            free(s);
            continue;
        }
        if (kind_of(rec) != CAVP_MONTE) {
            hsb_st_case(r, row, HSB_ST_FAIL, "%s: unexpected record in a Monte file", id);
            continue;
        }
        if (!l32) {
            hsb_st_case(r, row, HSB_ST_UNSUPPORTED, "%s: not SHA-256", id);
            continue;
        }
        size_t md_len = 0;
        uint8_t *md = hexfield(r, row, rec, "MD", &md_len);
        if (!md) continue;
        if (!have_seed || md_len != 32) {
            hsb_st_case(r, row, HSB_ST_FAIL, "%s: no seed before it, or MD not 32 bytes", id);
            free(md);
            continue;
        }
        uint8_t m[96];
        memcpy(m, seed, 32);
        memcpy(m + 32, seed, 32);
        memcpy(m + 64, seed, 32);
        hsb_rc rc = cls->init(ctx);
        uint8_t out[32];
        for (int k = 3; k < 1003 && rc == HSB_OK; k++) {
            cls->update(ctx, m, 96);
            cls->final(ctx, out); /* final resets ctx to the empty message */
            memmove(m, m + 32, 64);
            memcpy(m + 64, out, 32);
        }
        if (rc == HSB_OK) cls->clear(ctx);
        if (rc != HSB_OK)
            hsb_st_case(r, row, HSB_ST_FAIL, "%s: init gave %s", id, hsb_rc_name(rc));
        else
            verdict(r, row, id, memcmp(out, md, 32) == 0, "Monte digest");
        memcpy(seed, md, 32); /* the file's value, so one failure does not cascade */
        free(md);
    }
}

/* ------------------------------------------------------------ HMAC-SHA256 */

static void hmac_rec(hsb_st_run *r, hsb_st_result *row, const hsb_hmac_sha256_class *cls, void *ctx,
                     const cavp_rec *rec)
{
    static const char *const names[] = {"Key", "Msg", "Mac"};
    char id[96];
    if (!rec_runs(r, row, rec, "Count", "L=32", "not SHA-256", id)) return;
    uint8_t *v[3] = {0};
    size_t len[3] = {0};
    if (hexfields(r, row, rec, names, 3, v, len) != 0) goto done;
    const uint8_t *key = v[0], *msg = v[1], *mac = v[2];
    size_t key_len = len[0], msg_len = len[1], mac_len = len[2];
    unsigned long klen = strtoul(field(rec, "Klen"), NULL, 10);
    unsigned long tlen = strtoul(field(rec, "Tlen"), NULL, 10);
    if (klen != key_len || tlen != mac_len || tlen == 0 || tlen > 32) {
        hsb_st_case(r, row, HSB_ST_FAIL, "%s: record lengths inconsistent", id);
        goto done;
    }
    hsb_rc rc = cls->init(ctx, key, key_len);
    if (rc != HSB_OK) {
        hsb_st_case(r, row, HSB_ST_FAIL, "%s: init gave %s", id, hsb_rc_name(rc));
        goto done;
    }
    uint8_t out[32];
    cls->update(ctx, msg, msg_len);
    cls->final(ctx, out);
    cls->clear(ctx);
    verdict(r, row, id, hsb_ct_memeq(out, mac, tlen), "MAC");
done:
    free_fields(v, 3);
}

/* -------------------------------------------------------- TLS 1.2 KDF */

static void tls_rec(hsb_st_run *r, hsb_st_result *row, const hsb_hmac_sha256_class *cls, void *ctx,
                    const cavp_rec *rec)
{
    char id[96];
    if (!rec_runs(r, row, rec, "COUNT", "TLS1.2,SHA-256", "not the TLS 1.2 SHA-256 PRF", id))
        return;
    static const char *const names[7] = {
        "pre_master_secret", "clientHello_random", "serverHello_random", "client_random",
        "server_random",     "master_secret",      "key_block"};
    uint8_t *v[7] = {0};
    size_t len[7] = {0};
    uint8_t *kb = NULL;
    if (hexfields(r, row, rec, names, 7, v, len) != 0) goto done;
    if (len[5] != 48 || len[6] == 0) {
        hsb_st_case(r, row, HSB_ST_FAIL, "%s: record lengths inconsistent", id);
        goto done;
    }
    /* RFC 5246 8.1: master_secret = PRF(pre_master_secret, "master secret",
     * ClientHello.random + ServerHello.random)[0..47]; 6.3: key_block =
     * PRF(master_secret, "key expansion", server_random + client_random). */
    uint8_t ms[48];
    hsb_rc rc = hsb_tls12_prf(cls, ctx, v[0], len[0], "master secret", v[1], len[1], v[2], len[2],
                              ms, sizeof ms);
    if (rc != HSB_OK || memcmp(ms, v[5], 48) != 0) {
        hsb_st_case(r, row, HSB_ST_FAIL, "%s: master_secret %s", id,
                    rc ? hsb_rc_name(rc) : "differs");
        goto done;
    }
    kb = malloc(len[6]);
    if (!kb) goto done;
    rc = hsb_tls12_prf(cls, ctx, ms, 48, "key expansion", v[4], len[4], v[3], len[3], kb, len[6]);
    if (rc != HSB_OK || memcmp(kb, v[6], len[6]) != 0)
        hsb_st_case(r, row, HSB_ST_FAIL, "%s: key_block %s", id, rc ? hsb_rc_name(rc) : "differs");
    else
        hsb_st_case(r, row, HSB_ST_PASS, NULL);
done:
    free_fields(v, 7);
    free(kb);
}

/* ---------------------------------------------------------------- driver */

static void run_target(hsb_st_run *r, const hsb_st_target *t, const cavp_file *f,
                       const char *display)
{
    hsb_st_result *row = hsb_st_row(r, t, display);
    if (!row) return;
    hsb_class_id id = f->kind == CAVP_AES                            ? HSB_CLASS_AES
                      : f->kind == CAVP_SHA || f->kind == CAVP_MONTE ? HSB_CLASS_SHA256
                                                                     : HSB_CLASS_HMAC_SHA256;
    const void *cls = hsb_backend_class(&t->cls, id);
    if (!cls) {
        hsb_st_unavailable(row, hsb_class_name(id));
        return;
    }
    size_t ctx_size = id == HSB_CLASS_AES      ? t->cls.aes->ctx_size
                      : id == HSB_CLASS_SHA256 ? t->cls.sha256->ctx_size
                                               : t->cls.hmac->ctx_size;
    void *ctx = hsb_ctx_alloc(ctx_size);
    if (!ctx) {
        r->errors++;
        return;
    }
    if (f->kind == CAVP_MONTE) {
        monte(r, row, t->cls.sha256, ctx, f);
    } else {
        for (size_t i = 0; i < f->n_rec; i++) {
            const cavp_rec *rec = &f->rec[i];
            if (kind_of(rec) != f->kind) {
                char rid[96];
                rec_id(rec, "COUNT", rid, sizeof rid);
                hsb_st_case(r, row, HSB_ST_FAIL, "%s: record of another kind", rid);
                continue;
            }
            switch (f->kind) {
            case CAVP_AES:
                aes_rec(r, row, t->cls.aes, ctx, rec);
                break;
            case CAVP_SHA:
                sha_rec(r, row, t->cls.sha256, ctx, rec);
                break;
            case CAVP_HMAC:
                hmac_rec(r, row, t->cls.hmac, ctx, rec);
                break;
            case CAVP_TLS:
                tls_rec(r, row, t->cls.hmac, ctx, rec);
                break;
            case CAVP_MONTE:
            case CAVP_NONE:
            default:
                break;
            }
        }
    }
    hsb_ctx_free(ctx, ctx_size);
}

int hsb_st_cavp(hsb_st_run *r, const char *text, size_t len, const char *display)
{
    cavp_file f;
    if (cavp_parse(&f, text, len) != 0) {
        cavp_free(&f);
        r->errors++;
        return -1;
    }
    int rc = 0;
    if (f.kind != CAVP_NONE) {
        for (size_t t = 0; t < r->n_targets; t++) run_target(r, &r->targets[t], &f, display);
        rc = 1;
    }
    cavp_free(&f);
    return rc;
}
