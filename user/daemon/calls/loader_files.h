/* loader_files.h: the files of this host's dynamic loaders, looked for at most once a second: the call_starts of a busy host share one look. */
#ifndef MCPWARDEN_LOADER_FILES_H
#define MCPWARDEN_LOADER_FILES_H

#include <stddef.h>
#include <stdint.h>

#define LOADER_FILES_MS	1000	/* how old a look may be before the next call looks again */

struct loader_file {
	uint64_t dev, ino;	/* as file_id() gives them */
};

/*
 * The regular files that are dynamic loaders (loaders.h): the one /bin/sh names and every match of
 * loader_globs, each once. They are looked for again when the last look is LOADER_FILES_MS old: reading
 * the directories that hold them (thousands of libraries) took most of a call_start's time. A loader put
 * there within that time is not in the list yet; nor is a copy of one put anywhere else, which a deny
 * list never names (an allow list is what holds against both). *files stays valid until the next call.
 * 0, or -1 with why set (a glob failed: nothing is returned).
 */
int loader_files(const struct loader_file **files, size_t *n, char *why, size_t whysize);

#endif
