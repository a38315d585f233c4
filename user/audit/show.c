/* show.c: rebuilds one tool call from the audit log: decision, process tree, connections. */
#include <stdlib.h>
#include <string.h>

#include "audit/kinds.h"
#include "audit/record_num.h"
#include "audit/segments.h"
#include "audit/show.h"

static bool has_call(const cJSON *rec, uint64_t call)
{
	const cJSON *c;
	uint64_t v;

	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(rec, "calls"))
		if (record_num(c, &v) && v == call)
			return true;
	return false;
}

static uint64_t num(const cJSON *rec, const char *key)
{
	uint64_t n;

	record_num(cJSON_GetObjectItemCaseSensitive(rec, key), &n);	/* 0 when not a seq-like number */
	return n;
}

static const char *str(const cJSON *rec, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(rec, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The process node for pid in procs (an object keyed by pid), created on first sight. */
static cJSON *node(cJSON *procs, const cJSON *rec)
{
	char key[32];
	cJSON *n;

	snprintf(key, sizeof(key), "%llu", (unsigned long long)num(rec, "pid"));
	n = cJSON_GetObjectItemCaseSensitive(procs, key);
	if (!n) {
		n = cJSON_AddObjectToObject(procs, key);
		cJSON_AddNumberToObject(n, "pid", (double)num(rec, "pid"));
		cJSON_AddNumberToObject(n, "ppid", (double)num(rec, "ppid"));
		cJSON_AddArrayToObject(n, "connections");
	}
	return n;
}

static void replace(cJSON *obj, const char *key, cJSON *v)
{
	if (cJSON_HasObjectItem(obj, key))
		cJSON_ReplaceItemInObjectCaseSensitive(obj, key, v);
	else
		cJSON_AddItemToObject(obj, key, v);
}

static void take(cJSON *t, cJSON *procs, const cJSON *rec)
{
	enum audit_kind kind;
	cJSON *n;

	if (audit_kind_parse(str(rec, "kind"), &kind))
		return;
	if (kind == AUDIT_CALL_START || kind == AUDIT_CALL_END || kind == AUDIT_DECISION) {
		cJSON *call = cJSON_GetObjectItemCaseSensitive(t, "call");
		const cJSON *f;

		cJSON_ArrayForEach(f, rec)
			if (strcmp(f->string, "prev") && strcmp(f->string, "seq") && strcmp(f->string, "kind"))
				replace(call, f->string, cJSON_Duplicate(f, 1));
		return;
	}
	if (kind == AUDIT_DENY || kind == AUDIT_KILL) {
		cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(t, kind == AUDIT_DENY ? "denies" : "kills"),
				     cJSON_Duplicate(rec, 1));
		return;
	}
	n = node(procs, rec);
	if (kind == AUDIT_EXEC) {
		replace(n, "exe", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(rec, "exe"), 1));
		replace(n, "argv", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(rec, "argv"), 1));
	} else if (kind == AUDIT_EXIT) {
		replace(n, "exit_code", cJSON_CreateNumber((double)num(rec, "exit_code")));
		replace(n, "signal", cJSON_CreateNumber((double)num(rec, "signal")));
	} else if (kind == AUDIT_NET) {
		cJSON *c = cJSON_CreateObject();

		cJSON_AddStringToObject(c, "op", str(rec, "op") ? str(rec, "op") : "?");
		if (str(rec, "addr"))
			cJSON_AddStringToObject(c, "addr", str(rec, "addr"));
		if (str(rec, "path"))
			cJSON_AddStringToObject(c, "path", str(rec, "path"));
		cJSON_AddNumberToObject(c, "port", (double)num(rec, "port"));
		cJSON_AddNumberToObject(c, "result", cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(rec, "result")));
		cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(n, "connections"), c);
	}
}

/* Nests each process under its parent; processes whose parent is not in the call are roots.
 * Parents are looked up before anything is moved. */
static cJSON *nest(cJSON *procs)
{
	int n = cJSON_GetArraySize(procs), i = 0;
	cJSON **parent = calloc((size_t)n + 1, sizeof(*parent)), *roots = cJSON_CreateArray(), *p, *next;

	if (!parent || !roots) {
		free(parent);
		return roots;
	}
	for (p = procs->child; p; p = p->next, i++) {
		char key[32];

		snprintf(key, sizeof(key), "%llu", (unsigned long long)num(p, "ppid"));
		parent[i] = cJSON_GetObjectItemCaseSensitive(procs, key);
		if (parent[i] == p)
			parent[i] = NULL;
	}
	for (p = procs->child, i = 0; p; p = next, i++) {
		next = p->next;
		cJSON_DetachItemViaPointer(procs, p);
		if (parent[i]) {
			cJSON *children = cJSON_GetObjectItemCaseSensitive(parent[i], "children");

			if (!children)
				children = cJSON_AddArrayToObject(parent[i], "children");
			cJSON_AddItemToArray(children, p);
		} else {
			cJSON_AddItemToArray(roots, p);
		}
	}
	free(parent);
	return roots;
}

cJSON *audit_call_tree(const char *dir, uint64_t call, uint64_t server_id, const char **why)
{
	cJSON *t = cJSON_CreateObject(), *procs = cJSON_CreateObject();
	struct segment *segs;
	int n = segments_list(dir, &segs);
	bool found = false;

	*why = "cannot read the audit directory";
	if (n < 0 || !t || !procs) {
		cJSON_Delete(t);
		cJSON_Delete(procs);
		return NULL;
	}
	cJSON_AddObjectToObject(t, "call");
	cJSON_AddArrayToObject(t, "denies");
	cJSON_AddArrayToObject(t, "kills");
	for (int i = 0; i < n; i++) {
		char *text, *line, *save = NULL;
		size_t len;

		if (segment_read(dir, &segs[i], &text, &len) < 0)
			continue;
		for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			cJSON *rec = cJSON_Parse(line);
			bool mine = rec && (!server_id || num(rec, "server_id") == server_id) &&
				    (num(rec, "call") == call || has_call(rec, call));

			if (mine) {
				take(t, procs, rec);
				found |= num(rec, "call") == call;
			}
			cJSON_Delete(rec);
		}
		free(text);
	}
	free(segs);
	if (!found) {
		*why = "no such call in the audit log";
		cJSON_Delete(t);
		cJSON_Delete(procs);
		return NULL;
	}
	cJSON_AddItemToObject(t, "processes", nest(procs));
	cJSON_Delete(procs);
	return t;
}

static void print_proc(FILE *out, const cJSON *p, const char *indent, bool last)
{
	const cJSON *argv = cJSON_GetObjectItemCaseSensitive(p, "argv"), *a, *c, *kids;
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(p, "exit_code");
	const cJSON *sig = cJSON_GetObjectItemCaseSensitive(p, "signal");
	char sub[512];

	fprintf(out, "%s%s %llu", indent, last ? "└─" : "├─", (unsigned long long)num(p, "pid"));
	if (cJSON_IsArray(argv) && cJSON_GetArraySize(argv) > 0)
		cJSON_ArrayForEach(a, argv)
			fprintf(out, " %s", cJSON_IsString(a) ? a->valuestring : "?");
	else
		fprintf(out, " %s", str(p, "exe") ? str(p, "exe") : "(forked, no exec)");
	if (cJSON_IsNumber(sig) && sig->valueint)
		fprintf(out, "   [killed by signal %d]", sig->valueint);
	else if (cJSON_IsNumber(code))
		fprintf(out, "   [exit %d]", code->valueint);
	fputc('\n', out);
	snprintf(sub, sizeof(sub), "%s%s", indent, last ? "   " : "│  ");
	kids = cJSON_GetObjectItemCaseSensitive(p, "children");
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(p, "connections")) {
		/* connect and bind give 0, sends the bytes sent, accept a descriptor: failures are negative. */
		bool ok = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(c, "result")) >= 0;

		fprintf(out, "%s%s %s ", sub, c->next || cJSON_GetArraySize(kids) ? "├─" : "└─", str(c, "op"));
		if (str(c, "path"))
			fprintf(out, "%s", str(c, "path"));
		else
			fprintf(out, "%s:%llu", str(c, "addr") ? str(c, "addr") : "?",
				(unsigned long long)num(c, "port"));
		fprintf(out, " -> %s\n", ok ? "ok" : "failed");
	}
	cJSON_ArrayForEach(c, kids)
		print_proc(out, c, sub, !c->next);
}

void audit_print_tree(FILE *out, const cJSON *t)
{
	const cJSON *call = cJSON_GetObjectItemCaseSensitive(t, "call"), *p, *d;

	fprintf(out, "call %llu on server %llu: tool %s, decision %s, outcome %s\n",
		(unsigned long long)num(call, "call"), (unsigned long long)num(call, "server_id"),
		str(call, "tool") ? str(call, "tool") : "?", str(call, "decision") ? str(call, "decision") : "?",
		str(call, "outcome") ? str(call, "outcome") : "(running or unknown)");
	if (str(call, "args_sha256"))
		fprintf(out, "args sha256 %s\n", str(call, "args_sha256"));
	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(t, "processes"))
		print_proc(out, p, "", !p->next);
	cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(t, "denies"))
		fprintf(out, "denied: %s\n", str(d, "what") ? str(d, "what") : "(see --json)");
	cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(t, "kills"))
		fprintf(out, "killed: %s\n", str(d, "reason") ? str(d, "reason") : "(see --json)");
}
