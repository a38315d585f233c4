/* beneath.h: opens a path below a directory without leaving it and without following any symbolic link. */
#ifndef MCPWARDEN_BENEATH_H
#define MCPWARDEN_BENEATH_H

#include <sys/types.h>

/*
 * Opens rel below dirfd with flags (O_CLOEXEC added): openat2 with
 * RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS, or, where the kernel has no openat2
 * (ENOSYS), one component at a time with O_NOFOLLOW. rel is relative; "" and "."
 * are dirfd itself. Fails with ELOOP when any component is a symbolic link, and
 * with EXDEV when rel is absolute or has a ".." component. Returns the descriptor,
 * or -1 with errno set.
 */
int beneath_open(int dirfd, const char *rel, int flags, mode_t mode);

#endif
