/* sandbox_wire.c: a policy's sandbox block on the control socket: encoded by the shim, decoded by the daemon. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "policy/sandbox_wire.h"
#include "policy/unix_rule.h"
#include "policy/ydoc.h"
#include "sandbox.h"

static cJSON *strv(char **v, size_t n)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t i = 0; a && i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
	return a;
}

static cJSON *nets(const struct cidr_rule *r, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	char text[INET6_ADDRSTRLEN];

	for (size_t i = 0; a && i < n; i++) {
		cJSON *o = cJSON_CreateObject();

		if (!o || !inet_ntop(r[i].family, r[i].addr, text, sizeof(text))) {
			cJSON_Delete(o);
			continue;
		}
		cJSON_AddNumberToObject(o, "family", r[i].family == AF_INET6 ? 6 : 4);
		cJSON_AddStringToObject(o, "addr", text);
		cJSON_AddNumberToObject(o, "prefix", r[i].prefix);
		cJSON_AddNumberToObject(o, "port", r[i].port);
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

cJSON *sandbox_wire_encode(const struct sandbox *sb)
{
	cJSON *o, *exec, *net, *sockets;

	if (!sb->present || !(o = cJSON_CreateObject()))
		return NULL;
	if ((sb->exec_allow || sb->exec_deny) && (exec = cJSON_AddObjectToObject(o, "exec"))) {
		if (sb->exec_allow)
			cJSON_AddItemToObject(exec, "allow", strv(sb->exec_allow, sb->nexec_allow));
		if (sb->exec_deny)
			cJSON_AddItemToObject(exec, "deny", strv(sb->exec_deny, sb->nexec_deny));
	}
	if ((sb->egress >= 0 || sb->net_allow || sb->net_deny || sb->unix_allow || sb->unix_deny) &&
	    (net = cJSON_AddObjectToObject(o, "network"))) {
		/* An allow list without `egress` means: only what it lists. */
		if (sb->egress >= 0 || sb->net_allow)
			cJSON_AddStringToObject(net, "egress", sb->egress == 1 ? "allow" : "deny");
		if (sb->net_allow)
			cJSON_AddItemToObject(net, "allow", nets(sb->net_allow, sb->nnet_allow));
		if (sb->net_deny)
			cJSON_AddItemToObject(net, "deny", nets(sb->net_deny, sb->nnet_deny));
		if ((sb->unix_allow || sb->unix_deny) && (sockets = cJSON_AddObjectToObject(net, "unix"))) {
			if (sb->unix_allow)
				cJSON_AddItemToObject(sockets, "allow", strv(sb->unix_allow, sb->nunix_allow));
			if (sb->unix_deny)
				cJSON_AddItemToObject(sockets, "deny", strv(sb->unix_deny, sb->nunix_deny));
		}
	}
	if (sb->max_processes)
		cJSON_AddNumberToObject(o, "max_processes", (double)sb->max_processes);
	if (sb->kill_on_end)
		cJSON_AddStringToObject(o, "on_end", "kill");
	return o;
}

/* Writes "FIELD: message" into why; returns -1. */
__attribute__((format(printf, 4, 5)))
static int bad(char *why, size_t size, const char *field, const char *fmt, ...)
{
	int n = snprintf(why, size, "%s: ", field);
	va_list ap;

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < size)
		vsnprintf(why + n, size - n, fmt, ap);
	va_end(ap);
	return -1;
}

/* The path of `key` in the object at `field` ("" for the block itself). */
static const char *sub(char out[YFIELD_MAX], const char *field, const char *key)
{
	yfield(out, "%s%s%s", field, *field ? "." : "", key);
	return out;
}

/* An object whose keys are all in `keys` (NULL-terminated, at most 32), each once: a repeated key would
 * let the audit log's copy of the request (read last-wins) say other rules than the ones installed. */
static int check_object(const cJSON *o, const char *field, const char *const *keys, char *why, size_t size)
{
	const cJSON *it;
	char path[YFIELD_MAX];
	uint32_t seen = 0;

	if (!cJSON_IsObject(o))
		return bad(why, size, *field ? field : "sandbox", "must be an object");
	cJSON_ArrayForEach(it, o) {
		size_t i = 0;

		while (keys[i] && strcmp(keys[i], it->string))
			i++;
		if (!keys[i])
			return bad(why, size, sub(path, field, it->string), "unknown key");
		if (seen & (1u << i))
			return bad(why, size, sub(path, field, it->string), "key repeated");
		seen |= 1u << i;
	}
	return 0;
}

/* A whole number in [lo, hi]. */
static int whole(const cJSON *v, const char *field, double lo, double hi, double *out, char *why, size_t size)
{
	if (!v)
		return bad(why, size, field, "missing");
	if (!cJSON_IsNumber(v))
		return bad(why, size, field, "must be a number");
	if (v->valuedouble < lo || v->valuedouble > hi)
		return bad(why, size, field, "%.17g is out of range %.0f..%.0f", v->valuedouble, lo, hi);
	if (v->valuedouble != (double)(int64_t)v->valuedouble)
		return bad(why, size, field, "%.17g is not a whole number", v->valuedouble);
	*out = v->valuedouble;
	return 0;
}

/* A new array for the entries of list `a` (of `what`), one spare: an empty list is still a list. NULL (why set)
 * when `a` is no list, or on OOM. */
static void *new_list(const cJSON *a, const char *field, const char *what, size_t entry, char *why, size_t size)
{
	void *v;

	if (!cJSON_IsArray(a)) {
		bad(why, size, field, "must be a list of %s", what);
		return NULL;
	}
	if (!(v = calloc((size_t)cJSON_GetArraySize(a) + 1, entry)))
		bad(why, size, field, "out of memory");
	return v;
}

/* Decodes `v`, at `field`, into entry i of the array `list`. */
typedef int decode_entry(const cJSON *v, const char *field, void *list, size_t i, char *why, size_t size);

/* Decodes each entry of list `a` into `list` (from new_list); *n counts those decoded, which the model frees
 * even after a failure. */
static int decode_list(const cJSON *a, const char *field, void *list, size_t *n, decode_entry *one, char *why,
		       size_t size)
{
	const cJSON *it;
	char path[YFIELD_MAX];

	cJSON_ArrayForEach(it, a) {
		yfield(path, "%s[%zu]", field, *n);
		if (one(it, path, list, *n, why, size))
			return -1;
		(*n)++;
	}
	return 0;
}

static int decode_str(const cJSON *v, const char *field, void *list, size_t i, char *why, size_t size)
{
	char **strs = list;

	if (!cJSON_IsString(v))
		return bad(why, size, field, "must be a string");
	if (!(strs[i] = strdup(v->valuestring)))
		return bad(why, size, field, "out of memory");
	return 0;
}

static int decode_exec(const cJSON *o, struct sandbox *sb, char *why, size_t size)
{
	static const char *const keys[] = { "allow", "deny", NULL };
	const cJSON *allow = cJSON_GetObjectItemCaseSensitive(o, "allow");
	const cJSON *deny = cJSON_GetObjectItemCaseSensitive(o, "deny");

	if (check_object(o, "exec", keys, why, size))
		return -1;
	if (allow && (!(sb->exec_allow = new_list(allow, "exec.allow", "strings", sizeof(char *), why, size)) ||
		      decode_list(allow, "exec.allow", sb->exec_allow, &sb->nexec_allow, decode_str, why, size)))
		return -1;
	if (deny && (!(sb->exec_deny = new_list(deny, "exec.deny", "strings", sizeof(char *), why, size)) ||
		     decode_list(deny, "exec.deny", sb->exec_deny, &sb->nexec_deny, decode_str, why, size)))
		return -1;
	return 0;
}

static int decode_net(const cJSON *o, const char *field, void *list, size_t i, char *why, size_t size)
{
	static const char *const keys[] = { "family", "addr", "prefix", "port", NULL };
	const cJSON *fam = cJSON_GetObjectItemCaseSensitive(o, "family");
	const cJSON *addr = cJSON_GetObjectItemCaseSensitive(o, "addr");
	struct cidr_rule *c = (struct cidr_rule *)list + i;
	char path[YFIELD_MAX];
	double prefix, port;

	if (check_object(o, field, keys, why, size))
		return -1;
	if (!cJSON_IsNumber(fam) || (fam->valuedouble != 4 && fam->valuedouble != 6))
		return bad(why, size, sub(path, field, "family"), "must be 4 or 6");
	c->family = fam->valuedouble == 6 ? AF_INET6 : AF_INET;
	if (!cJSON_IsString(addr) || inet_pton(c->family, addr->valuestring, c->addr) != 1)
		return bad(why, size, sub(path, field, "addr"), "must be an IPv%.0f address", fam->valuedouble);
	if (whole(cJSON_GetObjectItemCaseSensitive(o, "prefix"), sub(path, field, "prefix"), 0,
		  c->family == AF_INET6 ? 128 : 32, &prefix, why, size) ||
	    whole(cJSON_GetObjectItemCaseSensitive(o, "port"), sub(path, field, "port"), 0, 65535, &port, why, size))
		return -1;
	c->prefix = (int)prefix;
	c->port = (int)port;
	return 0;
}

/* A network.unix entry: a string of a form policy/unix_rule.h accepts. */
static int decode_unix_entry(const cJSON *v, const char *field, void *list, size_t i, char *why, size_t size)
{
	const char *err;

	if (decode_str(v, field, list, i, why, size))
		return -1;
	if ((err = unix_rule_check(((char **)list)[i]))) {
		bad(why, size, field, "'%s': %s", ((char **)list)[i], err);
		free(((char **)list)[i]);	/* not counted: the model would not free it */
		((char **)list)[i] = NULL;
		return -1;
	}
	return 0;
}

static int decode_unix(const cJSON *o, struct sandbox *sb, char *why, size_t size)
{
	static const char *const keys[] = { "allow", "deny", NULL };
	const cJSON *allow = cJSON_GetObjectItemCaseSensitive(o, "allow");
	const cJSON *deny = cJSON_GetObjectItemCaseSensitive(o, "deny");

	if (check_object(o, "network.unix", keys, why, size))
		return -1;
	if (cJSON_GetArraySize(allow) + cJSON_GetArraySize(deny) > SB_MAX_UNIX_RULES)
		return bad(why, size, "network.unix", "at most %d allow and deny entries in all", SB_MAX_UNIX_RULES);
	if (allow && (!(sb->unix_allow = new_list(allow, "network.unix.allow", "strings", sizeof(char *), why, size)) ||
		      decode_list(allow, "network.unix.allow", sb->unix_allow, &sb->nunix_allow, decode_unix_entry,
				  why, size)))
		return -1;
	if (deny && (!(sb->unix_deny = new_list(deny, "network.unix.deny", "strings", sizeof(char *), why, size)) ||
		     decode_list(deny, "network.unix.deny", sb->unix_deny, &sb->nunix_deny, decode_unix_entry, why,
				 size)))
		return -1;
	return 0;
}

#define NETS "{family, addr, prefix, port}"

static int decode_network(const cJSON *o, struct sandbox *sb, char *why, size_t size)
{
	static const char *const keys[] = { "egress", "allow", "deny", "unix", NULL };
	const cJSON *sockets = cJSON_GetObjectItemCaseSensitive(o, "unix");
	const cJSON *egress = cJSON_GetObjectItemCaseSensitive(o, "egress");
	const cJSON *allow = cJSON_GetObjectItemCaseSensitive(o, "allow");
	const cJSON *deny = cJSON_GetObjectItemCaseSensitive(o, "deny");

	if (check_object(o, "network", keys, why, size))
		return -1;
	if (egress) {
		const char *s = cJSON_GetStringValue(egress);

		if (!s || (strcmp(s, "allow") && strcmp(s, "deny")))
			return bad(why, size, "network.egress", "must be \"allow\" or \"deny\"");
		sb->egress = !strcmp(s, "allow");
	} else if (allow) {
		sb->egress = 0;	/* as the encoder reads the model: an allow list alone means only what it lists */
	}
	if (cJSON_GetArraySize(allow) + cJSON_GetArraySize(deny) > SB_MAX_NET_RULES)
		return bad(why, size, "network", "at most %d allow and deny entries in all", SB_MAX_NET_RULES);
	if (allow && (!(sb->net_allow = new_list(allow, "network.allow", NETS, sizeof(struct cidr_rule), why, size)) ||
		      decode_list(allow, "network.allow", sb->net_allow, &sb->nnet_allow, decode_net, why, size)))
		return -1;
	if (deny && (!(sb->net_deny = new_list(deny, "network.deny", NETS, sizeof(struct cidr_rule), why, size)) ||
		     decode_list(deny, "network.deny", sb->net_deny, &sb->nnet_deny, decode_net, why, size)))
		return -1;
	return sockets ? decode_unix(sockets, sb, why, size) : 0;
}

static int decode(const cJSON *j, struct sandbox *sb, char *why, size_t size)
{
	static const char *const keys[] = { "exec", "network", "max_processes", "on_end", NULL };
	const cJSON *v;
	double maxp;

	if (check_object(j, "", keys, why, size))
		return -1;
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "exec")) && decode_exec(v, sb, why, size))
		return -1;
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "network")) && decode_network(v, sb, why, size))
		return -1;
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "max_processes"))) {
		if (whole(v, "max_processes", 1, UINT32_MAX, &maxp, why, size))
			return -1;
		sb->max_processes = (long)maxp;
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "on_end"))) {
		if (!cJSON_IsString(v) || (strcmp(v->valuestring, "kill") && strcmp(v->valuestring, "keep")))
			return bad(why, size, "on_end", "must be \"kill\" or \"keep\"");
		sb->kill_on_end = !strcmp(v->valuestring, "kill");
	}
	return 0;
}

int sandbox_wire_decode(const cJSON *j, struct sandbox *sb, char *why, size_t size)
{
	memset(sb, 0, sizeof(*sb));
	sb->present = true;
	sb->egress = -1;
	if (!decode(j, sb, why, size))
		return 0;
	sandbox_free(sb);
	memset(sb, 0, sizeof(*sb));
	return -1;
}
