/* verify.c: checks an audit directory's hash chain, sequence and tail, and its seals given the verification key. */
#include <inttypes.h>
#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/chain.h"
#include "audit/head.h"
#include "audit/kinds.h"
#include "audit/record_num.h"
#include "audit/segments.h"
#include "audit/verify.h"

struct walk {
	audit_problem_cb cb;
	void *ctx;
	int problems;
	uint64_t records;
	uint64_t expect;		/* next seq */
	char prev[SHA256_HEX_LEN + 1];	/* hash of the last line read */
	char prev_seg[64];
	struct verify_seals *seals;	/* NULL: seals are not checked */
	struct seal_key k;		/* the key of the epoch expected next */
	uint64_t skipped;		/* epochs walked across gaps so far: SEAL_MAX_GAP at most */
	bool lost;			/* the walk stopped (said once): no later seal is checked */
	uint64_t good_seq;		/* the last seal that held, all before it held too (0: none yet) */
	bool broken;			/* a seal failed or was missing: no later seal vouches for what came before */
	uint64_t last_seal;		/* the last seal read, held or not */
	uint64_t unsealed_said;		/* check_start said the records after the seal at this seq (+1: after none) */
};

static void problem(struct walk *w, const char *seg, uint64_t seq, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void problem(struct walk *w, const char *seg, uint64_t seq, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	w->problems++;
	w->cb(w->ctx, seg, seq, what);
}

static void seal_problem(struct walk *w, const char *seg, uint64_t seq, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* A seal's problem: "seal at seq S <what>: first bad seq B"; from here on no seal vouches for the records. */
static void seal_problem(struct walk *w, const char *seg, uint64_t seq, const char *fmt, ...)
{
	char what[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	w->broken = true;
	problem(w, seg, seq, "seal at seq %" PRIu64 " %s: first bad seq %" PRIu64, seq, what, w->good_seq + 1);
}

/* Evolves k up to epoch; false when libcrypto failed (a problem; the walk stops). */
static bool evolve_to(struct walk *w, struct seal_key *k, uint64_t epoch, const char *seg, uint64_t seq)
{
	while (k->epoch < epoch) {
		if (seal_evolve(k) < 0) {
			problem(w, seg, seq, "libcrypto failed to evolve the key: no seal from here on is checked");
			w->lost = true;
			return false;
		}
	}
	return true;
}

/* A seal record at seq: of the epoch next, over the head the records before it hash to (w->prev), and its ts. */
static void check_seal(struct walk *w, const char *seg, const cJSON *o, uint64_t seq)
{
	const cJSON *macj = cJSON_GetObjectItemCaseSensitive(o, "mac"), *tsj = cJSON_GetObjectItemCaseSensitive(o, "ts");
	uint64_t epoch, sealed, next = w->k.epoch;
	char mac[SHA256_HEX_LEN + 1];

	w->last_seal = seq;
	if (w->lost)
		return;
	if (!record_num(cJSON_GetObjectItemCaseSensitive(o, "epoch"), &epoch) ||
	    !record_num(cJSON_GetObjectItemCaseSensitive(o, "sealed_seq"), &sealed) || sealed != seq - 1 ||
	    !cJSON_IsString(macj) || !cJSON_IsString(tsj) || strlen(tsj->valuestring) >= SEAL_TS_MAX) {
		seal_problem(w, seg, seq, "unreadable, or not over the record before it");
		return;
	}
	if (epoch < next) {
		seal_problem(w, seg, seq, "of epoch %" PRIu64 ", but %" PRIu64 " was next (a replayed seal)", epoch, next);
		return;
	}
	if (epoch - next > SEAL_MAX_GAP - w->skipped) {
		seal_problem(w, seg, seq, "of epoch %" PRIu64 ", too far past %" PRIu64 ", the next, to walk (a forged "
			     "epoch?): no seal from here on is checked", epoch, next);
		w->lost = true;
		return;
	}
	if (epoch > next) {
		seal_problem(w, seg, seq, "of epoch %" PRIu64 ", but %" PRIu64 " was next: the seals of epochs %" PRIu64
			     "..%" PRIu64 " are missing (records or a segment deleted, or lost)", epoch, next, next,
			     epoch - 1);
		w->skipped += epoch - next;
		if (!evolve_to(w, &w->k, epoch, seg, seq))
			return;
	}
	if (seal_mac(&w->k, seq - 1, w->prev, tsj->valuestring, mac) < 0 || strcmp(mac, macj->valuestring))
		seal_problem(w, seg, seq, "(epoch %" PRIu64 ") fails: records up to seq %" PRIu64 ", or the seal's ts, "
			     "are not what was sealed", epoch, seq - 1);
	else {
		if (!w->broken)
			w->good_seq = seq;
		w->seals->seq = seq;
		w->seals->epoch = epoch;
		snprintf(w->seals->ts, sizeof(w->seals->ts), "%s", tsj->valuestring);
	}
	evolve_to(w, &w->k, epoch + 1, seg, seq);
}

/* A "recovered" record that found the head file missing or ahead: records were lost before it. */
static void check_recovered(struct walk *w, const char *seg, const cJSON *o, uint64_t seq)
{
	const cJSON *head = cJSON_GetObjectItemCaseSensitive(o, "head");
	uint64_t good;

	if (cJSON_IsString(head) && record_num(cJSON_GetObjectItemCaseSensitive(o, "last_good_seq"), &good))
		problem(w, seg, seq, "a restart found the head file %s (a lost newest segment?): records after seq "
			"%" PRIu64 " may be gone", head->valuestring, good);
	else if (cJSON_IsString(head))
		problem(w, seg, seq, "a restart found the head file %s (a lost newest segment?)", head->valuestring);
}

/* A daemon's start (its recovered record or daemon_start): records between the last seal and it were not sealed by
 * the daemon that wrote them (killed, crashed, or not sealing); this one's first seal took them as it found them. */
static void check_start(struct walk *w, const char *seg, uint64_t seq)
{
	if (seq <= w->last_seal + 1 || w->unsealed_said == w->last_seal + 1)
		return;
	w->unsealed_said = w->last_seal + 1;
	problem(w, seg, w->last_seal + 1, "records %" PRIu64 "..%" PRIu64 " came after the last seal and before a "
		"daemon's start at seq %" PRIu64 ": the daemon that wrote them did not seal them (killed, crashed, or not "
		"sealing), and the next seal took them as that start found them", w->last_seal + 1, seq - 1, seq);
}

static void check_line(struct walk *w, const char *seg, const char *line, size_t n)
{
	cJSON *o = cJSON_ParseWithLength(line, n);
	const cJSON *seqj = cJSON_GetObjectItemCaseSensitive(o, "seq");
	const cJSON *prev = cJSON_GetObjectItemCaseSensitive(o, "prev");
	const cJSON *kind = cJSON_GetObjectItemCaseSensitive(o, "kind");
	enum audit_kind k;
	uint64_t seq;

	if (!record_num(seqj, &seq) || !cJSON_IsString(prev)) {
		problem(w, seg, w->expect, "unreadable record where seq %" PRIu64 " belongs", w->expect);
		cJSON_Delete(o);
		sha256_hex(line, n, w->prev);
		w->expect++;
		return;
	}
	w->records++;
	if (seq < w->expect)
		problem(w, seg, seq, "seq %" PRIu64 " out of order after %" PRIu64 " (records swapped or replayed)",
			seq, w->expect - 1);
	else if (seq > w->expect)
		problem(w, seg, seq, "seq jumps from %" PRIu64 " to %" PRIu64 ": %" PRIu64 " record(s) deleted",
			w->expect - 1, seq, seq - w->expect);
	else if (strcmp(prev->valuestring, w->prev))
		problem(w, w->prev_seg[0] ? w->prev_seg : seg, seq - 1,
			"record %" PRIu64 " was edited: its hash is not the prev of record %" PRIu64,
			seq - 1, seq);
	if (w->seals && cJSON_IsString(kind) && audit_kind_parse(kind->valuestring, &k) == 0) {
		if (k == AUDIT_SEAL)
			check_seal(w, seg, o, seq);
		if (k == AUDIT_RECOVERED)
			check_recovered(w, seg, o, seq);
		if (k == AUDIT_RECOVERED || k == AUDIT_DAEMON_START)
			check_start(w, seg, seq);
		if (k == AUDIT_SEAL_FAILED)
			problem(w, seg, seq, "sealing stopped here (its key file could not be written): the records after "
				"it were unsealed until a daemon sealed again");
	}
	cJSON_Delete(o);
	sha256_hex(line, n, w->prev);
	snprintf(w->prev_seg, sizeof(w->prev_seg), "%s", seg);
	w->expect = seq + 1;
}

static void check_segment(struct walk *w, const struct segment *s, const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	if (s->first_seq != w->expect)
		problem(w, s->name, s->first_seq, "segment starts at seq %" PRIu64 " but %" PRIu64
			" was next: a segment or records are missing", s->first_seq, w->expect);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (!nl) {
			problem(w, s->name, w->expect, "truncated tail: a partial record of %zu bytes", (size_t)(end - p));
			break;
		}
		check_line(w, s->name, p, (size_t)(nl - p));
		p = nl + 1;
	}
}

/* head.json holds the last synced seq and hash: a cut or edited tail shows against it. */
static void check_head(struct walk *w, const char *dir)
{
	char hash[SHA256_HEX_LEN + 1];
	uint64_t seq;
	int h = head_read(dir, &seq, hash);

	if (h == 0 && w->records)
		problem(w, AUDIT_HEAD_FILE, w->expect - 1, "head file missing: the tail cannot be checked");
	else if (h < 0)
		problem(w, AUDIT_HEAD_FILE, 0, "head file unreadable");
	else if (h == 1 && seq > w->expect - 1)
		problem(w, w->prev_seg, w->expect - 1, "truncated tail: records %" PRIu64 "..%" PRIu64
			" were synced but are gone", w->expect, seq);
	else if (h == 1 && seq == w->expect - 1 && strcmp(hash, w->prev))
		problem(w, w->prev_seg, w->expect - 1, "record %" PRIu64 " (the last) was edited",
			w->expect - 1);
}

/* Records after the last seal: nothing vouches for them (a live daemon's last batch, or a cut tail); nor for a
 * trail without a seal. */
static void check_sealed_to_end(struct walk *w)
{
	uint64_t last = w->expect - 1;

	if (!w->last_seal)
		problem(w, w->prev_seg[0] ? w->prev_seg : "-", last ? 1 : 0, "no seal at all%s: nothing vouches for "
			"the trail (not sealed, or cut back before its first seal)", last ? "" : ", nor any record");
	else if (last > w->last_seal)
		problem(w, w->prev_seg, w->last_seal + 1, "records %" PRIu64 "..%" PRIu64 " come after the last seal: "
			"unsealed, a running daemon's last batch or a cut tail: first bad seq %" PRIu64,
			w->last_seal + 1, last, w->good_seq + 1);
}

/* The daemon's key file against the trail: its key must be its epoch's, and that epoch the one after the trail's
 * last seal (w->k's, once the walk is over). */
static void check_key_file(struct walk *w, const struct seal_key *file)
{
	const char *seg = w->prev_seg[0] ? w->prev_seg : "-";
	uint64_t next = w->k.epoch;
	struct seal_key k;

	if (w->lost)
		return;
	if (file->epoch > next && file->epoch - next > SEAL_MAX_FILE_AHEAD) {
		problem(w, seg, w->expect, "the key file is at epoch %" PRIu64 ", more than %u epochs past the trail's "
			"last seal (epoch %" PRIu64 "): not walked, and the trail's end not checked against it",
			file->epoch, SEAL_MAX_FILE_AHEAD, next - 1);
		return;
	}
	k = file->epoch >= next ? w->k : *w->seals->key;
	if (evolve_to(w, &k, file->epoch, seg, w->expect)) {
		if (CRYPTO_memcmp(k.key, file->key, SEAL_KEY_BYTES))
			problem(w, seg, w->expect, "the key file's key is not epoch %" PRIu64 "'s under this verification "
				"key (another key's file, or a forged one)", file->epoch);
		else if (file->epoch > next)
			problem(w, seg, w->expect, "trail ends at seal epoch %" PRIu64 " but the key file is at epoch %"
				PRIu64 ": seals %" PRIu64 "..%" PRIu64 " missing (tail cut)", next - 1, file->epoch, next,
				file->epoch - 1);
		else if (file->epoch < next)
			problem(w, seg, w->expect, "the key file is at epoch %" PRIu64 ", not past the trail's last seal "
				"(epoch %" PRIu64 "): an older copy put back, its daemon between a seal and the key's "
				"update, or the update failed", file->epoch, next - 1);
	}
	explicit_bzero(&k, sizeof(k));
}

int audit_verify(const char *dir, struct verify_seals *seals, audit_problem_cb cb, void *ctx, uint64_t *records)
{
	struct walk w = { .cb = cb, .ctx = ctx, .expect = 1, .seals = seals };
	struct segment *segs;
	int n = segments_list(dir, &segs);

	*records = 0;
	if (n < 0)
		return -1;
	strcpy(w.prev, AUDIT_GENESIS);
	if (seals) {
		seals->seq = seals->epoch = 0;
		seals->ts[0] = '\0';
		w.k = *seals->key;
		evolve_to(&w, &w.k, 1, "-", 0);	/* the first seal's is k1 */
	}
	for (int i = 0; i < n; i++) {
		char *text;
		size_t len;

		if (segment_read(dir, &segs[i], &text, &len) < 0) {
			problem(&w, segs[i].name, segs[i].first_seq, "segment unreadable (corrupt gzip?)");
			continue;
		}
		check_segment(&w, &segs[i], text, len);
		free(text);
	}
	check_head(&w, dir);
	if (seals) {
		check_sealed_to_end(&w);
		if (seals->file)
			check_key_file(&w, seals->file);
	}
	explicit_bzero(&w.k, sizeof(w.k));
	free(segs);
	*records = w.records;
	return w.problems;
}
