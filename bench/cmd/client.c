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
            "  --handshakes N       number of connections (default 1)\n"
            "  --data BYTES         application data sent per connection (default 1024; 0: none)\n"
            "  --echo exact|rev     what the server sends back: exact (default; an echo\n"
            "                       server such as 'hsbench server') or rev ('openssl s_server\n"
            "                       -rev', which answers each line reversed: the data is then\n"
            "                       sent as lines of text)\n"
            "  --dh-check full|range  check of the server's DH value (default full: also\n"
            "                       Y^q == 1, q from the named group or (p-1)/2)\n"
            "  --min-dh-bits N      smallest DH prime accepted (default 2048)\n"
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

static int client_opt(void *arg, const char *a, const char *v, int *ok)
{
    client_opts *c = arg;
    if (!v) {
        if (strcmp(a, "--quiet")) return 0;
        c->quiet = 1;
    } else if (!strcmp(a, "--connect")) {
        c->connect_to = v;
    } else if (!strcmp(a, "--cafile")) {
        c->cafile = v;
    } else if (!strcmp(a, "--servername")) {
        c->servername = v;
    } else if (!strcmp(a, "--echo")) {
        if (!strcmp(v, "exact"))
            c->rev = 0;
        else if (!strcmp(v, "rev"))
            c->rev = 1;
        else
            *ok = 0;
    } else if (!strcmp(a, "--handshakes")) {
        c->handshakes = hsb_tls_cmd_parse_long(v, 1, 1L << 40, ok);
    } else if (!strcmp(a, "--data")) {
        c->data = hsb_tls_cmd_parse_long(v, 0, 1L << 30, ok);
    } else if (!strcmp(a, "--timeout")) {
        c->timeout = hsb_tls_cmd_parse_long(v, 1, 86400, ok);
    } else if (!strcmp(a, "--min-dh-bits")) {
        c->min_dh = hsb_tls_cmd_parse_long(v, 512, 8192, ok);
    } else {
        return 0;
    }
    return 1;
}

int hsb_cmd_client(int argc, char **argv)
{
    hsb_tls_cmd_opts o;
    client_opts c = {.handshakes = 1, .data = 1024, .timeout = 30, .min_dh = 2048};
    int st = hsb_tls_cmd_parse(argc, argv, "client", &o, usage, client_opt, &c);
    if (st >= 0) return st;
    const char *connect_to = c.connect_to, *cafile = c.cafile, *servername = c.servername;
    long handshakes = c.handshakes, data = c.data, timeout = c.timeout, min_dh = c.min_dh;
    int rev = c.rev, quiet = c.quiet;
    if (!connect_to || !cafile) {
        fprintf(stderr, "hsbench client: --connect and --cafile are required (see --help)\n");
        return 2;
    }
    char host[256], port[32];
    if (!hsb_tls_cmd_split_hostport(connect_to, 0, host, sizeof host, port, sizeof port)) {
        fprintf(stderr, "hsbench client: --connect wants HOST:PORT, got '%s'\n", connect_to);
        return 2;
    }
    static hsb_provider prov;
    char err[512];
    if (!hsb_tls_cmd_provider(&o, &prov)) return 2;
    hsb_tls_config *cfg = NULL;
    hsb_tls_thread *thr = NULL;
    hsb_tls_conn *conn = NULL;
    hsb_rc rc = hsb_tls_cmd_config(&o, HSB_TLS_CLIENT, &prov, &cfg);
    if (rc == HSB_OK) rc = hsb_tls_config_load_anchors(cfg, cafile);
    if (rc == HSB_OK) rc = hsb_tls_config_set_server_name(cfg, servername ? servername : host);
    if (rc == HSB_OK) {
        hsb_tls_config_set_min_dh_bits(cfg, (unsigned)min_dh);
        rc = hsb_tls_thread_new(cfg, &thr);
    }
    if (rc == HSB_OK) rc = hsb_tls_conn_new(thr, &conn);
    uint8_t *send_buf = malloc((size_t)data + 1), *want = malloc((size_t)data + 1);
    if (rc == HSB_OK && (!send_buf || !want)) rc = HSB_E_NOMEM;
    if (rc != HSB_OK) {
        fprintf(stderr, "hsbench client: %s\n", hsb_last_error());
        free(send_buf);
        free(want);
        hsb_tls_conn_free(conn);
        hsb_tls_thread_free(thr);
        hsb_tls_config_free(cfg);
        return rc == HSB_E_USAGE || rc == HSB_E_UNAVAILABLE ? 2 : 1;
    }
    if (!quiet) {
        char desc[256];
        hsb_provider_describe(&prov, desc, sizeof desc);
        printf("backend: %s\n", desc);
    }

    long n_ok = 0, n_failed = 0;
    long long bytes = 0;
    char last[256] = "";
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long h = 1; h <= handshakes; h++) {
        int fd = -1;
        if (hsb_tcp_connect(host, port, &fd, err, sizeof err) != HSB_OK) {
            printf("handshake %ld: failed: %s\n", h, err);
            n_failed++;
            continue;
        }
        struct timeval tv = {.tv_sec = timeout};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        hsb_tls_transport tr = hsb_tcp_transport(fd);
        rc = hsb_tls_conn_start(conn, &tr);
        if (rc == HSB_OK) rc = hsb_tls_handshake(conn);
        const char *what = NULL;
        char msg[512];
        if (rc != HSB_OK) {
            what = rc == HSB_E_WOULD_BLOCK ? "timed out waiting for the server"
                                           : hsb_tls_conn_error(conn);
        } else {
            hsb_tls_info info;
            hsb_tls_conn_info(conn, &info);
            char neg[256];
            char dh[48] = "";
            if (info.kx == HSB_TLS_KX_DHE)
                snprintf(dh, sizeof dh, " dh %s-%u", info.dh_group, info.dh_bits);
            snprintf(neg, sizeof neg, "TLSv1.2 %s, server key rsa-%u%s", info.suite_name,
                     info.rsa_bits, dh);
            if (!quiet && strcmp(neg, last) != 0) printf("handshake %ld: %s\n", h, neg);
            snprintf(last, sizeof last, "%s", neg);
            make_data(send_buf, want, (size_t)data, rev, (unsigned)h);
            size_t bad_at = 0;
            int x = exchange(conn, send_buf, want, (size_t)data, rev, &bad_at);
            if (x == -1) {
                what = hsb_tls_conn_error(conn);
            } else if (x == -2) {
                snprintf(msg, sizeof msg, "echo differs from what was sent at byte %zu", bad_at);
                what = msg;
            } else {
                bytes += data;
                /* close_notify, then wait for the server's (or its EOF). */
                if (hsb_tls_close(conn) != HSB_OK) {
                    what = hsb_tls_conn_error(conn);
                } else {
                    /* RFC 5246 7.2.1 lets us leave without the answer; wait
                     * briefly so the server's close_notify is not met by a
                     * reset. */
                    struct timeval brief = {.tv_sec = 2};
                    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &brief, sizeof brief);
                    uint8_t junk[256];
                    size_t n = 1;
                    while (hsb_tls_read(conn, junk, sizeof junk, &n) == HSB_OK && n > 0) {
                    }
                }
            }
        }
        if (what) {
            printf("handshake %ld: failed: %s\n", h, what[0] ? what : hsb_last_error());
            n_failed++;
        } else {
            n_ok++;
        }
        close(fd);
        fflush(stdout);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    printf("summary: %ld handshakes ok, %ld failed; %lld bytes echoed and checked; %.3f s "
           "(%.1f successful handshakes/s, one connection at a time)\n",
           n_ok, n_failed, bytes, secs, secs > 0 ? (double)n_ok / secs : 0.0);
    free(send_buf);
    free(want);
    hsb_tls_conn_free(conn);
    hsb_tls_thread_free(thr);
    hsb_tls_config_free(cfg);
    return n_failed ? 1 : 0;
}
