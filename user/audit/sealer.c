/* sealer.c: the audit log's sealer: its key in a locked page, seal records, the key file following them, resume. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "audit/kinds.h"
#include "audit/record_num.h"
#include "audit/seal_file.h"
#include "audit/sealer.h"
#include "audit/segments.h"
#include "common/log.h"

/* A page of its own for the key: mlocked (never swapped out), out of core dumps, zero in a forked child. The page
 * is what matters; failing to lock it (RLIMIT_MEMLOCK) or to mark it is logged, not fatal. NULL (logged). */
static struct seal_key *key_page(const char *path)
{
	long sz = sysconf(_SC_PAGESIZE);
	void *p = mmap(NULL, (size_t)sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		log_warn("seal key %s: a page for the key", path);
		return NULL;
	}
	if (madvise(p, (size_t)sz, MADV_DONTDUMP) < 0 || madvise(p, (size_t)sz, MADV_WIPEONFORK) < 0)
		log_warn("seal key %s: madvise of the key's page (it may reach a core dump or a child)", path);
	if (mlock(p, (size_t)sz) < 0)
		log_warn("seal key %s: mlock of the key's page (it may be swapped out)", path);
	return p;
}

int sealer_open(struct audit_seal *s, const char *path)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	snprintf(s->path, sizeof(s->path), "%s", path);
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		log_warn("seal key %s: prctl(PR_SET_DUMPABLE, 0), so that the key's process can't be dumped", path);
		return -1;
	}
	if (!(s->k = key_page(path)))
		return -1;
	s->fd = seal_file_open(path, s->k);
	if (s->fd < 0) {
		sealer_close(s);
		return -1;
	}
	s->on = true;
	return 0;
}

/* The trail's last seal: what its mac covers, to check it against the key file's key. */
struct last_seal {
	uint64_t epoch, seq;
	char prev[SHA256_HEX_LEN + 1], ts[64], mac[SHA256_HEX_LEN + 1];
};

static void copy_str(const cJSON *o, const char *key, char *out, size_t size)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	snprintf(out, size, "%s", cJSON_IsString(v) ? v->valuestring : "");
}

/* The last readable seal record in text (len bytes), into *last when there is one. */
static bool last_seal_in(const char *text, size_t len, struct last_seal *last)
{
	static const char mark[] = "\"kind\":\"seal\"";
	const char *p = text, *end = text + len;
	bool found = false;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
		enum audit_kind k;
		uint64_t e;

		if (memmem(p, n, mark, sizeof(mark) - 1)) {
			cJSON *o = cJSON_ParseWithLength(p, n);
			const cJSON *kind = cJSON_GetObjectItemCaseSensitive(o, "kind");

			if (cJSON_IsString(kind) && !audit_kind_parse(kind->valuestring, &k) && k == AUDIT_SEAL &&
			    record_num(cJSON_GetObjectItemCaseSensitive(o, "epoch"), &e)) {
				last->epoch = e;
				if (!record_num(cJSON_GetObjectItemCaseSensitive(o, "sealed_seq"), &last->seq))
					last->seq = UINT64_MAX;	/* no mac can match */
				copy_str(o, "prev", last->prev, sizeof(last->prev));
				copy_str(o, "ts", last->ts, sizeof(last->ts));
				copy_str(o, "mac", last->mac, sizeof(last->mac));
				found = true;
			}
			cJSON_Delete(o);
		}
		p += n + 1;
	}
	return found;
}

/* The trail's last seal, newest segment first: 1 (*last set), 0 when it has none, -1 (logged). */
static int last_seal(const char *dir, struct last_seal *last)
{
	struct segment *segs;
	int n = segments_list(dir, &segs), found = 0;

	for (int i = n - 1; i >= 0 && !found; i--) {
		char *text;
		size_t len;

		if (segment_read(dir, &segs[i], &text, &len) < 0) {
			found = -1;
			break;
		}
		found = last_seal_in(text, len, last);
		free(text);
	}
	free(segs);
	return n < 0 ? -1 : found;
}

/* Whether seal l was made with the key file's key, evolved from epoch `was` to l's epoch. */
static bool made_with(const struct audit_seal *s, const struct last_seal *l)
{
	struct seal_key k = *s->k;
	char mac[SHA256_HEX_LEN + 1];
	bool same;

	while (k.epoch < l->epoch)
		if (seal_evolve(&k) < 0)
			break;
	same = k.epoch == l->epoch && seal_mac(&k, l->seq, l->prev, l->ts, mac) == 0 && !strcmp(mac, l->mac);
	explicit_bzero(&k, sizeof(k));
	return same;
}

int sealer_resume(struct audit_seal *s, const char *dir)
{
	struct last_seal l = { 0 };
	uint64_t was = s->k->epoch, last;
	int found = last_seal(dir, &l);

	if (found < 0) {
		log_warnx("seal key %s: the epoch of the last seal in %s can't be read: not sealing on from it", s->path,
			  dir);
		return -1;
	}
	last = l.epoch;
	if (found && was <= last && last - was < SEAL_MAX_GAP && !made_with(s, &l)) {
		/* At or behind the trail's last seal, the file must hold the key that made it (a stop between a seal and
		 * the file's update). Another key (a new one, an old copy) would seal on where neither verifies. */
		log_warnx("seal key %s: did not make the last seal of the trail in %s (epoch %" PRIu64 "): a new key "
			  "needs a new --audit-dir (or that seal is forged): not sealing", s->path, dir, last);
		return -1;
	}
	if (last < was) {
		if (last + 1 < was)
			log_warnx("audit log %s: its last seal is of epoch %" PRIu64 ", and the key file %s is at epoch %"
				  PRIu64 ": the seals of epochs %" PRIu64 "..%" PRIu64 " are not in the trail (lost or cut)",
				  dir, last, s->path, was, last + 1, was - 1);
		return 0;
	}
	if (last - was >= SEAL_MAX_GAP || last >= SEAL_EPOCH_MAX) {
		log_warnx("seal key %s: at epoch %" PRIu64 ", but the trail in %s has a seal of epoch %" PRIu64 ", %u or "
			  "more epochs ahead: not walked (a forged seal?), and not sealing", s->path, was, dir, last,
			  SEAL_MAX_GAP);
		return -1;
	}
	while (s->k->epoch <= last) {
		if (seal_evolve(s->k) < 0) {
			log_warnx("seal key %s: libcrypto failed to evolve the key", s->path);
			return -1;
		}
	}
	log_warnx("seal key %s: at epoch %" PRIu64 ", not past the trail's last seal (epoch %" PRIu64 ": the last "
		  "daemon stopped before its key file moved on): moved on to epoch %" PRIu64, s->path, was, last,
		  s->k->epoch);
	return seal_file_store(s->fd, s->path, s->k);
}

cJSON *sealer_record(const struct audit_seal *s, uint64_t seq, const char *hash, const char *ts)
{
	char mac[SHA256_HEX_LEN + 1];
	cJSON *rec;

	if (seal_mac(s->k, seq, hash, ts, mac) < 0)
		return NULL;
	rec = cJSON_CreateObject();
	cJSON_AddNumberToObject(rec, "epoch", (double)s->k->epoch);
	cJSON_AddNumberToObject(rec, "sealed_seq", (double)seq);
	cJSON_AddStringToObject(rec, "mac", mac);
	return rec;
}

int sealer_next(struct audit_seal *s)
{
	if (seal_evolve(s->k) < 0)
		return -1;
	s->pending = true;
	return 0;
}

int sealer_store(const struct audit_seal *s)
{
	return seal_file_store(s->fd, s->path, s->k);
}

void sealer_fail(struct audit_seal *s, const char *why)
{
	log_warnx("seal key %s: %s: sealing stops, and the records from here on are unsealed (restart the daemon once "
		  "the key file can be written)", s->path, why);
	snprintf(s->stopped, sizeof(s->stopped), "%s", why);
	/* The file may still hold a key a seal was made with: emptied, best effort, so no later reader remakes it. */
	if (s->fd >= 0 && (ftruncate(s->fd, 0) < 0 || fsync(s->fd) < 0))
		log_warn("seal key %s: emptying it after sealing stopped (it may still hold the last seal's key)", s->path);
	if (s->k)
		explicit_bzero(s->k, sizeof(*s->k));
	s->on = false;
	s->pending = false;
}

void sealer_close(struct audit_seal *s)
{
	if (s->k) {
		long sz = sysconf(_SC_PAGESIZE);

		explicit_bzero(s->k, sizeof(*s->k));
		munlock(s->k, (size_t)sz);
		munmap(s->k, (size_t)sz);
		s->k = NULL;
	}
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->on = false;
	s->pending = false;
}
