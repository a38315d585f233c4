/* homes.c: the homes whose configs scan reads, each with the user it acts as there. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "discover/homes.h"

struct homes {
	struct home *v;
	size_t n;
};

/* The supplementary groups of user name (with primary group gid); NULL, 0 when unknown. */
static void groups_of(const char *name, gid_t gid, struct user_cred *u)
{
	int n = 32;

	u->groups = NULL;
	u->ngroups = 0;
	for (int tries = 0; name && tries < 4; tries++) {
		gid_t *g = realloc(u->groups, (size_t)n * sizeof(*g));

		if (!g)
			break;
		u->groups = g;
		if (getgrouplist(name, gid, g, &n) >= 0) {
			u->ngroups = (size_t)n;
			return;
		}
	}
	free(u->groups);
	u->groups = NULL;
}

/* Opens path as a home and adds it with its user; uid (uid_t)-1 means the directory's owner. */
static int add(struct homes *hs, const char *path, uid_t uid, gid_t gid, const char *name, bool quiet)
{
	struct home *h, *v;
	struct stat st;
	struct passwd *pw;
	int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0) {
		if (!quiet)
			log_warn("%s", path);
		if (fd >= 0)
			close(fd);
		return quiet ? 0 : -1;
	}
	for (size_t i = 0; i < hs->n; i++) {
		struct stat seen;

		if (fstat(hs->v[i].fd, &seen) == 0 && seen.st_dev == st.st_dev && seen.st_ino == st.st_ino) {
			close(fd);	/* service accounts share homes such as /var/lib/x: read each once */
			return 0;
		}
	}
	if (!(v = realloc(hs->v, (hs->n + 1) * sizeof(*v)))) {
		log_warn("%s", path);
		close(fd);
		return -1;
	}
	hs->v = v;
	h = &hs->v[hs->n++];
	memset(h, 0, sizeof(*h));
	snprintf(h->path, sizeof(h->path), "%s", path);
	if (!realpath(path, h->real))
		h->real[0] = '\0';
	h->fd = fd;
	if (uid == (uid_t)-1) {
		uid = st.st_uid;
		pw = getpwuid(uid);
		gid = pw ? pw->pw_gid : st.st_gid;
		name = pw ? pw->pw_name : NULL;
	}
	h->user.uid = uid;
	h->user.gid = gid;
	groups_of(name, gid, &h->user);
	return 0;
}

int homes_each(char *const *dirs, size_t ndirs, int (*fn)(const struct home *h, void *arg), void *arg)
{
	struct homes hs = { 0 };
	struct passwd *pw;
	int failed = 0;

	if (dirs) {
		for (size_t i = 0; i < ndirs; i++)
			failed += add(&hs, dirs[i], (uid_t)-1, 0, NULL, false) < 0;
	} else {
		setpwent();
		while ((pw = getpwent()))
			if (pw->pw_dir && pw->pw_dir[0] == '/' && strcmp(pw->pw_dir, "/"))
				add(&hs, pw->pw_dir, pw->pw_uid, pw->pw_gid, pw->pw_name, true);
		endpwent();
	}
	for (size_t i = 0; i < hs.n; i++) {
		failed += fn(&hs.v[i], arg);
		close(hs.v[i].fd);
		free(hs.v[i].user.groups);
	}
	free(hs.v);
	return failed;
}
