/* mounts.c: finds mounts in /proc/self/mounts and mounts tracefs and bpffs when they are missing. */
#include <errno.h>
#include <mntent.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

#include "common/log.h"
#include "daemon/sensor/mounts.h"

#define MOUNTS_FILE	"/proc/self/mounts"

/* Looks for a mount of `fstype`, on `want_dir` when it is not NULL. 1 found, 0 not, -1 error. */
static int scan(const char *fstype, const char *want_dir, char *dir, size_t size)
{
	struct mntent *m;
	FILE *f = setmntent(MOUNTS_FILE, "r");
	int found = 0;

	if (!f) {
		log_warn("%s", MOUNTS_FILE);
		return -1;
	}
	while (!found && (m = getmntent(f))) {
		if (strcmp(m->mnt_type, fstype) || (want_dir && strcmp(m->mnt_dir, want_dir)))
			continue;
		found = 1;
		if (dir && (size_t)snprintf(dir, size, "%s", m->mnt_dir) >= size) {
			log_warnx("%s: %s mount point '%s' is too long", MOUNTS_FILE, fstype, m->mnt_dir);
			found = -1;
		}
	}
	endmntent(f);
	return found;
}

int mounts_find(const char *fstype, char *dir, size_t size)
{
	int r = scan(fstype, NULL, dir, size);

	if (r == 0)
		log_warnx("%s: no %s mount", MOUNTS_FILE, fstype);
	return r == 1 ? 0 : -1;
}

int mounts_ensure(const char *fstype, const char *dir, bool *did)
{
	int r = scan(fstype, dir, NULL, 0);

	*did = false;
	if (r != 0)
		return r == 1 ? 0 : -1;
	if (mount(fstype, dir, fstype, 0, NULL)) {
		log_warn("mount %s on %s", fstype, dir);
		return -1;
	}
	*did = true;
	log_debug("mounted %s on %s", fstype, dir);
	return 0;
}
