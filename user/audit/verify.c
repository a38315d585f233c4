/* verify.c: checks an audit directory's hash chain, sequence and tail. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/chain.h"
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

static void check_line(struct walk *w, const char *seg, const char *line, size_t n)
{
	cJSON *o = cJSON_ParseWithLength(line, n);
	const cJSON *seqj = cJSON_GetObjectItemCaseSensitive(o, "seq");
	const cJSON *prev = cJSON_GetObjectItemCaseSensitive(o, "prev");
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
	char path[4096], buf[512];
	FILE *f;
	cJSON *o;
	const cJSON *seq, *hash;
	uint64_t head;
	size_t n;

	snprintf(path, sizeof(path), "%s/" AUDIT_HEAD_FILE, dir);
	f = fopen(path, "r");
	if (!f) {
		if (w->records)
			problem(w, AUDIT_HEAD_FILE, w->expect - 1, "head file missing: the tail cannot be checked");
		return;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	o = cJSON_Parse(buf);
	seq = cJSON_GetObjectItemCaseSensitive(o, "seq");
	hash = cJSON_GetObjectItemCaseSensitive(o, "hash");
	if (!record_num(seq, &head) || !cJSON_IsString(hash))
		problem(w, AUDIT_HEAD_FILE, 0, "head file unreadable");
	else if (head > w->expect - 1)
		problem(w, w->prev_seg, w->expect - 1, "truncated tail: records %" PRIu64 "..%" PRIu64
			" were synced but are gone", w->expect, head);
	else if (head == w->expect - 1 && strcmp(hash->valuestring, w->prev))
		problem(w, w->prev_seg, w->expect - 1, "record %" PRIu64 " (the last) was edited",
			w->expect - 1);
	cJSON_Delete(o);
}

int audit_verify(const char *dir, audit_problem_cb cb, void *ctx, uint64_t *records)
{
	struct walk w = { .cb = cb, .ctx = ctx, .expect = 1 };
	struct segment *segs;
	int n = segments_list(dir, &segs);

	*records = 0;
	if (n < 0)
		return -1;
	strcpy(w.prev, AUDIT_GENESIS);
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
	free(segs);
	*records = w.records;
	return w.problems;
}
