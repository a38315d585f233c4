/* ydoc.c: walks a libyaml document tree, with errors that name file:line and field. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy/ydoc.h"

void yfield(char buf[YFIELD_MAX], const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, YFIELD_MAX, fmt, ap);
	va_end(ap);
}

static int vfail(struct ydoc *d, int line, const char *field, const char *fmt, va_list ap)
{
	char msg[384], text[YFIELD_MAX + 512];
	size_t used = strlen(d->err);

	field = field && field[0] ? field : "(top)";
	if (d->nerrs && !strcmp(d->last_field, field))
		return -1;	/* one error per field in a row */
	snprintf(d->last_field, sizeof(d->last_field), "%s", field);
	d->nerrs++;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	snprintf(text, sizeof(text), "%s%s:%d: %s: %s", used ? "\n" : "", d->file, line, field, msg);
	for (char *c = text + (used ? 1 : 0); *c; c++)
		if ((unsigned char)*c < 0x20)
			*c = '?';	/* a key or value's newline can't start a forged error line */
	if (used + strlen(text) < d->errsz)
		memcpy(d->err + used, text, strlen(text) + 1);
	else
		d->dropped++;
	return -1;
}

int ydoc_fail(struct ydoc *d, const ynode *n, const char *field, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(d, n ? ydoc_line(n) : 1, field, fmt, ap);
	va_end(ap);
	return -1;
}

int ydoc_fail_line(struct ydoc *d, int line, const char *field, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(d, line > 0 ? line : 1, field, fmt, ap);
	va_end(ap);
	return -1;
}

int ydoc_load(struct ydoc *d, const char *file, const char *text, size_t len)
{
	yaml_parser_t parser;
	yaml_node_t *root;
	int rc = 0;

	d->file = file;
	d->err[0] = '\0';
	d->budget = 100000;
	if (!yaml_parser_initialize(&parser)) {
		snprintf(d->err, d->errsz, "%s: cannot initialise the YAML parser", file);
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &d->doc)) {
		snprintf(d->err, d->errsz, "%s:%zu: syntax: %s%s%s", file,
			 parser.problem_mark.line + 1, parser.problem ? parser.problem : "invalid YAML",
			 parser.context ? " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		return -1;
	}
	yaml_parser_delete(&parser);
	root = yaml_document_get_root_node(&d->doc);
	if (!root) {
		snprintf(d->err, d->errsz, "%s:1: (top): the file is empty", file);
		rc = -1;
	} else if (root->type != YAML_MAPPING_NODE) {
		rc = ydoc_fail(d, root, "", "the top level must be a mapping");
	}
	/* A string with a NUL ("\0" in double quotes) would be cut at it by every C string after: refuse it. */
	for (yaml_node_t *n = d->doc.nodes.start; !rc && n < d->doc.nodes.top; n++)
		if (n->type == YAML_SCALAR_NODE && strlen((const char *)n->data.scalar.value) != n->data.scalar.length)
			rc = ydoc_fail(d, n, "", "a string with a NUL byte in it");
	if (rc < 0)
		yaml_document_delete(&d->doc);
	return rc;
}

void ydoc_free(struct ydoc *d)
{
	yaml_document_delete(&d->doc);
}

ynode *ydoc_root(struct ydoc *d)
{
	return yaml_document_get_root_node(&d->doc);
}

int ydoc_line(const ynode *n)
{
	return (int)n->start_mark.line + 1;
}

bool ynode_is_map(const ynode *n)
{
	return n && n->type == YAML_MAPPING_NODE;
}

bool ynode_is_seq(const ynode *n)
{
	return n && n->type == YAML_SEQUENCE_NODE;
}

bool ynode_is_scalar(const ynode *n)
{
	return n && n->type == YAML_SCALAR_NODE;
}

const char *ynode_scalar(const ynode *n)
{
	return (const char *)n->data.scalar.value;
}

size_t ymap_len(const ynode *n)
{
	return (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
}

const char *ymap_key(struct ydoc *d, const ynode *n, size_t i, ynode **val)
{
	yaml_node_pair_t *pair = n->data.mapping.pairs.start + i;
	ynode *k = yaml_document_get_node(&d->doc, pair->key);

	*val = yaml_document_get_node(&d->doc, pair->value);
	return ynode_is_scalar(k) ? ynode_scalar(k) : NULL;
}

ynode *ymap_get(struct ydoc *d, const ynode *n, const char *key)
{
	for (size_t i = 0; i < ymap_len(n); i++) {
		ynode *v;
		const char *k = ymap_key(d, n, i, &v);

		if (k && !strcmp(k, key))
			return v;
	}
	return NULL;
}

static bool listed(const char *const *names, const char *k)
{
	for (size_t a = 0; names && names[a]; a++)
		if (!strcmp(names[a], k))
			return true;
	return false;
}

int ydoc_check_map_also(struct ydoc *d, const ynode *n, const char *field, const char *const *allowed,
			const char *const *also, const char *why_not)
{
	if (!ynode_is_map(n))
		return ydoc_fail(d, n, field, "must be a mapping");
	for (size_t i = 0; i < ymap_len(n); i++) {
		char sub[YFIELD_MAX];
		ynode *v;
		const char *k = ymap_key(d, n, i, &v);

		if (!k) {
			ydoc_fail(d, v, field, "keys must be plain strings");
			continue;
		}
		yfield(sub, "%s%s%s", field, field[0] ? "." : "", k);
		if (allowed && !listed(allowed, k)) {
			ydoc_fail(d, v, sub, "%s", listed(also, k) ? why_not : "unknown key");
			continue;
		}
		for (size_t j = 0; j < i; j++) {
			ynode *pv;
			const char *pk = ymap_key(d, n, j, &pv);

			if (pk && !strcasecmp(pk, k)) {
				ydoc_fail(d, v, sub, "key repeated (first at line %d)", ydoc_line(pv));
				break;
			}
		}
	}
	return 0;
}

int ydoc_check_map(struct ydoc *d, const ynode *n, const char *field, const char *const *allowed)
{
	return ydoc_check_map_also(d, n, field, allowed, NULL, NULL);
}

size_t yseq_len(const ynode *n)
{
	return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
}

ynode *yseq_item(struct ydoc *d, const ynode *n, size_t i)
{
	return yaml_document_get_node(&d->doc, n->data.sequence.items.start[i]);
}

int yget_str(struct ydoc *d, const ynode *n, const char *field, char **out)
{
	if (!ynode_is_scalar(n))
		return ydoc_fail(d, n, field, "must be a string");
	free(*out);
	*out = strdup(ynode_scalar(n));
	if (!*out)
		return ydoc_fail(d, n, field, "out of memory");
	return 0;
}

int yget_long(struct ydoc *d, const ynode *n, const char *field, long *out)
{
	char *end;
	long v;

	if (!ynode_is_scalar(n) || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return ydoc_fail(d, n, field, "must be a whole number");
	errno = 0;
	v = strtol(ynode_scalar(n), &end, 10);
	if (errno || end == ynode_scalar(n) || *end)
		return ydoc_fail(d, n, field, "'%s' is not a whole number", ynode_scalar(n));
	*out = v;
	return 0;
}

int yget_bool(struct ydoc *d, const ynode *n, const char *field, bool *out)
{
	const char *s = ynode_is_scalar(n) ? ynode_scalar(n) : "";

	if (!strcmp(s, "true"))
		*out = true;
	else if (!strcmp(s, "false"))
		*out = false;
	else
		return ydoc_fail(d, n, field, "must be true or false");
	return 0;
}

int yget_strv(struct ydoc *d, const ynode *n, const char *field, char ***out, size_t *count)
{
	size_t len;
	int rc = 0;

	if (!ynode_is_seq(n))
		return ydoc_fail(d, n, field, "must be a list of strings");
	len = yseq_len(n);
	*out = calloc(len ? len : 1, sizeof(char *));
	if (!*out)
		return ydoc_fail(d, n, field, "out of memory");
	*count = len;
	for (size_t i = 0; i < len; i++) {
		char sub[YFIELD_MAX];

		yfield(sub, "%s[%zu]", field, i);
		if (yget_str(d, yseq_item(d, n, i), sub, &(*out)[i]) < 0)
			rc = -1;	/* the rest are read, for their errors */
	}
	return rc;
}

static cJSON *scalar_json(const ynode *n)
{
	const char *s = ynode_scalar(n);
	char *end;
	double v;

	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return cJSON_CreateString(s);
	if (!strcmp(s, "true") || !strcmp(s, "false"))
		return cJSON_CreateBool(!strcmp(s, "true"));
	if (!strcmp(s, "null") || !strcmp(s, "~") || !s[0])
		return cJSON_CreateNull();
	v = strtod(s, &end);
	if (end != s && !*end && strcspn(s, "xXpP") == strlen(s) &&
	    strcasecmp(s, "nan") && strcasecmp(s, "inf") && strcasecmp(s, "-inf") &&
	    strcasecmp(s, "infinity") && strcasecmp(s, "-infinity"))
		return cJSON_CreateNumber(v);
	return cJSON_CreateString(s);
}

cJSON *ynode_json(struct ydoc *d, const ynode *n)
{
	cJSON *out;

	if (d->budget == 0) {
		ydoc_fail(d, n, "value", "too large (aliases?)");
		return NULL;
	}
	d->budget--;
	if (ynode_is_scalar(n))
		return scalar_json(n);
	out = ynode_is_seq(n) ? cJSON_CreateArray() : cJSON_CreateObject();
	if (!out)
		return NULL;
	if (ynode_is_seq(n)) {
		for (size_t i = 0; i < yseq_len(n); i++) {
			cJSON *item = ynode_json(d, yseq_item(d, n, i));

			if (!item || !cJSON_AddItemToArray(out, item)) {
				cJSON_Delete(item);
				cJSON_Delete(out);
				return NULL;
			}
		}
		return out;
	}
	for (size_t i = 0; i < ymap_len(n); i++) {
		ynode *v;
		const char *k = ymap_key(d, n, i, &v);
		cJSON *item = k ? ynode_json(d, v) : NULL;

		if (!item || !cJSON_AddItemToObject(out, k, item)) {
			cJSON_Delete(item);
			cJSON_Delete(out);
			return NULL;
		}
	}
	return out;
}
