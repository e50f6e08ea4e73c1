/* Thread placement with hwloc. */
#include "hsb_pin.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

static hwloc_topology_t topo;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
    hwloc_topology_t t;
    if (hwloc_topology_init(&t) != 0) return;
    /* THISSYSTEM: binding acts on this machine; RESTRICT_TO_CPUBINDING: only
     * the PUs this process may run on (taskset, cgroups) are in the tree. */
    if (hwloc_topology_set_flags(t, HWLOC_TOPOLOGY_FLAG_IS_THISSYSTEM |
                                        HWLOC_TOPOLOGY_FLAG_RESTRICT_TO_CPUBINDING) != 0 ||
        hwloc_topology_load(t) != 0) {
        hwloc_topology_destroy(t);
        return;
    }
    topo = t;
}

hwloc_topology_t hsb_topology(void)
{
    pthread_once(&once, load);
    return topo;
}

const char *hsb_pin_name(hsb_pin_policy p)
{
    switch (p) {
    case HSB_PIN_COMPACT:
        return "compact";
    case HSB_PIN_SPREAD:
        return "spread";
    case HSB_PIN_PU:
        return "pu";
    case HSB_PIN_NONE:
        return "none";
    default:
        return "?";
    }
}

int hsb_pin_parse(const char *s)
{
    if (!strcmp(s, "compact") || !strcmp(s, "core")) return HSB_PIN_COMPACT;
    if (!strcmp(s, "spread")) return HSB_PIN_SPREAD;
    if (!strcmp(s, "pu")) return HSB_PIN_PU;
    if (!strcmp(s, "none")) return HSB_PIN_NONE;
    return -1;
}

hsb_topo_summary hsb_topo_summarize(void)
{
    hsb_topo_summary s = {0};
    hwloc_topology_t t = hsb_topology();
    if (!t) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        s.pus = s.cores = n > 0 ? (unsigned)n : 1;
        s.packages = s.numa_nodes = 1;
        return s;
    }
    int v;
    s.packages = (v = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PACKAGE)) > 0 ? (unsigned)v : 1;
    s.cores = (v = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_CORE)) > 0 ? (unsigned)v : 0;
    s.pus = (v = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PU)) > 0 ? (unsigned)v : 1;
    s.numa_nodes = (v = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_NUMANODE)) > 0 ? (unsigned)v : 1;
    if (s.cores == 0) s.cores = s.pus;
    return s;
}

/* The logical index of the core above pu, or the PU's own index if the tree
 * has no core level. */
static int core_of(hwloc_topology_t t, hwloc_obj_t pu)
{
    hwloc_obj_t c = hwloc_get_ancestor_obj_by_type(t, HWLOC_OBJ_CORE, pu);
    return c ? (int)c->logical_index : (int)pu->logical_index;
}

/* Compact order: round k takes the k-th PU of every core. 0 when hwloc
 * knows no cores (the caller falls back to PU order). */
static unsigned compact_order(hwloc_topology_t t, int npu, hwloc_obj_t *order)
{
    int ncore = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_CORE);
    unsigned n_order = 0;
    if (ncore <= 0) return 0;
    for (unsigned k = 0; n_order < (unsigned)npu && n_order < HSB_MAX_THREADS; k++) {
        unsigned added = 0;
        for (int c = 0; c < ncore && n_order < HSB_MAX_THREADS; c++) {
            hwloc_obj_t core = hwloc_get_obj_by_type(t, HWLOC_OBJ_CORE, (unsigned)c);
            hwloc_obj_t pu = hwloc_get_obj_inside_cpuset_by_type(t, core->cpuset, HWLOC_OBJ_PU, k);
            if (pu) order[n_order++] = pu;
            added += pu != NULL;
        }
        if (!added) break;
    }
    return n_order;
}

/* PU order: the PUs as hwloc numbers them. */
static unsigned pu_order(hwloc_topology_t t, int npu, hwloc_obj_t *order)
{
    unsigned n_order = 0;
    for (int i = 0; i < npu && n_order < HSB_MAX_THREADS; i++)
        order[n_order++] = hwloc_get_obj_by_type(t, HWLOC_OBJ_PU, (unsigned)i);
    return n_order;
}

/* Spread: hwloc_distrib spreads the workers over the tree, one PU each. */
static hsb_rc spread(hwloc_topology_t t, unsigned threads, hsb_placement *out)
{
    hwloc_bitmap_t sets[HSB_MAX_THREADS];
    /* hwloc_distrib fills sets[] with bitmaps it allocates (dup). */
    for (unsigned i = 0; i < threads; i++) sets[i] = NULL;
    hwloc_obj_t root = hwloc_get_root_obj(t);
    int rc = hwloc_distrib(t, &root, 1, sets, threads, INT_MAX, 0);
    for (unsigned i = 0; i < threads; i++) {
        hwloc_obj_t pu = NULL;
        if (rc == 0 && sets[i]) {
            hwloc_bitmap_singlify(sets[i]);
            pu = hwloc_get_pu_obj_by_os_index(t, (unsigned)hwloc_bitmap_first(sets[i]));
        }
        if (pu) {
            out->pu[i] = (int)pu->os_index;
            out->core[i] = core_of(t, pu);
        }
        hwloc_bitmap_free(sets[i]);
    }
    HSB_ENSURE(rc == 0, HSB_E_INTERNAL);
    return HSB_OK;
}

hsb_rc hsb_place(unsigned threads, hsb_pin_policy pin, hsb_placement *out)
{
    HSB_ENSURE(out && threads >= 1 && threads <= HSB_MAX_THREADS, HSB_E_USAGE);
    memset(out, 0, sizeof *out);
    out->threads = threads;
    out->pin = pin;
    for (unsigned i = 0; i < threads; i++) out->pu[i] = out->core[i] = -1;
    hwloc_topology_t t = hsb_topology();
    hsb_topo_summary s = hsb_topo_summarize();
    out->oversubscribed = threads > s.pus;
    if (pin == HSB_PIN_NONE || !t) {
        out->pin = HSB_PIN_NONE;
        return HSB_OK;
    }

    int npu = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PU);
    HSB_ENSURE(npu > 0, HSB_E_INTERNAL);
    hwloc_obj_t order[HSB_MAX_THREADS];
    unsigned n_order = 0;
    if (pin == HSB_PIN_SPREAD) return spread(t, threads, out);
    HSB_ENSURE(pin == HSB_PIN_COMPACT || pin == HSB_PIN_PU, HSB_E_USAGE);
    if (pin == HSB_PIN_COMPACT) n_order = compact_order(t, npu, order);
    if (!n_order) n_order = pu_order(t, npu, order);
    HSB_ENSURE(n_order > 0, HSB_E_INTERNAL);
    for (unsigned i = 0; i < threads; i++) {
        hwloc_obj_t pu = order[i % n_order];
        out->pu[i] = (int)pu->os_index;
        out->core[i] = core_of(t, pu);
    }
    return HSB_OK;
}

hsb_rc hsb_pin_self(const hsb_placement *pl, unsigned i)
{
    HSB_ENSURE(pl && i < pl->threads, HSB_E_USAGE);
    if (pl->pu[i] < 0) return HSB_OK;
    hwloc_topology_t t = hsb_topology();
    HSB_ENSURE(t, HSB_E_INTERNAL);
    hwloc_bitmap_t set = hwloc_bitmap_alloc();
    HSB_ENSURE(set, HSB_E_NOMEM);
    hwloc_bitmap_only(set, (unsigned)pl->pu[i]);
    int rc = hwloc_set_cpubind(t, set, HWLOC_CPUBIND_THREAD | HWLOC_CPUBIND_STRICT);
    if (rc != 0) rc = hwloc_set_cpubind(t, set, HWLOC_CPUBIND_THREAD);
    hwloc_bitmap_free(set);
    if (rc != 0) HSB_BAIL_MSG(HSB_E_INTERNAL, "hwloc_set_cpubind failed");
    return HSB_OK;
}

size_t hsb_pu_list_parse(const char *s, int *list, size_t cap)
{
    cpu_set_t have;
    if (sched_getaffinity(0, sizeof have, &have) != 0) return 0;
    size_t n = 0;
    while (*s) {
        char *end;
        errno = 0;
        long a = strtol(s, &end, 10), b = a;
        if (end == s || errno || a < 0 || a >= CPU_SETSIZE) return 0;
        if (*end == '-') {
            s = end + 1;
            b = strtol(s, &end, 10);
            if (end == s || b < a || b >= CPU_SETSIZE) return 0;
        }
        for (long v = a; v <= b; v++) {
            if (n == cap || !CPU_ISSET((int)v, &have)) return 0;
            list[n++] = (int)v;
        }
        if (*end && *end != ',') return 0;
        s = *end ? end + 1 : end;
    }
    return n;
}
