// Which CPUs a thread may run on (Linux's sched_getaffinity / sched_setaffinity, which
// glibc declares only under _GNU_SOURCE, so Swift's Glibc module does not see them).
// Used by DendriteCore's CorePinning.
#define _GNU_SOURCE
#include <sched.h>

// The CPUs this thread may run on, lowest first: at most `max` of them into `out`;
// returns how many there are (0 when the call fails).
static inline int dendrite_allowed_cpus(int *out, int max) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0) return 0;
    int n = 0;
    for (int cpu = 0; cpu < CPU_SETSIZE && n < max; cpu++)
        if (CPU_ISSET(cpu, &set)) out[n++] = cpu;
    return n;
}

// Keeps the calling thread on `cpu` from now on; 0 on success.
static inline int dendrite_pin_thread(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof set, &set);
}
