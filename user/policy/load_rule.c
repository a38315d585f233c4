/* load_rule.c: loads a tool's rules (Intercept and seed styles) and PolicyLayer limits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/duration.h"
#include "policy/load.h"
#include "policy/regex_text.h"

static const char *const rule_keys[] = {
	"name", "action", "reason", "on_deny", "rate_limit", "conditions", "state", "validate", NULL,
};
static const char *const intercept_rule_keys[] = {	/* POLICY_STRICT_INTERCEPT */
	"name", "action", "on_deny", "rate_limit", "conditions", "state", NULL,
};
#define EXTENSION "a mcpwarden extension, refused by --strict-intercept"

static bool strict(const struct ydoc *d)
{
	return d->flags & POLICY_STRICT_INTERCEPT;
}
static const char *const cond_keys[] = { "path", "op", "value", NULL };
static const char *const state_keys[] = { "counter", "window", "increment", "increment_from", NULL };
static const char *const validate_keys[] = { "required_args", "schema", NULL };
static const char *const ratemap_keys[] = { "max", "window", NULL };
static const char *const limit_keys[] = { "counter", "window", "max", "scope", NULL };
static const char *const op_names[] = {
	[OP_EQ] = "eq", [OP_NEQ] = "neq", [OP_IN] = "in", [OP_NOT_IN] = "not_in",
	[OP_LT] = "lt", [OP_LTE] = "lte", [OP_GT] = "gt", [OP_GTE] = "gte",
	[OP_REGEX] = "regex", [OP_CONTAINS] = "contains", [OP_EXISTS] = "exists",
};

/* Intercept's windows: minute, hour, day. */
static bool intercept_window(const char *s)
{
	return !strcmp(s, "minute") || !strcmp(s, "hour") || !strcmp(s, "day");
}

static int load_window(struct ydoc *d, const ynode *n, const char *field, long *out)
{
	if (!ynode_is_scalar(n) || (*out = window_seconds(ynode_scalar(n))) <= 0)
		return ydoc_fail(d, n, field, "must be second, minute, hour, day or a duration such as 10m");
	if (strict(d) && !intercept_window(ynode_scalar(n)))
		return ydoc_fail(d, n, field, "must be minute, hour or day (other windows are " EXTENSION ")");
	return 0;
}

static int load_rate(struct ydoc *d, const ynode *n, const char *field, struct rule *r)
{
	char sub[YFIELD_MAX];

	if (ynode_is_scalar(n)) {
		const char *slash = strchr(ynode_scalar(n), '/');

		if (rate_parse(ynode_scalar(n), &r->rate_max, &r->rate_window_s) < 0)
			return ydoc_fail(d, n, field, "'%s' is not N/second|minute|hour|day", ynode_scalar(n));
		r->rate_intercept = true;
		if (strict(d) && !intercept_window(slash + 1))
			return ydoc_fail(d, n, field, "must be N/minute, N/hour or N/day (other windows are "
					 EXTENSION ")");
		return 0;
	}
	if (strict(d))
		return ydoc_fail(d, n, field, "a map {max, window} is " EXTENSION "; write \"N/minute|hour|day\"");
	if (ydoc_check_map(d, n, field, ratemap_keys) < 0)
		return -1;
	yfield(sub, "%s.max", field);
	if (!ymap_get(d, n, "max") || yget_long(d, ymap_get(d, n, "max"), sub, &r->rate_max) < 0 ||
	    r->rate_max <= 0)
		return ydoc_fail(d, n, sub, "must be a whole number above 0");
	yfield(sub, "%s.window", field);
	if (!ymap_get(d, n, "window"))
		return ydoc_fail(d, n, sub, "is required");
	return load_window(d, ymap_get(d, n, "window"), sub, &r->rate_window_s);
}

/* glibc's regcomp copies an atom once per repetition it allows ({m,n}, and + and ? too),
 * so stacked or nested quantifiers grow its work multiplicatively; back-references make
 * matching exponential. Both are refused past a modest size: a policy must not stall
 * `policy check` or a reload. regex_nodes() estimates the parse tree's size. */
#define REGEX_MAX_NODES 20000

static double regex_nodes(const char **pp, int depth)
{
	double total = 0, last = 0;
	const char *p = *pp;

	while (*p && *p != ')' && total < 1e12) {
		double f;
		char *end;

		switch (*p) {
		case '(':
			p++;
			last = depth < 64 ? regex_nodes(&p, depth + 1) : 1e12;
			if (*p == ')')
				p++;
			total += last;
			continue;
		case '[':	/* a bracket expression is one node */
			p = regex_bracket_end(p);
			last = 1;
			total += 1;
			continue;
		case '\\':
			p += p[1] ? 2 : 1;
			last = 1;
			total += 1;
			continue;
		case '+':
		case '?':
		case '*':
			f = *p == '*' ? 1 : 2;
			p++;
			break;
		case '{':
			f = strtod(p + 1, &end);	/* {n}, or the lower bound */
			if (*end == ',')	/* {m,n}; {m,} counts as glibc's cap */
				f = end[1] == '}' ? 255 : strtod(end + 1, &end);
			p = *end == '}' ? end + 1 : p + 1;
			f = f > 1 ? f : 1;
			break;
		case '|':	/* alternatives add up; nothing to repeat right after one */
			p++;
			last = 0;
			continue;
		default:
			p++;
			last = 1;
			total += 1;
			continue;
		}
		total += last * (f - 1);	/* the last atom now stands f times */
		last *= f;
	}
	*pp = p;
	return total;
}

#define REGEX_MAX_LEN	1024
#define REGEX_MAX_DEPTH	16

static bool quantifier(char c)
{
	return c == '*' || c == '+' || c == '?' || c == '{';
}

static const char *regex_too_costly(const char *re)
{
	const char *p = re;
	double nodes = 0;
	int depth = 0;

	if (strlen(re) > REGEX_MAX_LEN)
		return "longer than 1024 bytes";
	for (const char *q = re; *q; q++) {
		if (*q == '\\' && q[1] >= '1' && q[1] <= '9')
			return "back-references are not allowed";
		if (*q == '\\' && q[1]) {
			q++;
			continue;
		}
		if (*q == '(' && ++depth > REGEX_MAX_DEPTH)
			return "groups nest deeper than 16";
		depth -= *q == ')' && depth > 0;
		/* x** or x+{2}: undefined in POSIX, and a trap in glibc */
		if (quantifier(*q) && *q != '{' && quantifier(q[1]))
			return "stacked quantifiers";
		if (*q == '}' && quantifier(q[1]))
			return "stacked quantifiers";
	}
	while (*p && nodes <= REGEX_MAX_NODES) {	/* a stray ")" just ends a stretch */
		nodes += regex_nodes(&p, 0);
		p += *p == ')';
	}
	return nodes > REGEX_MAX_NODES ? "its repetitions expand past 20000 nodes" : NULL;
}

static int load_condition(struct ydoc *d, const ynode *n, const char *field, struct condition *c)
{
	char sub[YFIELD_MAX];
	ynode *v;
	size_t op;

	c->line = ydoc_line(n);
	if (ydoc_check_map(d, n, field, cond_keys) < 0)
		return -1;
	yfield(sub, "%s.path", field);
	if (!(v = ymap_get(d, n, "path")))
		ydoc_fail(d, n, sub, "is required");	/* the op and value are read on, for their errors */
	else if (yget_str(d, v, sub, &c->path) == 0 && strncmp(c->path, "args.", 5) &&
		 (strcmp(c->path, "args") || strict(d)) && (strncmp(c->path, "state.", 6) || !strchr(c->path + 6, '.')))
		ydoc_fail(d, v, sub, "must start with args. or be state.TOOL.COUNTER");
	yfield(sub, "%s.op", field);
	if (!(v = ymap_get(d, n, "op")) || !ynode_is_scalar(v))
		return ydoc_fail(d, v ? v : n, sub, "is required");
	for (op = 0; op < sizeof(op_names) / sizeof(op_names[0]); op++)
		if (!strcmp(op_names[op], ynode_scalar(v)))
			break;
	if (op == sizeof(op_names) / sizeof(op_names[0]))
		return ydoc_fail(d, v, sub, "unknown op '%s'", ynode_scalar(v));
	c->op = (enum cond_op)op;
	yfield(sub, "%s.value", field);
	v = ymap_get(d, n, "value");
	if (!v) {
		if (c->op != OP_EXISTS)
			return ydoc_fail(d, n, sub, "is required for op %s", op_names[op]);
		c->value = cJSON_CreateTrue();
	} else {
		c->value = ynode_json(d, v);
	}
	if (!c->value)
		return ydoc_fail(d, v, sub, "cannot be read");
	switch (c->op) {
	case OP_IN:
	case OP_NOT_IN:
		if (!cJSON_IsArray(c->value))
			return ydoc_fail(d, v, sub, "must be a list for op %s", op_names[op]);
		break;
	case OP_LT: case OP_LTE: case OP_GT: case OP_GTE:
		if (!cJSON_IsNumber(c->value))
			return ydoc_fail(d, v, sub, "must be a number for op %s", op_names[op]);
		break;
	case OP_REGEX:
		if (cJSON_IsString(c->value) && regex_too_costly(c->value->valuestring)) {
			c->op = OP_EQ;	/* nothing compiled to free */
			return ydoc_fail(d, v, sub, "regular expression too costly: %s",
					 regex_too_costly(c->value->valuestring));
		}
		if (!cJSON_IsString(c->value) ||
		    regcomp(&c->re, c->value->valuestring, REG_EXTENDED | REG_NOSUB) != 0) {
			c->op = OP_EQ;	/* nothing compiled to free */
			return ydoc_fail(d, v, sub, "must be a valid extended regular expression");
		}
		break;
	case OP_EXISTS:
		if (!cJSON_IsBool(c->value))
			return ydoc_fail(d, v, sub, "must be true or false for op exists");
		break;
	default:
		break;
	}
	return 0;
}

static int load_state(struct ydoc *d, const ynode *n, const char *field, struct rule *r)
{
	struct state_update *s;
	char sub[YFIELD_MAX];
	ynode *v;

	if (ydoc_check_map(d, n, field, state_keys) < 0)
		return -1;
	s = r->state = calloc(1, sizeof(*s));
	if (!s)
		return ydoc_fail(d, n, field, "out of memory");
	s->increment = 1;
	yfield(sub, "%s.counter", field);
	if (!(v = ymap_get(d, n, "counter")) || yget_str(d, v, sub, &s->counter) < 0)
		return ydoc_fail(d, n, sub, "is required");
	if (!s->counter[0])
		return ydoc_fail(d, v, sub, "must not be empty");
	yfield(sub, "%s.window", field);
	if (!(v = ymap_get(d, n, "window")))
		return ydoc_fail(d, n, sub, "is required");
	if (load_window(d, v, sub, &s->window_s) < 0)
		return -1;
	yfield(sub, "%s.increment", field);
	if ((v = ymap_get(d, n, "increment"))) {
		cJSON *num = ynode_json(d, v);
		bool ok = cJSON_IsNumber(num), whole = ok && num->valuedouble == (double)(long long)num->valuedouble;

		if (ok)	/* 0 counts 1, as Intercept reads an omitted (zero) increment */
			s->increment = num->valuedouble ? num->valuedouble : 1;
		cJSON_Delete(num);
		if (!ok)
			return ydoc_fail(d, v, sub, "must be a number");
		if (strict(d) && !whole)
			return ydoc_fail(d, v, sub, "a fractional increment is " EXTENSION " (Intercept counts whole numbers)");
	}
	yfield(sub, "%s.increment_from", field);
	if ((v = ymap_get(d, n, "increment_from"))) {
		if (yget_str(d, v, sub, &s->increment_from) < 0)
			return -1;
		if (strncmp(s->increment_from, "args.", 5))
			return ydoc_fail(d, v, sub, "must start with args.");
	}
	return 0;
}

static int load_action(struct ydoc *d, const ynode *n, const char *field, struct rule *r)
{
	static const char *const names[] = {
		[ACTION_EVALUATE] = "evaluate", [ACTION_ALLOW] = "allow",
		[ACTION_DENY] = "deny", [ACTION_REQUIRE_APPROVAL] = "require_approval",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (ynode_is_scalar(n) && !strcmp(ynode_scalar(n), names[i])) {
			r->action = (enum rule_action)i;
			if (strict(d) && r->action != ACTION_EVALUATE && r->action != ACTION_DENY)
				return ydoc_fail(d, n, field, "'%s' is " EXTENSION " (Intercept has evaluate and deny)",
						 names[i]);
			return 0;
		}
	return ydoc_fail(d, n, field, "must be evaluate, allow, deny or require_approval");
}

static int load_validate(struct ydoc *d, const ynode *n, const char *field, struct rule *r)
{
	char sub[YFIELD_MAX];
	ynode *v;

	if (ydoc_check_map(d, n, field, validate_keys) < 0)
		return -1;
	yfield(sub, "%s.required_args", field);
	if ((v = ymap_get(d, n, "required_args")) && yget_bool(d, v, sub, &r->required_args) < 0)
		return -1;
	yfield(sub, "%s.schema", field);
	if ((v = ymap_get(d, n, "schema")) && yget_bool(d, v, sub, &r->schema) < 0)
		return -1;
	return 0;
}

static int load_conditions(struct ydoc *d, const ynode *n, const char *field, struct rule *r)
{
	if (!ynode_is_seq(n))
		return ydoc_fail(d, n, field, "must be a list");
	r->conds = calloc(yseq_len(n) + 1, sizeof(*r->conds));
	if (!r->conds)
		return ydoc_fail(d, n, field, "out of memory");
	for (size_t i = 0; i < yseq_len(n); i++) {
		char sub[YFIELD_MAX];

		yfield(sub, "%s[%zu]", field, i);
		r->nconds++;
		load_condition(d, yseq_item(d, n, i), sub, &r->conds[i]);	/* the next ones are read all the same */
	}
	return 0;
}

/* The rule as Intercept would have it: a rate_limit stands alone (not with conditions, state or action
 * deny); a rule otherwise has a name, and an evaluate rule conditions (mcpwarden's validate is a check of its
 * own); a deny rule with conditions is mcpwarden's (refused by --strict-intercept). */
static void check_rule(struct ydoc *d, const ynode *n, const char *field, const struct rule *r)
{
	bool rate = ymap_get(d, n, "rate_limit") != NULL;
	char sub[YFIELD_MAX];

	yfield(sub, "%s.name", field);
	if (r->name && !r->name[0])
		ydoc_fail(d, ymap_get(d, n, "name"), sub, "a rule must have a name");
	else if (!r->name && strict(d))
		ydoc_fail(d, n, sub, "a rule must have a name (rule-N is " EXTENSION ")");
	if (rate) {
		if (r->nconds || r->state)
			ydoc_fail(d, n, field, "rate_limit cannot be combined with conditions or state; use separate "
				  "rules");
		else if (r->action == ACTION_DENY)
			ydoc_fail(d, n, field, "rate_limit cannot be used with action deny");
		return;
	}
	yfield(sub, "%s.conditions", field);
	if (r->action == ACTION_EVALUATE && !r->nconds && !r->required_args && !r->schema)
		ydoc_fail(d, n, sub, "an evaluate rule must have at least one condition");
	if (r->action == ACTION_DENY && r->nconds && strict(d))
		ydoc_fail(d, ymap_get(d, n, "conditions"), sub, "a deny rule with conditions is " EXTENSION
			  " (Intercept's deny rules have none)");
}

static int load_rule(struct ydoc *d, const ynode *n, const char *field, struct rule *r, size_t idx)
{
	static const struct {
		const char *key;
		int (*fn)(struct ydoc *, const ynode *, const char *, struct rule *);
	} parts[] = {
		{ "action", load_action }, { "rate_limit", load_rate },
		{ "conditions", load_conditions }, { "state", load_state },
		{ "validate", load_validate },
	};
	char sub[YFIELD_MAX];
	ynode *v;

	r->line = ydoc_line(n);
	if (ydoc_check_map_also(d, n, field, strict(d) ? intercept_rule_keys : rule_keys, rule_keys, EXTENSION) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		yfield(sub, "%s.%s", field, parts[i].key);
		if ((v = ymap_get(d, n, parts[i].key)))
			parts[i].fn(d, v, sub, r);	/* each part's errors, then the next part's */
	}
	yfield(sub, "%s.name", field);
	if ((v = ymap_get(d, n, "name")))
		yget_str(d, v, sub, &r->name);
	yfield(sub, "%s.on_deny", field);
	if ((v = ymap_get(d, n, "on_deny")))
		yget_str(d, v, sub, &r->reason);
	yfield(sub, "%s.reason", field);
	if ((v = ymap_get(d, n, "reason")))
		yget_str(d, v, sub, &r->reason);
	check_rule(d, n, field, r);
	if (!r->name) {	/* the seed style names no rule */
		char def[32];

		snprintf(def, sizeof(def), "rule-%zu", idx + 1);
		r->name = strdup(def);
	}
	if (!r->name)
		return ydoc_fail(d, n, field, "out of memory");
	return 0;
}

static int grow_rules(struct ydoc *d, const ynode *n, const char *field, struct tool_policy *t, size_t more)
{
	struct rule *nr = realloc(t->rules, (t->nrules + more + 1) * sizeof(*nr));

	if (!nr)
		return ydoc_fail(d, n, field, "out of memory");
	memset(nr + t->nrules, 0, (more + 1) * sizeof(*nr));
	t->rules = nr;
	return 0;
}

const char *rule_counter(const struct rule *r, char buf[32])
{
	if (r->state)
		return r->state->counter;
	if (!r->rate_intercept || r->nconds || r->action == ACTION_DENY)
		return NULL;	/* Intercept turns only a rate_limit that stands alone into its counter */
	snprintf(buf, 32, "_rate_%s", r->rate_window_s == 60 ? "minute" : r->rate_window_s == 3600 ? "hour" :
		 r->rate_window_s == 86400 ? "day" : r->rate_window_s == 1 ? "second" : "other");
	return buf;
}

int load_rules(struct ydoc *d, const ynode *seq, const char *field, struct tool_policy *t)
{
	if (!ynode_is_seq(seq))
		return ydoc_fail(d, seq, field, "must be a list of rules");
	if (grow_rules(d, seq, field, t, yseq_len(seq)) < 0)
		return -1;
	for (size_t i = 0; i < yseq_len(seq); i++) {
		char sub[YFIELD_MAX];

		yfield(sub, "%s[%zu]", field, i);
		load_rule(d, yseq_item(d, seq, i), sub, &t->rules[t->nrules++], i);	/* then the next rule */
	}
	/* A counter is one rule's: two rules that keep it would each count every call. */
	for (size_t i = 0; i < t->nrules; i++) {
		char a_buf[32], b_buf[32];
		const char *a = rule_counter(&t->rules[i], a_buf);

		for (size_t j = 0; a && j < i; j++) {
			const char *b = rule_counter(&t->rules[j], b_buf);
			char sub[YFIELD_MAX];

			if (b && !strcmp(a, b)) {
				yfield(sub, "%s[%zu]%s", field, i, t->rules[i].state ? ".state.counter" : ".rate_limit");
				ydoc_fail_line(d, t->rules[i].line, sub, "duplicate state counter '%s' (also %s[%zu])",
					       a, field, j);
				break;
			}
		}
	}
	return 0;
}

/* PolicyLayer JSON: {"counter", "window", "max", "scope"} becomes a rate-limit rule. */
int load_limits(struct ydoc *d, const ynode *seq, const char *field, struct tool_policy *t)
{
	if (!ynode_is_seq(seq))
		return ydoc_fail(d, seq, field, "must be a list of limits");
	if (grow_rules(d, seq, field, t, yseq_len(seq)) < 0)
		return -1;
	for (size_t i = 0; i < yseq_len(seq); i++) {
		ynode *n = yseq_item(d, seq, i), *v;
		struct rule *r = &t->rules[t->nrules++];
		char sub[YFIELD_MAX], name[YFIELD_MAX];

		yfield(sub, "%s[%zu]", field, i);
		r->line = ydoc_line(n);
		if (ydoc_check_map(d, n, sub, limit_keys) < 0)
			return -1;
		yfield(name, "%s.max", sub);
		if (!(v = ymap_get(d, n, "max")) || yget_long(d, v, name, &r->rate_max) < 0 || r->rate_max <= 0)
			return ydoc_fail(d, v ? v : n, name, "must be a whole number above 0");
		yfield(name, "%s.window", sub);
		if (!(v = ymap_get(d, n, "window")))
			return ydoc_fail(d, n, name, "is required");
		if (load_window(d, v, name, &r->rate_window_s) < 0)
			return -1;
		yfield(name, "%s.scope", sub);
		if ((v = ymap_get(d, n, "scope")) &&
		    (!ynode_is_scalar(v) || (strcmp(ynode_scalar(v), "grant") && strcmp(ynode_scalar(v), "server") &&
					     strcmp(ynode_scalar(v), "tool"))))
			return ydoc_fail(d, v, name, "must be grant, server or tool (all count per server instance)");
		yfield(name, "%s.counter", sub);
		if ((v = ymap_get(d, n, "counter")) && yget_str(d, v, name, &r->name) < 0)
			return -1;
		yfield(name, "limit-%zu", i + 1);
		if (!r->name && !(r->name = strdup(name)))
			return ydoc_fail(d, n, sub, "out of memory");
	}
	return 0;
}
