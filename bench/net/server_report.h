/* The server's samples (one per interval) and its JSON report. */
#ifndef HSB_NET_SERVER_REPORT_H
#define HSB_NET_SERVER_REPORT_H

#include "server_internal.h"

typedef struct srv_sample {
    double t, cpu; /* seconds since the start; process CPU seconds */
    uint64_t handshakes, failed, bytes, refused, timeouts;
    uint64_t by_kind[HSB_NET_FAIL_KINDS];
} srv_sample;

typedef struct srv_samples {
    srv_sample *v;
    size_t n, cap;
} srv_samples;

HSB_MUST_CHECK hsb_rc hsb_srv_samples_push(srv_samples *sm, const srv_sample *x);

/* Write s->cfg.json_path: suite `server`, one repetition per interval
 * between samples, the counters in the row's `server` object. */
HSB_MUST_CHECK hsb_rc hsb_srv_report(const struct hsb_net_server *s, const srv_samples *sm);

#endif
