/* model.h: the one internal policy model that every input format loads into. */
#ifndef MCPWARDEN_POLICY_MODEL_H
#define MCPWARDEN_POLICY_MODEL_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <cJSON.h>

enum rule_action {
	ACTION_EVALUATE,	/* deny when a condition fails or a limit is reached */
	ACTION_ALLOW,		/* the same; the seed style's name for it */
	ACTION_DENY,		/* deny when all conditions hold (always, without any) */
	ACTION_REQUIRE_APPROVAL,/* deny until an approver exists */
};

enum cond_op {
	OP_EQ, OP_NEQ, OP_IN, OP_NOT_IN, OP_LT, OP_LTE, OP_GT, OP_GTE,
	OP_REGEX, OP_CONTAINS, OP_EXISTS,
};

enum deny_style {
	DENY_AS_RESULT,		/* result with isError and a _meta marker (default) */
	DENY_AS_ERROR,		/* JSON-RPC error */
};

struct condition {
	char *path;		/* "args.a.b" or "state.TOOL.COUNTER" */
	enum cond_op op;
	cJSON *value;		/* typed: number, string, bool, null or array */
	regex_t re;		/* compiled when op is OP_REGEX */
	int line;
};

struct state_update {
	char *counter;		/* counter name; path state.ENTRY.counter reads it */
	long window_s;		/* fixed window length */
	double increment;	/* added per allowed call... */
	char *increment_from;	/* ...or the number at this args path */
};

struct rule {
	char *name;
	char *reason;		/* on_deny / reason text */
	enum rule_action action;
	long rate_max;		/* 0: no rate limit */
	long rate_window_s;
	bool rate_intercept;	/* rate_limit: "N/window": Intercept's, whose count it names _rate_<window> */
	struct condition *conds;
	size_t nconds;
	struct state_update *state;
	bool required_args;	/* validate: {required_args: true} */
	bool schema;		/* validate: {schema: true} */
	int line;
};

struct cidr_rule {
	int family;		/* AF_INET or AF_INET6 */
	unsigned char addr[16];
	int prefix;
	int port;		/* 0: any port */
};

struct sandbox {
	bool present;
	char **exec_allow, **exec_deny;
	size_t nexec_allow, nexec_deny;
	int egress;		/* -1 unset, 0 deny, 1 allow */
	struct cidr_rule *net_allow, *net_deny;
	size_t nnet_allow, nnet_deny;
	char **unix_allow, **unix_deny;	/* network.unix entries (policy/unix_rule.h) */
	size_t nunix_allow, nunix_deny;
	long max_processes;	/* 0: unset */
	bool kill_on_end;	/* on_end: kill (tool level): what a call leaves running dies when it ends */
	long max_runtime_ms;	/* 0: unset */
	char **syscalls_deny;	/* server level only: added to the seccomp baseline (shim/harden.h) */
	size_t nsyscalls_deny;
	char **caps_keep;	/* server level only: capabilities a root server keeps */
	size_t ncaps_keep;
	int line, exec_deny_line;	/* where the block and its exec.deny are (0: not from a file) */
};

struct tool_policy {
	char *name;		/* tool name or "*" */
	struct rule *rules;
	size_t nrules;
	long timeout_ms;	/* 0: none */
	struct sandbox sandbox;
	int line;
};

struct policy {
	char *path;
	char *description;
	bool default_deny;
	char **hide;
	size_t nhide;
	struct tool_policy *tools;
	size_t ntools;
	enum deny_style deny_style;
	bool deny_text_intercept;	/* deny_text: intercept: the refusal's text is "[INTERCEPT POLICY DENIED] reason" */
	bool audit_args_full;	/* store tool arguments, not only their hash */
	bool validate_schema;	/* check every call against the server's inputSchema */
	struct sandbox sandbox;	/* server-wide */
};

void policy_free(struct policy *p);
/* Frees what a sandbox holds (its lists), not the struct itself. */
void sandbox_free(struct sandbox *s);
const struct tool_policy *policy_tool(const struct policy *p, const char *name);
/* The entry whose sandbox a call of `entry`'s tool runs under (entry NULL: a tool the policy does not
 * list): the entry's own, else "*"'s. NULL when neither has a sandbox. */
const struct tool_policy *policy_sandbox_entry(const struct policy *p, const struct tool_policy *entry);
/* Whether tool is hidden: named in hide, or hide holds "*" (every tool, as Intercept has it). */
bool policy_hidden(const struct policy *p, const char *tool);

#endif
