/* replace.c: writes a config's new text and its backup beside it, as the user the process is, through no link. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/log.h"
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

int replace_file(int dirfd, const char *name, const char *shown, const struct stat *st, const char *text,
		 size_t len)
{
	char tmp[NAME_MAX + 1], what[PATH_MAX + 32];
	int fd, dir;

	snprintf(what, sizeof(what), "%s (its new text)", shown);
	if (snprintf(tmp, sizeof(tmp), "%s.mcpwarden-XXXXXX", name) >= (int)sizeof(tmp)) {
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
	if (renameat(dirfd, tmp, dirfd, name) < 0) {
		log_warn("%s: renaming %s over it", shown, tmp);
		unlinkat(dirfd, tmp, 0);
		return -1;
	}
	if ((dir = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || fsync(dir) < 0) {
		log_warn("%s: syncing its directory", shown);
		if (dir >= 0)
			close(dir);
		return -1;
	}
	close(dir);
	return 0;
}

int create_file(int dirfd, const char *name, const char *shown, const struct stat *st, const char *text,
		size_t len)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600), rc;

	if (fd < 0) {
		if (errno != EEXIST)
			log_warn("%s", shown);
		return -1;
	}
	rc = fill(fd, shown, st, text, len);
	if (close(fd) < 0 && rc == 0) {
		log_warn("%s: closing", shown);
		rc = -1;
	}
	if (rc < 0) {
		unlinkat(dirfd, name, 0);
		errno = EIO;	/* not EEXIST: this call made it */
	}
	return rc;
}
