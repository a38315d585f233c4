/* syslog_fwd.c: the queue of syslog messages and the thread that sends them to the collector. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "audit/syslog_fwd.h"
#include "audit/syslog_msg.h"
#include "common/log.h"

#define BACKOFF_MIN_MS	500
#define BACKOFF_MAX_MS	30000

struct msg {
	struct msg *next;
	uint64_t seq;		/* 0: a loss notice, outside the bound */
	size_t len;
	char data[];
};

struct loss {
	uint64_t n, first, last;
};

struct syslog_fwd {
	struct syslog_target t;
	bool stream;
	char host[256];
	pid_t pid;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	/* Under mu. */
	struct msg *head, *tail;
	size_t queued, queued_bytes;	/* records only: notices are not counted against the bound */
	bool stopping;
	struct timespec stop_by;	/* CLOCK_MONOTONIC */
	bool connected;
	uint64_t sent, lost, reconnects;
	struct loss for_trail;		/* not yet taken by syslog_fwd_take_lost */
	struct loss for_collector;	/* not yet told in a notice */
	char last_error[256];
	/* The thread's own. */
	int fd;
};

static void add_loss(struct loss *l, uint64_t seq)
{
	if (!l->n)
		l->first = seq;
	l->n++;
	l->last = seq;
}

/* Under mu. A lost syslog_lost record is told to the collector, not handed back to the trail, which has it. */
static void count_lost(struct syslog_fwd *f, uint64_t seq, bool trail_has_it)
{
	f->lost++;
	add_loss(&f->for_collector, seq);
	if (!trail_has_it)
		add_loss(&f->for_trail, seq);
}

static struct msg *new_msg(char *text, size_t n, uint64_t seq)
{
	struct msg *m = text ? malloc(sizeof(*m) + n) : NULL;

	if (m) {
		m->next = NULL;
		m->seq = seq;
		m->len = n;
		memcpy(m->data, text, n);
	}
	free(text);
	return m;
}

/* Under mu. */
static void push(struct syslog_fwd *f, struct msg *m)
{
	if (f->tail)
		f->tail->next = m;
	else
		f->head = m;
	f->tail = m;
	if (m->seq) {
		f->queued++;
		f->queued_bytes += m->len;
	}
}

static bool bulk_kind(const char *kind)
{
	return !strcmp(kind, "fork") || !strcmp(kind, "exit") || !strcmp(kind, "net") || !strcmp(kind, "sock_state");
}

void syslog_fwd_record(struct syslog_fwd *f, uint64_t seq, const char *hash, const char *kind, const char *line,
		       size_t len)
{
	struct syslog_rec r = { .host = f->host, .pid = f->pid, .kind = kind, .seq = seq, .hash = hash, .line = line,
				.len = len };
	size_t n = 0, bound = bulk_kind(kind) ? SYSLOG_BULK_BYTES : SYSLOG_QUEUE_BYTES;
	struct msg *m, *notice = NULL;
	char *text;

	clock_gettime(CLOCK_REALTIME, &r.ts);
	text = syslog_msg_format(&r, f->stream, &n);	/* n is set here, before new_msg reads it */
	m = new_msg(text, n, seq);
	pthread_mutex_lock(&f->mu);
	if (!m || f->stopping || f->queued_bytes + n > bound) {
		count_lost(f, seq, !strcmp(kind, "syslog_lost"));
		free(m);
		pthread_mutex_unlock(&f->mu);
		return;
	}
	if (f->for_collector.n) {	/* what went missing before this record, told before it */
		struct loss *l = &f->for_collector;
		size_t nn = 0;

		text = syslog_msg_lost(&r.ts, f->host, f->pid, l->n, l->first, l->last, f->stream, &nn);
		notice = new_msg(text, nn, 0);
		if (notice) {
			push(f, notice);
			*l = (struct loss){ 0 };
		}
	}
	push(f, m);
	pthread_cond_signal(&f->cv);
	pthread_mutex_unlock(&f->mu);
}

/* Under mu: drops the head, sent or lost. */
static void pop(struct syslog_fwd *f, bool sent)
{
	struct msg *m = f->head;

	f->head = m->next;
	if (!f->head)
		f->tail = NULL;
	if (m->seq) {
		f->queued--;
		f->queued_bytes -= m->len;
		if (sent)
			f->sent++;
		else
			count_lost(f, m->seq, false);
	}
	free(m);
}

static void deadline_in(struct timespec *ts, unsigned ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

static bool past(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > t->tv_sec || (now.tv_sec == t->tv_sec && now.tv_nsec >= t->tv_nsec);
}

/* Whether the stop's wait is over; read outside mu by the sender (its fields are set once, before the flag). */
static bool stop_due(struct syslog_fwd *f)
{
	return __atomic_load_n(&f->stopping, __ATOMIC_ACQUIRE) && past(&f->stop_by);
}

/* Whether the collector closed the stream (or reset it): sending on would lose the message unseen. */
static bool stream_closed(int fd)
{
	char c;
	ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);

	return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

/* Sends m whole: 0; -1 with errno on a failure (the connection is then useless), or once the stop is due. */
static int send_msg(struct syslog_fwd *f, const struct msg *m)
{
	size_t off = 0;

	if (f->stream && stream_closed(f->fd)) {
		errno = ECONNRESET;
		return -1;
	}
	while (off < m->len) {
		ssize_t w;

		if (off && stop_due(f)) {	/* a collector that trickles can't hold the stop */
			errno = ETIMEDOUT;
			return -1;
		}
		w = send(f->fd, m->data + off, m->len - off, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		if (!f->stream && (size_t)w != m->len) {
			errno = EMSGSIZE;
			return -1;
		}
		off += (size_t)w;
	}
	return 0;
}

/* Under mu: waits ms, returning early when a stop comes (its queue is then tried at once) or is due. */
static void backoff(struct syslog_fwd *f, unsigned ms)
{
	struct timespec until;
	bool was_stopping = f->stopping;

	deadline_in(&until, ms);
	while (!past(&until) && f->stopping == was_stopping && !(f->stopping && past(&f->stop_by))) {
		const struct timespec *t = &until;

		if (f->stopping && (f->stop_by.tv_sec < until.tv_sec ||
				    (f->stop_by.tv_sec == until.tv_sec && f->stop_by.tv_nsec < until.tv_nsec)))
			t = &f->stop_by;
		pthread_cond_timedwait(&f->cv, &f->mu, t);
	}
}

/* Connects, outside mu; under mu on return. note gets what to log once mu is dropped. */
static void reconnect(struct syslog_fwd *f, char *note, size_t size)
{
	char why[256];
	int fd;

	pthread_mutex_unlock(&f->mu);
	fd = syslog_target_connect(&f->t, SYSLOG_SEND_TIMEOUT_MS, why, sizeof(why));
	pthread_mutex_lock(&f->mu);
	if (fd < 0) {
		snprintf(f->last_error, sizeof(f->last_error), "%s", why);
		return;
	}
	f->fd = fd;
	f->connected = true;
	f->reconnects++;
	snprintf(note, size, "syslog %s: connected again; %zu records queued meanwhile", f->t.text, f->queued);
}

static void *sender(void *arg)
{
	struct syslog_fwd *f = arg;
	unsigned wait_ms = BACKOFF_MIN_MS;
	char note[400] = "";

	pthread_mutex_lock(&f->mu);
	for (;;) {
		struct msg *m;
		bool was_connected;
		int rc, err;

		while (!f->head && !f->stopping)
			pthread_cond_wait(&f->cv, &f->mu);
		if (!f->head || (f->stopping && past(&f->stop_by)))
			break;
		if (f->fd < 0) {
			reconnect(f, note, sizeof(note));
			if (f->fd < 0) {
				backoff(f, wait_ms);
				wait_ms = wait_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : wait_ms * 2;
				continue;
			}
		}
		m = f->head;	/* only this thread pops: m stays while mu is dropped */
		was_connected = f->connected;
		pthread_mutex_unlock(&f->mu);
		if (note[0]) {	/* logged outside mu: stderr may block, the event loop must not wait on it */
			log_warnx("%s", note);
			note[0] = '\0';
		}
		rc = send_msg(f, m);
		err = errno;
		if (rc < 0 && err != EMSGSIZE && was_connected)
			log_warnx("syslog %s: send: %s: records are queued until it is back", f->t.text, strerror(err));
		pthread_mutex_lock(&f->mu);
		if (rc == 0) {
			pop(f, true);
			wait_ms = BACKOFF_MIN_MS;
			continue;
		}
		if (err == EMSGSIZE) {	/* a datagram this transport can't carry: no retry sends it */
			snprintf(f->last_error, sizeof(f->last_error), "record seq %llu: %zu bytes: %s",
				 (unsigned long long)m->seq, m->len, strerror(err));
			pop(f, false);
			continue;
		}
		snprintf(f->last_error, sizeof(f->last_error), "send: %s", strerror(err));
		f->connected = false;
		close(f->fd);
		f->fd = -1;
	}
	pthread_mutex_unlock(&f->mu);
	return NULL;
}

struct syslog_fwd *syslog_fwd_start(const struct syslog_target *t, const char *host, char *why, size_t whylen)
{
	struct syslog_fwd *f = calloc(1, sizeof(*f));
	pthread_condattr_t ca;
	int rc;

	if (!f) {
		snprintf(why, whylen, "syslog %s: out of memory", t->text);
		return NULL;
	}
	f->t = *t;
	f->stream = syslog_target_stream(t);
	snprintf(f->host, sizeof(f->host), "%s", host);
	f->pid = getpid();
	f->fd = syslog_target_connect(t, SYSLOG_SEND_TIMEOUT_MS, why, whylen);
	if (f->fd < 0) {
		free(f);
		return NULL;
	}
	f->connected = true;
	if ((rc = pthread_mutex_init(&f->mu, NULL)) || (rc = pthread_condattr_init(&ca)) ||
	    (rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC)) || (rc = pthread_cond_init(&f->cv, &ca)) ||
	    (rc = pthread_condattr_destroy(&ca)) || (rc = pthread_create(&f->thread, NULL, sender, f))) {
		snprintf(why, whylen, "syslog %s: the sender thread: %s", t->text, strerror(rc));
		close(f->fd);
		free(f);
		return NULL;
	}
	return f;
}

bool syslog_fwd_take_lost(struct syslog_fwd *f, uint64_t *lost, uint64_t *first, uint64_t *last)
{
	bool any;

	pthread_mutex_lock(&f->mu);
	any = f->for_trail.n > 0;
	*lost = f->for_trail.n;
	*first = f->for_trail.first;
	*last = f->for_trail.last;
	f->for_trail = (struct loss){ 0 };
	pthread_mutex_unlock(&f->mu);
	return any;
}

cJSON *syslog_fwd_json(struct syslog_fwd *f)
{
	cJSON *o = cJSON_CreateObject();

	pthread_mutex_lock(&f->mu);
	cJSON_AddStringToObject(o, "target", f->t.text);
	cJSON_AddBoolToObject(o, "connected", f->connected);
	cJSON_AddNumberToObject(o, "sent", (double)f->sent);
	cJSON_AddNumberToObject(o, "lost", (double)f->lost);
	cJSON_AddNumberToObject(o, "queued", (double)f->queued);
	cJSON_AddNumberToObject(o, "queued_bytes", (double)f->queued_bytes);
	cJSON_AddNumberToObject(o, "reconnects", (double)f->reconnects);
	cJSON_AddStringToObject(o, "last_error", f->last_error);
	pthread_mutex_unlock(&f->mu);
	return o;
}

void syslog_fwd_stop(struct syslog_fwd *f)
{
	size_t left;

	if (!f)
		return;
	pthread_mutex_lock(&f->mu);
	deadline_in(&f->stop_by, SYSLOG_STOP_WAIT_MS);
	__atomic_store_n(&f->stopping, true, __ATOMIC_RELEASE);
	pthread_cond_signal(&f->cv);
	pthread_mutex_unlock(&f->mu);
	pthread_join(f->thread, NULL);
	left = f->queued;
	while (f->head)
		pop(f, false);
	if (left || f->lost)
		log_warnx("syslog %s: %zu records not sent at stop (%llu lost in all): the trail holds them", f->t.text,
			  left, (unsigned long long)f->lost);
	if (f->fd >= 0)
		close(f->fd);
	pthread_cond_destroy(&f->cv);
	pthread_mutex_destroy(&f->mu);
	free(f);
}
