/* homes.c: the homes whose configs scan reads, each with the user it acts as there. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "discover/homes.h"

/* A home found, before it is opened: its directory's identity and, from passwd, its user. */
struct found {
	char *path;
	dev_t dev;
	ino_t ino;
	bool passwd;		/* uid, gid and name are the passwd entry's; else the owner's, once opened */
	uid_t uid;
	gid_t gid;
	char *name;
};

/* The supplementary groups of user name (primary group gid); none when unknown. */
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

/* Adds path unless its directory is one found already (service accounts share homes such as
 * /var/lib/x: each is read once, as the first entry naming it). -1 when it can't be used. */
static int add(struct found **v, size_t *n, const char *path, const struct passwd *pw)
{
	struct found *f;
	struct stat st;

	if (stat(path, &st) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	for (size_t i = 0; i < *n; i++)
		if ((*v)[i].dev == st.st_dev && (*v)[i].ino == st.st_ino)
			return 0;
	if (!(f = realloc(*v, (*n + 1) * sizeof(*f))))
		return -1;
	*v = f;
	f = &(*v)[(*n)++];
	*f = (struct found){ .path = strdup(path), .dev = st.st_dev, .ino = st.st_ino, .passwd = pw != NULL };
	if (pw) {
		f->uid = pw->pw_uid;
		f->gid = pw->pw_gid;
		f->name = strdup(pw->pw_name);
	}
	return f->path ? 0 : -1;
}

/*
 * Whether a --home DIR may be scanned: its path must be the directory itself (no link on the
 * way: a user's link would pick whose home root acts in and as whom), and a directory of
 * root's is scanned only if it is root's own home (as root, it would act as root over what
 * others may write there). Logs why not.
 */
static bool explicit_home_ok(const char *path)
{
	char real[PATH_MAX];
	struct passwd *root;
	struct stat st;

	if (!realpath(path, real)) {
		log_warn("%s", path);
		return false;
	}
	if (strcmp(real, path)) {
		log_warnx("%s: not the directory's own path (it is %s, through a link or '..'): give that path",
			  path, real);
		return false;
	}
	if (stat(real, &st) < 0) {
		log_warn("%s", path);
		return false;
	}
	if (st.st_uid == 0 && (!(root = getpwuid(0)) || !root->pw_dir || strcmp(root->pw_dir, real))) {
		log_warnx("%s: owned by root but not root's home: scanning it would act as root over what others "
			  "may write there", path);
		return false;
	}
	return true;
}

/* Opens f and calls fn with it; the directory must still be the one found. */
static int visit(const struct found *f, int (*fn)(const struct home *h, void *arg), void *arg)
{
	struct home h = { .fd = open(f->path, O_PATH | O_DIRECTORY | O_CLOEXEC) };
	struct passwd *pw;
	struct stat st;
	int rc;

	if (h.fd < 0 || fstat(h.fd, &st) < 0 || st.st_dev != f->dev || st.st_ino != f->ino) {
		log_warnx("%s: changed while scan ran: left as it is", f->path);
		if (h.fd >= 0)
			close(h.fd);
		return 1;
	}
	snprintf(h.path, sizeof(h.path), "%s", f->path);
	if (!realpath(f->path, h.real))
		h.real[0] = '\0';
	if (f->passwd) {
		h.user.uid = f->uid;
		h.user.gid = f->gid;
		groups_of(f->name, f->gid, &h.user);
	} else {
		pw = getpwuid(st.st_uid);
		h.user.uid = st.st_uid;
		h.user.gid = pw ? pw->pw_gid : 65534;	/* no passwd entry: nogroup, never the directory's (maybe 0) */
		groups_of(pw ? pw->pw_name : NULL, h.user.gid, &h.user);
	}
	rc = fn(&h, arg);
	free(h.user.groups);
	close(h.fd);
	return rc;
}

int homes_each(char *const *dirs, size_t ndirs, int (*fn)(const struct home *h, void *arg), void *arg)
{
	struct found *v = NULL;
	struct passwd *pw;
	size_t n = 0;
	int failed = 0;

	if (dirs) {
		for (size_t i = 0; i < ndirs; i++) {
			if (!explicit_home_ok(dirs[i])) {
				failed++;
			} else if (add(&v, &n, dirs[i], NULL) < 0) {
				log_warn("%s", dirs[i]);
				failed++;
			}
		}
	} else {
		setpwent();
		while ((pw = getpwent()))
			if (pw->pw_dir && pw->pw_dir[0] == '/' && strcmp(pw->pw_dir, "/"))
				add(&v, &n, pw->pw_dir, pw);	/* a home that is not there has no configs */
		endpwent();
	}
	for (size_t i = 0; i < n; i++) {
		failed += visit(&v[i], fn, arg);
		free(v[i].path);
		free(v[i].name);
	}
	free(v);
	return failed;
}
