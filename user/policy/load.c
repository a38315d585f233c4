/* load.c: loads a policy file's top level and tool entries into the model. */
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
	"audit_args", "validate_schema", "sandbox", "all_tools", NULL,
};
static const char *const tool_keys[] = {
	"rules", "limits", "timeout", "sandbox", "description", NULL,
};

/* base names the entry in errors: "tools.NAME", or "all_tools" (PolicyLayer JSON). */
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
	if (ydoc_check_map(d, n, field, tool_keys) < 0)
		return -1;
	if ((v = ymap_get(d, n, "timeout"))) {
		yfield(field, "%s.timeout", base);
		if (!ynode_is_scalar(v) || (t->timeout_ms = duration_ms(ynode_scalar(v))) <= 0)
			return ydoc_fail(d, v, field, "must be a duration such as 30s or 500ms");
	}
	if ((v = ymap_get(d, n, "rules"))) {
		yfield(field, "%s.rules", base);
		if (load_rules(d, v, field, t) < 0)
			return -1;
	}
	if ((v = ymap_get(d, n, "limits"))) {
		yfield(field, "%s.limits", base);
		if (load_limits(d, v, field, t) < 0)
			return -1;
	}
	if ((v = ymap_get(d, n, "sandbox"))) {
		yfield(field, "%s.sandbox", base);
		if (load_sandbox(d, v, field, false, &t->sandbox) < 0)
			return -1;
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

		if (!name[0])
			return ydoc_fail(d, v, "tools", "a tool name is empty");
		yfield(base, "tools.%s", name);
		p->ntools++;
		if (load_tool(d, base, name, v, &p->tools[i]) < 0)
			return -1;
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

static int load_top(struct ydoc *d, struct policy *p)
{
	ynode *root = ydoc_root(d), *v;
	bool flag;

	if (ydoc_check_map(d, root, "", top_keys) < 0)
		return -1;
	v = ymap_get(d, root, "version");
	if (v && (!ynode_is_scalar(v) || strcmp(ynode_scalar(v), "1")))
		return ydoc_fail(d, v, "version", "only version \"1\" is known");
	if ((v = ymap_get(d, root, "description")) && yget_str(d, v, "description", &p->description) < 0)
		return -1;
	if ((v = ymap_get(d, root, "default")) && load_choice(d, v, "default", "allow", "deny", &p->default_deny) < 0)
		return -1;
	if ((v = ymap_get(d, root, "hide")) && yget_strv(d, v, "hide", &p->hide, &p->nhide) < 0)
		return -1;
	if ((v = ymap_get(d, root, "deny_response"))) {
		if (load_choice(d, v, "deny_response", "result", "error", &flag) < 0)
			return -1;
		p->deny_style = flag ? DENY_AS_ERROR : DENY_AS_RESULT;
	}
	if ((v = ymap_get(d, root, "audit_args")) && load_choice(d, v, "audit_args", "hash", "full", &p->audit_args_full) < 0)
		return -1;
	if ((v = ymap_get(d, root, "validate_schema")) && yget_bool(d, v, "validate_schema", &p->validate_schema) < 0)
		return -1;
	if ((v = ymap_get(d, root, "sandbox")) && load_sandbox(d, v, "sandbox", true, &p->sandbox) < 0)
		return -1;
	if ((v = ymap_get(d, root, "tools")) && load_tools(d, v, p) < 0)
		return -1;
	if ((v = ymap_get(d, root, "all_tools"))) {
		if (policy_tool(p, "*"))
			return ydoc_fail(d, v, "all_tools", "give either all_tools or tools.\"*\", not both");
		if (!p->tools && !(p->tools = calloc(1, sizeof(*p->tools))))
			return ydoc_fail(d, v, "all_tools", "out of memory");
		p->ntools++;
		if (load_tool(d, "all_tools", "*", v, &p->tools[p->ntools - 1]) < 0)
			return -1;
	}
	return 0;
}

struct policy *policy_load_text(const char *name, const char *text, size_t len,
				char *err, size_t errsz)
{
	struct ydoc d = { .err = err, .errsz = errsz };
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
	if (rc < 0) {
		policy_free(p);
		return NULL;
	}
	return p;
}

struct policy *policy_load_file(const char *path, char *err, size_t errsz)
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
		p = policy_load_text(path, text, off, err, errsz);
	else
		snprintf(err, errsz, "%s: short read: %s", path, strerror(errno));
	free(text);
	close(fd);
	return p;
}
