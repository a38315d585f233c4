/* verify.c: checks an audit directory's hash chain, sequence and tail, and its seals given the verification key. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/chain.h"
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
	bool sealed;			/* seals are checked: k is the key of the epoch expected next */
	struct seal_key k;
	uint64_t good_seq;		/* the last seal that held, all before it held too (0: none yet) */
	bool broken;			/* a seal failed or was missing: no later seal vouches for what came before */
	uint64_t last_seal;		/* the last seal read, held or not */
};

/* Epochs a verifier walks forward at most to reach a seal's: more is a forged epoch, not a long gap. */
#define SEAL_MAX_SKIP	(1u << 24)

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

static uint64_t num(const cJSON *o, const char *name)
{
	uint64_t v;

	return record_num(cJSON_GetObjectItemCaseSensitive(o, name), &v) ? v : UINT64_MAX;
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

/* A seal record at seq: the next epoch's, over the head the records before it hash to (w->prev). */
static void check_seal(struct walk *w, const char *seg, const cJSON *o, uint64_t seq)
{
	const cJSON *macj = cJSON_GetObjectItemCaseSensitive(o, "mac");
	uint64_t epoch = num(o, "epoch"), sealed = num(o, "sealed_seq");
	char mac[SHA256_HEX_LEN + 1];

	w->last_seal = seq;
	if (epoch == UINT64_MAX || sealed != seq - 1 || !cJSON_IsString(macj))
		seal_problem(w, seg, seq, "unreadable or not over the record before it");
	else if (epoch < w->k.epoch)
		seal_problem(w, seg, seq, "of epoch %" PRIu64 ", but %" PRIu64 " was next (a replayed or forged seal)",
			     epoch, w->k.epoch);
	else if (epoch - w->k.epoch > SEAL_MAX_SKIP)
		seal_problem(w, seg, seq, "of epoch %" PRIu64 ", implausibly far past %" PRIu64, epoch, w->k.epoch);
	else {
		if (epoch > w->k.epoch)
			seal_problem(w, seg, seq, "of epoch %" PRIu64 ": the seals of epochs %" PRIu64 "..%" PRIu64
				     " before it are missing (records or a segment deleted, or lost in a crash)",
				     epoch, w->k.epoch, epoch - 1);
		while (w->k.epoch < epoch)
			seal_evolve(&w->k);
		if (seal_mac(&w->k, seq - 1, w->prev, mac) < 0 || strcmp(mac, macj->valuestring))
			seal_problem(w, seg, seq, "(epoch %" PRIu64 ") fails: records up to seq %" PRIu64
				     " are not what was sealed", epoch, seq - 1);
		else if (!w->broken)
			w->good_seq = seq;
		seal_evolve(&w->k);
	}
}

/* A "recovered" record that found the head file missing or ahead: records were lost before it. */
static void check_recovered(struct walk *w, const char *seg, const cJSON *o, uint64_t seq)
{
	const cJSON *head = cJSON_GetObjectItemCaseSensitive(o, "head");

	if (cJSON_IsString(head))
		problem(w, seg, seq, "a restart found the head file %s (a lost newest segment?): records after seq "
			"%" PRIu64 " may be gone", head->valuestring, num(o, "last_good_seq"));
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
	if (w->sealed && cJSON_IsString(kind) && audit_kind_parse(kind->valuestring, &k) == 0) {
		if (k == AUDIT_SEAL)
			check_seal(w, seg, o, seq);
		else if (k == AUDIT_RECOVERED)
			check_recovered(w, seg, o, seq);
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

/* Records after the last seal: nothing vouches for them (a live daemon's last batch, or a cut tail). */
static void check_sealed_to_end(struct walk *w)
{
	uint64_t last = w->expect - 1;

	if (w->sealed && last > w->last_seal)
		problem(w, w->prev_seg, w->last_seal + 1, "records %" PRIu64 "..%" PRIu64 " come after the last seal%s: "
			"unsealed, a running daemon's last batch or a cut tail: first bad seq %" PRIu64,
			w->last_seal + 1, last, w->last_seal ? "" : " (there is none)", w->good_seq + 1);
}

int audit_verify(const char *dir, const struct seal_key *key, audit_problem_cb cb, void *ctx, uint64_t *records)
{
	struct walk w = { .cb = cb, .ctx = ctx, .expect = 1, .sealed = key != NULL };
	struct segment *segs;
	int n = segments_list(dir, &segs);

	*records = 0;
	if (n < 0)
		return -1;
	strcpy(w.prev, AUDIT_GENESIS);
	if (key)
		w.k = *key;
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
	check_sealed_to_end(&w);
	explicit_bzero(&w.k, sizeof(w.k));
	free(segs);
	*records = w.records;
	return w.problems;
}
