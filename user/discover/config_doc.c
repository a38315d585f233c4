/* config_doc.c: one MCP client config file as scan and --wrap read it: its servers, and the bytes --wrap edits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "discover/config_doc.h"
#include "discover/jsonc.h"
#include "discover/toml_servers.h"

#define TEXT_OF(x)	#x
#define NUMBER_TEXT(x)	TEXT_OF(x)	/* a macro's value as a string */

/* Writes "LINE: what" into why, LINE being the line of text at offset at. Returns -1. */
static int config_doc_fail(char *why, size_t whylen, const char *text, size_t at, const char *what)
{
	size_t line = 1;

	for (size_t i = 0; i < at; i++)
		line += text[i] == '\n';
	snprintf(why, whylen, "%zu: %s", line, what);
	return -1;
}

struct doc_server *config_doc_add(struct config_doc *d, const char *name, size_t len, const char **why)
{
	struct doc_server *s;

	*why = "out of memory";
	if (d->n == CONFIG_DOC_MAX_SERVERS) {
		*why = "more than " NUMBER_TEXT(CONFIG_DOC_MAX_SERVERS) " servers in one file";
		return NULL;
	}
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

bool config_doc_loader_var(const char *name, size_t len)
{
	static const char *const named[] = { "GCONV_PATH", "GETCONF_DIR", "GLIBC_TUNABLES", "HOSTALIASES",
					     "LOCALDOMAIN", "LOCPATH", "MALLOC_TRACE", "NIS_PATH", "NLSPATH",
					     "RESOLV_HOST_CONF", "RES_OPTIONS" };

	if (len >= 3 && !memcmp(name, "LD_", 3))
		return true;
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		if (strlen(named[i]) == len && !memcmp(name, named[i], len))
			return true;
	return false;
}

/* s's env_unsafe from its "env" object (env, -1: none) and "envFile" (envfile, -1: none). */
static void json_env(struct doc_server *s, const struct jsonc *j, const char *text, int env, int envfile)
{
	if (envfile >= 0)
		s->env_unsafe = CONFIG_DOC_ENV_FILE;
	for (int m = env >= 0 && j->v[env].type == JV_OBJECT ? j->v[env].first : -1; m >= 0 && !s->env_unsafe;
	     m = j->v[m].next) {
		struct textbuf name = { 0 };

		jsonc_string(text + j->v[m].key_start, j->v[m].key_end - j->v[m].key_start, &name);
		if (name.failed || config_doc_loader_var(name.s, name.n))
			s->env_unsafe = CONFIG_DOC_ENV_LOADER;	/* out of memory: taken as the worst */
		tb_free(&name);
	}
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

/* A member's key, decoded into a buffer the keys of its object share. */
struct key_at {
	size_t off, n;		/* its bytes in the buffer */
	size_t at;		/* where its token starts in the text */
};

static int by_key(const void *a, const void *b, void *buf)
{
	const struct key_at *x = a, *y = b;
	int c = memcmp((const char *)buf + x->off, (const char *)buf + y->off, x->n < y->n ? x->n : y->n);

	if (c)
		return c;
	if (x->n != y->n)
		return x->n < y->n ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;
}

/* Object obj's keys, decoded, sorted and compared with their neighbours: -1 (why set, at the later of a
 * key given twice), or 0. */
static int keys_once(const struct jsonc *j, const char *text, int obj, char *why, size_t whylen)
{
	struct textbuf buf = { 0 };
	struct key_at *k;
	size_t n = 0;
	int rc = 0;

	for (int m = j->v[obj].first; m >= 0; m = j->v[m].next)
		n++;
	if (!(k = calloc(n ? n : 1, sizeof(*k))))
		return config_doc_fail(why, whylen, text, j->v[obj].start, "out of memory");
	n = 0;
	for (int m = j->v[obj].first; m >= 0; m = j->v[m].next, n++) {
		k[n] = (struct key_at){ .off = buf.n, .at = j->v[m].key_start };
		jsonc_string(text + j->v[m].key_start, j->v[m].key_end - j->v[m].key_start, &buf);
		k[n].n = buf.n - k[n].off;
	}
	if (buf.failed) {
		rc = config_doc_fail(why, whylen, text, j->v[obj].start, "out of memory");
	} else {
		qsort_r(k, n, sizeof(*k), by_key, buf.s);
		for (size_t i = 1; i < n && !rc; i++)
			if (k[i].n == k[i - 1].n && !memcmp(buf.s + k[i].off, buf.s + k[i - 1].off, k[i].n))
				rc = config_doc_fail(why, whylen, text, k[i].at, "a server's name is there twice");
	}
	tb_free(&buf);
	free(k);
	return rc;
}

static int json_server(struct config_doc *d, const struct jsonc *j, const char *text, int m, char *why,
		       size_t whylen)
{
	const struct jv *v = &j->v[m];
	struct textbuf name = { 0 };
	struct doc_server *s;
	const char *fault = "out of memory";
	int cmd, args, url, env, envfile;

	jsonc_string(text + v->key_start, v->key_end - v->key_start, &name);
	s = name.failed ? NULL : config_doc_add(d, name.s, name.n, &fault);
	tb_free(&name);
	if (!s)
		return config_doc_fail(why, whylen, text, v->key_start, fault);
	s->name_tok = (struct span){ v->key_start, v->key_end };
	if ((cmd = only_member(j, text, m, "command", why, whylen)) == -2 ||
	    (args = only_member(j, text, m, "args", why, whylen)) == -2 ||
	    (url = only_member(j, text, m, "url", why, whylen)) == -2)
		return -1;
	if (url < 0 && (url = only_member(j, text, m, "serverUrl", why, whylen)) == -2)
		return -1;
	if ((env = only_member(j, text, m, "env", why, whylen)) == -2 ||
	    (envfile = only_member(j, text, m, "envFile", why, whylen)) == -2)
		return -1;
	json_env(s, j, text, env, envfile);
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

/* The servers of object obj (anything else holds none); a key in it twice refuses the document. */
static int json_servers(struct config_doc *d, const struct jsonc *j, const char *text, int obj, char *why,
			size_t whylen)
{
	if (obj < 0 || j->v[obj].type != JV_OBJECT)
		return 0;
	if (keys_once(j, text, obj, why, whylen) < 0)
		return -1;
	for (int m = j->v[obj].first; m >= 0; m = j->v[m].next)
		if (j->v[m].type == JV_OBJECT && json_server(d, j, text, m, why, whylen) < 0)
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
