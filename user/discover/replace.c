/* replace.c: writes a config's new text and its backup beside it, as the user the process is, through no link. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "discover/configs.h"
#include "discover/replace.h"

/* Writes text to fd, gives it st's owner and mode, and fsyncs it; -1 with a message naming what. */
static int fill(int fd, const char *what, const struct stat *st, const char *text, size_t len)
{
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, text + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			log_warn("%s: writing", what);
			return -1;
		}
		off += (size_t)n;
	}
	if (fchown(fd, st->st_uid, st->st_gid) < 0) {
		log_warn("%s: giving it the config's owner %u:%u", what, (unsigned)st->st_uid, (unsigned)st->st_gid);
		return -1;
	}
	if (fchmod(fd, st->st_mode & 07777) < 0 || fsync(fd) < 0) {
		log_warn("%s: setting its mode or syncing it", what);
		return -1;
	}
	return 0;
}

/*
 * Writes text to a new file beside name in dirfd (the working directory becomes dirfd), named
 * NAME.mcpwarden-XXXXXX (O_EXCL | O_NOFOLLOW), with st's owner and mode, fsynced; its name in
 * tmp. 0, or -1 with a message naming shown, and nothing left.
 */
static int write_beside(int dirfd, const char *name, const char *shown, const struct stat *st, const char *text,
			size_t len, char tmp[NAME_MAX + 1])
{
	char what[PATH_MAX + 32];
	int fd;

	snprintf(what, sizeof(what), "%s (its new text)", shown);
	if (snprintf(tmp, NAME_MAX + 1, "%s.mcpwarden-XXXXXX", name) > NAME_MAX) {
		log_warnx("%s: its name is too long for a temporary file beside it", shown);
		return -1;
	}
	if (fchdir(dirfd) < 0 || (fd = mkostemp(tmp, O_CLOEXEC | O_NOFOLLOW)) < 0) {
		log_warn("%s: creating a temporary file beside it", shown);
		return -1;
	}
	if (fill(fd, what, st, text, len) < 0) {
		close(fd);
		unlinkat(dirfd, tmp, 0);
		return -1;
	}
	if (close(fd) < 0) {
		log_warn("%s: closing %s", shown, tmp);
		unlinkat(dirfd, tmp, 0);
		return -1;
	}
	return 0;
}

/* Syncs the working directory (dirfd, an O_PATH descriptor, can't be); -1 with a message naming shown. */
static int sync_dir(const char *shown)
{
	int dir = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dir < 0 || fsync(dir) < 0) {
		log_warn("%s: syncing its directory", shown);
		if (dir >= 0)
			close(dir);
		return -1;
	}
	close(dir);
	return 0;
}

/* Whether f's file is still the one it was read as: its device, inode, size, mtime and ctime, and its bytes. */
static bool unchanged(const struct config_file *f)
{
	struct stat now;
	size_t len;
	char *text = configs_read(f->dirfd, f->name, &now, &len);
	bool same = text && now.st_dev == f->st.st_dev && now.st_ino == f->st.st_ino && now.st_size == f->st.st_size &&
		    now.st_mtim.tv_sec == f->st.st_mtim.tv_sec && now.st_mtim.tv_nsec == f->st.st_mtim.tv_nsec &&
		    now.st_ctim.tv_sec == f->st.st_ctim.tv_sec && now.st_ctim.tv_nsec == f->st.st_ctim.tv_nsec &&
		    len == f->len && !memcmp(text, f->text, len);

	free(text);
	return same;
}

int replace_file(const struct config_file *f, const char *text, size_t len)
{
	char tmp[NAME_MAX + 1];

	if (write_beside(f->dirfd, f->name, f->shown, &f->st, text, len, tmp) < 0)
		return -1;
	if (!unchanged(f)) {
		log_warnx("%s: changed since it was read (another program wrote it): left as it is; run again", f->shown);
		unlinkat(f->dirfd, tmp, 0);
		return -1;
	}
	if (renameat(f->dirfd, tmp, f->dirfd, f->name) < 0) {
		log_warn("%s: renaming %s over it", f->shown, tmp);
		unlinkat(f->dirfd, tmp, 0);
		return -1;
	}
	return sync_dir(f->shown);
}

int create_file(int dirfd, const char *name, const char *shown, const struct stat *st, const char *text,
		size_t len)
{
	char tmp[NAME_MAX + 1];
	bool linked = false;
	int rc, err;

	if (write_beside(dirfd, name, shown, st, text, len, tmp) < 0) {
		errno = EIO;	/* not EEXIST: said already */
		return -1;
	}
	rc = renameat2(dirfd, tmp, dirfd, name, RENAME_NOREPLACE);
	if (rc < 0 && (errno == EINVAL || errno == ENOSYS)) {	/* a file system, or kernel, without it */
		rc = linkat(dirfd, tmp, dirfd, name, 0);
		linked = true;
	}
	err = errno;
	if (rc < 0 || linked)
		unlinkat(dirfd, tmp, 0);
	if (rc < 0) {
		if (err != EEXIST) {
			errno = err;
			log_warn("%s: renaming %s to it", shown, tmp);
			err = EIO;
		}
		errno = err;
		return -1;
	}
	return sync_dir(shown);
}
