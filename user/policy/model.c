/* model.c: lookups on, and release of, the internal policy model. */
#include <stdlib.h>
#include <string.h>

#include "policy/model.h"

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void sandbox_free(struct sandbox *s)
{
	free_strv(s->exec_allow, s->nexec_allow);
	free_strv(s->exec_deny, s->nexec_deny);
	free(s->net_allow);
	free(s->net_deny);
	free_strv(s->unix_allow, s->nunix_allow);
	free_strv(s->unix_deny, s->nunix_deny);
	free_strv(s->syscalls_deny, s->nsyscalls_deny);
	free_strv(s->caps_keep, s->ncaps_keep);
}

static void rule_free(struct rule *r)
{
	for (size_t i = 0; i < r->nconds; i++) {
		struct condition *c = &r->conds[i];

		free(c->path);
		cJSON_Delete(c->value);
		if (c->op == OP_REGEX)
			regfree(&c->re);
	}
	free(r->conds);
	if (r->state) {
		free(r->state->counter);
		free(r->state->increment_from);
		free(r->state);
	}
	free(r->name);
	free(r->reason);
}

void policy_free(struct policy *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->ntools; i++) {
		struct tool_policy *t = &p->tools[i];

		for (size_t j = 0; j < t->nrules; j++)
			rule_free(&t->rules[j]);
		free(t->rules);
		free(t->name);
		sandbox_free(&t->sandbox);
	}
	free(p->tools);
	free_strv(p->hide, p->nhide);
	sandbox_free(&p->sandbox);
	free(p->path);
	free(p->description);
	free(p);
}

const struct tool_policy *policy_tool(const struct policy *p, const char *name)
{
	for (size_t i = 0; i < p->ntools; i++)
		if (!strcmp(p->tools[i].name, name))
			return &p->tools[i];
	return NULL;
}

const struct tool_policy *policy_sandbox_entry(const struct policy *p, const struct tool_policy *entry)
{
	const struct tool_policy *star = policy_tool(p, "*");

	if (entry && entry->sandbox.present)
		return entry;
	return star && star->sandbox.present ? star : NULL;
}

bool policy_hidden(const struct policy *p, const char *tool)
{
	for (size_t i = 0; i < p->nhide; i++)
		if (!strcmp(p->hide[i], tool) || !strcmp(p->hide[i], "*"))
			return true;
	return false;
}
