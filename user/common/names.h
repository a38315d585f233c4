/* names.h: lookups in a table of names indexed by an enum (op names, record kinds). */
#ifndef MCPWARDEN_NAMES_H
#define MCPWARDEN_NAMES_H

#include <stddef.h>

/* names[i], or dflt when i is n or more. */
const char *name_at(const char *const *names, size_t n, size_t i, const char *dflt);
/* The index of `name` in names[from..n) (exact match), or -1: none has it, or name is NULL. */
int name_index(const char *const *names, size_t from, size_t n, const char *name);

#endif
