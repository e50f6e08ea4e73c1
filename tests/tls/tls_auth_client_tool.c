/*
 * tls_auth_client_tool HOST PORT CAFILE CERT KEY [corrupt-cv]: one TLS 1.2
 * handshake of our client, with a client certificate, against a server
 * that asks for one (the interop tests run it against openssl s_server
 * -Verify). With corrupt-cv, one bit of the CertificateVerify signature is
 * flipped on its way to the socket: the server must refuse it with
 * decrypt_error (RFC 5246 7.4.8, 7.2.2), which no honest client of ours
 * can make it do. Prints "ok" or "failed: <the conn's error>"; exit 0 on a
 * completed handshake, 1 on a failed one, 2 on a usage or set-up error.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "hsb_backends.h"
#include "hsb_tls.h"

/* The client's bytes on their way to the socket, held until a whole record
 * is there so that the record holding CertificateVerify can be changed. */
typedef struct tap {
    hsb_tls_transport inner;
    int corrupt, done;
    uint8_t buf[2 * HSB_TLS_MAX_RECORD];
    size_t len;
} tap;

/* Does handshake record r (len bytes) end with a CertificateVerify(15)? */
static int ends_with_cv(const uint8_t *r, size_t len)
{
    size_t i = 5;
    int last = -1;
    while (i + 4 <= len) {
        last = r[i];
        i += 4 + ((size_t)r[i + 1] << 16 | (size_t)r[i + 2] << 8 | r[i + 3]);
    }
    return i == len && last == 15;
}

static hsb_rc send_all(tap *t, const uint8_t *p, size_t len)
{
    while (len) {
        size_t n = 0;
        HSB_GUARD(t->inner.send(t->inner.io, p, len, &n));
        p += n;
        len -= n;
    }
    return HSB_OK;
}

static hsb_rc tap_send(void *io, const uint8_t *data, size_t len, size_t *n)
{
    tap *t = io;
    if (len > sizeof t->buf - t->len) len = sizeof t->buf - t->len;
    memcpy(t->buf + t->len, data, len);
    t->len += len;
    *n = len;
    size_t off = 0;
    while (t->len - off >= 5) {
        size_t rlen = 5 + ((size_t)t->buf[off + 3] << 8 | t->buf[off + 4]);
        if (t->len - off < rlen) break;
        uint8_t *r = t->buf + off;
        if (t->corrupt && !t->done && r[0] == 22 && ends_with_cv(r, rlen)) {
            r[rlen - 1] ^= 0x01; /* the signature's last byte */
            t->done = 1;
        }
        HSB_GUARD(send_all(t, r, rlen));
        off += rlen;
    }
    memmove(t->buf, t->buf + off, t->len - off);
    t->len -= off;
    return HSB_OK;
}

static hsb_rc tap_recv(void *io, uint8_t *buf, size_t cap, size_t *n)
{
    tap *t = io;
    return t->inner.recv(t->inner.io, buf, cap, n);
}

static tap the_tap;

int main(int argc, char **argv)
{
    if (argc < 6 || argc > 7 || (argc == 7 && strcmp(argv[6], "corrupt-cv") != 0)) {
        fprintf(stderr, "usage: %s HOST PORT CAFILE CERT KEY [corrupt-cv]\n", argv[0]);
        return 2;
    }
    static hsb_provider prov;
    char err[256];
    hsb_tls_config *cfg = NULL;
    hsb_tls_thread *thr = NULL;
    hsb_tls_conn *conn = NULL;
    int fd = -1;
    err[0] = '\0';
    hsb_rc rc = hsb_provider_from_spec("openssl", &prov, err, sizeof err);
    if (rc == HSB_OK) rc = hsb_tls_config_new(&cfg, HSB_TLS_CLIENT, &prov);
    if (rc == HSB_OK) rc = hsb_tls_config_load_anchors(cfg, argv[3]);
    if (rc == HSB_OK) rc = hsb_tls_config_set_server_name(cfg, "localhost");
    if (rc == HSB_OK) rc = hsb_tls_config_load_pem(cfg, argv[4], argv[5]);
    if (rc == HSB_OK) rc = hsb_tls_thread_new(cfg, &thr);
    if (rc == HSB_OK) rc = hsb_tls_conn_new(thr, &conn);
    if (rc == HSB_OK) rc = hsb_tcp_connect(argv[1], argv[2], &fd, err, sizeof err);
    int st = 2;
    if (rc == HSB_OK) {
        struct timeval tv = {.tv_sec = 20};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        the_tap.inner = hsb_tcp_transport(fd);
        the_tap.corrupt = argc == 7;
        hsb_tls_transport tr = {tap_send, tap_recv, &the_tap};
        rc = hsb_tls_conn_start(conn, &tr);
        if (rc == HSB_OK) rc = hsb_tls_handshake_run(conn);
        if (rc == HSB_OK) rc = hsb_tls_close(conn);
        if (rc == HSB_OK)
            printf("ok\n");
        else
            printf("failed: %s\n", hsb_tls_conn_error(conn));
        st = rc == HSB_OK ? 0 : 1;
    } else {
        fprintf(stderr, "set-up: %s\n", err[0] ? err : hsb_last_error());
    }
    if (fd >= 0) close(fd);
    hsb_tls_conn_free(conn);
    hsb_tls_thread_free(thr);
    hsb_tls_config_free(cfg);
    return st;
}
