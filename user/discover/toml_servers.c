/* toml_servers.c: tokenises Codex's config.toml and finds its MCP servers, with the byte spans --wrap edits. */
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "discover/textbuf.h"
#include "discover/toml_servers.h"

#define TOML_MAX_DEPTH	128
#define PATH_PARTS	4	/* a server's key is mcp_servers.NAME.KEY: deeper paths are not kept */

struct key_part {
	struct textbuf text;	/* decoded */
	struct span tok;
	bool bare;
};

/* A dotted key path; parts past PATH_PARTS are counted, not kept. */
struct key_path {
	struct key_part p[PATH_PARTS];
	size_t n;
};

struct tl {
	const char *s;
	size_t len, pos;
	size_t err_at;
	const char *why;
	struct config_doc *d;
	size_t *by_name;	/* d's servers' indices, in the order of their names: each look-up is a binary search */
	size_t nnamed;
	int depth;
	bool in_array_table;	/* keys below [[...]] name no server */
};

static int fail(struct tl *t, size_t at, const char *why)
{
	if (!t->why) {
		t->err_at = at;
		t->why = why;
	}
	return -1;
}

static bool at_eof(const struct tl *t)
{
	return t->pos >= t->len;
}

static char peek(const struct tl *t, size_t ahead)
{
	return t->pos + ahead < t->len ? t->s[t->pos + ahead] : '\0';
}

static void skip_ws(struct tl *t)
{
	while (!at_eof(t) && (t->s[t->pos] == ' ' || t->s[t->pos] == '\t'))
		t->pos++;
}

/* Control characters TOML refuses in comments and strings (tab is allowed). */
static bool bad_control(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

/* A newline (LF or CRLF) at pos: its length, or 0. */
static size_t newline(const struct tl *t)
{
	if (peek(t, 0) == '\n')
		return 1;
	return peek(t, 0) == '\r' && peek(t, 1) == '\n' ? 2 : 0;
}

static int comment(struct tl *t)
{
	while (!at_eof(t) && !newline(t)) {
		if (bad_control((unsigned char)t->s[t->pos]))
			return fail(t, t->pos, "a control character in a comment");
		t->pos++;
	}
	return 0;
}

/* Whitespace and newlines, as a line-ending backslash eats in a string. */
static void skip_blank_lines(struct tl *t)
{
	size_t nl;

	do {
		skip_ws(t);
		t->pos += nl = newline(t);
	} while (nl);
}

/* Whitespace, newlines and comments, as between an array's elements. */
static int skip_all(struct tl *t)
{
	for (;;) {
		size_t nl;

		skip_ws(t);
		if ((nl = newline(t)))
			t->pos += nl;
		else if (peek(t, 0) == '#') {
			if (comment(t) < 0)
				return -1;
		} else
			return 0;
	}
}

static int hexdigits(struct tl *t, size_t n, uint32_t *cp)
{
	*cp = 0;
	for (size_t i = 0; i < n; i++) {
		static const char hex[] = "0123456789abcdef0123456789ABCDEF";
		char c = peek(t, i);
		const char *h = c ? strchr(hex, c) : NULL;

		if (!h)
			return fail(t, t->pos, "an escape without its hex digits");
		*cp = *cp << 4 | (uint32_t)((h - hex) & 15);
	}
	t->pos += n;
	if (*cp > 0x10ffff || (*cp >= 0xd800 && *cp < 0xe000))
		return fail(t, t->pos - n, "an escape that is not a Unicode scalar value");
	return 0;
}

/* One escape at pos (after its backslash) of a basic string, decoded into out. */
static int escape(struct tl *t, struct textbuf *out)
{
	static const char letters[] = "btnfre\"\\", bytes[] = "\b\t\n\f\r\033\"\\";
	char c = peek(t, 0);
	const char *l = c ? strchr(letters, c) : NULL;
	uint32_t cp;

	if (l) {
		t->pos++;
		if (out)
			tb_put(out, &bytes[l - letters], 1);
		return 0;
	}
	t->pos++;
	if ((c != 'u' && c != 'U' && c != 'x') || hexdigits(t, c == 'u' ? 4 : c == 'U' ? 8 : 2, &cp) < 0)
		return fail(t, t->pos - 1, "an unknown escape in a string");
	if (out)
		tb_utf8(out, cp);
	return 0;
}

/*
 * A string of any of TOML's four kinds at pos; out (when not NULL) gets its decoded
 * text. Leaves pos after the closing quotes.
 */
static int string(struct tl *t, struct textbuf *out)
{
	char q = peek(t, 0);
	bool multi = peek(t, 1) == q && peek(t, 2) == q, basic = q == '"';
	size_t at = t->pos, nl;

	t->pos += multi ? 3 : 1;
	if (out)
		tb_put(out, "", 0);
	if (multi && (nl = newline(t)))
		t->pos += nl;	/* a newline right after the opening quotes is not content */
	while (!at_eof(t)) {
		char c = t->s[t->pos];

		if (c == q && (!multi || (peek(t, 1) == q && peek(t, 2) == q))) {
			size_t run = 0;

			while (multi && peek(t, run) == q)
				run++;
			if (run > 5)
				return fail(t, t->pos, "too many quotes closing a string");
			if (out && run > 3)
				tb_put(out, t->s + t->pos, run - 3);	/* up to two quotes end the content */
			t->pos += multi ? run : 1;
			return 0;
		}
		if (multi && (nl = newline(t))) {
			if (out)
				tb_put(out, t->s + t->pos, nl);
			t->pos += nl;
		} else if (basic && c == '\\') {
			size_t save;

			t->pos++;
			save = t->pos;
			skip_ws(t);
			if (multi && newline(t)) {	/* a line-ending backslash eats the blanks after it */
				skip_blank_lines(t);
				continue;
			}
			t->pos = save;
			if (escape(t, out) < 0)
				return -1;
		} else if (bad_control((unsigned char)c)) {
			return fail(t, t->pos, newline(t) || c == '\n' || c == '\r'
						   ? "a string is not closed on its line"
						   : "a control character in a string (it must be escaped)");
		} else {
			if (out)
				tb_put(out, &c, 1);
			t->pos++;
		}
	}
	return fail(t, at, "a string is not closed");
}

static bool bare_key_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static void path_free(struct key_path *k)
{
	for (size_t i = 0; i < k->n && i < PATH_PARTS; i++)
		tb_free(&k->p[i].text);
	k->n = 0;
}

/* A dotted key at pos, appended to k. */
static int key(struct tl *t, struct key_path *k)
{
	for (;;) {
		struct key_part part = { .tok.start = t->pos };

		skip_ws(t);
		part.tok.start = t->pos;
		if (peek(t, 0) == '"' || peek(t, 0) == '\'') {
			if (peek(t, 1) == peek(t, 0) && peek(t, 2) == peek(t, 0))
				return fail(t, t->pos, "a multi-line string as a key");
			if (string(t, &part.text) < 0) {
				tb_free(&part.text);
				return -1;
			}
		} else {
			while (bare_key_char(peek(t, 0)))
				t->pos++;
			if (t->pos == part.tok.start)
				return fail(t, t->pos, "expected a key");
			part.bare = true;
			tb_put(&part.text, t->s + part.tok.start, t->pos - part.tok.start);
		}
		part.tok.end = t->pos;
		if (k->n < PATH_PARTS)
			k->p[k->n] = part;
		else
			tb_free(&part.text);
		k->n++;
		skip_ws(t);
		if (peek(t, 0) != '.')
			return 0;
		t->pos++;
	}
}

static bool part_is(const struct key_part *p, const char *s)
{
	return !p->text.failed && p->text.n == strlen(s) && !memcmp(p->text.s, s, p->text.n);
}

static int value(struct tl *t, const struct key_path *path, struct doc_server *args_of);

/* name[0, len) against server i's name: <0, 0 or >0. */
static int name_cmp(const struct config_doc *d, size_t i, const char *name, size_t len)
{
	size_t n = strlen(d->v[i].name);
	int c = memcmp(d->v[i].name, name, n < len ? n : len);

	return c ? c : n < len ? -1 : n > len;
}

/* The server named name[0, len), added when new; NULL (why set, failing t) when it can't be. */
static struct doc_server *server_named(struct tl *t, const char *name, size_t len, size_t at)
{
	struct config_doc *d = t->d;
	size_t lo = 0, hi = t->nnamed, *grown;
	const char *why;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = name_cmp(d, t->by_name[mid], name, len);

		if (!c)
			return &d->v[t->by_name[mid]];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!(grown = realloc(t->by_name, (d->n + 1) * sizeof(*grown)))) {
		fail(t, at, "out of memory");
		return NULL;
	}
	t->by_name = grown;
	if (!config_doc_add(d, name, len, &why)) {
		fail(t, at, why);
		return NULL;
	}
	if (strlen(d->v[d->n - 1].name) == len) {	/* one holding a NUL (odd) is found by no look-up */
		memmove(grown + lo + 1, grown + lo, (t->nnamed - lo) * sizeof(*grown));
		grown[lo] = d->n - 1;
		t->nnamed++;
	}
	return &d->v[d->n - 1];
}

/* The server a path names: mcp_servers.NAME.KEY gives NAME's entry and KEY, anything else NULL. */
static struct doc_server *server_of(struct tl *t, const struct key_path *path, const char **which)
{
	static const char *const keys[] = { "command", "args", "url" };
	struct doc_server *s;

	if (t->in_array_table || path->n != 3 || !part_is(&path->p[0], "mcp_servers"))
		return NULL;
	for (size_t i = 0; i < 3; i++)
		if (part_is(&path->p[2], keys[i]))
			*which = keys[i];
	if (!*which)
		return NULL;
	if (!(s = server_named(t, path->p[1].text.s, path->p[1].text.n, path->p[1].tok.start)))
		return NULL;
	if (!s->name_tok.end) {
		s->name_tok = path->p[1].tok;
		s->name_bare = path->p[1].bare;
	}
	return s;
}

/* Decodes the string token at [start, end) into a new C string; a NUL inside marks the entry odd. */
static char *decoded(struct tl *t, size_t start, struct doc_server *s)
{
	struct textbuf b = { 0 };
	size_t save = t->pos;
	char *str;

	t->pos = start;
	string(t, &b);	/* checked once already */
	t->pos = save;
	if (!b.failed && strlen(b.s) != b.n)
		s->odd = "a string holds a NUL character";
	str = tb_take(&b, NULL);
	if (!str)
		fail(t, start, "out of memory");
	return str;
}

/* Records key `which` = the value at [start, t->pos) for server s. */
static int set_server_key(struct tl *t, struct doc_server *s, const char *which, size_t start, bool in_table)
{
	bool is_string = t->s[start] == '"' || t->s[start] == '\'';
	char *str;

	if (!strcmp(which, "args")) {
		if (s->has_args)
			return fail(t, start, "a server's \"args\" is set twice");
		s->has_args = true;
		s->args = (struct span){ start, t->pos };
		if (t->s[start] != '[')
			s->odd = "\"args\" is not an array";
		return 0;
	}
	if (!strcmp(which, "url")) {
		if (s->url)
			return fail(t, start, "a server's \"url\" is set twice");
		if (is_string && !(s->url = decoded(t, start, s)))
			return -1;
		return 0;
	}
	if (s->cmd.end)
		return fail(t, start, "a server's \"command\" is set twice");
	s->cmd = (struct span){ start, t->pos };
	if (!is_string) {
		s->odd = "\"command\" is not a string";
		return 0;
	}
	if (!(str = decoded(t, start, s)))
		return -1;
	if (!s->argv && !(s->argv = calloc(1, sizeof(char *)))) {
		free(str);
		return fail(t, start, "out of memory");
	}
	s->argv[0] = str;
	if (!s->argc)
		s->argc = 1;
	if (in_table) {	/* a new args member goes on a line of its own after this one */
		size_t p = t->pos;

		while (p < t->len && t->s[p] != '\n')
			p++;
		s->args_at = p > t->pos && t->s[p - 1] == '\r' ? p - 1 : p;
	}
	return 0;
}

/* One element of a server's args array, at [start, t->pos). */
static int args_element(struct tl *t, struct doc_server *s, size_t start)
{
	bool str = t->s[start] == '"' || t->s[start] == '\'';

	if (!str)
		s->odd = "an \"args\" element is not a string";
	if (config_doc_arg(s, (struct span){ start, t->pos }, str ? decoded(t, start, s) : strdup("")) < 0)
		return fail(t, start, "out of memory");
	return 0;
}

static int array(struct tl *t, const struct key_path *path, struct doc_server *args_of)
{
	t->pos++;
	for (;;) {
		size_t start;

		if (skip_all(t) < 0)
			return -1;
		if (peek(t, 0) == ']')
			break;
		start = t->pos;
		if (value(t, path, NULL) < 0 || (args_of && args_element(t, args_of, start) < 0))
			return -1;
		if (skip_all(t) < 0)
			return -1;
		if (peek(t, 0) == ',') {
			if (args_of)
				args_of->commas[args_of->argc - 2] = t->pos;
			t->pos++;
			continue;
		}
		if (peek(t, 0) != ']')
			return fail(t, t->pos, "expected ',' or ']' after an element");
		break;
	}
	t->pos++;
	return 0;
}

static int keyval(struct tl *t, const struct key_path *table, bool in_table);

static int inline_table(struct tl *t, const struct key_path *path)
{
	t->pos++;
	for (;;) {
		if (skip_all(t) < 0)
			return -1;
		if (peek(t, 0) == '}')
			break;
		if (keyval(t, path, false) < 0 || skip_all(t) < 0)
			return -1;
		if (peek(t, 0) == ',') {
			t->pos++;
			continue;
		}
		if (peek(t, 0) != '}')
			return fail(t, t->pos, "expected ',' or '}' in an inline table");
		break;
	}
	t->pos++;
	return 0;
}

/* TOML's booleans, numbers (decimal, with _ between digits; hex, octal, binary; inf and nan),
 * and dates and times (local or with an offset; seconds optional, as TOML 1.1 allows). */
static const char scalar_re[] =
	"^(true|false|[+-]?(inf|nan)"
	"|[+-]?(0|[1-9](_?[0-9])*)(\\.[0-9](_?[0-9])*)?([eE][+-]?[0-9](_?[0-9])*)?"
	"|0x[0-9A-Fa-f](_?[0-9A-Fa-f])*|0o[0-7](_?[0-7])*|0b[01](_?[01])*"
	"|[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?([Zz]|[+-][0-9]{2}:[0-9]{2})?)?"
	"|[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?)$";

/* A boolean, number, date or time: its characters, then scalar_re on them. */
static int scalar(struct tl *t)
{
	static regex_t re;
	static int compiled;	/* 1 compiled, -1 failed */
	size_t at = t->pos;
	char tok[128];

	for (;;) {
		char c = peek(t, 0);

		if (bare_key_char(c) || c == '+' || c == '.' || c == ':')
			t->pos++;
		else if (c == ' ' && t->pos - at == 10 && t->s[at + 4] == '-' && peek(t, 1) >= '0' && peek(t, 1) <= '9')
			t->pos++;	/* the space between a date and its time */
		else
			break;
	}
	if (t->pos == at)
		return fail(t, at, "expected a value");
	if (!compiled)
		compiled = regcomp(&re, scalar_re, REG_EXTENDED | REG_NOSUB) == 0 ? 1 : -1;
	if (compiled < 0)
		return fail(t, at, "out of memory");
	if (t->pos - at >= sizeof(tok))
		return fail(t, at, "a value too long to be a number or a date");
	memcpy(tok, t->s + at, t->pos - at);
	tok[t->pos - at] = '\0';
	if (regexec(&re, tok, 0, NULL, 0) == 0)
		return 0;
	return fail(t, at, (tok[0] >= '0' && tok[0] <= '9') || tok[0] == '+' || tok[0] == '-'
				   ? "a malformed number, date or time"
				   : "expected a value (a bare word must be quoted)");
}

static int value(struct tl *t, const struct key_path *path, struct doc_server *args_of)
{
	char c = peek(t, 0);
	int rc;

	if (++t->depth > TOML_MAX_DEPTH)
		return fail(t, t->pos, "nested too deeply");
	if (c == '"' || c == '\'')
		rc = string(t, NULL);
	else if (c == '[')
		rc = array(t, path, args_of);
	else if (c == '{')
		rc = inline_table(t, path);
	else
		rc = scalar(t);
	t->depth--;
	return rc;
}

/* KEY = VALUE, the key below table's path. */
static int keyval(struct tl *t, const struct key_path *table, bool in_table)
{
	struct key_path full = { .n = 0 };
	struct doc_server *s;
	const char *which = NULL;
	size_t start, nparts;
	int rc = -1;

	for (size_t i = 0; i < table->n && i < PATH_PARTS; i++) {
		full.p[i] = table->p[i];
		full.p[i].text = (struct textbuf){ 0 };
		tb_put(&full.p[i].text, table->p[i].text.s, table->p[i].text.n);
	}
	full.n = table->n;
	nparts = full.n;
	if (key(t, &full) < 0)
		goto out;
	if (peek(t, 0) != '=') {
		fail(t, t->pos, "expected '=' after a key");
		goto out;
	}
	t->pos++;
	skip_ws(t);
	start = t->pos;
	if (!t->in_array_table && full.n == 4 && part_is(&full.p[0], "mcp_servers") && part_is(&full.p[2], "env") &&
	    (full.p[3].text.failed || config_doc_loader_var(full.p[3].text.s, full.p[3].text.n))) {
		if (!(s = server_named(t, full.p[1].text.s, full.p[1].text.n, full.p[1].tok.start)))
			goto out;
		s->env_unsafe = CONFIG_DOC_ENV_LOADER;
	}
	s = server_of(t, &full, &which);
	if (t->why)
		goto out;
	if (value(t, &full, s && !strcmp(which, "args") ? s : NULL) < 0)
		goto out;
	rc = s ? set_server_key(t, s, which, start, in_table && nparts == 2 && full.n == 3) : 0;
out:
	path_free(&full);
	return rc;
}

/* [TABLE] or [[TABLE]] at pos: the path keys below it take. */
static int header(struct tl *t, struct key_path *table, bool *server_table)
{
	bool array_table = peek(t, 1) == '[';
	struct doc_server *s;

	path_free(table);
	t->pos += array_table ? 2 : 1;
	if (key(t, table) < 0)
		return -1;
	if (peek(t, 0) != ']' || (array_table && peek(t, 1) != ']'))
		return fail(t, t->pos, "expected ']' closing a table header");
	t->pos += array_table ? 2 : 1;
	t->in_array_table = array_table;
	*server_table = !array_table && table->n == 2 && part_is(&table->p[0], "mcp_servers");
	if (!*server_table)
		return 0;
	if (!(s = server_named(t, table->p[1].text.s, table->p[1].text.n, table->p[1].tok.start)))
		return -1;
	if (s->name_tok.end)
		return fail(t, table->p[1].tok.start, "the server's table is opened twice, or after its keys");
	s->name_tok = table->p[1].tok;
	s->name_bare = table->p[1].bare;
	return 0;
}

int toml_servers(struct config_doc *d, const char *text, size_t len, size_t *at, const char **why)
{
	struct tl t = { .s = text, .len = len, .d = d };
	struct key_path table = { .n = 0 };
	bool server_table = false;

	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		t.pos = 3;
	while (!at_eof(&t)) {
		size_t nl;

		skip_ws(&t);
		if (peek(&t, 0) == '[') {
			if (header(&t, &table, &server_table) < 0)
				break;
		} else if (peek(&t, 0) && peek(&t, 0) != '#' && !newline(&t)) {
			if (keyval(&t, &table, server_table) < 0)
				break;
		}
		skip_ws(&t);
		if (peek(&t, 0) == '#' && comment(&t) < 0)
			break;
		if ((nl = newline(&t)))
			t.pos += nl;
		else if (!at_eof(&t)) {
			fail(&t, t.pos, "expected the end of the line");
			break;
		}
	}
	path_free(&table);
	free(t.by_name);
	*at = t.err_at;
	*why = t.why;
	return t.why ? -1 : 0;
}
