/* wrap_text.c: --wrap's and --unwrap's edits of a config's text: only the command and args values of its servers change. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "discover/config_doc.h"
#include "discover/textbuf.h"
#include "discover/wrap_text.h"
#include "discover/wrapper.h"

/* Replace text[start, end) with repl. */
struct edit {
	size_t start, end;
	struct textbuf repl;
};

struct edits {
	struct edit v[2];
	size_t n;
};

static struct textbuf *edit(struct edits *e, size_t start, size_t end)
{
	struct edit *x = &e->v[e->n++];

	x->start = start;
	x->end = end;
	x->repl = (struct textbuf){ 0 };
	tb_put(&x->repl, "", 0);
	return &x->repl;
}

static void put_span(struct textbuf *b, const char *text, struct span s)
{
	tb_put(b, text + s.start, s.end - s.start);
}

/* `"run", "--name", NAME, ["--policy", P,] "--", ` */
static void wrapper_args(struct textbuf *b, const char *policy, const char *text, const struct doc_server *s)
{
	tb_puts(b, "\"run\", \"--name\", ");
	if (s->name_bare)
		tb_puts(b, "\"");
	put_span(b, text, s->name_tok);
	if (s->name_bare)
		tb_puts(b, "\"");
	if (policy) {
		tb_puts(b, ", \"--policy\", ");
		tb_quoted(b, policy);
	}
	tb_puts(b, ", \"--\", ");
}

/* The edits that wrap or unwrap server s; false when it is left as it is. */
static bool server_edits(const struct wrap_opts *o, bool unwrap, const char *text, const struct config_doc *d,
			 const struct doc_server *s, struct edits *e)
{
	char pol[4096];
	struct wrapper want = { .exe = o->exe }, w;
	const char *mismatch = NULL, *left = NULL, *unsafe = NULL;
	bool wrapped;
	struct textbuf *b;

	if (!unwrap && s->argv && o->policy && o->policy(s->name, pol, sizeof(pol), o->arg))
		want.policy = pol;
	wrapped = s->argv && wrapper_parse(s->argv, s->argc, &w) &&
		  !(mismatch = wrapper_mismatch(&w, s->name, unwrap ? NULL : &want));
	e->n = 0;
	if (!s->argv || (unwrap != wrapped && !(!unwrap && s->env_unsafe)))
		return false;	/* remote, or already as wanted */
	if (!unwrap && want.policy)
		unsafe = wrapper_policy_unsafe(want.policy);
	if (!unwrap && s->env_unsafe)
		left = s->env_unsafe;	/* wrapped or not: the wrapper itself would run the user's code */
	else if (s->odd)
		left = s->odd;
	else if (unsafe)
		left = unsafe;
	else if (!unwrap && !s->has_args && !s->args_at)
		left = "it has no args, and none can be added where its command is";
	else if (mismatch && w.policy && !o->policy)
		left = "its wrapper has a --policy, which wrapping it again would drop, and no --policy-dir is given";
	if (left) {
		if (o->note)
			o->note(s->name, left, true, o->arg);
		return false;
	}
	b = edit(e, s->cmd.start, s->cmd.end);
	if (unwrap) {
		size_t k = w.command - 1;	/* the command's element */

		put_span(b, text, s->elems[k]);
		edit(e, s->args.start + 1, s->commas[k] ? s->commas[k] + 1 : s->elems[k].end);
		return true;
	}
	if (o->exe)
		tb_quoted(b, o->exe);
	else
		tb_puts(b, "\"mcpwarden\"");
	if (mismatch) {	/* another wrapper: --wrap's takes its place, before the command it runs */
		if (o->note)
			o->note(s->name, mismatch, false, o->arg);
		wrapper_args(edit(e, s->args.start + 1, s->elems[w.command - 1].start), want.policy, text, s);
	} else if (s->has_args) {
		b = edit(e, s->args.start + 1, s->args.start + 1);
		wrapper_args(b, want.policy, text, s);
		put_span(b, text, s->cmd);
		if (s->argc > 1)
			tb_puts(b, ",");	/* the original elements follow with their own spacing */
	} else {
		b = edit(e, s->args_at, s->args_at);
		tb_puts(b, d->args_open);
		wrapper_args(b, want.policy, text, s);
		put_span(b, text, s->cmd);
		tb_puts(b, "]");
	}
	return true;
}

static int by_start(const void *a, const void *b)
{
	const struct edit *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

char *wrap_text(const struct wrap_opts *o, bool unwrap, const char *text, size_t len, size_t *outlen,
		size_t *changed, char *why, size_t whylen)
{
	struct config_doc d;
	struct edit *all = NULL;
	struct textbuf out = { 0 };
	size_t n = 0, pos = 0;
	char *res = NULL;

	*changed = 0;
	if (config_doc_parse(&d, o->toml, o->key, text, len, why, whylen) < 0)
		goto done;
	if (!(all = calloc(d.n * 2 + 1, sizeof(*all)))) {
		snprintf(why, whylen, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < d.n; i++) {
		struct edits e;

		if (!server_edits(o, unwrap, text, &d, &d.v[i], &e))
			continue;
		memcpy(all + n, e.v, e.n * sizeof(*all));
		n += e.n;
		++*changed;
	}
	qsort(all, n, sizeof(*all), by_start);
	for (size_t i = 0; i < n; i++) {
		tb_put(&out, text + pos, all[i].start - pos);
		tb_put(&out, all[i].repl.s, all[i].repl.n);
		pos = all[i].end;
	}
	tb_put(&out, text + pos, len - pos);
	if (!(res = tb_take(&out, outlen)))
		snprintf(why, whylen, "out of memory");
done:
	for (size_t i = 0; i < n; i++)
		tb_free(&all[i].repl);
	free(all);
	config_doc_free(&d);
	return res;
}

bool wrap_undoes(const struct wrap_opts *o, const char *text, size_t len, const char *bak, size_t baklen)
{
	struct wrap_opts plain = { .toml = o->toml, .key = o->key, .exe = o->exe };
	char why[256], *u = NULL, *w = NULL, *wu = NULL;
	size_t ulen, wlen, wulen, changed;
	bool same;

	u = wrap_text(&plain, true, text, len, &ulen, &changed, why, sizeof(why));
	w = u ? wrap_text(&plain, false, bak, baklen, &wlen, &changed, why, sizeof(why)) : NULL;
	wu = w ? wrap_text(&plain, true, w, wlen, &wulen, &changed, why, sizeof(why)) : NULL;
	same = wu && ulen == wulen && !memcmp(u, wu, ulen);
	free(u);
	free(w);
	free(wu);
	return same;
}
