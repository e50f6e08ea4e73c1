/* One thread's event loop: epoll, a min-heap of deadlines, a tick, a stop
 * flag with an eventfd to wake the wait (hsb_net_loop.h). */
#include "hsb_net_loop.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#define EVENTS_PER_WAIT 256

struct hsb_net_loop {
    int ep, wake_fd;
    atomic_int stop;
    int64_t now;
    hsb_net_timer **heap;
    size_t n, cap;
    int64_t tick_period, tick_next;
    hsb_net_tick_fn tick_fn;
    void *tick_user;
    struct epoll_event ev[EVENTS_PER_WAIT];
};

int64_t hsb_net_clock_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t hsb_net_loop_now(const hsb_net_loop *l)
{
    return l->now;
}

hsb_rc hsb_net_loop_new(hsb_net_loop **out)
{
    hsb_net_loop *l = calloc(1, sizeof *l);
    HSB_ENSURE(l, HSB_E_NOMEM);
    l->ep = epoll_create1(EPOLL_CLOEXEC);
    l->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    if (l->ep < 0 || l->wake_fd < 0 || epoll_ctl(l->ep, EPOLL_CTL_ADD, l->wake_fd, &ev) != 0) {
        if (l->ep >= 0) close(l->ep);
        if (l->wake_fd >= 0) close(l->wake_fd);
        free(l);
        HSB_BAIL_MSG(HSB_E_IO, "epoll_create1/eventfd");
    }
    l->now = hsb_net_clock_ns();
    *out = l;
    return HSB_OK;
}

void hsb_net_loop_free(hsb_net_loop *l)
{
    if (!l) return;
    close(l->ep);
    close(l->wake_fd);
    free(l->heap);
    free(l);
}

void hsb_net_watch_init(hsb_net_watch *w, int fd, hsb_net_io_fn fn, void *user)
{
    *w = (hsb_net_watch){.fd = fd, .fn = fn, .user = user};
}

hsb_rc hsb_net_loop_watch(hsb_net_loop *l, hsb_net_watch *w, uint32_t events)
{
    if (w->added && w->events == events) return HSB_OK;
    struct epoll_event ev = {.events = events, .data.ptr = w};
    int op = w->added ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    if (epoll_ctl(l->ep, op, w->fd, &ev) != 0) HSB_BAIL_MSG(HSB_E_IO, strerror(errno));
    w->added = 1;
    w->events = events;
    return HSB_OK;
}

void hsb_net_loop_unwatch(hsb_net_loop *l, hsb_net_watch *w)
{
    if (!w->added) return;
    epoll_ctl(l->ep, EPOLL_CTL_DEL, w->fd, NULL);
    w->added = 0;
    w->events = 0;
}

/* ------------------------------------------------------------ the heap */

void hsb_net_timer_init(hsb_net_timer *t, hsb_net_timer_fn fn, void *user)
{
    *t = (hsb_net_timer){.fn = fn, .user = user};
}

static void heap_set(hsb_net_loop *l, size_t i, hsb_net_timer *t)
{
    l->heap[i] = t;
    t->slot = i + 1;
}

static void sift_up(hsb_net_loop *l, size_t i)
{
    hsb_net_timer *t = l->heap[i];
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (l->heap[p]->due_ns <= t->due_ns) break;
        heap_set(l, i, l->heap[p]);
        i = p;
    }
    heap_set(l, i, t);
}

static void sift_down(hsb_net_loop *l, size_t i)
{
    hsb_net_timer *t = l->heap[i];
    for (;;) {
        size_t k = 2 * i + 1;
        if (k >= l->n) break;
        if (k + 1 < l->n && l->heap[k + 1]->due_ns < l->heap[k]->due_ns) k++;
        if (t->due_ns <= l->heap[k]->due_ns) break;
        heap_set(l, i, l->heap[k]);
        i = k;
    }
    heap_set(l, i, t);
}

hsb_rc hsb_net_loop_arm(hsb_net_loop *l, hsb_net_timer *t, int64_t due_ns)
{
    if (t->slot) {
        int64_t old = t->due_ns;
        t->due_ns = due_ns;
        if (due_ns < old)
            sift_up(l, t->slot - 1);
        else
            sift_down(l, t->slot - 1);
        return HSB_OK;
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        hsb_net_timer **h = realloc(l->heap, cap * sizeof *h);
        HSB_ENSURE(h, HSB_E_NOMEM);
        l->heap = h;
        l->cap = cap;
    }
    t->due_ns = due_ns;
    l->heap[l->n++] = t;
    t->slot = l->n;
    sift_up(l, l->n - 1);
    return HSB_OK;
}

void hsb_net_loop_cancel(hsb_net_loop *l, hsb_net_timer *t)
{
    if (!t->slot) return;
    size_t i = t->slot - 1;
    t->slot = 0;
    hsb_net_timer *last = l->heap[--l->n];
    if (i == l->n) return;
    heap_set(l, i, last);
    if (i > 0 && l->heap[(i - 1) / 2]->due_ns > last->due_ns)
        sift_up(l, i);
    else
        sift_down(l, i);
}

size_t hsb_net_loop_timers(const hsb_net_loop *l)
{
    return l->n;
}

void hsb_net_loop_set_tick(hsb_net_loop *l, int64_t period_ns, hsb_net_tick_fn fn, void *user)
{
    l->tick_period = period_ns;
    l->tick_fn = fn;
    l->tick_user = user;
    l->tick_next = hsb_net_clock_ns() + period_ns;
}

/* ------------------------------------------------------------- running */

void hsb_net_loop_stop(hsb_net_loop *l)
{
    atomic_store(&l->stop, 1);
    uint64_t one = 1;
    ssize_t r = write(l->wake_fd, &one, sizeof one);
    (void)r; /* a full counter already wakes the loop */
}

int hsb_net_loop_stopping(const hsb_net_loop *l)
{
    return atomic_load(&((hsb_net_loop *)l)->stop);
}

/* How long the wait may sleep, in ms (rounded up, so a due timer is due). */
static int wait_ms(const hsb_net_loop *l, int64_t max_wait_ns)
{
    int64_t until = l->now + max_wait_ns;
    if (l->n && l->heap[0]->due_ns < until) until = l->heap[0]->due_ns;
    if (l->tick_fn && l->tick_period && l->tick_next < until) until = l->tick_next;
    int64_t d = until - hsb_net_clock_ns();
    if (d <= 0) return 0;
    return (int)((d + 999999) / 1000000);
}

static void run_timers(hsb_net_loop *l)
{
    while (l->n && l->heap[0]->due_ns <= l->now) {
        hsb_net_timer *t = l->heap[0];
        hsb_net_loop_cancel(l, t);
        t->fn(l, t->user);
    }
    if (l->tick_fn && l->tick_period && l->tick_next <= l->now) {
        l->tick_next += l->tick_period;
        if (l->tick_next <= l->now) l->tick_next = l->now + l->tick_period;
        l->tick_fn(l, l->tick_user, l->now);
    }
}

hsb_rc hsb_net_loop_once(hsb_net_loop *l, int64_t max_wait_ns)
{
    int n = epoll_wait(l->ep, l->ev, EVENTS_PER_WAIT, wait_ms(l, max_wait_ns));
    if (n < 0 && errno != EINTR) HSB_BAIL_MSG(HSB_E_IO, strerror(errno));
    l->now = hsb_net_clock_ns();
    for (int i = 0; i < n; i++) {
        hsb_net_watch *w = l->ev[i].data.ptr;
        if (!w) {
            uint64_t v;
            ssize_t r = read(l->wake_fd, &v, sizeof v);
            (void)r;
            continue;
        }
        w->fn(l, w->user, l->ev[i].events);
    }
    run_timers(l);
    return HSB_OK;
}

hsb_rc hsb_net_loop_run(hsb_net_loop *l)
{
    while (!atomic_load(&l->stop)) HSB_GUARD(hsb_net_loop_once(l, 1000000000));
    return HSB_OK;
}
