/* TSC calibration against CLOCK_MONOTONIC. */
#include "hsb_tsc.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

static double tsc_hz = 1e9;
static char note[160];
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* Whether /proc/cpuinfo's flags name `flag` (whole word). */
static int cpuinfo_has(const char *flag)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) return 0;
    char line[4096];
    int found = 0;
    size_t fl = strlen(flag);
    while (!found && fgets(line, sizeof line, f)) {
        if (strncmp(line, "flags", 5) != 0) continue;
        for (char *p = strstr(line, flag); p; p = strstr(p + 1, flag))
            if (p[-1] == ' ' && (p[fl] == ' ' || p[fl] == '\n' || p[fl] == '\0')) found = 1;
        break;
    }
    fclose(f);
    return found;
}

static void calibrate(void)
{
#if HSB_HAVE_TSC
    /* Three 20 ms windows, the median kept: a preemption inside one window
     * cannot move the result. Each bracket reads the clock on both sides of
     * the TSC read so that the pair is tight. */
    double hz[3];
    for (int i = 0; i < 3; i++) {
        int64_t t0 = hsb_now_ns();
        uint64_t c0 = hsb_tsc_read();
        int64_t t0b = hsb_now_ns();
        struct timespec d = {0, 20 * 1000 * 1000};
        nanosleep(&d, NULL);
        int64_t t1 = hsb_now_ns();
        uint64_t c1 = hsb_tsc_read();
        int64_t t1b = hsb_now_ns();
        double ns = (double)((t1 + t1b) / 2 - (t0 + t0b) / 2);
        hz[i] = ns > 0 ? (double)(c1 - c0) * 1e9 / ns : 0;
    }
    /* median of three */
    double a = hz[0], b = hz[1], c = hz[2], m;
    if ((a <= b && b <= c) || (c <= b && b <= a))
        m = b;
    else if ((b <= a && a <= c) || (c <= a && a <= b))
        m = a;
    else
        m = c;
    if (m > 1e6) tsc_hz = m;
    int inv = cpuinfo_has("constant_tsc") && cpuinfo_has("nonstop_tsc");
    snprintf(note, sizeof note,
             "%s TSC, reference cycles at %.0f Hz, calibrated against CLOCK_MONOTONIC "
             "(median of 3 x 20 ms)",
             inv ? "invariant (constant_tsc nonstop_tsc)" : "NOT known invariant", tsc_hz);
#else
    snprintf(note, sizeof note, "no TSC: cycle figures are not reported");
#endif
}

double hsb_tsc_hz(void)
{
    pthread_once(&once, calibrate);
    return tsc_hz;
}

int hsb_tsc_is_cycles(void)
{
    return HSB_HAVE_TSC;
}

const char *hsb_tsc_note(void)
{
    pthread_once(&once, calibrate);
    return note;
}
