/* daemon_link.c: the shim's link to `mcpwarden daemon`: registration, attach, call reports. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "common/ctl_client.h"
#include "common/log.h"
#include "shim/daemon_link.h"

#define DLINK_RETRY_NS	(1000000000ull)	/* reconnect attempts after a daemon restart */

void dlink_init(struct daemon_link *l, const char *path, const char *name, unsigned ack_ms)
{
	memset(l, 0, sizeof(*l));
	l->path = path;
	l->name = name;
	l->ack_ms = ack_ms;
	l->fd = -1;
	l->cgroup_fd = -1;
}

static void drop(struct daemon_link *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
	if (l->server_id)
		l->resume_id = (uint32_t)l->server_id;	/* taken back when the daemon returns */
	l->server_id = 0;
}

/* Sends req and waits for its ack; when the daemon is gone, or slower than l->ack_ms, the link is dropped.
 * Takes req. */
static cJSON *ask(struct daemon_link *l, cJSON *req, int *fd_out)
{
	char *text = req ? cJSON_PrintUnformatted(req) : NULL;
	cJSON *rep = NULL;

	cJSON_Delete(req);
	if (l->fd < 0 || !text) {
		free(text);
		return NULL;
	}
	if (ctl_request_fd(l->fd, text, &rep, fd_out) < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			snprintf(l->why, sizeof(l->why), "the daemon at %s did not answer within %u ms (--daemon-timeout)",
				 l->path, l->ack_ms);
		else
			snprintf(l->why, sizeof(l->why), "the daemon at %s stopped answering", l->path);
		log_warnx("%s: tool-call policy only until it is back", l->why);
		drop(l);
		l->retry_ns = 1;	/* dlink_tick reconnects from its next call on */
	}
	free(text);
	return rep;
}

static int connect_quietly(struct daemon_link *l)
{
	struct timeval tv = { .tv_sec = l->ack_ms / 1000, .tv_usec = (l->ack_ms % 1000) * 1000 };

	l->fd = ctl_connect_quiet(l->path);
	if (l->fd < 0)
		return -1;
	if (setsockopt(l->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(l->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0) {
		log_warn("daemon socket %s: SO_RCVTIMEO/SO_SNDTIMEO", l->path);
		drop(l);
		return -1;
	}
	return 0;
}

/* Registers, or with `resume` takes l->resume_id back. 0; -1 when no daemon answers; -2 when it refused (its
 * reason logged). */
static int do_register(struct daemon_link *l, bool resume)
{
	cJSON *req, *rep;
	int cg = -1, refused;

	if (!l->path) {
		snprintf(l->why, sizeof(l->why), "--no-daemon");
		return -1;
	}
	if (connect_quietly(l) < 0) {
		snprintf(l->why, sizeof(l->why), "no daemon at %s: %s%s", l->path, strerror(errno),
			 errno == EACCES ? " (the socket is for root and group mcpwarden: add this user to the group)" :
			 errno == EPERM ? " (not served by root, so not by mcpwarden daemon: ignored)" : "");
		if (!l->warned)
			log_warnx("%s: enforcing tool-call policy only, without process or network attribution", l->why);
		l->warned = true;
		return -1;
	}
	req = ctl_message(CTL_OP_REGISTER);
	cJSON_AddStringToObject(req, "name", l->name);
	if (l->sandbox)
		cJSON_AddItemToObject(req, "sandbox", cJSON_Duplicate(l->sandbox, 1));
	if (resume) {
		cJSON *r = cJSON_AddObjectToObject(req, "resume");

		cJSON *calls = l->running ? l->running(l->running_ctx) : cJSON_CreateArray(), *e;

		cJSON_AddNumberToObject(r, "server_id", l->resume_id);
		cJSON_ArrayForEach(e, l->ended_away)
			cJSON_AddItemToArray(calls, cJSON_Duplicate(e, 1));
		cJSON_AddItemToObject(r, "calls", calls);
	}
	rep = ask(l, req, &cg);
	if (!rep) {
		refused = l->fd >= 0;	/* an error reply; ask() dropped a link that failed */
		snprintf(l->why, sizeof(l->why), "the daemon at %s did not register server %s (its reason is above)",
			 l->path, l->name);
		log_warnx("%s: tool-call policy only", l->why);
		drop(l);
		return refused ? -2 : -1;
	}
	l->server_id = (uint64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(rep, "server_id"));
	l->ever_linked = true;
	l->resume_id = 0;
	cJSON_Delete(l->ended_away);	/* told, or (a fresh registration) about a server no longer tracked as such */
	l->ended_away = NULL;
	cJSON_Delete(rep);
	if (l->cgroup_fd >= 0)
		close(l->cgroup_fd);
	l->cgroup_fd = cg;
	log_debug("registered with the daemon as server %llu", (unsigned long long)l->server_id);
	return 0;
}

int dlink_register(struct daemon_link *l)
{
	return do_register(l, false) ? -1 : 0;
}

int dlink_attach(struct daemon_link *l, pid_t pid)
{
	cJSON *req, *rep;

	l->server_pid = pid;
	l->unlinked_root = false;
	if (l->fd < 0 || !(req = ctl_message(CTL_OP_ATTACH)))
		return -1;
	cJSON_AddNumberToObject(req, "server_id", (double)l->server_id);
	cJSON_AddNumberToObject(req, "pid", pid);
	rep = ask(l, req, NULL);
	cJSON_Delete(rep);
	return rep ? 0 : -1;
}

/* Sends op for the server with fields (taken) and returns the ack, or NULL (an error reply is logged). */
static cJSON *report_ack(struct daemon_link *l, enum ctl_op op, cJSON *fields)
{
	if (l->fd < 0 || !(fields = ctl_message_with(op, fields))) {
		cJSON_Delete(fields);
		return NULL;
	}
	cJSON_AddNumberToObject(fields, "server_id", (double)l->server_id);
	return ask(l, fields, NULL);
}

/* The same, when only success matters. */
static bool report(struct daemon_link *l, enum ctl_op op, cJSON *fields)
{
	cJSON *rep = report_ack(l, op, fields);

	cJSON_Delete(rep);
	return rep != NULL;
}

void dlink_set_sandbox(struct daemon_link *l, cJSON *sandbox)
{
	cJSON_Delete(l->sandbox);
	l->sandbox = sandbox;
}

/* Notes a started call (l->started), so that its end while no daemon is linked can be told at the resume. */
static void remember(struct daemon_link *l, uint64_t call, const char *tool, const cJSON *sandbox)
{
	char key[24];
	cJSON *o = cJSON_CreateObject();

	if (!l->started)
		l->started = cJSON_CreateObject();
	if (!o || !l->started) {
		cJSON_Delete(o);
		return;	/* out of memory: the call's end is told only if a daemon is linked then */
	}
	snprintf(key, sizeof(key), "%llu", (unsigned long long)call);
	cJSON_AddStringToObject(o, "tool", tool);
	if (sandbox)
		cJSON_AddItemToObject(o, "sandbox", cJSON_Duplicate(sandbox, 1));
	cJSON_AddItemToObject(l->started, key, o);
}

/* The call ended: forgotten, or with no daemon linked kept for the resume. */
static void forget(struct daemon_link *l, uint64_t call)
{
	char key[24];
	cJSON *o;

	snprintf(key, sizeof(key), "%llu", (unsigned long long)call);
	if (!(o = cJSON_DetachItemFromObjectCaseSensitive(l->started, key)))
		return;
	if (l->fd >= 0 || !l->resume_id) {
		cJSON_Delete(o);
		return;
	}
	if (!l->ended_away)
		l->ended_away = cJSON_CreateArray();
	cJSON_AddNumberToObject(o, "call", (double)call);
	cJSON_AddBoolToObject(o, "ended", true);
	cJSON_AddItemToArray(l->ended_away, o);
}

uint64_t dlink_call_start(struct daemon_link *l, const char *tool, const char *args_sha256, const cJSON *sandbox,
			  bool *refused)
{
	cJSON *f = cJSON_CreateObject();
	uint64_t call = l->next_call + 1;

	*refused = false;
	if (l->fd < 0 || !f) {
		cJSON_Delete(f);
		return 0;
	}
	cJSON_AddNumberToObject(f, "call", (double)call);
	cJSON_AddStringToObject(f, "tool", tool);
	cJSON_AddStringToObject(f, "args_sha256", args_sha256);
	cJSON_AddStringToObject(f, "decision", "allow");
	if (sandbox)
		cJSON_AddItemToObject(f, "sandbox", cJSON_Duplicate(sandbox, 1));
	/* Spent once sent: a daemon too slow to ack in time may start it all the same (it ends it at the resume,
	 * but its processes may carry it a while), so the id never names another call. */
	l->next_call = call;
	if (!report(l, CTL_OP_CALL_START, f)) {
		*refused = true;
		return 0;
	}
	remember(l, call, tool, sandbox);
	return call;
}

cJSON *dlink_call_end(struct daemon_link *l, uint64_t call, const char *outcome, int is_error)
{
	cJSON *f, *rep, *v;

	if (call)
		forget(l, call);
	if (!call || l->fd < 0 || !(f = cJSON_CreateObject()))
		return NULL;
	cJSON_AddNumberToObject(f, "call", (double)call);
	cJSON_AddStringToObject(f, "outcome", outcome);
	if (is_error >= 0)
		cJSON_AddBoolToObject(f, "is_error", is_error);
	rep = report_ack(l, CTL_OP_CALL_END, f);
	v = cJSON_DetachItemFromObjectCaseSensitive(rep, "violations");
	cJSON_Delete(rep);
	if (cJSON_GetArraySize(v) == 0) {
		cJSON_Delete(v);
		return NULL;
	}
	return v;
}

/* kill_call (call > 0) or kill_server: 0 when the daemon did it. */
static int kill_op(struct daemon_link *l, uint64_t call, const char *rule, const char *reason)
{
	cJSON *f = cJSON_CreateObject();

	if (!f)
		return -1;
	if (call)
		cJSON_AddNumberToObject(f, "call", (double)call);
	cJSON_AddStringToObject(f, "rule", rule);
	cJSON_AddStringToObject(f, "reason", reason);
	return report(l, call ? CTL_OP_KILL_CALL : CTL_OP_KILL_SERVER, f) ? 0 : -1;
}

int dlink_kill_call(struct daemon_link *l, uint64_t call, const char *rule, const char *reason)
{
	return call ? kill_op(l, call, rule, reason) : -1;
}

int dlink_kill_server(struct daemon_link *l, const char *rule, const char *reason)
{
	return l->fd >= 0 ? kill_op(l, 0, rule, reason) : -1;
}

void dlink_policy_reload(struct daemon_link *l, const cJSON *rec)
{
	cJSON *f;

	if (l->fd < 0 || !l->server_id || !(f = cJSON_Duplicate(rec, 1)))
		return;
	/* The daemon swaps the server's rule set as the shim swaps its policy. */
	if (l->sandbox)
		cJSON_AddItemToObject(f, "sandbox", cJSON_Duplicate(l->sandbox, 1));
	if (!report(l, CTL_OP_POLICY_RELOAD, f) && l->fd >= 0)
		log_warnx("the daemon did not take the reloaded policy's sandbox: the previous rules stay in force");
}

void dlink_call_denied(struct daemon_link *l, const char *tool, const char *args_sha256,
		       const char *rule, const char *reason)
{
	cJSON *f;

	if (l->fd < 0 || !(f = cJSON_CreateObject()))
		return;
	cJSON_AddStringToObject(f, "tool", tool);
	cJSON_AddStringToObject(f, "args_sha256", args_sha256);
	cJSON_AddStringToObject(f, "decision", "deny");
	cJSON_AddStringToObject(f, "rule", rule);
	cJSON_AddStringToObject(f, "reason", reason);
	report(l, CTL_OP_CALL_DENIED, f);
}

int dlink_poll_fd(const struct daemon_link *l)
{
	return l->fd;
}

void dlink_lost(struct daemon_link *l, uint64_t now)
{
	snprintf(l->why, sizeof(l->why), "the daemon at %s went away", l->path);
	log_warnx("%s: tool-call policy only until it is back", l->why);
	drop(l);
	l->retry_ns = now + DLINK_RETRY_NS;
}

/* Whether calls run now (their processes carry them in the kernel). */
static bool calls_running(struct daemon_link *l)
{
	cJSON *calls = l->running ? l->running(l->running_ctx) : NULL;
	bool any = cJSON_GetArraySize(calls) > 0;

	cJSON_Delete(calls);
	return any;
}

enum dlink_back dlink_tick(struct daemon_link *l, uint64_t now)
{
	bool resumed = false;
	int r;

	if (!l->path || l->fd >= 0 || !l->retry_ns || now < l->retry_ns)
		return DLINK_AWAY;
	l->retry_ns = now + DLINK_RETRY_NS;
	if (l->unlinked_root) {
		/* Attaching the root alone would leave out what it forked meanwhile (a setsid worker): restart it,
		 * once a registration shows the daemon takes this server (one that refuses it gets no restarts). */
		if (do_register(l, false) < 0) {
			l->retry_ns = now + 30 * DLINK_RETRY_NS;
			return DLINK_AWAY;
		}
		drop(l);
		dlink_forget_cgroup(l);	/* that registration's, empty: the kill must reach the server's own tree */
		snprintf(l->why, sizeof(l->why), "the daemon at %s is up, and server pid %d ran without one: what it "
			 "started meanwhile is outside the daemon's view, so the server is restarted under it", l->path,
			 (int)l->server_pid);
		return DLINK_REFUSED;
	}
	if (l->resume_id) {
		if (!(r = do_register(l, true))) {
			resumed = true;
		} else if (r == -1) {
			return DLINK_AWAY;	/* no daemon yet */
		} else if (calls_running(l) || cJSON_GetArraySize(l->ended_away) > 0) {
			snprintf(l->why, sizeof(l->why), "the daemon at %s did not take server %u back", l->path,
				 l->resume_id);
			l->resume_id = 0;
			return DLINK_REFUSED;
		} else {
			l->resume_id = 0;	/* nothing ran meanwhile: a fresh registration loses nothing */
		}
	}
	if ((resumed || do_register(l, false) == 0) && dlink_attach(l, l->server_pid) == 0) {
		log_warnx("daemon at %s is back: server %s as %llu", l->path, resumed ? "resumed" : "re-registered",
			  (unsigned long long)l->server_id);
		l->retry_ns = 0;
		return resumed ? DLINK_RESUMED : DLINK_FRESH;
	}
	return DLINK_AWAY;
}

void dlink_forget_cgroup(struct daemon_link *l)
{
	if (l->cgroup_fd >= 0)
		close(l->cgroup_fd);
	l->cgroup_fd = -1;
}

void dlink_unlinked_server(struct daemon_link *l, pid_t pid)
{
	l->server_pid = pid;
	l->unlinked_root = true;
}

void dlink_close(struct daemon_link *l)
{
	drop(l);
	l->resume_id = 0;
	cJSON_Delete(l->started);
	cJSON_Delete(l->ended_away);
	l->started = l->ended_away = NULL;
	dlink_forget_cgroup(l);
}
