/* mount_view.c: a root server's own mount namespace: /proc/sys, /sys and its mounts read-only, a /dev of harmless devices. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "shim/mount_view.h"

/* Device files a server may use; everything else of the host's /dev stays out of sight. */
static const char *const devices[] = { "null", "zero", "full", "random", "urandom", "tty", "ptmx", NULL };
static const char *const dev_dirs[] = { "pts", "shm", NULL };
static const char *const dev_links[][2] = {
	{ "fd", "/proc/self/fd" }, { "stdin", "/proc/self/fd/0" }, { "stdout", "/proc/self/fd/1" },
	{ "stderr", "/proc/self/fd/2" },
};

/* Makes the mount at `path` read-only, keeping its nosuid, nodev and noexec flags. */
static int remount_ro(const char *path)
{
	unsigned long flags = MS_BIND | MS_REMOUNT | MS_RDONLY;
	struct statvfs st;

	if (statvfs(path, &st))
		return -1;
	flags |= (st.f_flag & ST_NOSUID ? MS_NOSUID : 0) | (st.f_flag & ST_NODEV ? MS_NODEV : 0) |
		 (st.f_flag & ST_NOEXEC ? MS_NOEXEC : 0) | (st.f_flag & ST_NOATIME ? MS_NOATIME : 0) |
		 (st.f_flag & ST_NODIRATIME ? MS_NODIRATIME : 0) | (st.f_flag & ST_RELATIME ? MS_RELATIME : 0);
	return mount(NULL, path, NULL, flags, NULL);
}

/* A path that is no mount point of its own becomes one (bound onto itself), then read-only. */
static int bind_ro(const char *path)
{
	if (access(path, F_OK))
		return errno == ENOENT ? 0 : -1;
	if (mount(path, path, NULL, MS_BIND | MS_REC, NULL))
		return -1;
	return remount_ro(path);
}

/* /sys and every mount below it, read-only (mountinfo lists parents before their children). */
static int sys_ro(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096], mp[PATH_MAX];
	int rc = 0;

	if (!f)
		return -1;
	while (!rc && fgets(line, sizeof(line), f)) {
		/* "ID PARENT MAJ:MIN ROOT MOUNTPOINT ...": the fifth field; octal escapes never start "/sys". */
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1)
			continue;
		if (!strcmp(mp, "/sys") || !strncmp(mp, "/sys/", 5))
			rc = remount_ro(mp);
	}
	fclose(f);
	return rc;
}

/* A fresh /dev: a tmpfs with the devices above bound in from the host's /dev, reached through an O_PATH fd. */
static int small_dev(void)
{
	char from[64];
	struct stat st;
	int host = open("/dev", O_PATH | O_DIRECTORY | O_CLOEXEC), fd, rc = -1;

	if (host < 0)
		return -1;
	if (mount("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=755,size=64k"))
		goto out;
	for (size_t i = 0; devices[i]; i++) {
		char to[64];

		if (fstatat(host, devices[i], &st, 0) || !S_ISCHR(st.st_mode))
			continue;	/* not on this host */
		snprintf(to, sizeof(to), "/dev/%s", devices[i]);
		snprintf(from, sizeof(from), "/proc/self/fd/%d/%s", host, devices[i]);
		if ((fd = open(to, O_CREAT | O_WRONLY | O_CLOEXEC, 0600)) < 0)
			goto out;
		close(fd);
		if (mount(from, to, NULL, MS_BIND, NULL))
			goto out;
	}
	for (size_t i = 0; dev_dirs[i]; i++) {
		char to[64];

		if (fstatat(host, dev_dirs[i], &st, 0) || !S_ISDIR(st.st_mode))
			continue;
		snprintf(to, sizeof(to), "/dev/%s", dev_dirs[i]);
		snprintf(from, sizeof(from), "/proc/self/fd/%d/%s", host, dev_dirs[i]);
		if (mkdir(to, 0755) || mount(from, to, NULL, MS_BIND | MS_REC, NULL))
			goto out;
	}
	for (size_t i = 0; i < sizeof(dev_links) / sizeof(dev_links[0]); i++) {
		char to[64];

		snprintf(to, sizeof(to), "/dev/%s", dev_links[i][0]);
		if (symlink(dev_links[i][1], to))
			goto out;
	}
	rc = remount_ro("/dev");	/* nothing new can be made in it */
out:
	close(host);
	return rc;
}

int mount_view_apply(void)
{
	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL))
		return -1;
	if (small_dev() || bind_ro("/proc/sys") || bind_ro("/proc/sysrq-trigger") || sys_ro())
		return -1;
	return 0;
}
