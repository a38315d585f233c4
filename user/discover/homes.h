/* homes.h: the homes whose configs scan reads, each with the user it acts as there. */
#ifndef MCPWARDEN_HOMES_H
#define MCPWARDEN_HOMES_H

#include <limits.h>
#include <stddef.h>

#include "discover/as_user.h"

struct home {
	char path[PATH_MAX];	/* as passwd or --home names it */
	char real[PATH_MAX];	/* the same, symbolic links resolved ("" when unknown) */
	int fd;			/* the home directory (O_PATH) */
	struct user_cred user;
};

/*
 * Calls fn for each home, one at a time, with only that home open: with dirs NULL,
 * every passwd entry's (each directory once, as the first entry naming it), acting as
 * that entry's user; otherwise each of dirs, acting as the directory's owner (with the
 * groups of the owner's passwd entry when it has one). A dirs entry that is not a
 * directory, or a home that changed between the listing and its turn, is said on stderr
 * and counted. Returns that count plus the sum of fn's returns.
 */
int homes_each(char *const *dirs, size_t ndirs, int (*fn)(const struct home *h, void *arg), void *arg);

#endif
