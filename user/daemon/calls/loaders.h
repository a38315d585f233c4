/* loaders.h: where this host's dynamic loaders are: ld.so runs any program it is handed, and that program is never exec'd itself. */
#ifndef MCPWARDEN_LOADERS_H
#define MCPWARDEN_LOADERS_H

#include <stddef.h>

/* Globs of the places dynamic loaders live (glibc's ld-linux*.so.*, musl's ld-musl-*.so.1, old ld-2.*.so),
 * for every ABI; NULL-terminated. A glob may match nothing. */
extern const char *const loader_globs[];

/*
 * Copies the dynamic loader that ELF program `program` names (its PT_INTERP, read with libelf) into out.
 * 1 when copied, 0 when the program has none (static), -1 with why set (it can't be read, is not ELF,
 * or its PT_INTERP is not a path that fits out).
 */
int loader_of(const char *program, char *out, size_t size, char *why, size_t whysize);

#endif
