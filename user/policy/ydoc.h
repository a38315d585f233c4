/* ydoc.h: walks a libyaml document tree, with errors that name file:line and field. */
#ifndef MCPWARDEN_YDOC_H
#define MCPWARDEN_YDOC_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>
#include <cJSON.h>

struct ydoc {
	const char *file;
	yaml_document_t doc;
	char *err;		/* first error, "file:line: field: message" */
	size_t errsz;
	size_t budget;		/* nodes ynode_json may still visit: aliases can't explode */
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
/* Records an error once; always returns -1. */
int ydoc_fail(struct ydoc *d, const ynode *n, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Mapping iteration: key/value pairs; duplicate keys are rejected by ydoc_check_map. */
size_t ymap_len(const ynode *n);
const char *ymap_key(struct ydoc *d, const ynode *n, size_t i, ynode **val);
ynode *ymap_get(struct ydoc *d, const ynode *n, const char *key);
/* Fails on keys outside allowed (NULL-terminated) and on repeated keys. */
int ydoc_check_map(struct ydoc *d, const ynode *n, const char *field, const char *const *allowed);
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
