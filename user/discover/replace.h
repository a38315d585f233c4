/* replace.h: writes a config's new text and its backup beside it, as the user the process is, through no link. */
#ifndef MCPWARDEN_REPLACE_H
#define MCPWARDEN_REPLACE_H

#include <stddef.h>
#include <sys/stat.h>

struct config_file;

/*
 * Replaces f's file with text: a file of a random name beside it, created O_EXCL |
 * O_NOFOLLOW, written, given f's owner, group and mode, fsynced, then renamed over it,
 * and the directory fsynced. Just before the rename the file is read again: if it is no
 * longer the one f was read as (device, inode, size, mtime, ctime, bytes), another
 * program wrote it, and nothing is written (that leaves the moment between this check
 * and the rename, not the time the edit took). Nothing is left on a failure, which is
 * said on stderr naming f->shown. Changes the working directory to f->dirfd. Returns 0
 * or -1.
 */
int replace_file(const struct config_file *f, const char *text, size_t len);
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
