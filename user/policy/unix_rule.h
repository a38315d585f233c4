/* unix_rule.h: which network.unix entries and addresses the kernel's table can match, said once for the policy loader, the wire and the daemon. */
#ifndef MCPWARDEN_UNIX_RULE_H
#define MCPWARDEN_UNIX_RULE_H

#include <stddef.h>

/*
 * A network.unix entry names a unix socket address as connect(2) and sendmsg(2)
 * give it, matched by its bytes (bpf/enforce.bpf.c):
 *   "/run/docker.sock"  that path;
 *   "/run/user/"        every path below that directory (an entry ending in '/');
 *   "@name"             the abstract name "name"; "@" alone, every abstract name.
 * A path must be absolute and canonical: no empty, "." or ".." component.
 * The address a process gives is judged by the same form, so a relative or
 * non-canonical address ("sock", "/run//docker.sock", "/tmp/../run/x") or one
 * under /proc is refused under any set that has network.unix entries
 * (DR_UNIX_UNCLEAR). The kernel follows links the match does not see, so
 * after a connect the socket reached is judged again, by its file and by the
 * path its listener bound (bpf/sandbox.bpf.h, sandbox_unix_connected).
 */

/* NULL when `s` is a valid entry, else why not (a constant string). */
const char *unix_rule_check(const char *s);

#endif
