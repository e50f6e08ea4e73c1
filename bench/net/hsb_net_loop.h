/*
 * hsb_net_loop.h - one thread's event loop: epoll over the fds it watches,
 * deadlines on a binary min-heap (arm, re-arm and cancel in O(log n)), a
 * periodic tick (the 1 s statistics) and a stop flag that another thread or
 * a signal handler's thread may raise.
 *
 * The caller owns the watch and timer records (embedded in its connection
 * objects): the loop allocates nothing per fd, only its heap's array as it
 * grows. Callbacks run on the loop's thread and may watch, unwatch, arm and
 * cancel anything; an fd callback may free its own records, but not those
 * of another fd (its event may be pending in the same round): that belongs
 * in a timer or the tick, which run after the round's events.
 */
#ifndef HSB_NET_LOOP_H
#define HSB_NET_LOOP_H

#include <stddef.h>
#include <stdint.h>

#include "hsb_error.h"

typedef struct hsb_net_loop hsb_net_loop;

/* An fd's readiness (EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP bits). */
typedef void (*hsb_net_io_fn)(hsb_net_loop *l, void *user, uint32_t events);
typedef void (*hsb_net_timer_fn)(hsb_net_loop *l, void *user);
typedef void (*hsb_net_tick_fn)(hsb_net_loop *l, void *user, int64_t now_ns);

typedef struct hsb_net_watch {
    int fd;
    uint32_t events; /* registered interest; 0 when not registered */
    int added;
    hsb_net_io_fn fn;
    void *user;
} hsb_net_watch;

typedef struct hsb_net_timer {
    int64_t due_ns; /* CLOCK_MONOTONIC */
    size_t slot;    /* heap index + 1; 0 when not armed */
    hsb_net_timer_fn fn;
    void *user;
} hsb_net_timer;

HSB_MUST_CHECK hsb_rc hsb_net_loop_new(hsb_net_loop **out);
/* Watches and timers still registered are forgotten (not called). */
void hsb_net_loop_free(hsb_net_loop *l);

/* CLOCK_MONOTONIC in ns; hsb_net_loop_now: as of the loop's last wake-up. */
int64_t hsb_net_clock_ns(void);
int64_t hsb_net_loop_now(const hsb_net_loop *l);

void hsb_net_watch_init(hsb_net_watch *w, int fd, hsb_net_io_fn fn, void *user);
/* Register w or change its interest (level-triggered; a no-op when events
 * is already the interest). events 0 keeps the fd registered but silent. */
HSB_MUST_CHECK hsb_rc hsb_net_loop_watch(hsb_net_loop *l, hsb_net_watch *w, uint32_t events);
/* Deregister (before the fd is closed). */
void hsb_net_loop_unwatch(hsb_net_loop *l, hsb_net_watch *w);

void hsb_net_timer_init(hsb_net_timer *t, hsb_net_timer_fn fn, void *user);
/* Arm (or re-arm) t for due_ns. */
HSB_MUST_CHECK hsb_rc hsb_net_loop_arm(hsb_net_loop *l, hsb_net_timer *t, int64_t due_ns);
void hsb_net_loop_cancel(hsb_net_loop *l, hsb_net_timer *t);
/* Armed timers. */
size_t hsb_net_loop_timers(const hsb_net_loop *l);

/* fn every period_ns (0: none), first at now + period. */
void hsb_net_loop_set_tick(hsb_net_loop *l, int64_t period_ns, hsb_net_tick_fn fn, void *user);

/* Run until hsb_net_loop_stop; HSB_E_IO when epoll fails. */
HSB_MUST_CHECK hsb_rc hsb_net_loop_run(hsb_net_loop *l);
/* One round: wait up to max_wait_ns for events, dispatch them and the due
 * timers and tick. */
HSB_MUST_CHECK hsb_rc hsb_net_loop_once(hsb_net_loop *l, int64_t max_wait_ns);
/* Safe from any thread: the loop returns from run after its current round. */
void hsb_net_loop_stop(hsb_net_loop *l);
int hsb_net_loop_stopping(const hsb_net_loop *l);

#endif
