/*
 * hsbench client: full TLS 1.2 handshakes against a real server, each on a new
 * TCP connection (no resumption), sending data and checking the echo.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "hsb_backends.h"
#include "hsb_cmd.h"
#include "hsb_tls.h"
#include "hsb_tls_cmd.h"

static void usage(FILE *to)
{
    fprintf(to,
            "usage: hsbench client --connect HOST:PORT --cafile FILE [options]\n"
            "\n"
            "Performs N full TLS 1.2 handshakes, each on a new TCP connection (no session\n"
            "resumption); on each, sends BYTES of data, checks the echo byte for byte, and\n"
            "closes with close_notify. The server's certificate is checked every time: chain\n"
            "to a CA in --cafile (directly or through one intermediate the server sends),\n"
            "signature (on the selected backend), dates, host name, RSA key >= 2048 bits.\n"
            "\n"
            "  --connect HOST:PORT  server to connect to ([V6ADDR]:PORT for IPv6)\n"
            "  --cafile FILE        PEM file of trusted CA certificate(s) (required)\n"
            "  --servername NAME    name the certificate must carry, sent as SNI when it is\n"
            "                       a DNS name (default: HOST)\n"
            "  --kx rsa|dhe|both    suites offered: TLS_RSA_WITH_AES_128_CBC_SHA256, \n"
            "                       TLS_DHE_RSA_WITH_AES_128_CBC_SHA256 or both, DHE first\n"
            "                       (default both)\n"
            "  --suite LIST         suites offered, comma-separated: rsa-cbc, dhe-cbc,\n"
            "                       rsa-gcm, dhe-gcm (or the IANA names, e.g.\n"
            "                       TLS_RSA_WITH_AES_128_GCM_SHA256): their key exchanges and\n"
            "                       record protections (default: the CBC suites of --kx;\n"
            "                       GCM suites before CBC ones, RFC 5288; GCM needs a gcm\n"
            "                       class in the composition)\n"
            "  --handshakes N       number of connections (default 1)\n"
            "  --data BYTES         application data sent per connection (default 1024; 0: none)\n"
            "  --echo exact|rev     what the server sends back: exact (default; an echo\n"
            "                       server such as 'hsbench server') or rev ('openssl s_server\n"
            "                       -rev', which answers each line reversed: the data is then\n"
            "                       sent as lines of text)\n"
            "  --dh-check full|range  check of the server's DH value (default full: also\n"
            "                       Y^q == 1, q from the named group or (p-1)/2)\n"
            "  --min-dh-bits N      smallest DH prime accepted (default 2048)\n"
            "  --etm on|off         encrypt_then_mac (RFC 7366) for the CBC records (default\n"
            "                       on: used when the peer has it too, as libssl does)\n"
            "  --ems on|off         extended_master_secret (RFC 7627) (default on: used when\n"
            "                       the peer has it too, as libssl does)\n"
            "  --client-cert FILE   PEM certificate chain (leaf first, RSA key) sent when the\n"
            "                       server asks for one (CertificateRequest); without it an\n"
            "                       empty Certificate answers (RFC 5246 7.4.6)\n"
            "  --client-key FILE    PEM private key of that leaf: signs CertificateVerify\n"
            "                       (RSA PKCS#1 v1.5, SHA-256) on the backend's rsa-priv\n"
            "  --backend SPEC       crypto composition (default openssl); see 'hsbench list'\n"
            "  --timeout SECONDS    give up on a silent server after this long (default 30)\n"
            "  --quiet              print only failures and the summary\n"
            "\n"
            "Prints what was negotiated (first connection, and whenever it changes), each\n"
            "failure with the failing step and the alert, and a summary.\n"
            "Exit status: 0 when every handshake and echo succeeded, 1 on any failure,\n"
            "2 on usage errors (bad options, an unreadable CA file, a composition that\n"
            "lacks a class the handshake needs).\n");
}

/* The data to send (size bytes) and the answer expected. In rev mode the data
 * is lines of at most 64 bytes ending in '\n' and each answer line is the line
 * reversed (s_server -rev strips the line end, reverses, adds '\n'). */
static void make_data(uint8_t *send, uint8_t *want, size_t size, int rev, unsigned seed)
{
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < size; i++) {
        x = x * 1103515245u + 12345u;
        send[i] = rev ? (uint8_t)('a' + (x >> 16) % 26) : (uint8_t)(x >> 16);
    }
    if (!rev) {
        memcpy(want, send, size);
        return;
    }
    size_t start = 0;
    while (start < size) {
        size_t len = size - start < 64 ? size - start : 64;
        send[start + len - 1] = '\n';
        for (size_t i = 0; i + 1 < len; i++) want[start + i] = send[start + len - 2 - i];
        want[start + len - 1] = '\n';
        start += len;
    }
}

/* Send the data in chunks, reading each chunk's answer back before the next
 * (so neither side's socket buffers ever fill). 0 ok, -1 TLS error, -2 the
 * echo differs. */
static int exchange(hsb_tls_conn *conn, const uint8_t *send, const uint8_t *want, size_t size,
                    int rev, size_t *bad_at)
{
    static uint8_t got[HSB_TLS_MAX_PLAINTEXT];
    size_t off = 0;
    while (off < size) {
        size_t chunk = size - off < 16384 ? size - off : 16384;
        if (rev && chunk < size - off) chunk = chunk / 64 * 64; /* whole lines */
        size_t sent = 0;
        while (sent < chunk) {
            size_t n = 0;
            if (hsb_tls_write(conn, send + off + sent, chunk - sent, &n) != HSB_OK) return -1;
            sent += n;
        }
        if (hsb_tls_flush(conn) != HSB_OK) return -1;
        size_t recvd = 0;
        while (recvd < chunk) {
            size_t n = 0;
            size_t cap = chunk - recvd < sizeof got ? chunk - recvd : sizeof got;
            if (hsb_tls_read(conn, got, cap, &n) != HSB_OK) return -1;
            if (n == 0) {
                *bad_at = off + recvd;
                return -2; /* closed early */
            }
            for (size_t i = 0; i < n; i++)
                if (got[i] != want[off + recvd + i]) {
                    *bad_at = off + recvd + i;
                    return -2;
                }
            recvd += n;
        }
        off += chunk;
    }
    return 0;
}

/* The client's own options (hsb_tls_cmd_parse takes the shared ones). */
typedef struct client_opts {
    const char *connect_to, *cafile, *servername;
    long handshakes, data, timeout, min_dh;
    int rev, quiet;
} client_opts;

enum {
    C_CONNECT = HSB_TLS_CMD_OWN,
    C_CAFILE,
    C_SERVERNAME,
    C_ECHO,
    C_HANDSHAKES,
    C_DATA,
    C_TIMEOUT,
    C_MIN_DH,
    C_QUIET
};

static const struct option client_opts_table[] = {
    {"connect", required_argument, NULL, C_CONNECT},
    {"cafile", required_argument, NULL, C_CAFILE},
    {"servername", required_argument, NULL, C_SERVERNAME},
    {"echo", required_argument, NULL, C_ECHO},
    {"handshakes", required_argument, NULL, C_HANDSHAKES},
    {"data", required_argument, NULL, C_DATA},
    {"timeout", required_argument, NULL, C_TIMEOUT},
    {"min-dh-bits", required_argument, NULL, C_MIN_DH},
    {"quiet", no_argument, NULL, C_QUIET},
    {NULL, 0, NULL, 0},
};

static void client_opt(void *arg, int id, const char *v, int *ok)
{
    client_opts *c = arg;
    switch (id) {
    case C_CONNECT:
        c->connect_to = v;
        break;
    case C_CAFILE:
        c->cafile = v;
        break;
    case C_SERVERNAME:
        c->servername = v;
        break;
    case C_ECHO:
        c->rev = !strcmp(v, "rev");
        if (!c->rev && strcmp(v, "exact")) *ok = 0;
        break;
    case C_HANDSHAKES:
        c->handshakes = hsb_tls_cmd_parse_long(v, 1, 1L << 40, ok);
        break;
    case C_DATA:
        c->data = hsb_tls_cmd_parse_long(v, 0, 1L << 30, ok);
        break;
    case C_TIMEOUT:
        c->timeout = hsb_tls_cmd_parse_long(v, 1, 86400, ok);
        break;
    case C_MIN_DH:
        c->min_dh = hsb_tls_cmd_parse_long(v, 512, 8192, ok);
        break;
    case C_QUIET:
        c->quiet = 1;
        break;
    }
}

/* One run of the client: its options, TLS objects, buffers and tallies. */
typedef struct client_run {
    const client_opts *c;
    char host[HSB_TLS_CMD_HOST], port[HSB_TLS_CMD_PORT];
    hsb_tls_config *cfg;
    hsb_tls_thread *thr;
    hsb_tls_conn *conn;
    uint8_t *send, *want;
    long n_ok, n_failed;
    long long bytes;
    char last[256]; /* what the previous connection negotiated */
    char msg[512];  /* a failure this file describes */
} client_run;

static void client_free(client_run *r)
{
    free(r->send);
    free(r->want);
    hsb_tls_conn_free(r->conn);
    hsb_tls_thread_free(r->thr);
    hsb_tls_config_free(r->cfg);
}

/* The configuration, the thread and connection, the buffers. -1 to go on,
 * else the exit status (message on stderr); client_free frees either way. */
static int client_setup(client_run *r, const hsb_tls_cmd_opts *o, const hsb_provider *prov)
{
    const client_opts *c = r->c;
    hsb_rc rc = hsb_tls_cmd_config(o, HSB_TLS_CLIENT, prov, &r->cfg);
    if (rc == HSB_OK) rc = hsb_tls_config_load_anchors(r->cfg, c->cafile);
    if (rc == HSB_OK)
        rc = hsb_tls_config_set_server_name(r->cfg, c->servername ? c->servername : r->host);
    if (rc == HSB_OK) {
        hsb_tls_config_set_min_dh_bits(r->cfg, (unsigned)c->min_dh);
        rc = hsb_tls_thread_new(r->cfg, &r->thr);
    }
    if (rc == HSB_OK) rc = hsb_tls_conn_new(r->thr, &r->conn);
    r->send = malloc((size_t)c->data + 1);
    r->want = malloc((size_t)c->data + 1);
    if (rc == HSB_OK && (!r->send || !r->want)) rc = HSB_E_NOMEM;
    if (rc == HSB_OK) return -1;
    fprintf(stderr, "hsbench client: %s\n", hsb_last_error());
    return rc == HSB_E_USAGE || rc == HSB_E_UNAVAILABLE ? 2 : 1;
}

/* Prints what connection h negotiated when it differs from the previous
 * one's (unless --quiet). */
static void note_negotiated(client_run *r, long h)
{
    hsb_tls_info info;
    hsb_tls_conn_info(r->conn, &info);
    char neg[256];
    char dh[48] = "";
    if (info.kx == HSB_TLS_KX_DHE)
        snprintf(dh, sizeof dh, " dh %s-%u", info.dh_group, info.dh_bits);
    snprintf(neg, sizeof neg, "TLSv1.2 %s, server key rsa-%u%s, etm %s, ems %s", info.suite_name,
             info.rsa_bits, dh, info.etm ? "on" : "off", info.ems ? "on" : "off");
    if (!r->c->quiet && strcmp(neg, r->last) != 0) printf("handshake %ld: %s\n", h, neg);
    snprintf(r->last, sizeof r->last, "%s", neg);
}

/* After the handshake: the data and its echo, then close_notify. NULL, or
 * what failed. */
static const char *echo_and_close(client_run *r, int fd, long h)
{
    const client_opts *c = r->c;
    make_data(r->send, r->want, (size_t)c->data, c->rev, (unsigned)h);
    size_t bad_at = 0;
    int x = exchange(r->conn, r->send, r->want, (size_t)c->data, c->rev, &bad_at);
    if (x == -1) return hsb_tls_conn_error(r->conn);
    if (x == -2) {
        snprintf(r->msg, sizeof r->msg, "echo differs from what was sent at byte %zu", bad_at);
        return r->msg;
    }
    r->bytes += c->data;
    /* close_notify, then wait for the server's (or its EOF). */
    if (hsb_tls_close(r->conn) != HSB_OK) return hsb_tls_conn_error(r->conn);
    /* RFC 5246 7.2.1 lets us leave without the answer; wait briefly so the
     * server's close_notify is not met by a reset. */
    struct timeval brief = {.tv_sec = 2};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &brief, sizeof brief);
    uint8_t junk[256];
    size_t n = 1;
    while (hsb_tls_read(r->conn, junk, sizeof junk, &n) == HSB_OK && n > 0) {
    }
    return NULL;
}

/* Connection h on the connected socket fd: handshake, echo, close. NULL, or
 * what failed. */
static const char *one_connection(client_run *r, int fd, long h)
{
    struct timeval tv = {.tv_sec = r->c->timeout};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    hsb_tls_transport tr = hsb_tcp_transport(fd);
    hsb_rc rc = hsb_tls_conn_start(r->conn, &tr);
    if (rc == HSB_OK) rc = hsb_tls_handshake_run(r->conn);
    if (rc == HSB_E_WOULD_BLOCK) return "timed out waiting for the server";
    if (rc != HSB_OK) return hsb_tls_conn_error(r->conn);
    note_negotiated(r, h);
    return echo_and_close(r, fd, h);
}

/* The --handshakes connections, one at a time, and the summary. The exit
 * status: 1 when any failed. */
static int client_loop(client_run *r)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long h = 1; h <= r->c->handshakes; h++) {
        int fd = -1;
        if (hsb_tcp_connect(r->host, r->port, &fd, r->msg, sizeof r->msg) != HSB_OK) {
            printf("handshake %ld: failed: %s\n", h, r->msg);
            r->n_failed++;
            continue;
        }
        const char *what = one_connection(r, fd, h);
        if (what) {
            printf("handshake %ld: failed: %s\n", h, what[0] ? what : hsb_last_error());
            r->n_failed++;
        } else {
            r->n_ok++;
        }
        close(fd);
        fflush(stdout);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    printf("summary: %ld handshakes ok, %ld failed; %lld bytes echoed and checked; %.3f s "
           "(%.1f successful handshakes/s, one connection at a time)\n",
           r->n_ok, r->n_failed, r->bytes, secs, secs > 0 ? (double)r->n_ok / secs : 0.0);
    return r->n_failed ? 1 : 0;
}

int hsb_cmd_client(int argc, char **argv)
{
    hsb_tls_cmd_opts o;
    client_opts c = {.handshakes = 1, .data = 1024, .timeout = 30, .min_dh = 2048};
    int st = hsb_tls_cmd_parse(argc, argv, "client", &o, usage, client_opts_table, client_opt, &c);
    if (st >= 0) return st;
    if (!c.connect_to || !c.cafile) {
        fprintf(stderr, "hsbench client: --connect and --cafile are required (see --help)\n");
        return 2;
    }
    client_run r = {.c = &c};
    if (hsb_tls_cmd_address(&o, "--connect", c.connect_to, 0, r.host, r.port) != HSB_OK) return 2;
    static hsb_provider prov;
    if (hsb_tls_cmd_provider(&o, &prov) != HSB_OK) return 2;
    st = client_setup(&r, &o, &prov);
    if (st < 0) {
        if (!c.quiet) {
            char desc[256];
            hsb_provider_describe(&prov, desc, sizeof desc);
            printf("backend: %s\n", desc);
        }
        st = client_loop(&r);
    }
    client_free(&r);
    return st;
}
