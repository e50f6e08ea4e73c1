/* The servers `hsbench tcp` starts: see hsb_tcp_target.h. */
#include "hsb_tcp_target.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void nap_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

unsigned hsb_tcp_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return 0;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    unsigned port = 0;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &al) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

/* 1 when 127.0.0.1:port accepts a TCP connection. */
static int accepts(unsigned port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return 0;
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
    close(fd);
    return ok;
}

/* In the child: affinity, output, exec. Never returns. */
static void child_exec(const char *exe, const char *const *argv, const int *pus, size_t n_pus,
                       const char *log)
{
    /* A session of its own, as nginx's daemon has: with the scheduler's
     * autogroups (sched_autogroup_enabled) CPU time is shared fairly between
     * sessions, so on a busy machine a server left in hsbench's session
     * would get less of its PU than nginx does. */
    setsid();
    if (n_pus) {
        cpu_set_t set;
        CPU_ZERO(&set);
        for (size_t i = 0; i < n_pus; i++) CPU_SET(pus[i], &set);
        sched_setaffinity(0, sizeof set, &set);
    }
    int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
    }
    execv(exe, (char *const *)argv);
    _exit(127);
}

/* Wait until the child listens (or died): 1 ready, 0 not. */
static int wait_ready(pid_t pid, unsigned port)
{
    for (int i = 0; i < 300; i++) {
        if (accepts(port)) return 1;
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid) return 0;
        nap_ms(50);
    }
    return 0;
}

hsb_rc hsb_tcp_server_start(hsb_tcp_target *t, const char *exe, const char *const *args,
                            const int *pus, size_t n_pus, const char *log, char *err, size_t len)
{
    unsigned port = hsb_tcp_free_port();
    if (!port) {
        snprintf(err, len, "%s: no free loopback port", t->name);
        return HSB_E_IO;
    }
    snprintf(t->port, sizeof t->port, "%u", port);
    char listen[64];
    snprintf(listen, sizeof listen, "127.0.0.1:%u", port);
    const char *argv[64] = {exe, "server", "--listen", listen};
    size_t n = 4;
    for (size_t i = 0; args[i] && n < 63; i++) argv[n++] = args[i];
    argv[n] = NULL;
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, len, "%s: fork: %s", t->name, strerror(errno));
        return HSB_E_IO;
    }
    if (pid == 0) child_exec(exe, argv, pus, n_pus, log);
    t->pid = pid;
    if (wait_ready(pid, port)) return HSB_OK;
    snprintf(err, len, "%s: the server did not start listening on %s (its output: %s)", t->name,
             listen, log);
    hsb_tcp_target_stop(t);
    return HSB_E_IO;
}

/* Run `script ACTION --dir DIR ...` and read its first line into out. The
 * exit status, -1 when it could not run. */
static int run_script(const char *cmd, char *out, size_t len)
{
    FILE *p = popen(cmd, "r");
    if (!p) return -1;
    if (!fgets(out, (int)len, p)) out[0] = '\0';
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

hsb_rc hsb_tcp_nginx_start(hsb_tcp_target *t, const char *script, const char *nginx,
                           const char *dir, const char *cert, const char *key, unsigned workers,
                           const char *cpus, char *err, size_t len)
{
    if (access(nginx, X_OK) != 0 || access(script, X_OK) != 0) {
        snprintf(err, len, "nginx: UNAVAILABLE (%s not found; scripts/install-deps installs it)",
                 access(nginx, X_OK) != 0 ? nginx : script);
        return HSB_E_UNAVAILABLE;
    }
    snprintf(t->dir, sizeof t->dir, "%s", dir);
    snprintf(t->script, sizeof t->script, "%s", script);
    char cmd[3072], line[128];
    snprintf(cmd, sizeof cmd,
             "'%s' start --dir '%s' --cert '%s' --key '%s' --workers %u --cpus '%s' "
             "--nginx '%s'",
             script, dir, cert, key, workers, cpus, nginx);
    unsigned port = 0;
    long pid = 0;
    if (run_script(cmd, line, sizeof line) != 0 || sscanf(line, "%u %ld", &port, &pid) != 2) {
        snprintf(err, len, "nginx: %s failed (see %s/error.log)", script, dir);
        return HSB_E_IO;
    }
    snprintf(t->port, sizeof t->port, "%u", port);
    t->pid = (pid_t)pid;
    t->is_nginx = 1;
    return HSB_OK;
}

void hsb_tcp_target_stop(hsb_tcp_target *t)
{
    if (!t->pid) return;
    if (t->is_nginx) {
        char cmd[1200], line[64];
        snprintf(cmd, sizeof cmd, "'%s' stop --dir '%s'", t->script, t->dir);
        run_script(cmd, line, sizeof line);
        t->pid = 0;
        return;
    }
    kill(t->pid, SIGTERM);
    for (int i = 0; i < 200; i++) {
        int st;
        if (waitpid(t->pid, &st, WNOHANG) == t->pid) {
            t->pid = 0;
            return;
        }
        nap_ms(50);
    }
    kill(t->pid, SIGKILL);
    waitpid(t->pid, NULL, 0);
    t->pid = 0;
}
