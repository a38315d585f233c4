/* ydoc.h: walks a libyaml document tree, with errors that name file:line and field. */
#ifndef MCPWARDEN_YDOC_H
#define MCPWARDEN_YDOC_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>
#include <cJSON.h>

/*
 * Errors: every one found, in the order found, one per line ("file:line: field: message"), at most one per field
 * in a row (a reader that fails and its caller's "is required" are one error). The loaders go on past an error
 * wherever what follows still reads, so one run names them all; a document with any error is refused. Errors
 * past the buffer are counted in `dropped`.
 */
struct ydoc {
	const char *file;
	yaml_document_t doc;
	char *err;
	size_t errsz;
	unsigned nerrs;
	unsigned dropped;
	char last_field[300];	/* YFIELD_MAX */
	size_t budget;		/* nodes ynode_json may still visit: aliases can't explode */
	unsigned flags;		/* the policy loader's (POLICY_*, policy/load.h), for load*.c */
};

typedef yaml_node_t ynode;

/* Loads text (YAML or JSON) into d. Returns 0, or -1 with d->err set. */
int ydoc_load(struct ydoc *d, const char *file, const char *text, size_t len);
void ydoc_free(struct ydoc *d);
ynode *ydoc_root(struct ydoc *d);
int ydoc_line(const ynode *n);
#define YFIELD_MAX 300
/* Formats a field path ("tools.x.rules[0].op") into buf, truncating if need be. */
void yfield(char buf[YFIELD_MAX], const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Records an error at n's line (above); always returns -1. */
int ydoc_fail(struct ydoc *d, const ynode *n, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The same at a line of the file's. */
int ydoc_fail_line(struct ydoc *d, int line, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Mapping iteration: key/value pairs; duplicate keys are rejected by ydoc_check_map. */
size_t ymap_len(const ynode *n);
const char *ymap_key(struct ydoc *d, const ynode *n, size_t i, ynode **val);
ynode *ymap_get(struct ydoc *d, const ynode *n, const char *key);
/* -1 when n is not a mapping. Otherwise records an error for each key outside allowed (NULL-terminated; NULL:
 * any) and each repeated one (case folded), naming why_not for a key of `also` (NULL-terminated, or NULL),
 * and returns 0: the caller reads the keys it knows on. */
int ydoc_check_map(struct ydoc *d, const ynode *n, const char *field, const char *const *allowed);
int ydoc_check_map_also(struct ydoc *d, const ynode *n, const char *field, const char *const *allowed,
			const char *const *also, const char *why_not);
size_t yseq_len(const ynode *n);
ynode *yseq_item(struct ydoc *d, const ynode *n, size_t i);

/* Typed readers; each fails with a message naming field. */
int yget_str(struct ydoc *d, const ynode *n, const char *field, char **out);
int yget_long(struct ydoc *d, const ynode *n, const char *field, long *out);
int yget_bool(struct ydoc *d, const ynode *n, const char *field, bool *out);
int yget_strv(struct ydoc *d, const ynode *n, const char *field, char ***out, size_t *count);
/* Converts a node to JSON: plain scalars become numbers, booleans or null when they read so. */
cJSON *ynode_json(struct ydoc *d, const ynode *n);
bool ynode_is_map(const ynode *n);
bool ynode_is_seq(const ynode *n);
bool ynode_is_scalar(const ynode *n);
const char *ynode_scalar(const ynode *n);

#endif
