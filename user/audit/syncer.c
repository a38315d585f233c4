/* syncer.c: the audit log's sync thread: fdatasync of the live segment, then head.json, off the event loop. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <cJSON.h>
#include <unistd.h>

#include "audit/chain.h"
#include "audit/record_num.h"
#include "audit/syncer.h"
#include "common/log.h"

/* head.json says the last synced record: written whole (tmp, fsync, rename) once that record is on disk. */
static int write_head(const char *dir, uint64_t seq, const char *hash)
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
	cJSON *o;
	FILE *f;
	size_t n;
	int rc = -1;

	snprintf(path, sizeof(path), "%s/" AUDIT_HEAD_FILE, dir);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
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

static int sync_fd(const char *dir, int fd, uint64_t seq, const char *hash)
{
	if (fdatasync(fd) < 0) {
		log_warn("audit log %s: fdatasync of its live segment", dir);
		return -1;
	}
	return write_head(dir, seq, hash);
}

static void *run(void *arg)
{
	struct audit_syncer *s = arg;
	char hash[SHA256_HEX_LEN + 1];
	uint64_t seq;
	int fd, rc;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (s->fd < 0 && !s->stop)
			pthread_cond_wait(&s->cv, &s->mu);
		if (s->fd < 0)
			break;	/* stopping, with nothing left to sync */
		fd = s->fd;
		seq = s->seq;
		memcpy(hash, s->hash, sizeof(hash));
		pthread_mutex_unlock(&s->mu);
		rc = sync_fd(s->dir, fd, seq, hash);
		close(fd);
		pthread_mutex_lock(&s->mu);
		s->fd = -1;
		if (rc == 0)
			s->synced_seq = seq;
		s->failed |= rc != 0;
		s->busy = false;
		pthread_cond_broadcast(&s->cv);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

int syncer_start(struct audit_syncer *s, const char *dir, uint64_t synced_seq)
{
	int err;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->synced_seq = synced_seq;
	snprintf(s->dir, sizeof(s->dir), "%s", dir);
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	if ((err = pthread_create(&s->thread, NULL, run, s))) {
		errno = err;
		log_warn("audit log %s: start its sync thread", dir);
		return -1;
	}
	s->started = true;
	return 0;
}

int syncer_ask(struct audit_syncer *s, int fd, uint64_t seq, const char *hash)
{
	int dup_fd, rc = 1;

	pthread_mutex_lock(&s->mu);
	if (!s->busy) {
		dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
		if (dup_fd < 0) {
			log_warn("audit log %s: duplicate its live segment's descriptor for the sync thread", s->dir);
			rc = -1;
		} else {
			s->fd = dup_fd;
			s->seq = seq;
			snprintf(s->hash, sizeof(s->hash), "%s", hash);
			s->busy = true;
			pthread_cond_broadcast(&s->cv);
			rc = 0;
		}
	}
	pthread_mutex_unlock(&s->mu);
	return rc;
}

static void took(struct audit_syncer *s, uint64_t *synced_seq, bool *failed)
{
	*synced_seq = s->synced_seq;
	*failed = s->failed;
	s->failed = false;
}

void syncer_wait(struct audit_syncer *s, uint64_t *synced_seq, bool *failed)
{
	pthread_mutex_lock(&s->mu);
	while (s->busy)
		pthread_cond_wait(&s->cv, &s->mu);
	took(s, synced_seq, failed);
	pthread_mutex_unlock(&s->mu);
}

bool syncer_poll(struct audit_syncer *s, uint64_t *synced_seq, bool *failed)
{
	bool idle;

	if (pthread_mutex_trylock(&s->mu))
		return false;	/* the thread holds it, and may have been preempted there: ask again later */
	idle = !s->busy;
	if (idle)
		took(s, synced_seq, failed);
	pthread_mutex_unlock(&s->mu);
	return idle;
}

int syncer_sync_now(struct audit_syncer *s, int fd, uint64_t seq, const char *hash)
{
	if (sync_fd(s->dir, fd, seq, hash))
		return -1;
	pthread_mutex_lock(&s->mu);
	s->synced_seq = seq;
	pthread_mutex_unlock(&s->mu);
	return 0;
}

void syncer_stop(struct audit_syncer *s)
{
	if (!s->started)
		return;
	pthread_mutex_lock(&s->mu);
	s->stop = true;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->thread, NULL);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	s->started = false;
}
