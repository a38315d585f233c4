/* requests.c: serves control socket requests (include/control.h): reads one, checks that its peer sent it and may ask it (and, for status, ps and subscribe, within its rate), answers those, and hands the rest on. */
#include <errno.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/pidfd.h>
#include <sys/socket.h>

#include "common/log.h"
#include "control.h"
#include "daemon/control/call_requests.h"
#include "daemon/control/read_rate.h"
#include "daemon/control/reply.h"
#include "daemon/control/requests.h"
#include "daemon/control/server_requests.h"
#include "daemon/report/audit_sink.h"
#include "daemon/report/ps_json.h"
#include "daemon/report/publish.h"
#include "daemon/report/status_json.h"

static int do_subscribe(struct daemon *d, struct ctl_client *c, const cJSON *req)
{
	const cJSON *follow = cJSON_GetObjectItemCaseSensitive(req, "follow");

	if (follow && !cJSON_IsBool(follow))
		return reply_refuse(d, c, req, CTL_OP_SUBSCRIBE, "field 'follow' must be true or false");
	if (reply(d, c, req, NULL, NULL))
		return -1;
	return publish_subscribe(d, c, cJSON_IsTrue(follow));
}

/* Notes whether peer c runs inside a policed server's tree. Once there, always: the process may fork, hand
 * the socket on, and exit. */
static void note_policed(struct daemon *d, struct ctl_client *c)
{
	struct tracked t;

	if (c->policed_server || sensor_tracked_get(&d->sensor, c->pid, &t) || !t.server_id)
		return;
	c->policed_server = t.server_id;
	log_warnx("peer pid %d uid %u runs inside server %u: it may read that server's processes and events only, "
		  "and steer nothing", c->pid, c->uid, t.server_id);
}

/*
 * A process inside a policed tree may read (status, ps, events) but not steer:
 * otherwise code run by a tool could register a fresh server without rules,
 * start a child in its cgroup, end its own call or kill its neighbours.
 */
static bool read_only(enum ctl_op op)
{
	return op == CTL_OP_STATUS || op == CTL_OP_PS || op == CTL_OP_SUBSCRIBE;
}

static bool refused_peer(struct ctl_client *c, enum ctl_op op, char *msg, size_t size)
{
	if (read_only(op))
		return false;
	if (c->policed_server) {
		snprintf(msg, size, "the caller (pid %d) runs inside policed server %u; policed processes may not "
			 "steer the daemon", c->pid, c->policed_server);
		return true;
	}
	/* Whoever holds the socket now is not the process that connected, which is what was checked. */
	if (c->pidfd >= 0 && pidfd_send_signal(c->pidfd, 0, NULL, 0) && errno == ESRCH) {
		snprintf(msg, size, "the process that connected (pid %d) is gone; connect again", c->pid);
		return true;
	}
	return false;
}

/*
 * A message `msg` (`len` bytes received, of `whole`) sent by process `sender`, not by the peer that connected:
 * its descriptor was passed on or taken (pidfd_getfd). Refused, logged and audited, and not answered: a reply
 * would go to whoever reads the socket first, maybe the peer, out of step with its own requests.
 */
static void refuse_sender(struct daemon *d, struct ctl_client *c, pid_t sender, const char *msg, size_t len,
			  size_t whole)
{
	cJSON *req = cJSON_ParseWithLength(msg, len), *rec = cJSON_CreateObject();
	const char *op = ctl_op_name(ctl_message_op(req));
	char why[128];

	if (sender)
		snprintf(why, sizeof(why), "credentials of pid %d, not the peer's pid %d", sender, c->pid);
	else
		snprintf(why, sizeof(why), "no credentials; the peer is pid %d", c->pid);
	log_warnx("%s: peer pid %d uid %u: %zu-byte %s request refused: %s", d->ctl.path, c->pid, c->uid, whole, op,
		  why);
	cJSON_AddNumberToObject(rec, "peer_pid", c->pid);
	cJSON_AddNumberToObject(rec, "peer_uid", c->uid);
	cJSON_AddNumberToObject(rec, "sender_pid", sender);
	cJSON_AddStringToObject(rec, "op", op);
	cJSON_AddStringToObject(rec, "why", why);
	if (req)
		cJSON_AddItemToObject(rec, "request", req);
	else
		cJSON_AddNumberToObject(rec, "bytes", (double)whole);
	audit_sink_add(d, AUDIT_PEER_REFUSED, rec);
}

/*
 * A read-only request over its peer's rate (include/control.h, read_rate.h): these are served ahead of the ring
 * buffer's records, and a flood of them from code inside a server would otherwise starve the ring and delay
 * other servers' acks. NULL, or the error text in msg.
 */
static const char *over_rate(struct daemon *d, const struct ctl_client *c, enum ctl_op op, char *msg, size_t size)
{
	uint64_t wait;

	if (!read_only(op) || !(wait = read_rate_take(&d->reads, c->pid, c->uid, c->policed_server)))
		return NULL;
	if (c->policed_server)
		snprintf(msg, size, "rate limit: at most %d status, ps and subscribe requests a second (%d at once) "
			 "from the processes of policed server %u; try again in %llu ms", CTL_READ_RATE,
			 CTL_READ_BURST, c->policed_server, (unsigned long long)(wait / 1000000 + 1));
	else
		snprintf(msg, size, "rate limit: at most %d status, ps and subscribe requests a second (%d at once) "
			 "from uid %u; try again in %llu ms", CTL_READ_RATE, CTL_READ_BURST, c->uid,
			 (unsigned long long)(wait / 1000000 + 1));
	return msg;
}

/* Serves one request message. -1: drop the peer. */
static int serve(struct daemon *d, struct ctl_client *c, const char *msg, size_t len)
{
	cJSON *req = cJSON_ParseWithLength(msg, len);
	enum ctl_op op = ctl_message_op(req);
	char why[240];
	int r;

	note_policed(d, c);
	if (op == CTL_OP_UNKNOWN)
		r = reply(d, c, req, NULL, cJSON_IsString(cJSON_GetObjectItemCaseSensitive(req, "op")) ?
			  "request: unknown 'op'" : "request: not a JSON object with a string 'op'");
	else if (refused_peer(c, op, why, sizeof(why)) || over_rate(d, c, op, why, sizeof(why)))
		r = reply_refuse(d, c, req, op, "%s", why);
	else switch (op) {
	case CTL_OP_STATUS: r = reply_with(d, c, req, "status", status_json(d)); break;
	case CTL_OP_PS: r = reply_with(d, c, req, "ps", ps_json(d, c)); break;
	case CTL_OP_TRACK: r = server_requests_track(d, c, req); break;
	case CTL_OP_SUBSCRIBE: r = do_subscribe(d, c, req); break;
	case CTL_OP_REGISTER: r = server_requests_register(d, c, req); break;
	case CTL_OP_ATTACH: r = server_requests_attach(d, c, req); break;
	case CTL_OP_CALL_START:
	case CTL_OP_CALL_END: r = call_requests_call(d, c, req, op); break;
	case CTL_OP_KILL_CALL:
	case CTL_OP_KILL_SERVER: r = call_requests_kill(d, c, req, op); break;
	case CTL_OP_CALL_DENIED:
	case CTL_OP_POLICY_RELOAD: r = call_requests_report(d, c, req, op); break;
	default: r = reply_refuse(d, c, req, op, "not a request");	/* ack, error, end: the daemon's own */
	}
	cJSON_Delete(req);
	return r;
}

void requests_on_peer(struct daemon *d, struct ctl_client *c, uint32_t events)
{
	static char buf[CTL_MSG_MAX];
	pid_t sender;
	ssize_t n;

	if (c->dead)
		return;
	if (events & EPOLLOUT && ctl_client_flush(&d->ctl, c))
		goto drop;
	if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return;
	n = ctl_client_recv(&d->ctl, c, buf, sizeof(buf), &sender);
	if (n < 0 && errno == EAGAIN)
		return;
	if (n <= 0)
		goto drop;
	/* The peer's connection stays: a process that took its descriptor must not be able to cut it. */
	if (sender != c->pid) {
		refuse_sender(d, c, sender, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf), n);
		return;
	}
	if ((size_t)n > sizeof(buf)) {
		log_warnx("%s: pid %d sent %zd bytes, more than %d", d->ctl.path, c->pid, n, CTL_MSG_MAX);
		goto drop;
	}
	if (serve(d, c, buf, n))
		goto drop;
	return;
drop:
	ctl_client_drop(&d->ctl, c);
}
