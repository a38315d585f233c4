/* eval.c: decides one tools/call against the policy model. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonrpc/message.h"
#include "policy/duration.h"
#include "policy/eval.h"
#include "policy/schema.h"

const cJSON *json_path(const cJSON *root, const char *path)
{
	const char *seg = strchr(path, '.');
	const cJSON *cur = root;

	while (seg && cur) {
		const char *next = strchr(seg + 1, '.');
		size_t n = next ? (size_t)(next - seg - 1) : strlen(seg + 1);
		char key[256];

		if (n >= sizeof(key))
			return NULL;
		memcpy(key, seg + 1, n);
		key[n] = '\0';
		if (cJSON_IsArray(cur)) {
			char *end;
			long idx = strtol(key, &end, 10);

			cur = *end || end == key ? NULL : cJSON_GetArrayItem(cur, (int)idx);
		} else {
			cur = jsonrpc_member(cur, key);	/* as a case-insensitive (Go) server reads it */
		}
		seg = next;
	}
	return cur;
}

static void key_of(char *buf, size_t sz, const char *kind, const char *entry, const char *name)
{
	snprintf(buf, sz, "%s\x1f%s\x1f%s", kind, entry, name);
}

/* In state paths the "*" entry is called _global, as in Intercept. */
static const char *state_scope(const char *entry)
{
	return strcmp(entry, "*") ? entry : "_global";
}

/* state.SCOPE.COUNTER: the counter's value in the window its state block declares. */
static double state_value(const struct policy *p, struct counters *c, const char *path, time_t now)
{
	const char *scope = path + 6, *dot = strchr(scope, '.');
	char name[256], key[600];
	const struct tool_policy *t;

	if (!dot || (size_t)(dot - scope) >= sizeof(name))
		return 0;
	memcpy(name, scope, (size_t)(dot - scope));
	name[dot - scope] = '\0';
	t = policy_tool(p, name);	/* a tool named _global is itself, else "*" (Intercept's lookup) */
	if (!t && !strcmp(name, "_global"))
		t = policy_tool(p, "*");
	for (size_t i = 0; t && i < t->nrules; i++) {
		const struct state_update *s = t->rules[i].state;

		if (s && !strcmp(s->counter, dot + 1)) {
			key_of(key, sizeof(key), "state", name, s->counter);
			return counters_get(c, key, s->window_s, now);
		}
	}
	return 0;
}

/* Intercept's equality: numbers (or numeric strings) as numbers, other scalars as text. */
static bool as_number(const cJSON *v, double *out)
{
	char *end;

	if (cJSON_IsNumber(v)) {
		*out = v->valuedouble;
		return true;
	}
	if (!cJSON_IsString(v) || !v->valuestring[0])
		return false;
	*out = strtod(v->valuestring, &end);
	return !*end;
}

static bool loose_equal(const cJSON *a, const cJSON *b)
{
	double x, y;

	if (as_number(a, &x) && as_number(b, &y))
		return x == y;
	if (cJSON_IsBool(a) && cJSON_IsString(b))
		return !strcmp(b->valuestring, cJSON_IsTrue(a) ? "true" : "false");
	if (cJSON_IsString(a) && cJSON_IsBool(b))
		return loose_equal(b, a);
	return cJSON_Compare(a, b, true);
}

static bool compare(const struct condition *k, const cJSON *v)
{
	const cJSON *e;

	switch (k->op) {
	case OP_EXISTS:
		return (v != NULL && !cJSON_IsNull(v)) == cJSON_IsTrue(k->value);
	case OP_EQ:
		return v && loose_equal(v, k->value);
	case OP_NEQ:
		return v && !loose_equal(v, k->value);
	case OP_IN:
	case OP_NOT_IN: {
		bool found = false;

		if (!v)
			return false;
		cJSON_ArrayForEach(e, k->value)
			found |= loose_equal(v, e);
		return found == (k->op == OP_IN);
	}
	case OP_LT:
		return cJSON_IsNumber(v) && v->valuedouble < k->value->valuedouble;
	case OP_LTE:
		return cJSON_IsNumber(v) && v->valuedouble <= k->value->valuedouble;
	case OP_GT:
		return cJSON_IsNumber(v) && v->valuedouble > k->value->valuedouble;
	case OP_GTE:
		return cJSON_IsNumber(v) && v->valuedouble >= k->value->valuedouble;
	case OP_REGEX:
		return cJSON_IsString(v) && regexec(&k->re, v->valuestring, 0, NULL, 0) == 0;
	case OP_CONTAINS:
		if (cJSON_IsString(v) && cJSON_IsString(k->value))
			return strstr(v->valuestring, k->value->valuestring) != NULL;
		if (cJSON_IsArray(v)) {
			cJSON_ArrayForEach(e, v)
				if (loose_equal(e, k->value))
					return true;
		}
		return false;
	}
	return false;
}

/* What this call would add to a state counter: conditions on the rule's own counter
 * see the value after the call, so a large increment cannot overshoot a cap. */
struct projection {
	const char *scope;	/* state scope of the rule's entry, or NULL */
	const char *counter;
	double delta;
};

static bool condition_holds(const struct policy *p, struct counters *c, const struct condition *k,
			    const struct call_ctx *cx, const struct projection *pr)
{
	if (!strncmp(k->path, "state.", 6)) {
		cJSON num = { .type = cJSON_Number };
		size_t n = pr->scope ? strlen(pr->scope) : 0;

		num.valuedouble = state_value(p, c, k->path, cx->now);
		if (pr->scope && !strncmp(k->path + 6, pr->scope, n) && k->path[6 + n] == '.' &&
		    !strcmp(k->path + 7 + n, pr->counter))
			num.valuedouble += pr->delta;
		num.valueint = (int)num.valuedouble;
		return compare(k, &num);
	}
	return compare(k, cx->args ? json_path(cx->args, k->path) : NULL);
}

static bool deny(struct decision *d, const char *rule, const char *fmt, const char *a, const char *b)
{
	d->allow = false;
	snprintf(d->rule, sizeof(d->rule), "%s", rule);
	snprintf(d->reason, sizeof(d->reason), fmt, a, b);
	return false;
}

static bool check_schema(const struct call_ctx *cx, bool required_only, const char *rule,
			 struct decision *d)
{
	char why[300];

	if (!cx->schema)
		return deny(d, rule, "the input schema of tool '%s' is not known yet%s", cx->tool,
			    ": the server has not listed it");
	if (schema_check(cx->schema, cx->args, required_only, why, sizeof(why)) < 0)
		return deny(d, rule, "arguments do not match the server's input schema: %s%s", why, "");
	return true;
}

/* The amount a state rule adds for this call; false when increment_from is missing. */
static bool state_delta(const struct state_update *st, const struct call_ctx *cx, double *delta)
{
	const cJSON *from;

	*delta = st->increment;
	if (!st->increment_from)
		return true;
	from = cx->args ? json_path(cx->args, st->increment_from) : NULL;
	if (!cJSON_IsNumber(from))
		return false;
	*delta = from->valuedouble;
	return true;
}

/* Whether path is state.SCOPE.COUNTER: the rule's own counter. */
static bool own_counter(const char *path, const char *scope, const char *counter)
{
	size_t n = strlen(scope);

	return !strncmp(path, "state.", 6) && !strncmp(path + 6, scope, n) && path[6 + n] == '.' &&
	       !strcmp(path + 7 + n, counter);
}

static bool rule_allows(const struct policy *p, struct counters *c, const char *entry,
			const struct rule *r, const struct call_ctx *cx, struct decision *d)
{
	struct projection pr = { .scope = NULL };
	const char *why = r->reason;
	char key[600];

	if (r->state) {
		if (!state_delta(r->state, cx, &pr.delta))
			return deny(d, r->name, "policy error: %s is not a number in this call%s",
				    r->state->increment_from, "");
		pr.scope = state_scope(entry);
		pr.counter = r->state->counter;
	}
	switch (r->action) {
	case ACTION_DENY:
		/* Deny when every condition holds; with none, always. */
		for (size_t i = 0; i < r->nconds; i++)
			if (!condition_holds(p, c, &r->conds[i], cx, &pr))
				return true;
		return why ? deny(d, r->name, "%s%s", why, "") : deny(d, r->name, "Denied by rule \"%s\"%s", r->name, "");
	case ACTION_REQUIRE_APPROVAL:
		return deny(d, r->name, "%s%s", why ? why : "this call requires approval",
			    "; no approver is configured, so it is refused");
	default:
		break;
	}
	if ((r->required_args || r->schema) && !check_schema(cx, !r->schema, r->name, d))
		return false;
	for (size_t i = 0; i < r->nconds; i++) {
		if (condition_holds(p, c, &r->conds[i], cx, &pr))
			continue;
		if (why)
			return deny(d, r->name, "%s%s", why, "");
		/* Intercept's words: a cap on the rule's own counter is a rate limit, anything else the rule's. */
		if (pr.counter && own_counter(r->conds[i].path, pr.scope, pr.counter))
			return deny(d, r->name, "Rate limit exceeded for %s%s", r->name, "");
		return deny(d, r->name, "Denied by rule \"%s\"%s", r->name, "");
	}
	if (r->rate_max) {
		key_of(key, sizeof(key), "rate", entry, r->name);
		if (counters_get(c, key, r->rate_window_s, cx->now) >= (double)r->rate_max) {
			char lim[128];

			rate_limit_text(lim, sizeof(lim), r->rate_max, r->rate_window_s);
			return deny(d, r->name, "%s%s", why ? why : lim, "");
		}
	}
	return true;
}

static void commit(const struct tool_policy *t, struct counters *c, const struct call_ctx *cx)
{
	char key[600];

	for (size_t i = 0; t && i < t->nrules; i++) {
		const struct rule *r = &t->rules[i];

		if (r->rate_max) {
			key_of(key, sizeof(key), "rate", t->name, r->name);
			counters_add(c, key, r->rate_window_s, cx->now, 1, cx->undo);
		}
		if (r->state) {
			double delta;

			state_delta(r->state, cx, &delta);	/* checked in rule_allows */
			key_of(key, sizeof(key), "state", state_scope(t->name), r->state->counter);
			counters_add(c, key, r->state->window_s, cx->now, delta, cx->undo);
		}
	}
}

void policy_decide(const struct policy *p, struct counters *c, const struct call_ctx *cx,
		   struct decision *d)
{
	const struct tool_policy *entry = policy_tool(p, cx->tool);
	const struct tool_policy *star = policy_tool(p, "*");
	const struct tool_policy *order[2] = { entry, star };

	memset(d, 0, sizeof(*d));
	d->allow = true;
	if (policy_hidden(p, cx->tool)) {
		deny(d, "(hidden)", "Tool \"%s\" is hidden by policy%s", cx->tool, "");
		return;
	}
	if (!entry && p->default_deny) {
		deny(d, "(default deny)", "Tool \"%s\" is not permitted by policy%s", cx->tool, "");
		return;
	}
	if (p->validate_schema && !check_schema(cx, false, "validate_schema", d))
		return;
	for (size_t k = 0; k < 2; k++)
		for (size_t i = 0; order[k] && i < order[k]->nrules; i++)
			if (!rule_allows(p, c, order[k]->name, &order[k]->rules[i], cx, d))
				return;
	commit(entry, c, cx);
	commit(star, c, cx);
	d->timeout_ms = entry && entry->timeout_ms ? entry->timeout_ms : star ? star->timeout_ms : 0;
}
