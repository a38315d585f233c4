/* ctl_socket.c: the control socket's file: made in a directory of root's, in place of a stale one, owned root:CTL_GROUP mode 0660, with SO_PASSCRED, listening. */
#include <errno.h>
#include <grp.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/log.h"
#include "control.h"
#include "daemon/control/ctl_socket.h"

/* Makes the socket's directory (not its parents) unless it exists. It must be root's, no symlink, and
 * writable by nobody else unless sticky: whoever can rename in it could put their own socket (a fake
 * daemon) or a symlink where root's goes. */
static int make_dir(const char *path)
{
	char *copy = strdup(path);
	const char *dir;
	struct stat st;
	int r = -1;

	if (!copy) {
		log_warn("%s", path);
		return -1;
	}
	dir = dirname(copy);
	if (mkdir(dir, 0755) && errno != EEXIST)
		log_warn("mkdir %s", dir);
	else if (lstat(dir, &st))
		log_warn("%s", dir);
	else if (!S_ISDIR(st.st_mode) || st.st_uid != 0 || ((st.st_mode & 022) && !(st.st_mode & S_ISVTX)))
		log_warnx("%s: the socket's directory must be a directory of root's that no one else can write to "
			  "(owner uid %u, mode %03o)", dir, st.st_uid, st.st_mode & 07777);
	else
		r = 0;
	free(copy);
	return r;
}

/* True when something accepts connections at `sa`. */
static bool in_use(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	bool live;

	if (fd < 0)
		return false;
	live = !connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	close(fd);
	return live;
}

/* Removes a socket file no daemon listens on. 0, or -1 (logged) when one does or it can't be removed. */
static int remove_stale(const struct sockaddr_un *sa)
{
	struct stat st;

	if (lstat(sa->sun_path, &st) || !S_ISSOCK(st.st_mode))
		return 0;
	if (in_use(sa)) {
		log_warnx("%s: another daemon is listening there", sa->sun_path);
		return -1;
	}
	if (unlink(sa->sun_path)) {
		log_warn("%s: remove stale socket", sa->sun_path);
		return -1;
	}
	return 0;
}

/* Gives the bound socket file to root and group CTL_GROUP, or root's group when the host has none, mode 0660. */
static int set_owner(const char *path, char *group, size_t size)
{
	const struct group *g = getgrnam(CTL_GROUP);

	snprintf(group, size, "%s", g ? CTL_GROUP : "root");
	/* lchown: never through a symlink swapped in after bind (the mode came from the umask at bind). */
	if (lchown(path, 0, g ? g->gr_gid : 0)) {
		log_warn("%s: chown root:%s", path, group);
		return -1;
	}
	log_warnx("%s: root:%s, mode 0660: %s", path, group, g ? "root's and group " CTL_GROUP "'s peers may "
		  "connect (usermod -aG " CTL_GROUP " USER lets a user's shims in)" : "no group " CTL_GROUP " on this host: "
		  "only root's peers may connect");
	return 0;
}

int ctl_socket_listen(const char *path, char *group, size_t size)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, rc, on = 1;
	mode_t old;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		log_warnx("%s: socket path too long (max %zu)", path, sizeof(sa.sun_path) - 1);
		return -1;
	}
	strcpy(sa.sun_path, path);
	if (make_dir(path) || remove_stale(&sa))
		return -1;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		log_warn("%s: socket", path);
		return -1;
	}
	old = umask(0117);	/* the file is made 0660 by bind itself: no chmod on a path afterwards */
	rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc) {
		log_warn("%s: bind", path);
		close(fd);
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on))) {
		log_warn("%s: SO_PASSCRED", path);
		goto fail;
	}
	/* Owner and mode before listen(): no peer connects while the file has others. */
	if (set_owner(path, group, size))
		goto fail;
	if (listen(fd, 64)) {
		log_warn("%s: listen", path);
		goto fail;
	}
	return fd;
fail:
	close(fd);
	if (unlink(path))
		log_warn("%s: remove socket", path);
	return -1;
}
