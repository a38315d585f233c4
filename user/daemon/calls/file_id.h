/* file_id.h: a file's identity as the kernel's exec path sees it: its superblock's s_dev and its inode number. */
#ifndef MCPWARDEN_FILE_ID_H
#define MCPWARDEN_FILE_ID_H

#include <stdint.h>
#include <sys/types.h>

/*
 * Follows symlinks. The device is the superblock's (MKDEV encoding, as BPF reads
 * inode->i_sb->s_dev), taken from the file's mount in /proc/self/mountinfo:
 * stat's st_dev differs from it on btrfs subvolumes. 0, or -1 (errno set).
 */
int file_id(const char *path, uint64_t *sdev, uint64_t *ino, mode_t *type);	/* *type: S_IFREG, S_IFSOCK, ... */

#endif
