/* syncer.c: the audit log's sync thread: fdatasync of the live segment, head.json, the sealing key file. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "audit/head.h"
#include "audit/sealer.h"
#include "audit/syncer.h"
#include "common/log.h"

/* The records, then the key file (key: NULL when it needn't move), then the head; *key_rc is 1 when the key file
 * was written, -1 when that failed, 0 when it was not tried. 0, or -1 when the records or the head failed. */
static int sync_fd(const char *dir, int fd, uint64_t seq, const char *hash, const struct audit_seal *key,
		   int *key_rc)
{
	*key_rc = 0;
	if (fdatasync(fd) < 0) {
		log_warn("audit log %s: fdatasync of its live segment", dir);
		return -1;
	}
	/* The seal is on disk: the key file follows now, whatever head.json does (a head that can't be written must
	 * not keep the key file behind the seals). */
	if (key)
		*key_rc = sealer_store(key) == 0 ? 1 : -1;
	return head_write(dir, seq, hash) < 0 ? -1 : 0;
}

static void *run(void *arg)
{
	struct audit_syncer *s = arg;
	char hash[SHA256_HEX_LEN + 1];
	const struct audit_seal *key;
	uint64_t seq;
	int fd, rc, key_rc;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (s->fd < 0 && !s->stop)
			pthread_cond_wait(&s->cv, &s->mu);
		if (s->fd < 0)
			break;	/* stopping, with nothing left to sync */
		fd = s->fd;
		seq = s->seq;
		memcpy(hash, s->hash, sizeof(hash));
		key = s->key;
		pthread_mutex_unlock(&s->mu);
		rc = sync_fd(s->dir, fd, seq, hash, key, &key_rc);
		close(fd);
		pthread_mutex_lock(&s->mu);
		s->fd = -1;
		s->key = NULL;
		if (rc == 0)
			s->synced_seq = seq;
		s->failed |= rc != 0;
		s->key_rc = key_rc;
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

int syncer_ask(struct audit_syncer *s, int fd, uint64_t seq, const char *hash, const struct audit_seal *key)
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
			s->key = key;
			s->busy = true;
			pthread_cond_broadcast(&s->cv);
			rc = 0;
		}
	}
	pthread_mutex_unlock(&s->mu);
	return rc;
}

static void took(struct audit_syncer *s, struct syncer_result *r)
{
	r->synced_seq = s->synced_seq;
	r->failed = s->failed;
	r->key = s->key_rc;
	s->failed = false;
	s->key_rc = 0;
}

void syncer_wait(struct audit_syncer *s, struct syncer_result *r)
{
	pthread_mutex_lock(&s->mu);
	while (s->busy)
		pthread_cond_wait(&s->cv, &s->mu);
	took(s, r);
	pthread_mutex_unlock(&s->mu);
}

bool syncer_poll(struct audit_syncer *s, struct syncer_result *r)
{
	bool idle;

	if (pthread_mutex_trylock(&s->mu))
		return false;	/* the thread holds it, and may have been preempted there: ask again later */
	idle = !s->busy;
	if (idle)
		took(s, r);
	pthread_mutex_unlock(&s->mu);
	return idle;
}

int syncer_sync_now(struct audit_syncer *s, int fd, uint64_t seq, const char *hash, const struct audit_seal *key,
		    int *key_rc)
{
	if (sync_fd(s->dir, fd, seq, hash, key, key_rc))
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
