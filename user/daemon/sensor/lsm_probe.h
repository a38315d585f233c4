/* lsm_probe.h: tells whether BPF LSM programs work here, which decides how exec denies are enforced. */
#ifndef MCPWARDEN_LSM_PROBE_H
#define MCPWARDEN_LSM_PROBE_H

#include <stdbool.h>
#include <stddef.h>

/* Checks that bpf is among the active LSMs (SECURITYFS_DIR/lsm, mounted), then loads and attaches a no-op
 * lsm/bprm_check_security program and removes it. On false, `why` says what failed. */
bool lsm_probe(char *why, size_t size);

#endif
