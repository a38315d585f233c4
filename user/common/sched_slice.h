/* sched_slice.h: asks the scheduler for short slices, so a process that answers quickly is run soon after it wakes. */
#ifndef MCPWARDEN_SCHED_SLICE_H
#define MCPWARDEN_SCHED_SLICE_H

#include <stdint.h>

/*
 * On a host whose CPUs are all busy, a woken process waits for its turn: with EEVDF (Linux 6.6 on), until its
 * virtual deadline, its slice after its eligible time. The shim and the daemon answer each message in far
 * less than the default slice (0.75 ms times 1 + log2 of the CPUs), so they ask for SCHED_SLICE_NS: their deadlines
 * come sooner, and they run sooner after each wake, at no greater share of the CPU. A custom slice needs
 * Linux 6.12 or later and no privilege; earlier kernels keep the default and ignore it. The policy, nice
 * value and reset-on-fork flag stay as they were; a real-time or deadline thread is left alone.
 */
#define SCHED_SLICE_NS	100000ull	/* the kernel's shortest: 0.1 ms */

/* Sets the calling thread's slice to ns (0: back to the default), as a fork inherits it: a child that runs
 * other code (the MCP server) asks for 0 before it execs. 0, or -1 with errno (only latency depends on it). */
int sched_slice_set(uint64_t ns);

#endif
