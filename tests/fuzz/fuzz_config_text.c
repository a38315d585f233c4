/* fuzz_config_text.c: libFuzzer harness for the JSONC and TOML span tokenizers and --wrap's textual edits: what they accept wraps, and unwraps to its own bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "discover/config_doc.h"
#include "discover/wrap_text.h"
#include "discover/wrapper.h"

static void in_bounds(struct span s, size_t len)
{
	if (s.start > s.end || s.end > len)
		abort();	/* a span outside the text */
}

/* Checks d's spans. *wrapped: a server has a wrapper already, --wrap's or another (unwrap will change what it runs);
 * *added: wrap adds an args member to one (unwrap leaves "args": [] where there was none). */
static void check_doc(const struct config_doc *d, size_t len, bool *wrapped, bool *added)
{
	struct wrapper w;

	*wrapped = *added = false;
	for (size_t i = 0; i < d->n; i++) {
		const struct doc_server *s = &d->v[i];

		in_bounds(s->name_tok, len);
		if (!s->argv)
			continue;
		in_bounds(s->cmd, len);
		if (s->has_args)
			in_bounds(s->args, len);
		for (size_t a = 1; a < s->argc; a++) {
			in_bounds(s->elems[a - 1], len);
			if (s->elems[a - 1].start <= s->args.start || s->elems[a - 1].end >= s->args.end)
				abort();	/* an element outside its array */
		}
		*wrapped |= wrapper_parse(s->argv, s->argc, &w);
		*added |= !s->odd && !s->has_args;
	}
}

/* The servers' argv of two documents are the same. */
static bool same_servers(const struct config_doc *a, const struct config_doc *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		if (a->v[i].argc != b->v[i].argc || strcmp(a->v[i].name, b->v[i].name))
			return false;
		for (size_t j = 0; j < a->v[i].argc; j++)
			if (strcmp(a->v[i].argv[j], b->v[i].argv[j]))
				return false;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wrap_opts o = { .key = "mcpServers" };
	struct config_doc d, du;
	char why[256], *text, *w, *ww, *u;
	size_t len, wlen, wwlen, ulen, changed;
	bool wrapped, added;

	if (size < 1)
		return 0;
	o.toml = data[0] & 1;	/* '0' seeds are JSONC, '1' seeds TOML */
	len = size - 1;
	if (!(text = malloc(len ? len : 1)))
		return 0;
	memcpy(text, data + 1, len);	/* no NUL after it: a read past the end is caught */
	why[0] = '\0';
	if (config_doc_parse(&d, o.toml, o.key, text, len, why, sizeof(why)) < 0) {
		if (why[0] < '1' || why[0] > '9')
			abort();	/* a refusal must say its line */
		config_doc_free(&d);
		free(text);
		return 0;
	}
	check_doc(&d, len, &wrapped, &added);
	if (!(w = wrap_text(&o, false, text, len, &wlen, &changed, why, sizeof(why))))
		abort();	/* wrap refused what the reader took */
	if (!(ww = wrap_text(&o, false, w, wlen, &wwlen, &changed, why, sizeof(why))) || wwlen != wlen ||
	    memcmp(w, ww, wlen))
		abort();	/* wrapping twice changed more */
	if (!(u = wrap_text(&o, true, w, wlen, &ulen, &changed, why, sizeof(why))))
		abort();	/* the wrapped text is no longer one document */
	if (!wrapped && !added && (ulen != len || memcmp(u, text, len)))
		abort();	/* unwrap did not give the bytes back */
	if (!wrap_undoes(&o, w, wlen, text, len))
		abort();	/* the backup would not be put back */
	if (config_doc_parse(&du, o.toml, o.key, u, ulen, why, sizeof(why)) < 0)
		abort();
	if (!wrapped && !same_servers(&d, &du))
		abort();	/* wrap and unwrap changed what a server runs */
	config_doc_free(&du);
	config_doc_free(&d);
	free(u);
	free(ww);
	free(w);
	free(text);
	return 0;
}
