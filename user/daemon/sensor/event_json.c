/* event_json.c: sensor records to JSON objects: header fields, then the fields of each record type. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>

#include "daemon/sensor/event_json.h"

static const char *const type_names[EV_TYPE_MAX] = {
	[EV_EXEC] = "exec", [EV_FORK] = "fork", [EV_EXIT] = "exit",
	[EV_NET] = "net", [EV_SOCK_STATE] = "sock_state", [EV_SEED] = "seed",
	[EV_MCP_STDOUT] = "mcp_stdout", [EV_DENY] = "deny",
};

static const enum audit_kind type_kinds[EV_TYPE_MAX] = {
	[EV_EXEC] = AUDIT_EXEC, [EV_FORK] = AUDIT_FORK, [EV_EXIT] = AUDIT_EXIT,
	[EV_NET] = AUDIT_NET, [EV_SOCK_STATE] = AUDIT_SOCK_STATE, [EV_SEED] = AUDIT_SEED,
	[EV_MCP_STDOUT] = AUDIT_MCP_STDOUT, [EV_DENY] = AUDIT_DENY,
};

static const size_t type_sizes[EV_TYPE_MAX] = {
	[EV_EXEC] = sizeof(struct ev_exec), [EV_FORK] = sizeof(struct ev_fork),
	[EV_EXIT] = sizeof(struct ev_exit), [EV_NET] = sizeof(struct ev_net),
	[EV_SOCK_STATE] = sizeof(struct ev_sock_state), [EV_SEED] = sizeof(struct ev_hdr),
	[EV_MCP_STDOUT] = sizeof(struct ev_mcp_stdout), [EV_DENY] = sizeof(struct ev_deny),
};

static const char *const deny_ops[] = {
	[DENY_EXEC] = "exec", [DENY_CONNECT] = "connect", [DENY_SENDMSG] = "sendmsg", [DENY_FORK] = "fork",
	[DENY_PTRACE] = "ptrace",
};

static const char *const deny_rules[] = {
	[DR_EXEC_DENY] = "exec.deny", [DR_EXEC_ALLOW] = "exec.allow", [DR_NET_DENY] = "network.deny",
	[DR_NET_EGRESS] = "network.egress", [DR_MAX_PROCESSES] = "max_processes",
	[DR_UNIX_DENY] = "network.unix.deny", [DR_UNIX_ALLOW] = "network.unix.allow",
	[DR_UNIX_UNCLEAR] = "network.unix", [DR_LINEAGE_LOST] = "lineage",
	[DR_UNIX_FILE] = "network.unix.deny", [DR_LINEAGE_BUDGET] = "lineage_budget",
	[DR_CALL_ISOLATION] = "call_isolation",
};

static const char *const net_ops[] = {
	[NET_CONNECT] = "connect", [NET_BIND] = "bind", [NET_LISTEN] = "listen",
	[NET_ACCEPT] = "accept", [NET_SENDTO] = "sendto", [NET_SENDMSG] = "sendmsg",
	[NET_SENDMMSG] = "sendmmsg", [NET_SEND_HOOKED] = "send_hooked",
};

/* Linux TCP_* states, as in include/net/tcp_states.h. */
static const char *const tcp_states[] = {
	"UNKNOWN", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT",
	"CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV", "BOUND_INACTIVE",
};

#define NAME_OR(table, i, dflt) \
	((unsigned)(i) < sizeof(table) / sizeof(table[0]) && (table)[i] ? (table)[i] : (dflt))

const char *event_type_name(unsigned type)
{
	return NAME_OR(type_names, type, "unknown");
}

enum audit_kind event_audit_kind(unsigned type)
{
	return type < EV_TYPE_MAX ? type_kinds[type] : AUDIT_KIND_COUNT;
}

const struct ev_hdr *event_check(const void *data, size_t size, const char **why)
{
	const struct ev_hdr *h = data;

	if (size < sizeof(*h)) {
		*why = "shorter than a header";
		return NULL;
	}
	if (h->version != EV_VERSION) {
		*why = "unknown version";
		return NULL;
	}
	if (h->type >= EV_TYPE_MAX || !type_sizes[h->type] || h->size != type_sizes[h->type] || size < h->size) {
		*why = "unknown type or wrong size";
		return NULL;
	}
	return h;
}

static const char *family_name(unsigned family)
{
	switch (family) {
	case AF_INET: return "inet";
	case AF_INET6: return "inet6";
	case AF_UNIX: return "unix";
	default: return NULL;
	}
}

/* Adds "<prefix>family", address and port; `addr` holds 4 (AF_INET) or 16 bytes. */
static void add_inet(cJSON *o, const char *addr_key, const char *port_key, unsigned family,
		     const __u8 *addr, unsigned port)
{
	char text[INET6_ADDRSTRLEN];

	if ((family == AF_INET || family == AF_INET6) && inet_ntop(family, addr, text, sizeof(text)))
		cJSON_AddStringToObject(o, addr_key, text);
	cJSON_AddNumberToObject(o, port_key, port);
}

/* Adds a possibly unterminated char array as a string. */
static void add_chars(cJSON *o, const char *key, const char *s, size_t max)
{
	char buf[EV_FILENAME_LEN + 1];
	size_t n = strnlen(s, max < EV_FILENAME_LEN ? max : EV_FILENAME_LEN);

	memcpy(buf, s, n);
	buf[n] = '\0';
	cJSON_AddStringToObject(o, key, buf);
}

/* 64-bit values as exact JSON integers: cJSON numbers are doubles, exact only below 2^53. */
static cJSON *u64_item(uint64_t v)
{
	char text[24];

	snprintf(text, sizeof(text), "%" PRIu64, v);
	return cJSON_CreateRaw(text);
}

cJSON *lost_events_json(const char *source)
{
	cJSON *o = cJSON_CreateObject();
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);	/* the clock of bpf_ktime_get_ns, as in the events' "ts" */
	cJSON_AddStringToObject(o, "type", "lost_events");
	cJSON_AddStringToObject(o, "source", source);
	cJSON_AddNumberToObject(o, "ts", (double)ts.tv_sec * 1e9 + ts.tv_nsec);
	return o;
}

void add_u64(cJSON *o, const char *key, uint64_t v)
{
	cJSON_AddItemToObject(o, key, u64_item(v));
}

static void add_hdr(cJSON *o, const struct ev_hdr *h)
{
	cJSON *calls;

	cJSON_AddStringToObject(o, "type", event_type_name(h->type));
	add_u64(o, "ts", h->ts_ns);
	cJSON_AddNumberToObject(o, "pid", h->pid);
	cJSON_AddNumberToObject(o, "tid", h->tid);
	cJSON_AddNumberToObject(o, "ppid", h->ppid);
	add_u64(o, "start_time", h->start_time);
	cJSON_AddNumberToObject(o, "uid", h->uid);
	add_u64(o, "cgroup_id", h->cgroup_id);
	cJSON_AddNumberToObject(o, "server_id", h->server_id);
	calls = cJSON_AddArrayToObject(o, "calls");
	for (unsigned i = 0; calls && i < h->ncalls && i < EV_MAX_CALLS; i++)
		cJSON_AddItemToArray(calls, u64_item(h->calls[i]));
	/* Forked while several calls ran: any of them may have caused it, and the event says so. */
	cJSON_AddBoolToObject(o, "ambiguous", h->ncalls > 1);
	add_chars(o, "comm", h->comm, sizeof(h->comm));
}

static void add_exec(cJSON *o, const struct ev_exec *e)
{
	cJSON *argv = cJSON_AddArrayToObject(o, "argv");
	size_t len = e->args_len < EV_ARGS_LEN ? e->args_len : EV_ARGS_LEN;
	unsigned shown = 0;
	char arg[EV_ARGS_LEN + 1];

	add_chars(o, "exe", e->filename, sizeof(e->filename));
	for (size_t pos = 0; argv && pos < len && shown < EV_MAX_ARGS; shown++) {
		size_t n = strnlen(e->args + pos, len - pos);

		memcpy(arg, e->args + pos, n);
		arg[n] = '\0';
		cJSON_AddItemToArray(argv, cJSON_CreateString(arg));
		pos += n + 1;
	}
	cJSON_AddNumberToObject(o, "argc", e->argc);
	cJSON_AddBoolToObject(o, "argv_truncated", e->args_truncated || e->argc > shown);
	cJSON_AddNumberToObject(o, "old_tid", e->old_tid);
}

static void add_net(cJSON *o, const struct ev_net *e)
{
	const char *family = family_name(e->addr.family);

	cJSON_AddStringToObject(o, "op", NAME_OR(net_ops, e->op, "unknown"));
	cJSON_AddNumberToObject(o, "fd", e->fd);
	cJSON_AddNumberToObject(o, "result", e->result);
	if (!family)
		return;
	cJSON_AddStringToObject(o, "family", family);
	if (e->addr.family == AF_UNIX)
		add_chars(o, "path", e->addr.path, sizeof(e->addr.path));
	else
		add_inet(o, "addr", "port", e->addr.family, e->addr.addr, e->addr.port);
}

static void add_sock_state(cJSON *o, const struct ev_sock_state *e)
{
	const char *family = family_name(e->family);

	cJSON_AddStringToObject(o, "oldstate", NAME_OR(tcp_states, e->oldstate, "UNKNOWN"));
	cJSON_AddStringToObject(o, "newstate", NAME_OR(tcp_states, e->newstate, "UNKNOWN"));
	cJSON_AddStringToObject(o, "family", family ? family : "unknown");
	cJSON_AddNumberToObject(o, "protocol", e->protocol);
	add_inet(o, "saddr", "sport", e->family, e->saddr, e->sport);
	add_inet(o, "addr", "port", e->family, e->daddr, e->dport);
}

const char *deny_rule_name(unsigned rule)
{
	return NAME_OR(deny_rules, rule, "unknown");
}

static void add_deny(cJSON *o, const struct ev_deny *e)
{
	cJSON_AddStringToObject(o, "op", NAME_OR(deny_ops, e->op, "unknown"));
	cJSON_AddStringToObject(o, "rule_kind", deny_rule_name(e->rule));
	add_u64(o, "rule_call", e->call);
	cJSON_AddStringToObject(o, "action", (e->op == DENY_CONNECT || e->op == DENY_SENDMSG || e->lsm) &&
				e->rule != DR_UNIX_FILE ? "refused" : "killed");
	if (e->op == DENY_EXEC)
		add_chars(o, "exe", e->filename, sizeof(e->filename));
	if (e->op == DENY_FORK)
		cJSON_AddNumberToObject(o, "limit", e->limit);
	if (e->op == DENY_CONNECT || e->op == DENY_SENDMSG) {
		cJSON_AddStringToObject(o, "family", family_name(e->addr.family) ? family_name(e->addr.family) : "unknown");
		if (e->addr.family == AF_UNIX) {
			add_chars(o, "path", e->addr.path, sizeof(e->addr.path));
			return;
		}
		add_inet(o, "addr", "port", e->addr.family, e->addr.addr, e->addr.port);
		cJSON_AddStringToObject(o, "protocol", e->protocol == 6 ? "tcp" : e->protocol == 17 ? "udp" : "other");
	}
}

cJSON *event_json(const struct ev_hdr *h)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	add_hdr(o, h);
	switch (h->type) {
	case EV_EXEC:
		add_exec(o, (const struct ev_exec *)h);
		break;
	case EV_FORK:
		add_u64(o, "parent_start_time", ((const struct ev_fork *)h)->parent_start_time);
		break;
	case EV_EXIT:
		cJSON_AddNumberToObject(o, "exit_code", (((const struct ev_exit *)h)->exit_code >> 8) & 0xff);
		cJSON_AddNumberToObject(o, "signal", ((const struct ev_exit *)h)->exit_code & 0x7f);
		break;
	case EV_NET:
		add_net(o, (const struct ev_net *)h);
		break;
	case EV_SOCK_STATE:
		add_sock_state(o, (const struct ev_sock_state *)h);
		break;
	case EV_MCP_STDOUT:
		cJSON_AddStringToObject(o, "reply", ((const struct ev_mcp_stdout *)h)->reply == MCP_INITIALIZE ?
					"initialize" : "tools_list");
		break;
	case EV_DENY:
		add_deny(o, (const struct ev_deny *)h);
		break;
	}
	return o;
}
