/* cgroups.c: one cgroup v2 directory per server under <cgroup2>/mcpwarden: make, identify, remove, list. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "daemon/servers/cgroups.h"

#define NAME_MAX_CHARS	48

int cgroups_id(const char *path, uint64_t *cgid)
{
	struct {
		struct file_handle fh;
		uint64_t id;
	} h = { .fh.handle_bytes = sizeof(uint64_t) };
	int mount_id;

	/* cgroupfs file handles hold the 64-bit kernfs node id: the id BPF reads from kn->id. */
	if (name_to_handle_at(AT_FDCWD, path, &h.fh, &mount_id, 0)) {
		log_warn("%s: name_to_handle_at (cgroup id)", path);
		return -1;
	}
	if (h.fh.handle_bytes != sizeof(uint64_t)) {
		log_warnx("%s: cgroup file handle of %u bytes, want 8", path, h.fh.handle_bytes);
		return -1;
	}
	memcpy(cgid, h.fh.f_handle, sizeof(*cgid));
	return 0;
}

/* Copies `name` keeping [A-Za-z0-9_.-] and turning the rest into '_'; "server" when empty. */
static void sanitise(const char *name, char *out)
{
	size_t n = 0;

	for (; name[n] && n < NAME_MAX_CHARS; n++)
		out[n] = isalnum((unsigned char)name[n]) || strchr("_.-", name[n]) ? name[n] : '_';
	out[n] = '\0';
	if (!n)
		strcpy(out, "server");
}

int cgroups_make(const char *root, uint32_t id, const char *name, char *path, size_t size, int *fd,
		 uint64_t *cgid)
{
	char clean[NAME_MAX_CHARS + 1];

	if (snprintf(path, size, "%s/%s", root, CGROUPS_DIR) >= (int)size) {
		log_warnx("%s/%s: path too long", root, CGROUPS_DIR);
		return -1;
	}
	if (mkdir(path, 0755) && errno != EEXIST) {
		log_warn("mkdir %s", path);
		return -1;
	}
	sanitise(name, clean);
	if (snprintf(path, size, "%s/%s/%u-%s", root, CGROUPS_DIR, id, clean) >= (int)size) {
		log_warnx("%s/%s/%u-%s: path too long", root, CGROUPS_DIR, id, clean);
		return -1;
	}
	/* Ids start above the adopted ones, so an existing directory is another daemon's: not ours to share. */
	if (mkdir(path, 0755)) {
		log_warn("mkdir %s%s", path, errno == EEXIST ? " (another daemon on this host?)" : "");
		return -1;
	}
	*fd = open(path, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (*fd < 0) {
		log_warn("open %s", path);
		return -1;
	}
	if (cgroups_id(path, cgid)) {
		close(*fd);
		*fd = -1;
		return -1;
	}
	return 0;
}

/* Writes `text` to the control file `file` of the cgroup at `path`. 0 or -1 (logged). */
static int write_control(const char *path, const char *file, const char *text)
{
	char ctl[PATH_MAX];
	int fd, r = 0;

	snprintf(ctl, sizeof(ctl), "%s/%s", path, file);
	fd = open(ctl, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		log_warn("open %s", ctl);
		return -1;
	}
	if (write(fd, text, strlen(text)) < 0) {
		log_warn("%s: write '%s'", ctl, text);
		r = -1;
	}
	close(fd);
	return r;
}

int cgroups_move(const char *path, pid_t pid)
{
	char text[16];

	snprintf(text, sizeof(text), "%d\n", (int)pid);
	return write_control(path, "cgroup.procs", text);
}

int cgroups_kill(const char *path)
{
	return write_control(path, "cgroup.kill", "1");
}

int cgroups_remove(const char *path)
{
	if (!rmdir(path) || errno == ENOENT)
		return 0;
	if (errno == EBUSY)
		return 1;
	log_warn("rmdir %s", path);
	return -1;
}

int cgroups_list(const char *root, void (*fn)(void *ctx, uint32_t id, const char *name, const char *path),
		 void *ctx)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct dirent *de;
	unsigned long id;
	char *end;
	DIR *dp;

	snprintf(dir, sizeof(dir), "%s/%s", root, CGROUPS_DIR);
	dp = opendir(dir);
	if (!dp) {
		if (errno == ENOENT)
			return 0;
		log_warn("opendir %s", dir);
		return -1;
	}
	while ((de = readdir(dp))) {
		if (de->d_type != DT_DIR || !isdigit((unsigned char)de->d_name[0]))
			continue;
		errno = 0;
		id = strtoul(de->d_name, &end, 10);
		if (errno || *end != '-' || !id || id > UINT32_MAX) {
			log_warnx("%s/%s: not <server id>-<name>; left alone", dir, de->d_name);
			continue;
		}
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path)) {
			log_warnx("%s/%s: path too long; left alone", dir, de->d_name);
			continue;
		}
		fn(ctx, id, end + 1, path);
	}
	closedir(dp);
	return 0;
}
