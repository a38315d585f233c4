/* file_id.c: a file's identity as the kernel's exec path sees it: its superblock's s_dev and its inode number. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "daemon/calls/file_id.h"

/* The major:minor mountinfo shows for mount `id`: the superblock's s_dev. 0, or -1 when not found. */
static int mount_sdev(uint64_t id, uint64_t *sdev)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	unsigned long long mid;
	unsigned ma, mi;
	char line[4096];
	int r = -1;

	if (!f)
		return -1;
	while (r && fgets(line, sizeof(line), f))
		if (sscanf(line, "%llu %*u %u:%u", &mid, &ma, &mi) == 3 && mid == id) {
			*sdev = (uint64_t)ma << 20 | mi;
			r = 0;
		}
	fclose(f);
	return r;
}

int file_id(const char *path, uint64_t *sdev, uint64_t *ino, mode_t *type)
{
	struct statx sx;

	if (statx(AT_FDCWD, path, 0, STATX_TYPE | STATX_INO | STATX_MNT_ID, &sx))
		return -1;
	*type = sx.stx_mode & S_IFMT;
	*ino = sx.stx_ino;
	if ((sx.stx_mask & STATX_MNT_ID) && !mount_sdev(sx.stx_mnt_id, sdev))
		return 0;
	*sdev = (uint64_t)sx.stx_dev_major << 20 | sx.stx_dev_minor;	/* kernels before 5.8 */
	return 0;
}
