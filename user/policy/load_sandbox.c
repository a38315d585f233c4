/* load_sandbox.c: loads a `sandbox:` block (exec, network, process and runtime limits, and the server's syscalls and capabilities). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/socket.h>

#include <seccomp.h>

#include "policy/duration.h"
#include "policy/load.h"
#include "policy/unix_rule.h"
#include "sandbox.h"

static const char *const sandbox_keys[] = { "exec", "network", "max_processes", "max_runtime", "syscalls",
					     "capabilities", "on_end", NULL };
static const char *const syscalls_keys[] = { "deny", NULL };
static const char *const caps_keys[] = { "keep", NULL };
static const char *const exec_keys[] = { "allow", "deny", NULL };
static const char *const net_keys[] = { "egress", "allow", "deny", "unix", NULL };
static const char *const unix_keys[] = { "allow", "deny", NULL };

/* "10.0.0.0/8", "127.0.0.1:8080", "[::1]:443", "::/0", "0.0.0.0/0:53". */
static int parse_cidr(const char *s, struct cidr_rule *c)
{
	char buf[128], *addr = buf, *port = NULL, *slash, *end;
	int maxbits;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	if (buf[0] == '[') {
		char *close = strchr(buf, ']');

		if (!close)
			return -1;
		*close = '\0';
		addr = buf + 1;
		if (close[1] == ':')
			port = close + 2;
		else if (close[1])
			return -1;
	} else if (strchr(buf, '.') && strrchr(buf, ':')) {
		port = strrchr(buf, ':');
		*port++ = '\0';
	}
	slash = strchr(addr, '/');
	if (slash)
		*slash++ = '\0';
	c->family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	maxbits = c->family == AF_INET6 ? 128 : 32;
	if (inet_pton(c->family, addr, c->addr) != 1)
		return -1;
	c->prefix = maxbits;
	if (slash) {
		errno = 0;
		c->prefix = (int)strtol(slash, &end, 10);
		if (errno || end == slash || *end || c->prefix < 0 || c->prefix > maxbits)
			return -1;
	}
	if (port) {
		errno = 0;
		c->port = (int)strtol(port, &end, 10);
		if (errno || end == port || *end || c->port < 1 || c->port > 65535)
			return -1;
	}
	/* ::ffff:a.b.c.d goes out as IPv4, and the kernel's rules judge it so: a rule naming it is an IPv4 rule.
	 * A shorter prefix would cover v4-mapped and IPv6 addresses at once: one rule can't say that. */
	if (c->family == AF_INET6 && IN6_IS_ADDR_V4MAPPED((struct in6_addr *)c->addr)) {
		if (c->prefix < 96)
			return -1;
		memmove(c->addr, c->addr + 12, 4);
		memset(c->addr + 4, 0, 12);
		c->family = AF_INET;
		c->prefix -= 96;
	}
	return 0;
}

static int load_cidrs(struct ydoc *d, const ynode *n, const char *field,
		      struct cidr_rule **out, size_t *count)
{
	if (!ynode_is_seq(n))
		return ydoc_fail(d, n, field, "must be a list of CIDR[:port]");
	*out = calloc(yseq_len(n) + 1, sizeof(**out));
	if (!*out)
		return ydoc_fail(d, n, field, "out of memory");
	for (size_t i = 0; i < yseq_len(n); i++) {
		ynode *item = yseq_item(d, n, i);
		char sub[YFIELD_MAX];

		yfield(sub, "%s[%zu]", field, i);
		if (!ynode_is_scalar(item) || parse_cidr(ynode_scalar(item), &(*out)[i]) < 0)
			return ydoc_fail(d, item, sub, "'%s' is not an address, CIDR or CIDR:port",
					 ynode_is_scalar(item) ? ynode_scalar(item) : "");
		(*count)++;
	}
	return 0;
}

/* network.unix: {allow: [...], deny: [...]}, entries as policy/unix_rule.h says. */
static int load_unix(struct ydoc *d, const ynode *n, const char *field, struct sandbox *sb)
{
	char ***lists[2] = { &sb->unix_allow, &sb->unix_deny };
	size_t *counts[2] = { &sb->nunix_allow, &sb->nunix_deny };
	char sub[YFIELD_MAX];

	if (ydoc_check_map(d, n, field, unix_keys) < 0)
		return -1;
	for (size_t l = 0; l < 2; l++) {
		const ynode *v = ymap_get(d, n, unix_keys[l]);
		const char *why;

		yfield(sub, "%s.%s", field, unix_keys[l]);
		if (v && yget_strv(d, v, sub, lists[l], counts[l]) < 0)
			return -1;
		for (size_t i = 0; v && i < *counts[l]; i++) {
			if ((why = unix_rule_check((*lists[l])[i]))) {
				yfield(sub, "%s.%s[%zu]", field, unix_keys[l], i);
				return ydoc_fail(d, yseq_item(d, v, i), sub, "'%s': %s", (*lists[l])[i], why);
			}
		}
	}
	if (sb->nunix_allow + sb->nunix_deny > SB_MAX_UNIX_RULES)
		return ydoc_fail(d, n, field, "at most %d allow and deny entries in all (the kernel's table)",
				 SB_MAX_UNIX_RULES);
	return 0;
}

static int load_network(struct ydoc *d, const ynode *n, const char *field, struct sandbox *sb)
{
	char sub[YFIELD_MAX];
	ynode *v;

	if (ydoc_check_map(d, n, field, net_keys) < 0)
		return -1;
	yfield(sub, "%s.egress", field);
	if ((v = ymap_get(d, n, "egress"))) {
		const char *s = ynode_is_scalar(v) ? ynode_scalar(v) : "";

		if (strcmp(s, "allow") && strcmp(s, "deny"))
			return ydoc_fail(d, v, sub, "must be allow or deny");
		sb->egress = !strcmp(s, "allow");
	}
	yfield(sub, "%s.allow", field);
	if ((v = ymap_get(d, n, "allow")) && load_cidrs(d, v, sub, &sb->net_allow, &sb->nnet_allow) < 0)
		return -1;
	yfield(sub, "%s.deny", field);
	if ((v = ymap_get(d, n, "deny")) && load_cidrs(d, v, sub, &sb->net_deny, &sb->nnet_deny) < 0)
		return -1;
	if (sb->nnet_allow + sb->nnet_deny > SB_MAX_NET_RULES)
		return ydoc_fail(d, n, field, "at most %d allow and deny entries in all (the kernel's table)",
				 SB_MAX_NET_RULES);
	yfield(sub, "%s.unix", field);
	if ((v = ymap_get(d, n, "unix")) && load_unix(d, v, sub, sb) < 0)
		return -1;
	return 0;
}

/* A list of names under key `key` of map `n` (a `sandbox.syscalls` or `sandbox.capabilities` block), each one
 * `known` accepts. */
static int load_names(struct ydoc *d, const ynode *n, const char *field, const char *key, char ***out, size_t *count,
		      bool (*known)(const char *), const char *what, const char *where)
{
	char sub[YFIELD_MAX];
	const ynode *v = ymap_get(d, n, key);

	yfield(sub, "%s.%s", field, key);
	if (!v || yget_strv(d, v, sub, out, count) < 0)
		return v ? -1 : 0;
	for (size_t i = 0; i < *count; i++) {
		if (!known((*out)[i])) {
			yfield(sub, "%s.%s[%zu]", field, key, i);
			return ydoc_fail(d, v, sub, "no %s '%s'%s", what, (*out)[i], where);
		}
	}
	return 0;
}

static bool syscall_known(const char *name)
{
	return seccomp_syscall_resolve_name(name) != __NR_SCMP_ERROR;
}

static bool cap_known(const char *name)
{
	cap_value_t c;

	return !cap_from_name(name, &c);
}

/* syscalls: {deny: [...]} and capabilities: {keep: [...]}: set once, when the server starts (shim/harden.h). */
static int load_hardening(struct ydoc *d, const ynode *n, const char *field, bool top, struct sandbox *sb)
{
	static const char *const keys[] = { "syscalls", "capabilities" };
	char sub[YFIELD_MAX];
	const ynode *v;

	for (size_t i = 0; i < 2; i++) {
		if (!(v = ymap_get(d, n, keys[i])))
			continue;
		yfield(sub, "%s.%s", field, keys[i]);
		if (!top)
			return ydoc_fail(d, v, sub, "only in the top-level sandbox: it is set once, when the server starts");
		if (ydoc_check_map(d, v, sub, i ? caps_keys : syscalls_keys) < 0 ||
		    (i ? load_names(d, v, sub, "keep", &sb->caps_keep, &sb->ncaps_keep, cap_known, "capability", "")
		       : load_names(d, v, sub, "deny", &sb->syscalls_deny, &sb->nsyscalls_deny, syscall_known,
				    "syscall", " on this architecture")) < 0)
			return -1;
	}
	return 0;
}

int load_sandbox(struct ydoc *d, const ynode *n, const char *field, bool top, struct sandbox *sb)
{
	char sub[YFIELD_MAX];
	ynode *v;

	sb->present = true;
	sb->egress = -1;
	sb->line = ydoc_line(n);
	if (ydoc_check_map(d, n, field, sandbox_keys) < 0)
		return -1;
	if ((v = ymap_get(d, n, "exec"))) {
		yfield(sub, "%s.exec", field);
		if (ydoc_check_map(d, v, sub, exec_keys) < 0)
			return -1;
		yfield(sub, "%s.exec.allow", field);
		if (ymap_get(d, v, "allow") &&
		    yget_strv(d, ymap_get(d, v, "allow"), sub, &sb->exec_allow, &sb->nexec_allow) < 0)
			return -1;
		yfield(sub, "%s.exec.deny", field);
		if (ymap_get(d, v, "deny") &&
		    yget_strv(d, ymap_get(d, v, "deny"), sub, &sb->exec_deny, &sb->nexec_deny) < 0)
			return -1;
		sb->exec_deny_line = sb->exec_deny ? ydoc_line(ymap_get(d, v, "deny")) : 0;
	}
	if ((v = ymap_get(d, n, "network"))) {
		yfield(sub, "%s.network", field);
		if (load_network(d, v, sub, sb) < 0)
			return -1;
	}
	yfield(sub, "%s.max_processes", field);
	if ((v = ymap_get(d, n, "max_processes")) &&
	    (yget_long(d, v, sub, &sb->max_processes) < 0 || sb->max_processes <= 0 ||
	     sb->max_processes > (long)UINT32_MAX))
		return ydoc_fail(d, v, sub, "must be a whole number from 1 to 4294967295");
	if (load_hardening(d, n, field, top, sb) < 0)
		return -1;
	yfield(sub, "%s.max_runtime", field);
	if ((v = ymap_get(d, n, "max_runtime")) &&
	    (!ynode_is_scalar(v) || (sb->max_runtime_ms = duration_ms(ynode_scalar(v))) <= 0))
		return ydoc_fail(d, v, sub, "must be a duration such as 30s");
	yfield(sub, "%s.on_end", field);
	if ((v = ymap_get(d, n, "on_end"))) {
		const char *s = ynode_is_scalar(v) ? ynode_scalar(v) : "";

		if (top)
			return ydoc_fail(d, v, sub, "only in a tool's sandbox: it is about what a call leaves running");
		if (strcmp(s, "kill") && strcmp(s, "keep"))
			return ydoc_fail(d, v, sub, "must be kill or keep");
		sb->kill_on_end = !strcmp(s, "kill");
	}
	return 0;
}
