/* eval.c: decides one tools/call against the policy model. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
			cur = cJSON_GetObjectItemCaseSensitive(cur, key);
		}
		seg = next;
	}
	return cur;
}

static void key_of(char *buf, size_t sz, const char *kind, const char *entry, const char *name)
{
	snprintf(buf, sz, "%s\x1f%s\x1f%s", kind, entry, name);
}

/* state.ENTRY.COUNTER: the counter's value in the window its state block declares. */
static double state_value(const struct policy *p, struct counters *c, const char *path, time_t now)
{
	const char *entry = path + 6, *dot = strchr(entry, '.');
	char name[256], key[600];
	const struct tool_policy *t;

	if (!dot || (size_t)(dot - entry) >= sizeof(name))
		return 0;
	memcpy(name, entry, (size_t)(dot - entry));
	name[dot - entry] = '\0';
	t = policy_tool(p, name);
	for (size_t i = 0; t && i < t->nrules; i++) {
		const struct state_update *s = t->rules[i].state;

		if (s && !strcmp(s->counter, dot + 1)) {
			key_of(key, sizeof(key), "state", name, s->counter);
			return counters_get(c, key, s->window_s, now);
		}
	}
	return 0;
}

static bool compare(const struct condition *k, const cJSON *v)
{
	const cJSON *e;

	switch (k->op) {
	case OP_EXISTS:
		return (v != NULL) == cJSON_IsTrue(k->value);
	case OP_EQ:
		return v && cJSON_Compare(v, k->value, true);
	case OP_NEQ:
		return v && !cJSON_Compare(v, k->value, true);
	case OP_IN:
	case OP_NOT_IN: {
		bool found = false;

		if (!v)
			return false;
		cJSON_ArrayForEach(e, k->value)
			found |= cJSON_Compare(v, e, true);
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
				if (cJSON_Compare(e, k->value, true))
					return true;
		}
		return false;
	}
	return false;
}

static bool condition_holds(const struct policy *p, struct counters *c,
			    const struct condition *k, const struct call_ctx *cx)
{
	if (!strncmp(k->path, "state.", 6)) {
		cJSON num = { .type = cJSON_Number };

		num.valuedouble = state_value(p, c, k->path, cx->now);
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

static bool rule_allows(const struct policy *p, struct counters *c, const char *entry,
			const struct rule *r, const struct call_ctx *cx, struct decision *d)
{
	const char *why = r->reason;
	char key[600];

	switch (r->action) {
	case ACTION_DENY:
		/* Deny when every condition holds; with none, always. */
		for (size_t i = 0; i < r->nconds; i++)
			if (!condition_holds(p, c, &r->conds[i], cx))
				return true;
		return deny(d, r->name, "%s%s", why ? why : "denied by policy", "");
	case ACTION_REQUIRE_APPROVAL:
		return deny(d, r->name, "%s%s", why ? why : "this call requires approval",
			    "; no approver is configured, so it is refused");
	default:
		break;
	}
	if ((r->required_args || r->schema) && !check_schema(cx, !r->schema, r->name, d))
		return false;
	for (size_t i = 0; i < r->nconds; i++)
		if (!condition_holds(p, c, &r->conds[i], cx))
			return deny(d, r->name, "%s%s", why ? why : "condition on ", why ? "" : r->conds[i].path);
	if (r->rate_max) {
		key_of(key, sizeof(key), "rate", entry, r->name);
		if (counters_get(c, key, r->rate_window_s, cx->now) >= (double)r->rate_max) {
			char lim[64];

			snprintf(lim, sizeof(lim), "%ld per %lds", r->rate_max, r->rate_window_s);
			return deny(d, r->name, why ? "%s%s" : "rate limit of %s reached%s", why ? why : lim, "");
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
			counters_add(c, key, r->rate_window_s, cx->now, 1);
		}
		if (r->state) {
			const cJSON *from = r->state->increment_from && cx->args ?
				json_path(cx->args, r->state->increment_from) : NULL;
			double delta = r->state->increment_from ?
				(cJSON_IsNumber(from) ? from->valuedouble : 0) : r->state->increment;

			key_of(key, sizeof(key), "state", t->name, r->state->counter);
			counters_add(c, key, r->state->window_s, cx->now, delta);
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
		deny(d, "hide", "tool '%s' is hidden by policy%s", cx->tool, "");
		return;
	}
	if (!entry && p->default_deny) {
		deny(d, "default", "tool '%s' is not allowed by this policy (default: deny)%s", cx->tool, "");
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
