/* replace.h: writes a config's new text and its backup beside it, as the user the process is, through no link. */
#ifndef MCPWARDEN_REPLACE_H
#define MCPWARDEN_REPLACE_H

#include <stddef.h>
#include <sys/stat.h>

/*
 * Replaces name in directory dirfd with text: a file of a random name beside it,
 * created O_EXCL | O_NOFOLLOW, written, given st's owner, group and mode, fsynced,
 * then renamed over name, and the directory fsynced. Nothing is left on a failure,
 * which is said on stderr naming shown (name's path). Changes the working directory
 * to dirfd. Returns 0 or -1.
 */
int replace_file(int dirfd, const char *name, const char *shown, const struct stat *st, const char *text,
		 size_t len);
/*
 * Creates name in dirfd with text the way replace_file writes, so name never holds
 * part of it: a new file beside it, renamed to name only where name does not exist
 * (renameat2 RENAME_NOREPLACE, or a hard link where the file system has no such
 * rename), and the directory fsynced. Returns 0, or -1: with errno EEXIST when name
 * exists (whatever it is), after a message naming shown otherwise.
 */
int create_file(int dirfd, const char *name, const char *shown, const struct stat *st, const char *text,
		size_t len);

#endif
