/*
 * A server keeps serving after malicious clients, over TCP: start the real
 * `hsbench server` on 127.0.0.1 port 0 with ONE worker (so every connection
 * reuses the same conn memory), send it
 *   1. a ClientHello whose cipher_suites length runs past the message
 *      (must get a fatal decode_error alert, then the server closes),
 *   2. an HTTP request (record type 'G' = 71: unexpected_message),
 *   3. half a record header, then a hang-up (no alert: the transport died),
 * then two good clients (RSA and DHE) through the API: handshake, echo,
 * close_notify. The server must log each connection (failures with their
 * alert) and exit 0 after --max-conns.
 *
 * Usage: test_tls_neg_tcp PATH/TO/hsbench WORKDIR
 */
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hsb_backends.h"
#include "hsb_certgen.h"
#include "hsb_tls_x509.h"

static pid_t server_pid = -1;
static int failures;

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        printf("FAIL ");                                                                           \
        printf(__VA_ARGS__);                                                                       \
        printf("\n");                                                                              \
        failures++;                                                                                \
    } while (0)

static void stop_server(void)
{
    if (server_pid > 0) {
        kill(server_pid, SIGTERM);
        waitpid(server_pid, NULL, 0);
        server_pid = -1;
    }
}

static int connect_to(const char *port)
{
    char err[256];
    int fd = -1;
    if (hsb_tcp_connect("127.0.0.1", port, &fd, err, sizeof err) != HSB_OK) {
        FAIL("connect: %s", err);
        return -1;
    }
    struct timeval tv = {.tv_sec = 15};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

/* Send raw bytes, read what comes back until EOF; returns bytes read. */
static ssize_t raw_exchange(const char *port, const uint8_t *msg, size_t len, int hang_up,
                            uint8_t *reply, size_t cap)
{
    int fd = connect_to(port);
    if (fd < 0) return -1;
    if (send(fd, msg, len, MSG_NOSIGNAL) != (ssize_t)len) {
        FAIL("send: %s", strerror(errno));
        close(fd);
        return -1;
    }
    if (hang_up) {
        close(fd);
        return 0;
    }
    size_t got = 0;
    for (;;) {
        ssize_t n = recv(fd, reply + got, cap - got, 0);
        if (n <= 0) break;
        got += (size_t)n;
        if (got == cap) break;
    }
    close(fd);
    return (ssize_t)got;
}

static void expect_alert(const char *what, const uint8_t *reply, ssize_t n, int alert)
{
    /* a plaintext fatal alert record: 15 03 03 00 02 02 desc */
    const uint8_t want[7] = {21, 3, 3, 0, 2, 2, (uint8_t)alert};
    if (n != 7 || memcmp(reply, want, 7) != 0) {
        char hex[64] = "";
        for (ssize_t i = 0; i < n && i < 16; i++)
            snprintf(hex + 3 * i, sizeof hex - 3 * (size_t)i, "%02x ", reply[i]);
        FAIL("%s: expected the alert record 15 03 03 00 02 02 %02x, got %zd bytes: %s", what, alert,
             n, hex);
    } else {
        printf("ok   %s: server sent fatal %s(%d) and closed\n", what, hsb_tls_alert_name(alert),
               alert);
    }
}

/* A good client over TCP through the API. */
static void good_client(const char *port, const hsb_cert_set *certs, unsigned kx)
{
    const char *name = kx == HSB_TLS_KX_RSA ? "rsa" : "dhe";
    char err[256];
    hsb_provider prov;
    hsb_tls_config *cfg = NULL;
    hsb_tls_thread *thr = NULL;
    hsb_tls_conn *conn = NULL;
    int fd = -1;
    if (hsb_provider_from_spec("openssl", &prov, err, sizeof err) != HSB_OK ||
        hsb_tls_config_new(&cfg, HSB_TLS_CLIENT, &prov) != HSB_OK ||
        hsb_tls_config_set_kx(cfg, kx) != HSB_OK ||
        hsb_tls_config_add_anchor(cfg, certs->anchor) != HSB_OK ||
        hsb_tls_config_set_server_name(cfg, "localhost") != HSB_OK ||
        hsb_tls_thread_new(cfg, &thr) != HSB_OK || hsb_tls_conn_new(thr, &conn) != HSB_OK) {
        FAIL("good client (%s): setup: %s", name, hsb_last_error());
        goto out;
    }
    fd = connect_to(port);
    if (fd < 0) goto out;
    hsb_tls_transport tr = hsb_tcp_transport(fd);
    if (hsb_tls_conn_start(conn, &tr) != HSB_OK || hsb_tls_handshake_run(conn) != HSB_OK) {
        FAIL("good client (%s): handshake: %s", name, hsb_tls_conn_error(conn));
        goto out;
    }
    static const char msg[] = "hello over tcp after the bad ones";
    size_t n = 0, got = 0;
    char buf[128];
    if (hsb_tls_write(conn, msg, sizeof msg, &n) != HSB_OK || n != sizeof msg ||
        hsb_tls_flush(conn) != HSB_OK) {
        FAIL("good client (%s): write: %s", name, hsb_tls_conn_error(conn));
        goto out;
    }
    while (got < sizeof msg) {
        if (hsb_tls_read(conn, buf + got, sizeof buf - got, &n) != HSB_OK || n == 0) break;
        got += n;
    }
    if (got != sizeof msg || memcmp(buf, msg, sizeof msg) != 0) {
        FAIL("good client (%s): echo: got %zu bytes: %s", name, got, hsb_tls_conn_error(conn));
        goto out;
    }
    if (hsb_tls_close(conn) != HSB_OK || hsb_tls_read(conn, buf, sizeof buf, &n) != HSB_OK ||
        n != 0) {
        FAIL("good client (%s): close_notify: %s", name, hsb_tls_conn_error(conn));
        goto out;
    }
    hsb_tls_info info;
    hsb_tls_conn_info(conn, &info);
    printf("ok   good client (%s): %s, echo and close_notify\n", name, info.suite_name);
out:
    if (fd >= 0) close(fd);
    hsb_tls_conn_free(conn);
    hsb_tls_thread_free(thr);
    hsb_tls_config_free(cfg);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s PATH/TO/hsbench WORKDIR\n", argv[0]);
        return 2;
    }
    const char *hsbench = argv[1], *dir = argv[2];
    signal(SIGPIPE, SIG_IGN);
    mkdir(dir, 0755);
    char ca[512], chain[512], key[512];
    snprintf(ca, sizeof ca, "%s/ca.pem", dir);
    snprintf(chain, sizeof chain, "%s/chain.pem", dir);
    snprintf(key, sizeof key, "%s/key.pem", dir);
    const hsb_cert_set *certs;
    if (hsb_certgen_get(2048, HSB_CERT_GOOD, &certs) != HSB_OK ||
        hsb_certgen_write_pem(certs, ca, chain, key) != HSB_OK) {
        printf("FAIL certificates: %s\n", hsb_last_error());
        return 1;
    }

    int out[2];
    if (pipe(out) != 0) return 1;
    server_pid = fork();
    if (server_pid == 0) {
        dup2(out[1], 1);
        close(out[0]);
        close(out[1]);
        execl(hsbench, hsbench, "server", "--listen", "127.0.0.1:0", "--cert", chain, "--key", key,
              "--threads", "1", "--max-conns", "5", "--timeout", "10", (char *)NULL);
        perror("exec hsbench");
        _exit(127);
    }
    close(out[1]);
    FILE *log = fdopen(out[0], "r");
    char line[1024], port[16] = "";
    while (fgets(line, sizeof line, log)) {
        printf("server: %s", line);
        unsigned p;
        if (sscanf(line, "listening on 127.0.0.1:%u", &p) == 1) {
            snprintf(port, sizeof port, "%u", p);
            break;
        }
    }
    if (!port[0]) {
        printf("FAIL: the server did not say where it listens\n");
        stop_server();
        return 1;
    }

    /* 1. ClientHello whose cipher_suites vector claims 64 bytes, 5 remain */
    uint8_t ch[5 + 4 + 2 + 32 + 1 + 2 + 2 + 2];
    size_t body = sizeof ch - 9;
    uint8_t *p = ch;
    *p++ = 22, *p++ = 3, *p++ = 1, *p++ = 0, *p++ = (uint8_t)(4 + body);
    *p++ = 1, *p++ = 0, *p++ = 0, *p++ = (uint8_t)body;
    *p++ = 3, *p++ = 3;
    memset(p, 0x11, 32), p += 32;
    *p++ = 0;              /* session_id */
    *p++ = 0, *p++ = 0x40; /* cipher_suites: 64 bytes, says the length */
    *p++ = 0, *p++ = 0x3c;
    *p++ = 1, *p++ = 0; /* compression: null */
    uint8_t reply[256];
    ssize_t n = raw_exchange(port, ch, sizeof ch, 0, reply, sizeof reply);
    expect_alert("ClientHello with a cipher_suites length past its end", reply, n,
                 HSB_TLS_ALERT_DECODE_ERROR);

    /* 2. not TLS at all */
    static const char http[] = "GET / HTTP/1.0\r\n\r\n";
    n = raw_exchange(port, (const uint8_t *)http, sizeof http - 1, 0, reply, sizeof reply);
    expect_alert("an HTTP request", reply, n, HSB_TLS_ALERT_UNEXPECTED_MESSAGE);

    /* 3. half a header, then gone */
    n = raw_exchange(port, ch, 3, 1, reply, sizeof reply);
    if (n == 0) printf("ok   half a record header, then a hang-up\n");

    /* 4, 5. good clients on the same (single) worker */
    good_client(port, certs, HSB_TLS_KX_RSA);
    good_client(port, certs, HSB_TLS_KX_DHE);

    /* The server logs every connection and stops after five. */
    int logged_fail = 0, logged_ok = 0, alerts_named = 0, stopped = 0;
    while (fgets(line, sizeof line, log)) {
        printf("server: %s", line);
        if (strncmp(line, "conn ", 5) == 0) {
            if (strstr(line, ": failed: ")) logged_fail++;
            if (strstr(line, ": ok ")) logged_ok++;
            if (strstr(line, "sent alert decode_error(50)") ||
                strstr(line, "sent alert unexpected_message(10)"))
                alerts_named++;
        }
        if (strncmp(line, "stopped", 7) == 0) stopped = 1;
    }
    fclose(log);
    int status = 0;
    time_t t0 = time(NULL);
    pid_t w = 0;
    while ((w = waitpid(server_pid, &status, WNOHANG)) == 0 && time(NULL) - t0 < 20) usleep(50000);
    if (w == server_pid) {
        server_pid = -1;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) FAIL("server exit status %d", status);
    } else {
        FAIL("server did not stop after --max-conns");
        stop_server();
    }
    if (logged_fail != 3 || logged_ok != 2 || alerts_named != 2 || !stopped)
        FAIL("server log: %d failed (want 3), %d ok (want 2), %d named alerts (want 2), "
             "stopped line %s",
             logged_fail, logged_ok, alerts_named, stopped ? "seen" : "missing");
    else
        printf("ok   server logged 3 failures (alerts named) and 2 good connections, exit 0\n");
    printf("%s\n", failures ? "FAILED" : "all passed");
    return failures ? 1 : 0;
}
