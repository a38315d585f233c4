/* head.c: the audit log's head file: written once its records are on disk, read at a start and by verify. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cJSON.h>

#include "audit/head.h"
#include "audit/record_num.h"
#include "common/log.h"

int head_write(const char *dir, uint64_t seq, const char *hash)
{
	char path[PATH_MAX + 64], tmp[PATH_MAX + 80], body[256];
	int fd, n, rc = 0;

	snprintf(path, sizeof(path), "%s/" AUDIT_HEAD_FILE, dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	n = snprintf(body, sizeof(body), "{\"seq\":%" PRIu64 ",\"hash\":\"%s\"}\n", seq, hash);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, body, (size_t)n) != n || fsync(fd) < 0 || rename(tmp, path) < 0) {
		log_warn("audit head %s", path);
		rc = -1;
	}
	if (fd >= 0)
		close(fd);
	return rc;
}

int head_read(const char *dir, uint64_t *seq, char hash[SHA256_HEX_LEN + 1])
{
	char path[PATH_MAX + 64], buf[512];
	const cJSON *s, *h;
	struct stat st;
	ssize_t n = -1;
	cJSON *o;
	int fd, rc = -1;

	snprintf(path, sizeof(path), "%s/" AUDIT_HEAD_FILE, dir);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);	/* a FIFO must not stall verify */
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	o = cJSON_Parse(buf);
	s = cJSON_GetObjectItemCaseSensitive(o, "seq");
	h = cJSON_GetObjectItemCaseSensitive(o, "hash");
	if (record_num(s, seq) && cJSON_IsString(h) && strlen(h->valuestring) == SHA256_HEX_LEN) {
		memcpy(hash, h->valuestring, SHA256_HEX_LEN + 1);
		rc = 1;
	}
	cJSON_Delete(o);
	return rc;
}
