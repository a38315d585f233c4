/* chain.c: the daemon's tamper-evident audit log: hash-chained JSON lines in rotating segments. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit/chain.h"
#include "audit/kinds.h"
#include "audit/record_num.h"
#include "audit/segments.h"
#include "common/log.h"

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int open_live(struct audit_log *a, uint64_t first_seq)
{
	char path[PATH_MAX + 64];
	struct stat st;

	segment_live_name(a->live, sizeof(a->live), first_seq);
	snprintf(path, sizeof(path), "%s/%s", a->dir, a->live);
	a->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (a->fd < 0 || fstat(a->fd, &st) < 0) {
		log_warn("audit segment %s", path);
		return -1;
	}
	a->bytes = (size_t)st.st_size;
	return 0;
}

/* The last complete line of text that parses with a seq; sets *keep to the bytes up to it. */
static int last_record(const char *text, size_t len, size_t *keep, uint64_t *seq,
		       char hash[SHA256_HEX_LEN + 1])
{
	size_t end = len;

	while (end > 0) {
		size_t start, n;
		cJSON *o, *s;

		if (text[end - 1] != '\n') {	/* a partial last line */
			while (end > 0 && text[end - 1] != '\n')
				end--;
			continue;
		}
		start = end - 1;
		while (start > 0 && text[start - 1] != '\n')
			start--;
		n = end - 1 - start;
		o = cJSON_ParseWithLength(text + start, n);
		s = cJSON_GetObjectItemCaseSensitive(o, "seq");
		if (record_num(s, seq)) {
			sha256_hex(text + start, n, hash);
			*keep = end;
			cJSON_Delete(o);
			return 0;
		}
		cJSON_Delete(o);
		end = start;	/* an unreadable line: drop it too */
	}
	*keep = 0;
	return -1;
}

/* Picks up where the last run stopped: next seq, prev hash, a clean live tail, and the
 * live segment to append to (*live_first: its first seq). */
static int resume(struct audit_log *a, size_t *cut, uint64_t *live_first)
{
	struct segment *segs = NULL;
	int n = segments_list(a->dir, &segs);
	uint64_t seq = 0;
	size_t len = 0, keep = 0;
	char *text = NULL;
	int rc = 0;

	*cut = 0;
	a->next_seq = 1;
	strcpy(a->prev, AUDIT_GENESIS);
	if (n < 0)
		return -1;
	/* The newest segment with a readable record decides; empty live segments are skipped. */
	for (int i = n - 1; i >= 0; i--) {
		free(text);
		text = NULL;
		if (segment_read(a->dir, &segs[i], &text, &len) < 0) {
			rc = -1;
			break;
		}
		if (last_record(text, len, &keep, &seq, a->prev) == 0) {
			a->next_seq = seq + 1;
			/* Never appended to again: a compressor the crashed daemon left may still be turning it
			 * into .gz, and would then remove it, with whatever was added meanwhile. */
			*live_first = a->next_seq;
			if (!segs[i].compressed && keep < len) {
				char path[PATH_MAX + 64];

				snprintf(path, sizeof(path), "%s/%s", a->dir, segs[i].name);
				if (truncate(path, (off_t)keep) < 0) {
					log_warn("truncating the torn tail of %s", path);
					rc = -1;
				}
				*cut += len - keep;
			}
			break;
		}
		if (!segs[i].compressed) {	/* no whole record: an empty or torn live segment */
			char path[PATH_MAX + 64];

			snprintf(path, sizeof(path), "%s/%s", a->dir, segs[i].name);
			if (unlink(path) < 0)
				log_warn("removing the empty audit segment %s", path);
			*cut += len;
		}
	}
	free(text);
	free(segs);
	return rc;
}

/* What a start finds that a clean stop does not leave: a torn tail cut off (bytes), and the head file missing,
 * unreadable, or naming records beyond the last one found (a segment lost). */
struct found {
	size_t cut;
	const char *head;	/* NULL: as a clean stop leaves it */
	uint64_t head_seq;
};

static void check_head_file(const struct audit_log *a, struct found *f)
{
	char hash[SHA256_HEX_LEN + 1];
	uint64_t last = a->next_seq - 1;
	int h = head_read(a->dir, &f->head_seq, hash);

	if (h < 0)
		f->head = "unreadable";
	else if (h == 0 && last)
		f->head = "missing";
	else if (h == 1 && f->head_seq > last)
		f->head = "ahead";
}

/* The "recovered" record: what was found, and where the chain goes on. */
static int record_recovery(struct audit_log *a, const struct found *f)
{
	cJSON *rec = cJSON_CreateObject();

	if (f->cut) {
		log_warnx("audit log %s: a torn tail of %zu bytes from a crash was truncated", a->dir, f->cut);
		cJSON_AddNumberToObject(rec, "truncated_bytes", (double)f->cut);
	}
	if (f->head) {
		log_warnx("audit log %s: its head file " AUDIT_HEAD_FILE " is %s; the chain goes on after seq %" PRIu64
			  "%s", a->dir, f->head, a->next_seq - 1,
			  !strcmp(f->head, "ahead") ? ", short of the head's: records or a segment were lost" : "");
		cJSON_AddStringToObject(rec, "head", f->head);
		if (!strcmp(f->head, "ahead"))
			cJSON_AddNumberToObject(rec, "head_seq", (double)f->head_seq);
	}
	cJSON_AddNumberToObject(rec, "last_good_seq", (double)(a->next_seq - 1));
	if (a->seal.on)
		cJSON_AddNumberToObject(rec, "seal_epoch", (double)a->seal.k->epoch);
	return audit_append(a, audit_kind_name(AUDIT_RECOVERED), rec) < 0 || audit_sync(a) < 0 ? -1 : 0;
}

int audit_open(struct audit_log *a, const struct audit_opts *o)
{
	uint64_t live_first = 1;
	struct found f = { 0 };

	memset(a, 0, sizeof(*a));
	a->fd = -1;
	a->seal.fd = -1;
	snprintf(a->dir, sizeof(a->dir), "%s", o->dir);
	a->max_bytes = o->max_segment_bytes ? o->max_segment_bytes : 16u << 20;
	a->fsync_ms = o->fsync_ms;
	a->tap = o->tap;
	a->tap_ctx = o->tap_ctx;
	a->seal_ns = (uint64_t)(o->seal_ms ? o->seal_ms : AUDIT_SEAL_IDLE_MS) * 1000000ull;
	if (o->host)
		snprintf(a->host, sizeof(a->host), "%s", o->host);
	else if (gethostname(a->host, sizeof(a->host) - 1) < 0)
		strcpy(a->host, "unknown");
	if (mkdir(a->dir, 0700) < 0 && errno != EEXIST) {
		log_warn("audit directory %s", a->dir);
		return -1;
	}
	if (o->seal_key && sealer_open(&a->seal, o->seal_key) < 0)
		return -1;
	if (resume(a, &f.cut, &live_first) < 0 || (a->seal.on && sealer_resume(&a->seal, a->dir) < 0) ||
	    open_live(a, live_first) < 0)
		goto fail;
	/* What a crash left plain, forked before the sync thread starts: a child forked while a thread allocates
	 * can find the allocator's lock held for ever (ASan's is not released across fork: it hung test_audit.sh). */
	a->compressor = segment_compress_child(a->dir, a->live);
	if (syncer_start(&a->syncer, a->dir, a->next_seq - 1)) {
		segment_compress_wait(a->compressor, true);
		goto fail;
	}
	a->sealed_seq = a->next_seq - 1;	/* nothing new to seal yet */
	a->last_seal_ns = mono_ns();
	check_head_file(a, &f);
	if ((f.cut || f.head) && record_recovery(a, &f) < 0) {
		audit_close(a);
		return -1;
	}
	return 0;
fail:
	if (a->fd >= 0)
		close(a->fd);
	a->fd = -1;
	sealer_close(&a->seal);
	return -1;
}

static void stamp(char *buf, size_t sz)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, sz, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, sz - n, ".%06ldZ", ts.tv_nsec / 1000);
}

static bool is_reserved(const char *key)
{
	static const char *const reserved[] = { "seq", "ts", "host", "prev", "kind" };

	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (key && !strcmp(key, reserved[i]))
			return true;
	return false;
}

/* Writes one record stamped ts (a whole line, or nothing) and moves the chain on; no sync, no rotation. 0, or -1
 * (logged). */
static int write_record(struct audit_log *a, const char *kind, cJSON *rec, const char *ts)
{
	cJSON *o = cJSON_CreateObject(), *f;
	char *line, *full, hash[SHA256_HEX_LEN + 1];
	size_t n;
	ssize_t w;

	if (!o || !rec || a->fd < 0) {
		cJSON_Delete(o);
		cJSON_Delete(rec);
		log_warnx("audit record %s: not written (out of memory or log closed)", kind);
		return -1;
	}
	cJSON_AddNumberToObject(o, "seq", (double)a->next_seq);
	cJSON_AddStringToObject(o, "ts", ts);
	cJSON_AddStringToObject(o, "host", a->host);
	cJSON_AddStringToObject(o, "prev", a->prev);
	cJSON_AddStringToObject(o, "kind", kind);
	while ((f = rec->child)) {
		cJSON_DetachItemViaPointer(rec, f);
		if (is_reserved(f->string))
			cJSON_Delete(f);	/* a record cannot forge the chain's own fields */
		else
			cJSON_AddItemToObject(o, f->string, f);	/* keeps f's key */
	}
	cJSON_Delete(rec);
	line = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (!line) {
		log_warnx("audit record %s: out of memory", kind);
		return -1;
	}
	n = strlen(line);
	sha256_hex(line, n, hash);	/* becomes prev only once the line is written whole */
	full = realloc(line, n + 2);
	if (!full) {
		free(line);
		log_warnx("audit record %s: out of memory", kind);
		return -1;
	}
	full[n] = '\n';
	w = write(a->fd, full, n + 1);	/* one write: a crash leaves a whole line or a torn tail */
	if (w != (ssize_t)n + 1) {
		free(full);
		log_warn("audit segment %s/%s: write", a->dir, a->live);
		if (w > 0 && ftruncate(a->fd, (off_t)a->bytes) < 0)	/* no fragment to glue onto */
			log_warn("audit segment %s/%s: cutting a partial record", a->dir, a->live);
		return -1;
	}
	if (a->tap)
		a->tap(a->tap_ctx, a->next_seq, hash, kind, full, n);
	free(full);
	memcpy(a->prev, hash, sizeof(hash));
	a->bytes += n + 1;
	a->next_seq++;
	a->dirty = true;
	return 0;
}

/* Sealing stops (fail closed), and a record says so: the records after it are unsealed. */
static void seal_stop(struct audit_log *a, const char *why)
{
	cJSON *rec = cJSON_CreateObject();
	char ts[64];

	sealer_fail(&a->seal, why);
	stamp(ts, sizeof(ts));
	cJSON_AddStringToObject(rec, "key_file", a->seal.path);
	cJSON_AddStringToObject(rec, "why", why);
	cJSON_AddNumberToObject(rec, "last_seal_seq", (double)a->sealed_seq);
	write_record(a, audit_kind_name(AUDIT_SEAL_FAILED), rec, ts);
}

/* The idle interval passed since the last seal: one is due, records or not. */
static bool seal_idle(const struct audit_log *a, uint64_t now_ns)
{
	return a->seal.on && now_ns - a->last_seal_ns >= a->seal_ns;
}

/* A seal is due: records came since the last one, or the idle interval passed. */
static bool seal_due(const struct audit_log *a, uint64_t now_ns)
{
	/* Never while the key file is behind: each seal more would be one its old key can remake. */
	return a->seal.on && !a->seal.pending && (a->sealed_seq != a->next_seq - 1 || seal_idle(a, now_ns));
}

/* Steps 1 and 2 of audit/sealer.h, when a seal is due: the seal record over the chain head, then the key's next
 * epoch in memory. Called by whoever is about to sync, which then stores the key (step 3). */
static void seal_batch(struct audit_log *a, uint64_t now_ns)
{
	char ts[64];
	cJSON *rec;

	if (!seal_due(a, now_ns))
		return;
	stamp(ts, sizeof(ts));
	rec = sealer_record(&a->seal, a->next_seq - 1, a->prev, ts);
	if (!rec) {
		seal_stop(a, "libcrypto failed to make a seal's mac");
		return;
	}
	if (write_record(a, audit_kind_name(AUDIT_SEAL), rec, ts) < 0)
		return;	/* the key stays: the next seal covers these records too */
	a->sealed_seq = a->next_seq - 1;
	a->last_seal_ns = now_ns;
	if (sealer_next(&a->seal) < 0)
		seal_stop(a, "libcrypto failed to evolve the key");
}

/* The key that a sync is to store after the records: the sealer's, while its file is behind. */
static const struct audit_seal *key_to_store(const struct audit_log *a)
{
	return a->seal.on && a->seal.pending ? &a->seal : NULL;
}

/* What a sync's key store did (struct syncer_result's key): the file caught up, or sealing stops. */
static void key_stored(struct audit_log *a, int key, bool failed)
{
	if (key > 0) {
		a->seal.pending = false;
		a->seal_behind = 0;
	} else if (key < 0) {
		seal_stop(a, "its key file could not be written after a seal");
	} else if (failed && a->seal.on && a->seal.pending && ++a->seal_behind >= SEAL_MAX_BEHIND) {
		seal_stop(a, "the syncs that would move its key file on keep failing");
	}
}

/* Hands the records written since the last sync to the sync thread: at once when it is idle, and when it is
 * not, later (a tick), or after it (`wait`: the live segment is about to be closed). Syncs in place only when the
 * thread can't be given the descriptor. 0, or -1 when that sync failed. */
static int sync_off_loop(struct audit_log *a, uint64_t now_ns, bool wait)
{
	struct syncer_result r;
	int rc;

	if (wait)
		syncer_wait(&a->syncer, &r);
	else if (!syncer_poll(&a->syncer, &r))
		return 0;	/* one sync at a time */
	a->dirty |= r.failed;
	key_stored(a, r.key, r.failed);
	if (!a->dirty && !seal_idle(a, now_ns))
		return 0;
	seal_batch(a, now_ns);
	rc = syncer_ask(&a->syncer, a->fd, a->next_seq - 1, a->prev, key_to_store(a));
	if (rc != 0)
		return rc < 0 ? audit_sync(a) : 0;
	a->dirty = false;
	a->last_sync_ns = now_ns;
	return 0;
}

static int rotate(struct audit_log *a)
{
	if (sync_off_loop(a, mono_ns(), true) < 0)
		return -1;
	close(a->fd);
	a->fd = -1;
	if (open_live(a, a->next_seq) < 0)
		return -1;
	/* One compressor at a time: rotations faster than compression wait here. A failure leaves the segment
	 * readable, uncompressed, for the next rotation's compressor. */
	segment_compress_wait(a->compressor, true);
	a->compressor = segment_compress_child(a->dir, a->live);
	return 0;
}

int audit_append(struct audit_log *a, const char *kind, cJSON *rec)
{
	char ts[64];

	stamp(ts, sizeof(ts));
	if (write_record(a, kind, rec, ts) < 0)
		return -1;
	if (a->fsync_ms == 0 && audit_sync(a) < 0)
		return -1;
	return a->bytes >= a->max_bytes ? rotate(a) : 0;
}

int audit_sync(struct audit_log *a)
{
	struct syncer_result r;
	uint64_t now = mono_ns();
	int key, rc;

	syncer_wait(&a->syncer, &r);
	a->dirty |= r.failed;
	key_stored(a, r.key, r.failed);
	if (!a->dirty && !seal_idle(a, now))
		return 0;
	seal_batch(a, now);
	rc = syncer_sync_now(&a->syncer, a->fd, a->next_seq - 1, a->prev, key_to_store(a), &key);
	/* The file caught up (a failed head too leaves it caught up), or is behind, or sealing stops (once: it is off,
	 * in a record synced by the call below). */
	key_stored(a, key, rc < 0);
	if (rc < 0)
		return -1;
	a->dirty = false;
	a->last_sync_ns = now;
	return key >= 0 ? 0 : audit_sync(a);
}

void audit_tick(struct audit_log *a, uint64_t now_ns)
{
	a->compressor = segment_compress_wait(a->compressor, false);
	if (now_ns - a->last_sync_ns >= (uint64_t)a->fsync_ms * 1000000ull || seal_idle(a, now_ns))
		sync_off_loop(a, now_ns, false);
}

void audit_close(struct audit_log *a)
{
	if (a->fd < 0)
		return;
	a->compressor = segment_compress_wait(a->compressor, true);
	audit_sync(a);
	syncer_stop(&a->syncer);
	close(a->fd);
	a->fd = -1;
	sealer_close(&a->seal);
}
