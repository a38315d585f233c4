/* join.c: decides whether a configured MCP server is running, and whether it is policed. */
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "discover/join.h"

/* The argument that names the server: the last non-option one after the real command. */
static const char *token_of(const struct mcp_entry *e)
{
	size_t first = e->command;
	const char *tok = NULL;

	if (first >= e->argc)
		return NULL;
	for (size_t i = first + 1; i < e->argc; i++)
		if (e->argv[i][0] != '-' && strlen(e->argv[i]) > 2)
			tok = e->argv[i];
	if (!tok)
		tok = strrchr(e->argv[first], '/') ? strrchr(e->argv[first], '/') + 1 : e->argv[first];
	return tok;
}

/* Whether an argument of p holds tok (toklen bytes). An argument shorter than tok can't, and is not searched:
 * strstr measures its needle on each call, and tok comes from a user's file, as long as a line may be. */
static bool mentions(const struct proc_info *p, const char *tok, size_t toklen)
{
	for (size_t i = 0; i < p->argc; i++)
		if (strlen(p->argv[i]) >= toklen && strstr(p->argv[i], tok))
			return true;
	return false;
}

/* Joins the entries that have token tok (NULL: none) to l into r. */
static void join_token(const char *tok, const struct proc_list *l, struct join_result *r)
{
	bool unpoliced = false;
	size_t toklen;

	memset(r, 0, sizeof(*r));
	if (!tok)
		return;
	toklen = strlen(tok);
	for (size_t i = 0; i < l->n; i++) {
		const struct proc_info *p = &l->v[i];

		if (proc_is_shim(p) || !mentions(p, tok, toklen))
			continue;
		if (p->shim)
			r->shim = p->shim;
		else
			unpoliced = true;
		if (r->npids < JOIN_MAX_PIDS)
			r->pids[r->npids++] = p->pid;
	}
	if (r->npids)
		r->state = unpoliced ? STATE_RUNNING : STATE_POLICED;
}

struct tokened {
	const char *tok;
	size_t i;	/* the entry's index */
};

static int by_token(const void *a, const void *b)
{
	const char *x = ((const struct tokened *)a)->tok, *y = ((const struct tokened *)b)->tok;

	return x && y ? strcmp(x, y) : (x != NULL) - (y != NULL);
}

static bool past(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > deadline->tv_sec || (now.tv_sec == deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec);
}

size_t join_all(const struct mcp_entry *v, size_t n, const struct proc_list *l, struct join_result *r,
		const struct timespec *deadline)
{
	struct tokened *t = calloc(n ? n : 1, sizeof(*t));
	size_t done = 0;

	for (size_t i = 0; i < n; i++)
		r[i] = (struct join_result){ .state = STATE_UNKNOWN };
	if (!t) {
		log_warnx("joining %zu server entries to the processes: out of memory", n);
		return n;
	}
	for (size_t i = 0; i < n; i++)
		t[i] = (struct tokened){ v[i].argc ? token_of(&v[i]) : NULL, i };
	qsort(t, n, sizeof(*t), by_token);
	for (size_t i = 0, j; i < n && !past(deadline); i = j) {
		join_token(t[i].tok, l, &r[t[i].i]);
		for (j = i + 1; j < n && !by_token(&t[i], &t[j]); j++)
			r[t[j].i] = r[t[i].i];
		done += j - i;
	}
	free(t);
	return n - done;
}

const char *state_name(enum server_state s)
{
	static const char *const names[] = { "configured", "running", "policed", "unknown" };

	return names[s];
}
