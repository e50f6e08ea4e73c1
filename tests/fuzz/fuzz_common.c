/* Deterministic TLS ends for the fuzz targets and the corpus generator. */
#include "fuzz_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hsb_backends.h"
#include "hsb_certgen.h"
#include "hsb_dh_groups.h"
#include "hsb_tls_x509.h"

#ifndef HSB_FUZZ_DIR_DEFAULT
#define HSB_FUZZ_DIR_DEFAULT "fuzz"
#endif

/* ------------------------------------------------- deterministic RNG */

/* splitmix64 (Steele, Lea, Flood 2014): fine for tests, not for keys. */
static uint64_t stream_state[2];
enum { STREAM_CLIENT = 0, STREAM_SERVER = 1 };
#define SEED_CLIENT 0x6873622d636c6e74ull
#define SEED_SERVER 0x6873622d73727672ull

static void fill_stream(int s, uint8_t *p, size_t len)
{
    while (len) {
        uint64_t z = (stream_state[s] += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        z ^= z >> 31;
        for (int i = 0; i < 8 && len; i++, len--) *p++ = (uint8_t)(z >> (8 * i));
    }
}

static hsb_rc fill_client(void *out, size_t len)
{
    fill_stream(STREAM_CLIENT, out, len);
    return HSB_OK;
}

static hsb_rc fill_server(void *out, size_t len)
{
    fill_stream(STREAM_SERVER, out, len);
    return HSB_OK;
}

static const hsb_rng_class rng_client = {.name = "fuzz-deterministic-client", .fill = fill_client};
static const hsb_rng_class rng_server = {.name = "fuzz-deterministic-server", .fill = fill_server};

static void reset_streams(void)
{
    stream_state[STREAM_CLIENT] = SEED_CLIENT;
    stream_state[STREAM_SERVER] = SEED_SERVER;
}

/* ------------------------------------------------------------- ends */

typedef struct fz_end {
    hsb_tls_config *cfg;
    hsb_tls_thread *thr;
    hsb_tls_conn *conn;
} fz_end;

static hsb_provider prov[2]; /* [role]: openssl with that role's stream */
static char dir_buf[1024];
static char ca_file[1100], chain_file[1100], key_file[1100];
static char client_file[1100], client_key_file[1100];
/* certificates made here when there are no files: the server's, the client's */
static const hsb_cert_set *made, *made_client;

/* ends by [role][kx index: 0 both, 1 RSA only][MAC order]; the record
 * target's servers by [MAC order] */
static fz_end ends[2][2][FZ_ORDERS], rec_server[FZ_ORDERS];

const char *fz_dir(void)
{
    const char *d = getenv("HSB_FUZZ_DIR");
    return d && d[0] ? d : HSB_FUZZ_DIR_DEFAULT;
}

static int file_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

/* A server's certificate, DH group, and client authentication: every
 * server asks for a client certificate (optional) and trusts the test CA
 * for it, so CertificateRequest, the client's Certificate and
 * CertificateVerify are in every handshake the targets replay. */
static hsb_rc server_certs(hsb_tls_config *cfg)
{
    hsb_rc rc = made ? hsb_tls_config_set_chain(cfg, made->chain, made->chain_len)
                     : hsb_tls_config_load_pem(cfg, chain_file, key_file);
    if (rc == HSB_OK && made) rc = hsb_tls_config_set_key(cfg, made->leaf_key);
    if (rc == HSB_OK) rc = hsb_tls_config_set_dh_group(cfg, hsb_dh_group_by_name("ffdhe2048"));
    if (rc == HSB_OK)
        rc = made ? hsb_tls_config_add_anchor(cfg, made->anchor)
                  : hsb_tls_config_load_anchors(cfg, ca_file);
    if (rc == HSB_OK) rc = hsb_tls_config_set_verify_client(cfg, HSB_TLS_VERIFY_OPTIONAL);
    return rc;
}

/* A client's trust anchor, server name, and certificate for the server's
 * CertificateRequest. */
static hsb_rc client_certs(hsb_tls_config *cfg)
{
    hsb_rc rc = made ? hsb_tls_config_add_anchor(cfg, made->anchor)
                     : hsb_tls_config_load_anchors(cfg, ca_file);
    if (rc == HSB_OK) rc = hsb_tls_config_set_server_name(cfg, "localhost");
    if (rc == HSB_OK)
        rc = made ? hsb_tls_config_set_chain(cfg, made_client->chain, made_client->chain_len)
                  : hsb_tls_config_load_pem(cfg, client_file, client_key_file);
    if (rc == HSB_OK && made) rc = hsb_tls_config_set_key(cfg, made_client->leaf_key);
    return rc;
}

static int end_setup(fz_end *e, hsb_tls_role role, unsigned kx, int order)
{
    hsb_rc rc = hsb_tls_config_new(&e->cfg, role, &prov[role]);
    if (rc == HSB_OK) rc = hsb_tls_config_set_kx(e->cfg, kx);
    if (rc == HSB_OK) hsb_tls_config_set_etm(e->cfg, order == FZ_ETM);
    if (rc == HSB_OK && order == FZ_GCM)
        rc = hsb_tls_config_set_ciphers(e->cfg, HSB_TLS_CIPHER_GCM);
    if (rc == HSB_OK) rc = role == HSB_TLS_SERVER ? server_certs(e->cfg) : client_certs(e->cfg);
    if (rc == HSB_OK) rc = hsb_tls_thread_new(e->cfg, &e->thr);
    if (rc == HSB_OK) rc = hsb_tls_conn_new(e->thr, &e->conn);
    if (rc != HSB_OK) {
        fprintf(stderr, "fuzz: setting up a %s: %s\n", role == HSB_TLS_CLIENT ? "client" : "server",
                hsb_last_error());
        return 0;
    }
    return 1;
}

static hsb_mem_pair pair, rec_pair;
static uint8_t *snapshot[FZ_ORDERS]; /* [order] */
static size_t snapshot_len[FZ_ORDERS];
static int record_ready;
static uint8_t readbuf[HSB_TLS_MAX_PLAINTEXT];

static int prepare_records(int order);

int fz_init(const char *dir)
{
    static int done;
    if (done) return done > 0;
    done = -1;
    snprintf(dir_buf, sizeof dir_buf, "%s", dir);
    snprintf(ca_file, sizeof ca_file, "%s/certs/ca.pem", dir_buf);
    snprintf(chain_file, sizeof chain_file, "%s/certs/chain.pem", dir_buf);
    snprintf(key_file, sizeof key_file, "%s/certs/key.pem", dir_buf);
    snprintf(client_file, sizeof client_file, "%s/certs/client.pem", dir_buf);
    snprintf(client_key_file, sizeof client_key_file, "%s/certs/client-key.pem", dir_buf);
    if (!file_exists(ca_file) || !file_exists(chain_file) || !file_exists(key_file) ||
        !file_exists(client_file) || !file_exists(client_key_file)) {
        fprintf(stderr,
                "fuzz: no certificates in %s/certs (run fuzz_corpus_gen): making new ones; "
                "the seed corpus will not get past the certificate check\n",
                dir_buf);
        if (hsb_certgen_get(2048, HSB_CERT_GOOD, &made) != HSB_OK ||
            hsb_certgen_get(2048, HSB_CERT_CLIENT, &made_client) != HSB_OK) {
            fprintf(stderr, "fuzz: certgen: %s\n", hsb_last_error());
            return 0;
        }
    }
    char err[256];
    for (int role = 0; role < 2; role++) {
        if (hsb_provider_from_spec("openssl", &prov[role], err, sizeof err) != HSB_OK) {
            fprintf(stderr, "fuzz: %s\n", err);
            return 0;
        }
        prov[role].cls.rng = role == HSB_TLS_CLIENT ? &rng_client : &rng_server;
    }
    static const unsigned kxs[2] = {HSB_TLS_KX_ALL, HSB_TLS_KX_RSA};
    for (int role = 0; role < 2; role++)
        for (int k = 0; k < 2; k++)
            for (int o = 0; o < FZ_ORDERS; o++)
                if (!end_setup(&ends[role][k][o], (hsb_tls_role)role, kxs[k], o)) return 0;
    for (int o = 0; o < FZ_ORDERS; o++)
        if (!end_setup(&rec_server[o], HSB_TLS_SERVER, HSB_TLS_KX_ALL, o) || !prepare_records(o))
            return 0;
    record_ready = 1;
    done = 1;
    return 1;
}

static void drain(hsb_mem_queue *q)
{
    hsb_mem_queue_discard(q);
}

/* Read until nothing more comes: FZ_DATA when data arrived, FZ_CLOSED after
 * close_notify, else FZ_HANDSHAKE. */
static int read_all(hsb_tls_conn *c)
{
    int got = 0;
    for (int i = 0; i < 256; i++) {
        size_t n = 0;
        hsb_rc rc = hsb_tls_read(c, readbuf, sizeof readbuf, &n);
        if (rc != HSB_OK) break;
        if (n == 0) return FZ_CLOSED;
        got = 1;
    }
    return got ? FZ_DATA : FZ_HANDSHAKE;
}

/* After an input got through: answer and close (exercises the write side). */
static void answer(hsb_tls_conn *c)
{
    size_t n = 0;
    if (hsb_tls_write(c, "ok", 2, &n) == HSB_OK) (void)hsb_tls_close(c);
}

int fz_server_feed(const uint8_t *data, size_t len)
{
    hsb_tls_conn *c = ends[HSB_TLS_SERVER][0][FZ_ETM].conn;
    if (len > HSB_MEM_QUEUE_CAP) len = HSB_MEM_QUEUE_CAP;
    reset_streams();
    hsb_mem_pair_init(&pair);
    hsb_tls_transport tr = hsb_mem_pair_server(&pair);
    if (hsb_tls_conn_start(c, &tr) != HSB_OK) abort();
    if (hsb_mem_queue_push(hsb_mem_pair_to_server(&pair), data, len) != HSB_OK) abort();
    hsb_mem_queue_shut(hsb_mem_pair_to_server(&pair));
    hsb_rc rc = HSB_E_WOULD_BLOCK;
    for (int i = 0; i < 8 && rc == HSB_E_WOULD_BLOCK; i++) {
        rc = hsb_tls_handshake(c);
        drain(hsb_mem_pair_to_client(&pair));
    }
    if (rc != HSB_OK) return FZ_FAILED;
    int depth = read_all(c);
    answer(c);
    return depth;
}

int fz_client_feed(const uint8_t *data, size_t len)
{
    hsb_tls_conn *c = ends[HSB_TLS_CLIENT][0][FZ_ETM].conn;
    if (len > HSB_MEM_QUEUE_CAP) len = HSB_MEM_QUEUE_CAP;
    reset_streams();
    hsb_mem_pair_init(&pair);
    hsb_tls_transport tr = hsb_mem_pair_client(&pair);
    if (hsb_tls_conn_start(c, &tr) != HSB_OK) abort();
    /* the ClientHello goes out first */
    if (hsb_tls_handshake(c) != HSB_E_WOULD_BLOCK) abort();
    drain(hsb_mem_pair_to_server(&pair));
    if (hsb_mem_queue_push(hsb_mem_pair_to_client(&pair), data, len) != HSB_OK) abort();
    hsb_mem_queue_shut(hsb_mem_pair_to_client(&pair));
    hsb_rc rc = HSB_E_WOULD_BLOCK;
    for (int i = 0; i < 8 && rc == HSB_E_WOULD_BLOCK; i++) {
        rc = hsb_tls_handshake(c);
        drain(hsb_mem_pair_to_server(&pair));
    }
    if (rc != HSB_OK) return FZ_FAILED;
    int depth = read_all(c);
    answer(c);
    return depth;
}

/* ---------------------------------------------------- record target */

/* One established server conn per MAC order, each saved right after its
 * handshake (with the client end of that order) and put back before each
 * input. Its memory holds the record state (keys' contexts, sequence
 * numbers, buffers) and pointers into itself, so a copy back to the same
 * address restores it; the openssl contexts it points to
 * are re-keyed per record (the IV is set on every call, the HMAC re-inits
 * after every final), so they are in the same state between records. The
 * premise is checked here: a probe record must open twice from the copy. */
static int handshake_pair(hsb_tls_conn *cl, hsb_tls_conn *sv, hsb_mem_pair *p)
{
    reset_streams();
    hsb_mem_pair_init(p);
    hsb_tls_transport ct = hsb_mem_pair_client(p), st = hsb_mem_pair_server(p);
    if (hsb_tls_conn_start(cl, &ct) != HSB_OK || hsb_tls_conn_start(sv, &st) != HSB_OK) return 0;
    hsb_tls_conn *failed = NULL;
    if (hsb_tls_pair_handshake(cl, sv, &failed) != HSB_OK) {
        fprintf(stderr, "fuzz: handshake failed: %s\n", failed ? hsb_tls_conn_error(failed) : "");
        return 0;
    }
    return 1;
}

/* The handshake of MAC order `order`, the snapshot of its server, and the
 * check that a restored copy opens the same probe record twice. */
static int prepare_records(int order)
{
    hsb_tls_conn *cl = ends[HSB_TLS_CLIENT][0][order].conn, *sv = rec_server[order].conn;
    if (!handshake_pair(cl, sv, &rec_pair)) return 0;
    hsb_tls_info si;
    hsb_tls_conn_info(sv, &si);
    if (si.etm != (order == FZ_ETM) ||
        si.cipher != (order == FZ_GCM ? HSB_TLS_CIPHER_GCM : HSB_TLS_CIPHER_CBC)) {
        fprintf(stderr, "fuzz: record server: %s not negotiated\n",
                order == FZ_GCM   ? "AES-128-GCM"
                : order == FZ_ETM ? "encrypt-then-MAC"
                                  : "MAC-then-encrypt");
        return 0;
    }
    size_t len = snapshot_len[order] = hsb_tls_conn_size(rec_server[order].cfg);
    if (!(snapshot[order] = malloc(len))) return 0;
    memcpy(snapshot[order], sv, len);
    /* the probe */
    static uint8_t probe[5 + HSB_TLS_MAX_RECORD];
    size_t n = 0, plen = 0;
    if (hsb_tls_write(cl, "probe", 5, &n) != HSB_OK ||
        hsb_mem_queue_take_record(hsb_mem_pair_to_server(&rec_pair), probe, sizeof probe, &plen) !=
            HSB_OK) {
        fprintf(stderr, "fuzz: probe record: %s\n", hsb_tls_conn_error(cl));
        return 0;
    }
    for (int i = 0; i < 2; i++) {
        memcpy(sv, snapshot[order], len);
        hsb_mem_pair_init(&rec_pair);
        if (hsb_mem_queue_push(hsb_mem_pair_to_server(&rec_pair), probe, plen) != HSB_OK) return 0;
        n = 0;
        if (hsb_tls_read(sv, readbuf, sizeof readbuf, &n) != HSB_OK || n != 5 ||
            memcmp(readbuf, "probe", 5) != 0) {
            fprintf(stderr, "fuzz: a restored conn does not open the probe (try %d): %s\n", i,
                    hsb_tls_conn_error(sv));
            return 0;
        }
    }
    return 1;
}

int fz_record_feed(const uint8_t *data, size_t len)
{
    if (!record_ready) abort();
    if (len == 0) return FZ_FAILED;
    int order = data[0] % FZ_ORDERS;
    data++, len--;
    hsb_tls_conn *c = rec_server[order].conn;
    if (len > HSB_MEM_QUEUE_CAP) len = HSB_MEM_QUEUE_CAP;
    memcpy(c, snapshot[order], snapshot_len[order]);
    hsb_mem_pair_init(&rec_pair);
    if (hsb_mem_queue_push(hsb_mem_pair_to_server(&rec_pair), data, len) != HSB_OK) abort();
    hsb_mem_queue_shut(hsb_mem_pair_to_server(&rec_pair));
    int depth = read_all(c);
    if (depth >= FZ_DATA) answer(c);
    return depth;
}

/* ---------------------------------------------------------- selftalk */

typedef struct log_io {
    hsb_mem_pair *p;
    int client;
    uint8_t *buf;
    size_t len, cap;
} log_io;

static hsb_rc log_send(void *io, const uint8_t *b, size_t len, size_t *n)
{
    log_io *l = io;
    hsb_tls_transport t = l->client ? hsb_mem_pair_client(l->p) : hsb_mem_pair_server(l->p);
    hsb_rc rc = t.send(t.io, b, len, n);
    if (rc == HSB_OK && *n <= l->cap - l->len) {
        memcpy(l->buf + l->len, b, *n);
        l->len += *n;
    }
    return rc;
}

static hsb_rc log_recv(void *io, uint8_t *b, size_t cap, size_t *n)
{
    log_io *l = io;
    hsb_tls_transport t = l->client ? hsb_mem_pair_client(l->p) : hsb_mem_pair_server(l->p);
    return t.recv(t.io, b, cap, n);
}

static size_t first_record(const uint8_t *p, size_t len)
{
    return len >= 5 ? 5 + ((size_t)p[3] << 8 | p[4]) : 0;
}

int fz_selftalk(unsigned client_kx, unsigned server_kx, int order, fz_transcript *t)
{
    static uint8_t c2s[HSB_MEM_QUEUE_CAP], s2c[HSB_MEM_QUEUE_CAP];
    if (order < 0 || order >= FZ_ORDERS) return 0;
    hsb_tls_conn *cl = ends[HSB_TLS_CLIENT][client_kx == HSB_TLS_KX_RSA][order].conn;
    hsb_tls_conn *sv = ends[HSB_TLS_SERVER][server_kx == HSB_TLS_KX_RSA][order].conn;
    log_io lc = {.p = &pair, .client = 1, .buf = c2s, .cap = sizeof c2s};
    log_io ls = {.p = &pair, .client = 0, .buf = s2c, .cap = sizeof s2c};
    reset_streams();
    hsb_mem_pair_init(&pair);
    hsb_tls_transport ct = {.send = log_send, .recv = log_recv, .io = &lc};
    hsb_tls_transport st = {.send = log_send, .recv = log_recv, .io = &ls};
    if (hsb_tls_conn_start(cl, &ct) != HSB_OK || hsb_tls_conn_start(sv, &st) != HSB_OK) return 0;
    hsb_tls_conn *failed = NULL;
    if (hsb_tls_pair_handshake(cl, sv, &failed) != HSB_OK) {
        fprintf(stderr, "selftalk: %s\n", failed ? hsb_tls_conn_error(failed) : hsb_last_error());
        return 0;
    }
    /* The seeds carry extended_master_secret (on by default, as libssl)
     * and, in FZ_ETM, encrypt_then_mac: the targets' hello parsers see both
     * extensions, and the records after the handshake are EtM (RFC 7366);
     * in FZ_MTE they are MAC-then-encrypt (RFC 5246 6.2.3.2). */
    hsb_tls_info ci, si;
    hsb_tls_conn_info(cl, &ci);
    hsb_tls_conn_info(sv, &si);
    int etm = order == FZ_ETM;
    unsigned cipher = order == FZ_GCM ? HSB_TLS_CIPHER_GCM : HSB_TLS_CIPHER_CBC;
    if (ci.etm != etm || si.etm != etm || !ci.ems || !si.ems || ci.cipher != cipher) {
        fprintf(stderr, "selftalk: %s/extended_master_secret not in use\n",
                etm ? "encrypt_then_mac" : "MAC-then-encrypt");
        return 0;
    }
    t->c2s_hs_end = lc.len;
    t->s2c_hs_end = ls.len;
    /* data both ways (two records from the client, one of 300 bytes), then
     * close_notify both ways */
    static uint8_t big[300];
    memset(big, 'd', sizeof big);
    size_t n;
    if (hsb_tls_write(cl, "GET /fuzz\n", 10, &n) != HSB_OK ||
        hsb_tls_write(cl, big, sizeof big, &n) != HSB_OK || read_all(sv) != FZ_DATA ||
        hsb_tls_write(sv, big, 100, &n) != HSB_OK || read_all(cl) != FZ_DATA ||
        hsb_tls_close(cl) != HSB_OK || read_all(sv) != FZ_CLOSED || hsb_tls_close(sv) != HSB_OK ||
        read_all(cl) != FZ_CLOSED) {
        fprintf(stderr, "selftalk data: %s / %s\n", hsb_tls_conn_error(cl), hsb_tls_conn_error(sv));
        return 0;
    }
    t->c2s = c2s;
    t->s2c = s2c;
    t->c2s_len = lc.len;
    t->s2c_len = ls.len;
    t->c2s_first = first_record(c2s, lc.len);
    t->s2c_first = first_record(s2c, ls.len);
    return 1;
}
