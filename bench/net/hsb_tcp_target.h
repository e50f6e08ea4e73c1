/*
 * hsb_tcp_target.h - the servers `hsbench tcp` measures, started and stopped
 * by it: `hsbench server` as a child process of the same binary (pinned to
 * the server PUs before it starts, its output in a log file), and nginx
 * through scripts/nginx-target. Each listens on a loopback port of its own.
 */
#ifndef HSB_TCP_TARGET_H
#define HSB_TCP_TARGET_H

#include <stddef.h>
#include <sys/types.h>

#include "hsb_error.h"

typedef struct hsb_tcp_target {
    char name[32]; /* "hsb-openssl", "hsb-native", "libssl-reference", "nginx" */
    int is_nginx;
    pid_t pid; /* the server, or nginx's master; 0 when not running */
    char port[16];
    char dir[512]; /* nginx: its folder (config, pid, logs) */
    char script[512];
} hsb_tcp_target;

/* A free loopback port (bound and released: a race with other programs is
 * possible and shows as a server that cannot start). 0 on failure. */
unsigned hsb_tcp_free_port(void);

/*
 * Start `exe server --listen 127.0.0.1:PORT ARGS...` (args NULL-terminated)
 * with its CPU affinity set to pus (n_pus of them; all when 0) and its
 * stdout and stderr into log; wait (up to 15 s) until the port accepts a
 * TCP connection. HSB_OK with t->pid and t->port set; else err says why (the
 * child is stopped).
 */
HSB_MUST_CHECK hsb_rc hsb_tcp_server_start(hsb_tcp_target *t, const char *exe,
                                           const char *const *args, const int *pus, size_t n_pus,
                                           const char *log, char *err, size_t len);

/* nginx via script (scripts/nginx-target start) in folder dir with the
 * certificate chain and key, `workers` workers on the PUs cpus ("0,1").
 * HSB_E_UNAVAILABLE when nginx or the script is not there (err says which). */
HSB_MUST_CHECK hsb_rc hsb_tcp_nginx_start(hsb_tcp_target *t, const char *script, const char *nginx,
                                          const char *dir, const char *cert, const char *key,
                                          unsigned workers, const char *cpus, char *err,
                                          size_t len);

/* Stop t (SIGTERM, then SIGKILL after 10 s; nginx through its script) and
 * reap it. Nothing when it is not running. */
void hsb_tcp_target_stop(hsb_tcp_target *t);

#endif
