/* seal_file.c: the sealing key file: its format, keygen, the checks before the daemon or verify trusts it. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/seal_file.h"
#include "common/log.h"

#define FILE_HEAD	"mcpwarden-seal-key v1 epoch "
#define FILE_FMT	FILE_HEAD "%020" PRIu64 " key %s\n"

/* The file's text for k: SEAL_FILE_LEN bytes and a NUL. */
static void format_file(const struct seal_key *k, char buf[SEAL_FILE_LEN + 1])
{
	char hex[SEAL_HEX_LEN + 1];

	seal_hex(k, hex);
	snprintf(buf, SEAL_FILE_LEN + 1, FILE_FMT, k->epoch, hex);
	explicit_bzero(hex, sizeof(hex));
}

/* Parses the file's text (n bytes). 0, or -1 with *why set. */
static int parse_file(const char *buf, size_t n, struct seal_key *k, const char **why)
{
	const char *p = buf + sizeof(FILE_HEAD) - 1;
	char hex[SEAL_HEX_LEN + 1];
	uint64_t epoch = 0;
	int rc;

	*why = "not a key file (want \"" FILE_HEAD "N key HEX\", as `mcpwarden audit keygen` writes)";
	if (n != SEAL_FILE_LEN || memcmp(buf, FILE_HEAD, sizeof(FILE_HEAD) - 1) || strncmp(p + 20, " key ", 5) ||
	    buf[n - 1] != '\n')
		return -1;
	for (int i = 0; i < 20; i++) {
		if (p[i] < '0' || p[i] > '9' || epoch > (UINT64_MAX - 9) / 10)
			return -1;
		epoch = epoch * 10 + (uint64_t)(p[i] - '0');
	}
	memcpy(hex, p + 25, SEAL_HEX_LEN);
	hex[SEAL_HEX_LEN] = '\0';
	rc = seal_parse_hex(hex, k);
	explicit_bzero(hex, sizeof(hex));
	if (rc < 0)
		return -1;
	k->epoch = epoch;
	if (epoch >= 1 && epoch <= SEAL_EPOCH_MAX)
		return 0;
	*why = epoch ? "its epoch is implausibly large" :
		"it is at epoch 0, the verification key's, which must not be on the host (make a new one with "
		"`mcpwarden audit keygen`, and keep the key it prints off the host)";
	explicit_bzero(k, sizeof(*k));
	return -1;
}

int seal_file_store(int fd, const char *path, const struct seal_key *k)
{
	char buf[SEAL_FILE_LEN + 1];
	ssize_t w;

	format_file(k, buf);
	w = pwrite(fd, buf, SEAL_FILE_LEN, 0);
	explicit_bzero(buf, sizeof(buf));
	if (w != (ssize_t)SEAL_FILE_LEN || fsync(fd) < 0) {
		if (w >= 0 && w != (ssize_t)SEAL_FILE_LEN)
			errno = EIO;
		log_warn("seal key %s: write", path);
		return -1;
	}
	return 0;
}

int seal_keygen(const char *path, char vkey[SEAL_HEX_LEN + 1])
{
	struct seal_key k0 = { .epoch = 0 }, k1;
	int fd, rc = -1;

	if (RAND_bytes(k0.key, SEAL_KEY_BYTES) != 1) {
		log_warnx("seal key %s: no random bytes from libcrypto", path);
		return -1;
	}
	k1 = k0;
	if (seal_evolve(&k1) < 0) {
		log_warnx("seal key %s: libcrypto failed to evolve the key", path);
		explicit_bzero(&k0, sizeof(k0));
		return -1;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		log_warn("seal key %s", path);
	else if ((rc = seal_file_store(fd, path, &k1)) < 0)
		unlink(path);
	if (fd >= 0)
		close(fd);
	if (rc == 0)
		seal_hex(&k0, vkey);
	explicit_bzero(&k0, sizeof(k0));
	explicit_bzero(&k1, sizeof(k1));
	return rc;
}

/* Opens path with flags (and O_NOFOLLOW, O_CLOEXEC, O_NONBLOCK: a FIFO must not stall the open), wants a regular
 * file, and reads its key. The descriptor, or -1 (logged). The daemon's checks come after: seal_file_open. */
static int open_key(const char *path, int flags, struct stat *st, struct seal_key *k)
{
	char buf[SEAL_FILE_LEN + 2];
	const char *why;
	ssize_t n = -1;
	int rc = -1, fd = open(path, flags | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0) {
		if (errno == ELOOP)
			log_warnx("seal key %s: a symbolic link: name the key file itself", path);
		else
			log_warn("seal key %s: open", path);
		return -1;
	}
	if (fstat(fd, st) < 0)
		log_warn("seal key %s: stat", path);
	else if (!S_ISREG(st->st_mode))
		log_warnx("seal key %s: not a regular file", path);
	else if ((n = pread(fd, buf, sizeof(buf), 0)) < 0)
		log_warn("seal key %s: read", path);
	else if ((rc = parse_file(buf, (size_t)n, k, &why)) < 0)
		log_warnx("seal key %s: %s", path, why);
	explicit_bzero(buf, sizeof(buf));
	if (rc < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int seal_file_read(const char *path, struct seal_key *k)
{
	struct stat st;
	int fd = open_key(path, O_RDONLY, &st, k);

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

int seal_file_open(const char *path, struct seal_key *k)
{
	struct stat st;
	int fd = open_key(path, O_RDWR, &st, k);

	if (fd < 0)
		return -1;
	if (st.st_uid != geteuid())
		log_warnx("seal key %s: owned by uid %u, not by this daemon's (%u): chown it", path,
			  (unsigned)st.st_uid, (unsigned)geteuid());
	else if (st.st_mode & 077)
		log_warnx("seal key %s: mode %04o lets group or others read or write it: chmod 600 it, and make a new "
			  "key (`audit keygen`) if others may have read this one", path, (unsigned)(st.st_mode & 07777));
	else if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return fd;
	else if (errno == EWOULDBLOCK)
		log_warnx("seal key %s: another process holds its lock (another daemon sealing with it?): one daemon "
			  "seals with a key file", path);
	else
		log_warn("seal key %s: flock", path);
	explicit_bzero(k, sizeof(*k));
	close(fd);
	return -1;
}
