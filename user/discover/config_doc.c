/* config_doc.c: one MCP client config file as scan and --wrap read it: its servers, and the bytes --wrap edits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "discover/config_doc.h"
#include "discover/jsonc.h"
#include "discover/toml_servers.h"

/* Writes "LINE: what" into why, LINE being the line of text at offset at. Returns -1. */
static int config_doc_fail(char *why, size_t whylen, const char *text, size_t at, const char *what)
{
	size_t line = 1;

	for (size_t i = 0; i < at; i++)
		line += text[i] == '\n';
	snprintf(why, whylen, "%zu: %s", line, what);
	return -1;
}

struct doc_server *config_doc_add(struct config_doc *d, const char *name, size_t len)
{
	struct doc_server *s;

	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 8;
		struct doc_server *v = realloc(d->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		d->v = v;
		d->cap = cap;
	}
	s = &d->v[d->n];
	memset(s, 0, sizeof(*s));
	if (!(s->name = strndup(name, len)))
		return NULL;
	if (strlen(s->name) != len)
		s->odd = "its name holds a NUL character";
	d->n++;
	return s;
}

int config_doc_arg(struct doc_server *s, struct span tok, char *arg)
{
	size_t i = s->argc ? s->argc - 1 : 0;	/* argv[0] is the command's, set or not */
	struct span *e = arg ? realloc(s->elems, (i + 1) * sizeof(*e)) : NULL;
	size_t *c = e ? realloc(s->commas, (i + 1) * sizeof(*c)) : NULL;
	char **argv;

	if (e)
		s->elems = e;
	if (c)
		s->commas = c;
	argv = c ? realloc(s->argv, (i + 2) * sizeof(*argv)) : NULL;
	if (!argv) {
		free(arg);
		return -1;
	}
	if (!s->argv)
		argv[0] = NULL;
	s->argv = argv;
	s->elems[i] = tok;
	s->commas[i] = 0;
	s->argv[i + 1] = arg;
	s->argc = i + 2;
	return 0;
}

/* The decoded text of a JSON string token; odd is set when it holds a NUL. */
static char *json_text(const char *text, const struct jv *v, const char **odd)
{
	struct textbuf b = { 0 };

	jsonc_string(text + v->start, v->end - v->start, &b);
	if (!b.failed && strlen(b.s) != b.n)
		*odd = "a string holds a NUL character";
	return tb_take(&b, NULL);
}

/* A member of obj that must not be there twice: its index, -1 when absent, -2 (why set) when twice. */
static int only_member(const struct jsonc *j, const char *text, int obj, const char *key, char *why,
		       size_t whylen)
{
	int m = jsonc_member(j, text, obj, key);

	if (m == -2) {
		char what[128];

		snprintf(what, sizeof(what), "the key \"%s\" is there twice", key);
		config_doc_fail(why, whylen, text, j->v[obj].start, what);
	}
	return m;
}

static int json_server(struct config_doc *d, const struct jsonc *j, const char *text, int obj, int m,
		       char *why, size_t whylen)
{
	const struct jv *v = &j->v[m];
	struct textbuf name = { 0 };
	struct doc_server *s;
	int cmd, args, url;

	jsonc_string(text + v->key_start, v->key_end - v->key_start, &name);
	s = name.failed ? NULL : config_doc_add(d, name.s, name.n);
	tb_free(&name);
	if (!s)
		return config_doc_fail(why, whylen, text, v->key_start, "out of memory");
	if (jsonc_member(j, text, obj, s->name) == -2)
		return config_doc_fail(why, whylen, text, v->key_start, "a server's name is there twice");
	s->name_tok = (struct span){ v->key_start, v->key_end };
	if ((cmd = only_member(j, text, m, "command", why, whylen)) == -2 ||
	    (args = only_member(j, text, m, "args", why, whylen)) == -2 ||
	    (url = only_member(j, text, m, "url", why, whylen)) == -2)
		return -1;
	if (url < 0 && (url = only_member(j, text, m, "serverUrl", why, whylen)) == -2)
		return -1;
	if (url >= 0 && j->v[url].type == JV_STRING && !(s->url = json_text(text, &j->v[url], &s->odd)))
		return config_doc_fail(why, whylen, text, j->v[url].start, "out of memory");
	if (cmd >= 0 && j->v[cmd].type != JV_STRING)
		s->odd = "\"command\" is not a string";
	if (cmd >= 0 && j->v[cmd].type == JV_STRING) {
		s->cmd = (struct span){ j->v[cmd].start, j->v[cmd].end };
		s->args_at = s->cmd.end;
		if (!(s->argv = calloc(1, sizeof(char *))) || !(s->argv[0] = json_text(text, &j->v[cmd], &s->odd)))
			return config_doc_fail(why, whylen, text, s->cmd.start, "out of memory");
		s->argc = 1;
	}
	if (args < 0)
		return 0;
	s->has_args = true;
	s->args = (struct span){ j->v[args].start, j->v[args].end };
	if (j->v[args].type != JV_ARRAY)
		s->odd = "\"args\" is not an array";
	for (int e = j->v[args].type == JV_ARRAY ? j->v[args].first : -1; e >= 0; e = j->v[e].next) {
		bool str = j->v[e].type == JV_STRING;

		if (!str)
			s->odd = "an \"args\" element is not a string";
		if (config_doc_arg(s, (struct span){ j->v[e].start, j->v[e].end },
				   str ? json_text(text, &j->v[e], &s->odd) : strdup("")) < 0)
			return config_doc_fail(why, whylen, text, j->v[e].start, "out of memory");
		s->commas[s->argc - 2] = j->v[e].comma;
	}
	return 0;
}

/* The servers of object obj (anything else holds none). */
static int json_servers(struct config_doc *d, const struct jsonc *j, const char *text, int obj, char *why,
			size_t whylen)
{
	if (obj < 0 || j->v[obj].type != JV_OBJECT)
		return 0;
	for (int m = j->v[obj].first; m >= 0; m = j->v[m].next)
		if (j->v[m].type == JV_OBJECT && json_server(d, j, text, obj, m, why, whylen) < 0)
			return -1;
	return 0;
}

static int json_doc(struct config_doc *d, const char *key, const char *text, size_t len, char *why, size_t whylen)
{
	struct jsonc j;
	int rc = -1, servers, projects;

	snprintf(d->args_open, sizeof(d->args_open), ", \"args\": [");
	if (jsonc_parse(&j, text, len) < 0) {
		char what[160];

		snprintf(what, sizeof(what), "not valid JSON: %s", j.why);
		config_doc_fail(why, whylen, text, j.err_at, what);
		goto out;
	}
	if (j.v[0].type != JV_OBJECT) {
		config_doc_fail(why, whylen, text, j.v[0].start, "the document is not a JSON object");
		goto out;
	}
	if ((servers = only_member(&j, text, 0, key, why, whylen)) == -2 ||
	    (projects = only_member(&j, text, 0, "projects", why, whylen)) == -2 ||
	    json_servers(d, &j, text, servers, why, whylen) < 0)
		goto out;
	for (int p = projects >= 0 && j.v[projects].type == JV_OBJECT ? j.v[projects].first : -1; p >= 0;
	     p = j.v[p].next) {
		struct textbuf dir = { 0 };
		char **v = realloc(d->projects, (d->nprojects + 1) * sizeof(*v));
		int mcp;

		if (!v) {
			config_doc_fail(why, whylen, text, j.v[p].key_start, "out of memory");
			goto out;
		}
		d->projects = v;
		jsonc_string(text + j.v[p].key_start, j.v[p].key_end - j.v[p].key_start, &dir);
		if (!(d->projects[d->nprojects] = tb_take(&dir, NULL))) {
			config_doc_fail(why, whylen, text, j.v[p].key_start, "out of memory");
			goto out;
		}
		d->nprojects++;
		if ((mcp = only_member(&j, text, p, "mcpServers", why, whylen)) == -2 ||
		    json_servers(d, &j, text, mcp, why, whylen) < 0)
			goto out;
	}
	rc = 0;
out:
	jsonc_free(&j);
	return rc;
}

int config_doc_parse(struct config_doc *d, bool toml, const char *key, const char *text, size_t len,
		     char *why, size_t whylen)
{
	const char *nl = memchr(text, '\n', len);
	int rc;

	memset(d, 0, sizeof(*d));
	if (toml) {
		size_t at;
		const char *what;

		snprintf(d->args_open, sizeof(d->args_open), "%sargs = [", nl && nl > text && nl[-1] == '\r' ? "\r\n" : "\n");
		rc = toml_servers(d, text, len, &at, &what);
		if (rc < 0)
			config_doc_fail(why, whylen, text, at, what);
	} else {
		rc = json_doc(d, key, text, len, why, whylen);
	}
	for (size_t i = 0; i < d->n; i++) {
		struct doc_server *s = &d->v[i];

		if (s->argv && !s->argv[0]) {	/* args without a command: nothing runs */
			for (size_t a = 1; a < s->argc; a++)
				free(s->argv[a]);
			free(s->argv);
			s->argv = NULL;
			s->argc = 0;
		}
	}
	return rc;
}

void config_doc_free(struct config_doc *d)
{
	for (size_t i = 0; i < d->n; i++) {
		struct doc_server *s = &d->v[i];

		for (size_t a = 0; a < s->argc; a++)
			free(s->argv[a]);
		free(s->argv);
		free(s->elems);
		free(s->commas);
		free(s->url);
		free(s->name);
	}
	for (size_t i = 0; i < d->nprojects; i++)
		free(d->projects[i]);
	free(d->projects);
	free(d->v);
	memset(d, 0, sizeof(*d));
}
