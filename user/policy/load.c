/* load.c: loads a policy file's top level and tool entries into the model. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy/duration.h"
#include "policy/load.h"

static const char *const top_keys[] = {
	"version", "description", "default", "hide", "tools", "deny_response",
	"audit_args", "validate_schema", "sandbox", "all_tools", "deny_text", NULL,
};
static const char *const tool_keys[] = {
	"rules", "limits", "timeout", "sandbox", "description", NULL,
};
/* What Intercept reads (POLICY_STRICT_INTERCEPT); the rest of the keys above are extensions. */
static const char *const intercept_top_keys[] = { "version", "description", "default", "hide", "tools", NULL };
static const char *const intercept_tool_keys[] = { "rules", NULL };

/* A key of ours that --strict-intercept refuses, in Intercept's place. */
#define EXTENSION "a mcpwarden extension, refused by --strict-intercept"

static bool strict(const struct ydoc *d)
{
	return d->flags & POLICY_STRICT_INTERCEPT;
}

/* base names the entry in errors: "tools.NAME", or "all_tools" (PolicyLayer JSON). Reads on past an error. */
static int load_tool(struct ydoc *d, const char *base, const char *name, const ynode *n,
		     struct tool_policy *t)
{
	char field[YFIELD_MAX];
	ynode *v;

	yfield(field, "%s", base);
	t->name = strdup(name);
	t->line = ydoc_line(n);
	if (!t->name)
		return ydoc_fail(d, n, field, "out of memory");
	if (ydoc_check_map_also(d, n, field, strict(d) ? intercept_tool_keys : tool_keys, tool_keys, EXTENSION) < 0)
		return -1;
	if ((v = ymap_get(d, n, "timeout"))) {
		yfield(field, "%s.timeout", base);
		if (!ynode_is_scalar(v) || (t->timeout_ms = duration_ms(ynode_scalar(v))) <= 0)
			ydoc_fail(d, v, field, "must be a duration such as 30s or 500ms");
	}
	if ((v = ymap_get(d, n, "rules"))) {
		yfield(field, "%s.rules", base);
		load_rules(d, v, field, t);
	}
	if ((v = ymap_get(d, n, "limits"))) {
		yfield(field, "%s.limits", base);
		load_limits(d, v, field, t);
	}
	if ((v = ymap_get(d, n, "sandbox"))) {
		yfield(field, "%s.sandbox", base);
		load_sandbox(d, v, field, false, &t->sandbox);
	}
	return 0;
}

static int load_tools(struct ydoc *d, const ynode *n, struct policy *p)
{
	if (ydoc_check_map(d, n, "tools", NULL) < 0)
		return -1;
	p->tools = calloc(ymap_len(n) + 1, sizeof(*p->tools));
	if (!p->tools)
		return ydoc_fail(d, n, "tools", "out of memory");
	for (size_t i = 0; i < ymap_len(n); i++) {
		ynode *v;
		const char *name = ymap_key(d, n, i, &v);
		char base[YFIELD_MAX];

		if (!name)
			continue;	/* ydoc_check_map said so */
		if (!name[0]) {
			ydoc_fail(d, v, "tools", "a tool name is empty");
			continue;
		}
		yfield(base, "tools.%s", name);
		p->ntools++;
		load_tool(d, base, name, v, &p->tools[p->ntools - 1]);
	}
	return 0;
}

static int load_choice(struct ydoc *d, const ynode *n, const char *field,
		       const char *a, const char *b, bool *is_b)
{
	const char *s = ynode_is_scalar(n) ? ynode_scalar(n) : "";

	if (!strcmp(s, a))
		*is_b = false;
	else if (!strcmp(s, b))
		*is_b = true;
	else
		return ydoc_fail(d, n, field, "must be %s or %s", a, b);
	return 0;
}

static int by_name(const void *a, const void *b, void *names)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = strcmp(((char **)names)[i], ((char **)names)[j]);

	return c ? c : (i > j) - (i < j);
}

/* hide: a list of names, none blank or given twice ("*" hides every tool). Sorted to find twins: a long list
 * must not stall a reload. */
static void load_hide(struct ydoc *d, const ynode *n, struct policy *p)
{
	size_t *order;

	if (yget_strv(d, n, "hide", &p->hide, &p->nhide) < 0)
		return;
	for (size_t i = 0; i < p->nhide; i++) {
		const char *s = p->hide[i];
		char field[YFIELD_MAX];

		while (*s && isspace((unsigned char)*s))
			s++;
		yfield(field, "hide[%zu]", i);
		if (!*s)
			ydoc_fail(d, yseq_item(d, n, i), field, "entry must not be empty");
	}
	if (!(order = malloc((p->nhide + 1) * sizeof(*order)))) {
		ydoc_fail(d, n, "hide", "out of memory");
		return;
	}
	for (size_t i = 0; i < p->nhide; i++)
		order[i] = i;
	qsort_r(order, p->nhide, sizeof(*order), by_name, p->hide);
	for (size_t k = 1, first = p->nhide ? order[0] : 0; k < p->nhide; k++) {
		size_t i = order[k];
		char field[YFIELD_MAX];

		if (strcmp(p->hide[order[k - 1]], p->hide[i])) {
			first = i;	/* a new name's run starts, at its first index (ties sort by index) */
			continue;
		}
		yfield(field, "hide[%zu]", i);
		ydoc_fail(d, yseq_item(d, n, i), field, "duplicate entry \"%s\" (also hide[%zu])", p->hide[i], first);
	}
	free(order);
}

/* A condition on state.TOOL.COUNTER needs a rule of TOOL ("*" for _global) that keeps COUNTER. */
static void check_state_refs(struct ydoc *d, const struct policy *p)
{
	for (size_t t = 0; t < p->ntools; t++) {
		const struct tool_policy *tp = &p->tools[t];

		for (size_t r = 0; r < tp->nrules; r++) {
			for (size_t c = 0; c < tp->rules[r].nconds; c++) {
				const struct condition *k = &tp->rules[r].conds[c];
				const char *dot, *counter;
				const struct tool_policy *owner;
				char tool[256], field[YFIELD_MAX];
				int kept = 0;	/* 1: a state counter; 2: a rate_limit's */

				if (!k->path || strncmp(k->path, "state.", 6) || !(dot = strchr(k->path + 6, '.')) ||
				    (size_t)(dot - k->path - 6) >= sizeof(tool))
					continue;
				memcpy(tool, k->path + 6, (size_t)(dot - k->path - 6));
				tool[dot - k->path - 6] = '\0';
				counter = dot + 1;
				owner = policy_tool(p, tool);	/* a tool named _global first, as Intercept looks */
				if (!owner && !strcmp(tool, "_global"))
					owner = policy_tool(p, "*");
				for (size_t i = 0; owner && i < owner->nrules; i++) {
					char buf[32];
					const char *kept_name = rule_counter(&owner->rules[i], buf);

					if (kept_name && !strcmp(kept_name, counter))
						kept = owner->rules[i].state ? 1 : 2;
				}
				if (kept == 1)
					continue;
				yfield(field, "tools.%s.rules[%zu].conditions[%zu].path", tp->name, r, c);
				if (kept == 2)
					ydoc_fail_line(d, k->line, field, "mcpwarden keeps a rate_limit's count apart: no "
						       "condition reads '%s' (keep a state counter of your own)", counter);
				else
					ydoc_fail_line(d, k->line, field, "no rule of tool %s keeps a state counter '%s'",
						       tool, counter);
			}
		}
	}
}

/* Reads every top-level key it can, past errors in others. */
static int load_top(struct ydoc *d, struct policy *p)
{
	ynode *root = ydoc_root(d), *v;
	bool flag;

	if (ydoc_check_map_also(d, root, "", strict(d) ? intercept_top_keys : top_keys, top_keys, EXTENSION) < 0)
		return -1;
	v = ymap_get(d, root, "version");
	if (v && (!ynode_is_scalar(v) || strcmp(ynode_scalar(v), "1")))
		ydoc_fail(d, v, "version", "only version \"1\" is known");
	else if (!v && strict(d))
		ydoc_fail(d, root, "version", "is required (Intercept reads version \"1\")");
	if ((v = ymap_get(d, root, "description")))
		yget_str(d, v, "description", &p->description);
	if ((v = ymap_get(d, root, "default")))
		load_choice(d, v, "default", "allow", "deny", &p->default_deny);
	if ((v = ymap_get(d, root, "hide")))
		load_hide(d, v, p);
	if ((v = ymap_get(d, root, "deny_response")) && load_choice(d, v, "deny_response", "result", "error", &flag) == 0)
		p->deny_style = flag ? DENY_AS_ERROR : DENY_AS_RESULT;
	if ((v = ymap_get(d, root, "deny_text")))
		load_choice(d, v, "deny_text", "mcpwarden", "intercept", &p->deny_text_intercept);
	if ((v = ymap_get(d, root, "audit_args")))
		load_choice(d, v, "audit_args", "hash", "full", &p->audit_args_full);
	if ((v = ymap_get(d, root, "validate_schema")))
		yget_bool(d, v, "validate_schema", &p->validate_schema);
	if ((v = ymap_get(d, root, "sandbox")))
		load_sandbox(d, v, "sandbox", true, &p->sandbox);
	if ((v = ymap_get(d, root, "tools")))
		load_tools(d, v, p);
	if ((v = ymap_get(d, root, "all_tools"))) {
		struct tool_policy *grown;

		if (policy_tool(p, "*"))
			return ydoc_fail(d, v, "all_tools", "give either all_tools or tools.\"*\", not both");
		grown = realloc(p->tools, (p->ntools + 2) * sizeof(*p->tools));
		if (!grown)
			return ydoc_fail(d, v, "all_tools", "out of memory");
		p->tools = grown;
		memset(&p->tools[p->ntools], 0, 2 * sizeof(*p->tools));
		p->ntools++;
		load_tool(d, "all_tools", "*", v, &p->tools[p->ntools - 1]);
	}
	check_state_refs(d, p);
	return 0;
}

struct err_line {
	long line;
	size_t order;
	const char *text;
	size_t len;
};

static int by_line(const void *a, const void *b)
{
	const struct err_line *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Puts the errors (lines "NAME:LINE: ...") in the file's order; those found at one line stay in theirs. */
static void sort_errors(char *err, const char *name)
{
	size_t n = 1, k = 0, plen = strlen(name) + 1, off = 0;
	struct err_line *v;
	char *copy;

	for (const char *c = err; *c; c++)
		n += *c == '\n';
	v = calloc(n, sizeof(*v));
	copy = strdup(err);
	if (!v || !copy) {	/* left in the order found */
		free(v);
		free(copy);
		return;
	}
	for (char *line = copy, *nl; line; line = nl ? nl + 1 : NULL, k++) {
		nl = strchr(line, '\n');
		v[k] = (struct err_line){ .order = k, .text = line, .len = nl ? (size_t)(nl - line) : strlen(line) };
		v[k].line = strlen(line) > plen ? strtol(line + plen, NULL, 10) : 0;
	}
	qsort(v, k, sizeof(*v), by_line);
	for (size_t i = 0; i < k; i++) {
		memcpy(err + off, v[i].text, v[i].len);
		off += v[i].len;
		if (i + 1 < k)
			err[off++] = '\n';
	}
	err[off] = '\0';
	free(v);
	free(copy);
}

struct policy *policy_load_text(const char *name, const char *text, size_t len, unsigned flags,
				char *err, size_t errsz)
{
	struct ydoc d = { .err = err, .errsz = errsz, .flags = flags };
	struct policy *p;
	char *copy;
	int rc;

	err[0] = '\0';
	/* In valid JSON a raw tab is only ever white space; YAML rejects tabs there. */
	copy = malloc(len + 1);
	if (!copy) {
		snprintf(err, errsz, "%s: out of memory", name);
		return NULL;
	}
	for (size_t i = 0; i < len; i++)
		copy[i] = text[i] == '\t' ? ' ' : text[i];
	copy[len] = '\0';
	rc = ydoc_load(&d, name, copy, len);
	free(copy);
	if (rc < 0)
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p || !(p->path = strdup(name))) {
		snprintf(err, errsz, "%s: out of memory", name);
		free(p);
		ydoc_free(&d);
		return NULL;
	}
	rc = load_top(&d, p);
	ydoc_free(&d);
	if (rc < 0 || d.nerrs) {
		size_t used;

		sort_errors(err, name);
		used = strlen(err);
		size_t tail = strlen(name) + 40;

		if (d.dropped && used + tail < errsz)
			snprintf(err + used, errsz - used, "\n%s: ...and %u more errors", name, d.dropped);
		else if (d.dropped && errsz > tail)	/* the last lines give way to the count */
			snprintf(err + errsz - tail, tail, "\n%s: ...and more errors", name);
		policy_free(p);
		return NULL;
	}
	return p;
}

struct policy *policy_load_file(const char *path, unsigned flags, char *err, size_t errsz)
{
	struct policy *p = NULL;
	struct stat st;
	char *text;
	ssize_t got;
	size_t off = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errsz, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > POLICY_MAX_BYTES) {
		snprintf(err, errsz, "%s: not a regular file of at most %d bytes", path, POLICY_MAX_BYTES);
		close(fd);
		return NULL;
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text) {
		snprintf(err, errsz, "%s: out of memory", path);
		close(fd);
		return NULL;
	}
	while (off < (size_t)st.st_size && (got = read(fd, text + off, (size_t)st.st_size - off)) > 0)
		off += (size_t)got;
	if (off == (size_t)st.st_size)
		p = policy_load_text(path, text, off, flags, err, errsz);
	else
		snprintf(err, errsz, "%s: short read: %s", path, strerror(errno));
	free(text);
	close(fd);
	return p;
}
