/*
 * hsb_pin.h - where worker threads run: the hwloc topology (restricted to the
 * process's CPU binding, so an outer `taskset` or cgroup is honoured) and the
 * placement of N workers under a policy.
 *
 *   compact  one worker per core first (the first PU of each core, cores in
 *            topology order), then the second hardware thread of each core,
 *            and so on; more workers than PUs wrap around.
 *   spread   hwloc_distrib(): workers spread as far apart as the tree allows
 *            (packages, then caches, then cores), each bound to one PU.
 *   pu       PUs in topology order: the hardware threads of a core together.
 *   none     no binding; the scheduler decides (reported as a warning).
 */
#ifndef HSB_PIN_H
#define HSB_PIN_H

#include <hwloc.h>

#include "hsb_error.h"

#define HSB_MAX_THREADS 256

typedef enum hsb_pin_policy {
    HSB_PIN_COMPACT = 0,
    HSB_PIN_SPREAD,
    HSB_PIN_PU,
    HSB_PIN_NONE,
} hsb_pin_policy;

/* "compact", "spread", "pu", "none". */
const char *hsb_pin_name(hsb_pin_policy p);
/* Parse a policy name ("core" is accepted for compact); -1 when unknown. */
int hsb_pin_parse(const char *s);

/* The topology, loaded once (thread-safe); NULL when hwloc failed (then every
 * placement is unpinned and the count of PUs comes from sysconf). */
hwloc_topology_t hsb_topology(void);

typedef struct hsb_topo_summary {
    unsigned packages, cores, pus, numa_nodes;
} hsb_topo_summary;
hsb_topo_summary hsb_topo_summarize(void);

/* A placement: for worker i, the PU (OS index) it is bound to and the core
 * (logical index) that PU belongs to; -1 when unbound. */
typedef struct hsb_placement {
    unsigned threads;
    hsb_pin_policy pin;
    int pu[HSB_MAX_THREADS];
    int core[HSB_MAX_THREADS];
    unsigned oversubscribed : 1; /* more workers than PUs */
} hsb_placement;

/* Compute the placement of `threads` workers (1..HSB_MAX_THREADS). */
HSB_MUST_CHECK hsb_rc hsb_place(unsigned threads, hsb_pin_policy pin, hsb_placement *out);

/* A PU list, "0", "2,3", "0-3,8" (OS indexes), into list (at most cap
 * entries, in the order given). 0 when it is malformed, too long, or names
 * a PU this process may not run on (its affinity mask: taskset, cgroups). */
size_t hsb_pu_list_parse(const char *s, int *list, size_t cap);

/* Bind the calling thread to worker i's PU (nothing for unbound workers). */
HSB_MUST_CHECK hsb_rc hsb_pin_self(const hsb_placement *pl, unsigned i);

#endif
