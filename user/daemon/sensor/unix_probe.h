/* unix_probe.h: tells whether the kernel has the cgroup hooks for unix socket connects and sends (network.unix). */
#ifndef MCPWARDEN_UNIX_PROBE_H
#define MCPWARDEN_UNIX_PROBE_H

#include <stdbool.h>
#include <stddef.h>

/* enum bpf_attach_type values of Linux 6.7 (UAPI, so fixed), missing from older <linux/bpf.h>. */
#define ATTACH_CGROUP_UNIX_CONNECT	49
#define ATTACH_CGROUP_UNIX_SENDMSG	50

/* Loads a no-op cgroup sock_addr program for each of the two attach types, then removes it. On false, `why`
 * says what failed. */
bool unix_probe(char *why, size_t size);

#endif
