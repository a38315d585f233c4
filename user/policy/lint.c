/* lint.c: what `mcpwarden policy check` warns about: a policy that loads, but whose rules may not hold. */
#include <ctype.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "policy/lint.h"
#include "policy/regex_text.h"
#include "policy/ydoc.h"

struct lint {
	const struct policy *p;
	void (*warn)(void *ctx, const char *text);
	void *ctx;
	size_t n;
};

static void __attribute__((format(printf, 4, 5))) say(struct lint *l, int line, const char *field, const char *fmt,
						       ...)
{
	char msg[512], text[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(text, sizeof(text), "%s:%d: warning: %s: %s", l->p->path, line, field, msg);
	l->warn(l->ctx, text);
	l->n++;
}

/* Words that name code in an argument; lint.h lists them. */
static const char *const code_words[] = {
	"code", "command", "cmd", "script", "program", "source", "snippet", "shell", "stdin", "expression", "expr", NULL,
};

/* Whether the last part of args path `path` names code: one of its words, split at anything but a
 * letter and where a lower-case letter meets an upper-case one ("pythonCode", "python_code"). */
static bool code_like(const char *path)
{
	const char *s = strrchr(path, '.');

	for (s = s ? s + 1 : path; *s;) {
		size_t n = 0;

		if (!isalpha((unsigned char)*s)) {
			s++;
			continue;
		}
		while (isalpha((unsigned char)s[n]) && !(n && islower((unsigned char)s[n - 1]) && isupper((unsigned char)s[n])))
			n++;
		for (size_t i = 0; code_words[i]; i++)
			if (strlen(code_words[i]) == n && !strncasecmp(s, code_words[i], n))
				return true;
		s += n;
	}
	return false;
}

/* Whether calls of entry t's tool (NULL: tools the policy does not list) run under a sandbox. */
static bool covered(const struct policy *p, const struct tool_policy *t)
{
	return policy_sandbox_entry(p, t) || p->sandbox.present;
}

/* Whether those calls have a deadline: the earliest of these is what call_limits.c enforces. */
static bool has_deadline(const struct policy *p, const struct tool_policy *t)
{
	const struct tool_policy *star = policy_tool(p, "*"), *sb = policy_sandbox_entry(p, t);

	return (t && t->timeout_ms) || (star && star->timeout_ms) || (sb && sb->sandbox.max_runtime_ms) ||
	       p->sandbox.max_runtime_ms;
}

/* Whether the regex atom (a bracket expression or '.') of `len` bytes at `atom` matches "\n" or "\r". */
static bool matches_line_break(const char *atom, size_t len)
{
	char *text = strndup(atom, len);
	regex_t re;
	bool hit = false;

	if (text && !regcomp(&re, text, REG_EXTENDED | REG_NOSUB)) {
		hit = !regexec(&re, "\n", 0, NULL, 0) || !regexec(&re, "\r", 0, NULL, 0);
		regfree(&re);
	}
	free(text);
	return hit;
}

/* Copies `len` bytes of regex text into out for a one-line message, control characters as \n, \r, \xHH. */
static void show(char *out, size_t size, const char *s, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 5 < size; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n' || c == '\r')
			o += (size_t)snprintf(out + o, size - o, "\\%c", c == '\n' ? 'n' : 'r');
		else if (iscntrl(c))
			o += (size_t)snprintf(out + o, size - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
}

/*
 * For a pattern that is anchored ('^' or '$' outside brackets), the first bracket expression or '.' that
 * matches a line break, shown into out; NULL when the pattern is not anchored or has none.
 */
static const char *line_break_atom(const char *re, char *out, size_t size)
{
	const char *atom = NULL, *q = re;
	size_t len = 0;
	bool anchored = false;

	while (*q) {
		const char *end = *q == '[' ? regex_bracket_end(q) : q + 1 + (*q == '\\' && q[1]);

		anchored |= *q == '^' || *q == '$';
		if (!atom && (*q == '.' || *q == '[') && matches_line_break(q, (size_t)(end - q))) {
			atom = q;
			len = (size_t)(end - q);
		}
		q = end;
	}
	if (!anchored || !atom)
		return NULL;
	show(out, size, atom, len);
	return out;
}

static void lint_condition(struct lint *l, const struct tool_policy *t, const struct rule *r, const struct condition *c,
			   const char *field)
{
	char atom[128];

	if (c->op != OP_REGEX)
		return;
	if (!strncmp(c->path, "args.", 5) && code_like(c->path) && !covered(l->p, t))
		say(l, c->line, field, "a regex on code-like argument %s is no boundary: code can spell anything. Give "
		    "the tool a sandbox: (exec allow list, network egress deny) and keep the regex as an early "
		    "refusal", c->path);
	if (r->action != ACTION_DENY && line_break_atom(c->value->valuestring, atom, sizeof(atom)))
		say(l, c->line, field, "'%s' matches a line break in an anchored pattern: the argument is matched as "
		    "one string, so a second line gets past '^...$'; exclude \\n and \\r from it", atom);
}

static void lint_rules(struct lint *l, const struct tool_policy *t)
{
	char field[YFIELD_MAX];

	for (size_t i = 0; i < t->nrules; i++)
		for (size_t j = 0; j < t->rules[i].nconds; j++) {
			yfield(field, "tools.%s.rules[%zu].conditions[%zu]", t->name, i, j);
			lint_condition(l, t, &t->rules[i], &t->rules[i].conds[j], field);
		}
}

/* An exec allow list, or deny ["*"]: only what is named may run. */
static bool allow_listed(const struct sandbox *sb)
{
	for (size_t i = 0; i < sb->nexec_deny; i++)
		if (!strcmp(sb->exec_deny[i], "*"))
			return true;
	return sb->exec_allow != NULL;
}

static void lint_exec(struct lint *l, const struct sandbox *sb, const char *field)
{
	if (sb->nexec_deny && !allow_listed(sb) && !allow_listed(&l->p->sandbox))
		say(l, sb->exec_deny_line, field, "a deny list without an allow list stops only the files it names: "
		    "a copy, a link made later or another interpreter still runs. Give exec.allow the programs the "
		    "tool needs");
}

/*
 * Allow lists that allow everything: an exec.allow entry "*" (every program in the PATH directories),
 * or a network.allow entry with no prefix (0.0.0.0/0, ::/0) under egress deny.
 */
static void lint_allow_all(struct lint *l, const struct sandbox *sb, const char *field)
{
	for (size_t i = 0; i < sb->nexec_allow; i++)
		if (!strcmp(sb->exec_allow[i], "*") || !strcmp(sb->exec_allow[i], "/*"))
			say(l, sb->line, field, "exec.allow[%zu] '%s' names every program of the PATH directories: the "
			    "allow list allows all. Name the programs the tool needs", i, sb->exec_allow[i]);
	for (size_t i = 0; i < sb->nnet_allow; i++)
		if (!sb->net_allow[i].prefix && !sb->net_allow[i].port)
			say(l, sb->line, field, "network.allow[%zu] is the whole %s internet: egress deny means nothing. "
			    "Name the hosts the tool needs", i, sb->net_allow[i].family == AF_INET6 ? "IPv6" : "IPv4");
}

/* Egress deny is about IP: unix sockets (docker.sock, D-Bus, systemd's) stay open without network.unix. */
static void lint_unix(struct lint *l, const struct sandbox *sb, const char *field)
{
	if (sb->present && sb->egress == 0 && !sb->unix_allow && !sb->unix_deny &&
	    !l->p->sandbox.unix_allow && !l->p->sandbox.unix_deny)
		say(l, sb->line, field, "egress is denied but unix sockets are not: code can still reach "
		    "docker.sock, D-Bus or systemd through them. Add network.unix (deny: [\"/\", \"@\"] for none)");
}

static void lint_deadline(struct lint *l, const struct tool_policy *t, int line, const char *field)
{
	if (covered(l->p, t) && !has_deadline(l->p, t))
		say(l, line, field, "%s sandboxed but have no timeout: a call, and the processes it started, may "
		    "run for ever. Give %s", t ? "its calls are" : "calls of tools this policy does not list are",
		    t ? "the tool a timeout: (or sandbox.max_runtime)" :
			"\"*\" a timeout: (or the server's sandbox a max_runtime)");
}

size_t policy_lint(const struct policy *p, void (*warn)(void *ctx, const char *text), void *ctx)
{
	struct lint l = { .p = p, .warn = warn, .ctx = ctx };
	const struct tool_policy *star = policy_tool(p, "*");
	char field[YFIELD_MAX];

	lint_exec(&l, &p->sandbox, "sandbox.exec.deny");
	lint_unix(&l, &p->sandbox, "sandbox.network");
	lint_allow_all(&l, &p->sandbox, "sandbox");
	for (size_t i = 0; i < p->ntools; i++) {
		const struct tool_policy *t = &p->tools[i];

		lint_rules(&l, t);
		yfield(field, "tools.%s.sandbox.exec.deny", t->name);
		lint_exec(&l, &t->sandbox, field);
		yfield(field, "tools.%s.sandbox.network", t->name);
		lint_unix(&l, &t->sandbox, field);
		yfield(field, "tools.%s.sandbox", t->name);
		lint_allow_all(&l, &t->sandbox, field);
		yfield(field, "tools.%s", t->name);
		if (strcmp(t->name, "*"))
			lint_deadline(&l, t, t->line, field);
	}
	if (!p->default_deny)
		lint_deadline(&l, NULL, star ? star->line : p->sandbox.line, star ? "tools.*" : "sandbox");
	return l.n;
}
