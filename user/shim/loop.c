/* loop.c: the shim's event loop: both pipes, signals, deadlines and policy-file changes. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "common/sched_slice.h"
#include "policy/load.h"
#include "shim/descendants.h"
#include "shim/shim.h"

enum { FD_CLIENT_IN, FD_SERVER_OUT, FD_CLIENT_OUT, FD_SERVER_IN, FD_SIGNAL, FD_INOTIFY, FD_DAEMON,
       FD_COUNT };

struct loop {
	struct shim *s;
	int sigfd;
	int inofd;
	char policy_base[NAME_MAX + 1];
};

static const int forwarded[] = { SIGINT, SIGTERM, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };

static int setup_signals(struct loop *l)
{
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaddset(&set, forwarded[i]);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	signal(SIGPIPE, SIG_IGN);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0 ||
	    (l->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK)) < 0) {
		log_warn("signalfd");
		return -1;
	}
	return 0;
}

/* Watches the policy's directory, so editors that replace the file are seen too. */
static void setup_inotify(struct loop *l)
{
	char dir[PATH_MAX], base[PATH_MAX];

	l->inofd = -1;
	if (!l->s->o.policy_path)
		return;
	snprintf(dir, sizeof(dir), "%s", l->s->o.policy_path);
	snprintf(base, sizeof(base), "%s", l->s->o.policy_path);
	snprintf(l->policy_base, sizeof(l->policy_base), "%s", basename(base));
	l->inofd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (l->inofd < 0 || inotify_add_watch(l->inofd, dirname(dir),
					      IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE) < 0) {
		log_warn("inotify on the directory of %s: reload only on SIGHUP", l->s->o.policy_path);
		if (l->inofd >= 0)
			close(l->inofd);
		l->inofd = -1;
	}
}

/* A reload that changes the server-level sandbox has new calls wait for the running ones. */
static void reload(struct loop *l, const char *trigger)
{
	if (shim_reload_policy(l->s, trigger))
		shim_drain_for_reload(l->s);
}

static void on_inotify(struct loop *l)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool hit = false;
	ssize_t n;

	while ((n = read(l->inofd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *ev = (struct inotify_event *)p;

			if (ev->len && !strcmp(ev->name, l->policy_base))
				hit = true;
			p += sizeof(*ev) + ev->len;
		}
	}
	if (hit)
		reload(l, "file change");
}

static void on_signal(struct loop *l)
{
	struct signalfd_siginfo si;

	while (read(l->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP)
			reload(l, "SIGHUP");
		else if (si.ssi_signo == SIGCHLD)
			continue;	/* reaped below, every iteration */
		else
			child_signal(&l->s->child, (int)si.ssi_signo);
	}
}

static void read_side(struct shim *s, int fd, struct linebuf *lb, linebuf_cb cb, bool *eof)
{
	static char buf[1 << 20];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		if (n < 0)
			log_warn("read from the %s", fd == STDIN_FILENO ? "client" : "server");
		linebuf_finish(lb, cb, s);
		*eof = true;
		return;
	}
	if (linebuf_feed(lb, buf, (size_t)n, cb, s) < 0)
		log_warnx("out of memory buffering a line from the %s", fd == STDIN_FILENO ? "client" : "server");
}

/* Client EOF: close the server's stdin, then SIGTERM, then SIGKILL, a grace apart. */
static void step_termination(struct shim *s, uint64_t now)
{
	if (!s->client_eof || s->child.exited)
		return;
	/* Calls still held go on first, unless none has for a while (a server stuck in the ones it runs): then the
	 * server's end answers them. */
	if (s->term_stage == 0 && outq_pending(&s->to_server) == 0 &&
	    (!s->held.n || s->held_moved_ns + SHIM_TERM_GRACE_MS * 1000000ull <= now)) {
		outq_close_when_empty(&s->to_server);
		s->term_stage = 1;
		s->term_next_ns = now + SHIM_TERM_GRACE_MS * 1000000ull;
	} else if (s->term_stage == 1 && now >= s->term_next_ns) {
		log_debug("server pid %d still running after stdin closed: SIGTERM", s->child.pid);
		child_signal(&s->child, SIGTERM);
		s->term_stage = 2;
		s->term_next_ns = now + SHIM_TERM_GRACE_MS * 1000000ull;
	} else if (s->term_stage == 2 && now >= s->term_next_ns) {
		log_warnx("server pid %d ignored SIGTERM: SIGKILL", s->child.pid);
		child_signal(&s->child, SIGKILL);
		s->term_stage = 3;
	}
}

/* With a daemon: register, start the server held inside its cgroup, attach it, release it.
 * So the daemon knows the server before it runs a single instruction of its own. */
static int start_server(struct shim *s)
{
	const struct sandbox *sb = &s->pol->sandbox;
	struct harden h;
	char why[256];
	bool linked;
	int rc;

	/* The hardening the policy in force asks for (a respawn takes a reloaded one's). */
	if (harden_init(&h, sb->syscalls_deny, sb->nsyscalls_deny, sb->caps_keep, sb->ncaps_keep, why, sizeof(why))) {
		log_warnx("%s: %s: the server is not started", s->o.policy_path ? s->o.policy_path : "policy", why);
		return -1;
	}
	if (s->link.fd >= 0)
		dlink_close(&s->link);	/* a respawn: a fresh registration and cgroup */
	else
		dlink_forget_cgroup(&s->link);	/* a respawn while away (or the first start): not into a killed one */
	linked = dlink_register(&s->link) == 0;
	if (!linked && s->o.socket_path)
		s->link.retry_ns = now_ns() + 5000000000ull;	/* a daemon started later is joined */
	if (!linked && shim_unsandboxed(s, shim_server_sandboxed(s) ? "sandbox" : NULL)) {
		log_warnx("%s: the policy's server-level sandbox can't be enforced: %s. Start `mcpwarden daemon`, "
			  "or pass --allow-unsandboxed to run the server without it: the server is not started",
			  s->o.policy_path, s->link.why);
		harden_free(&h);
		return -1;
	}
	rc = child_spawn(&s->child, s->o.argv, s->link.cgroup_fd, linked, &h);
	harden_free(&h);
	if (rc < 0)
		return -1;
	if (!linked) {
		dlink_unlinked_server(&s->link, s->child.pid);
		return 0;
	}
	/* Unattached, the held child may be outside its cgroup and rules: it never runs. */
	if (dlink_attach(&s->link, s->child.pid) < 0) {
		log_warnx("the daemon did not accept server pid %d: the server is not started", s->child.pid);
		child_signal(&s->child, SIGKILL);
		return -1;
	}
	return child_release(&s->child, s->o.argv[0]);
}

/* A server killed outright (the daemon's timeout or limit kill, the OOM killer) while its
 * client is still there comes back; a few times a minute at most. */
static bool should_respawn(struct shim *s, uint64_t now)
{
	if (s->client_eof || s->term_stage || !WIFSIGNALED(s->child.status) ||
	    WTERMSIG(s->child.status) != SIGKILL)
		return false;
	if (now - s->respawn_window_ns > 60000000000ull) {
		s->respawn_window_ns = now;
		s->respawns = 0;
	}
	if (s->respawns >= SHIM_MAX_RESPAWNS) {
		log_warnx("server killed %u times within a minute: not restarting it again", s->respawns);
		return false;
	}
	return true;
}

static void drain_server(struct shim *s)
{
	static char buf[1 << 16];
	ssize_t n;

	while ((n = read(s->child.from_server, buf, sizeof(buf))) > 0)
		linebuf_feed(&s->from_server, buf, (size_t)n, shim_server_line, s);
	linebuf_finish(&s->from_server, shim_server_line, s);
}

static int respawn(struct shim *s)
{
	cJSON *rec = cJSON_CreateObject();
	pid_t old = s->child.pid;

	drain_server(s);
	shim_fail_pending(s, "the MCP server was killed; mcpwarden restarted it: retry the call");
	pending_clear(&s->s2c);
	close(s->child.from_server);
	if (s->to_server.fd >= 0)
		close(s->to_server.fd);
	outq_free(&s->to_server);
	s->respawns++;
	cJSON_AddNumberToObject(rec, "old_pid", old);
	if (start_server(s) < 0) {
		int status = s->child.status;

		if (s->child.to_server >= 0)	/* a child that failed to exec left its pipes open */
			close(s->child.to_server);
		if (s->child.from_server >= 0)
			close(s->child.from_server);

		/* Nothing runs: no fds to poll, no child to reap; the old status is the exit code. */
		s->child = (struct child){ .pid = 0, .to_server = -1, .from_server = -1, .go = -1,
					   .errp = -1, .exited = true, .status = status ? status : SIGKILL };
		outq_init(&s->to_server, -1);
		s->server_eof = true;
		cJSON_AddBoolToObject(rec, "ok", false);
		dlog_write(&s->log, AUDIT_SERVER_RESPAWN, rec);
		return -1;
	}
	outq_init(&s->to_server, s->child.to_server);
	s->server_eof = false;
	log_warnx("server pid %d was killed; restarted as pid %d, replaying the handshake", old, s->child.pid);
	cJSON_AddNumberToObject(rec, "pid", s->child.pid);
	cJSON_AddBoolToObject(rec, "ok", true);
	dlog_write(&s->log, AUDIT_SERVER_RESPAWN, rec);
	shim_replay_handshake(s);
	return 0;
}

/* How long to wait for fds: until the next deadline, to the nanosecond (ppoll), or forever (NULL). */
static struct timespec *poll_timeout(const struct shim *s, uint64_t now, struct timespec *ts)
{
	uint64_t next = pending_next_deadline(&s->c2s);

	if (s->term_stage == 1 || s->term_stage == 2)
		next = next && next < s->term_next_ns ? next : s->term_next_ns;
	if (s->client_eof && s->term_stage == 0 && s->held.n) {
		uint64_t give_up = s->held_moved_ns + SHIM_TERM_GRACE_MS * 1000000ull;

		next = next && next < give_up ? next : give_up;
	}
	if (s->link.retry_ns)
		next = next && next < s->link.retry_ns ? next : s->link.retry_ns;
	if (s->server_gone_ns && !s->server_eof) {
		uint64_t drain = s->server_gone_ns + 1000000000ull;

		next = next && next < drain ? next : drain;
	}
	if (s->draining && s->held.n) {	/* held calls are refused past the reload's bound (shim_release_held) */
		uint64_t bound = s->drain_since_ns + SHIM_DRAIN_MAX_MS * 1000000ull + 1;

		next = next && next < bound ? next : bound;
	}
	if (!next)
		return NULL;
	next = next <= now ? 0 : next - now;
	ts->tv_sec = (time_t)(next / 1000000000ull);
	ts->tv_nsec = (long)(next % 1000000000ull);
	return ts;
}

static bool finished(const struct shim *s)
{
	return s->child.exited && s->server_eof &&
	       (outq_pending(&s->to_client) == 0 || s->to_client.broken);
}

static void iterate(struct loop *l)
{
	struct shim *s = l->s;
	struct pollfd pfd[FD_COUNT];
	uint64_t now = now_ns();
	struct timespec ts;

	pfd[FD_CLIENT_IN] = (struct pollfd){ .fd = !s->client_eof &&
		outq_pending(&s->to_server) < SHIM_QUEUE_HIGH ? STDIN_FILENO : -1, .events = POLLIN };
	pfd[FD_SERVER_OUT] = (struct pollfd){ .fd = !s->server_eof &&
		outq_pending(&s->to_client) < SHIM_QUEUE_HIGH ? s->child.from_server : -1, .events = POLLIN };
	pfd[FD_CLIENT_OUT] = (struct pollfd){ .fd = outq_pending(&s->to_client) ? s->to_client.fd : -1,
		.events = POLLOUT };
	pfd[FD_SERVER_IN] = (struct pollfd){ .fd = outq_pending(&s->to_server) ? s->to_server.fd : -1,
		.events = POLLOUT };
	pfd[FD_SIGNAL] = (struct pollfd){ .fd = l->sigfd, .events = POLLIN };
	pfd[FD_INOTIFY] = (struct pollfd){ .fd = l->inofd, .events = POLLIN };
	pfd[FD_DAEMON] = (struct pollfd){ .fd = dlink_poll_fd(&s->link), .events = POLLIN };
	if (ppoll(pfd, FD_COUNT, poll_timeout(s, now, &ts), NULL) < 0 && errno != EINTR) {
		log_warn("ppoll");
		return;
	}
	if (pfd[FD_SIGNAL].revents)
		on_signal(l);
	if (pfd[FD_INOTIFY].revents)
		on_inotify(l);
	if (pfd[FD_DAEMON].revents)	/* replies are read where asked: this is the daemon leaving */
		dlink_lost(&s->link, now_ns());
	if (pfd[FD_CLIENT_IN].revents)
		read_side(s, STDIN_FILENO, &s->from_client, shim_client_line, &s->client_eof);
	if (pfd[FD_SERVER_OUT].revents)
		read_side(s, s->child.from_server, &s->from_server, shim_server_line, &s->server_eof);
	if (pfd[FD_CLIENT_OUT].revents)
		outq_flush(&s->to_client);
	if (pfd[FD_SERVER_IN].revents)
		outq_flush(&s->to_server);
	if (s->to_client.broken && !s->client_eof) {
		log_debug("client stopped reading: treating it as EOF");
		s->client_eof = true;
	}
	now = now_ns();
	if (dlink_tick(&s->link, now) == DLINK_REFUSED) {
		s->link.retry_ns = 0;	/* the respawn registers the server afresh */
		shim_kill_tree(s, "sandbox", s->link.why);
	}
	shim_release_held(s);
	shim_expire_calls(s, now);
	step_termination(s, now);
	descendants_reap(s->child.pid);	/* adopted orphans that died */
	if (!s->child.exited && child_reap(&s->child)) {
		child_kill_leftovers(&s->child);
		if (!should_respawn(s, now) || respawn(s) < 0)
			s->server_gone_ns = now;
	}
	if (s->server_gone_ns && !s->server_eof && now - s->server_gone_ns > 1000000000ull) {
		log_warnx("server exited but its stdout stays open (a leftover child?): closing");
		s->server_eof = true;
	}
}

static int setup(struct shim *s, const struct shim_opts *o)
{
	char err[POLICY_ERR_SIZE];

	memset(s, 0, sizeof(*s));
	s->o = *o;
	s->pol = o->policy_path ? policy_load_file(o->policy_path, o->policy_flags, err, sizeof(err))
				: calloc(1, sizeof(*s->pol));
	if (!s->pol) {
		log_warnx("%s", o->policy_path ? err : "out of memory");
		return 2;	/* a config error, as for `policy check` */
	}
	s->ctr = counters_new();
	if (!s->ctr || dlog_open(&s->log, o->audit_path, o->name) < 0)
		return EXIT_FAILURE;
	linebuf_init(&s->from_client, o->max_line);
	linebuf_init(&s->from_server, o->max_line);
	return 0;
}

/* The fd the shim writes the client's messages to: non-blocking, so a slow client never
 * stalls the relay. A pipe is reopened, giving a file description of our own: setting
 * O_NONBLOCK on a shared one would leak into the server's stderr under `2>&1`. */
static int client_out_fd(void)
{
	struct stat out, err;
	int fd, fl;

	if (fstat(STDOUT_FILENO, &out) < 0 || !(S_ISFIFO(out.st_mode) || S_ISSOCK(out.st_mode)))
		return STDOUT_FILENO;	/* a file or terminal: blocking writes are fine */
	fd = S_ISFIFO(out.st_mode) ? open("/proc/self/fd/1", O_WRONLY | O_NONBLOCK | O_CLOEXEC) : -1;
	if (fd >= 0) {
		fcntl(fd, F_SETPIPE_SZ, 1 << 20);
		return fd;
	}
	if (fstat(STDERR_FILENO, &err) == 0 && err.st_dev == out.st_dev && err.st_ino == out.st_ino)
		return STDOUT_FILENO;	/* shared with stderr: stay blocking */
	fl = fcntl(STDOUT_FILENO, F_GETFL);
	if (fl >= 0)
		fcntl(STDOUT_FILENO, F_SETFL, fl | O_NONBLOCK);
	return STDOUT_FILENO;
}

static void teardown(struct shim *s, struct loop *l)
{
	pending_clear(&s->c2s);
	pending_clear(&s->s2c);
	held_free(&s->held);
	cJSON_Delete(s->init_request);
	tool_schemas_free(&s->schemas);
	linebuf_free(&s->from_client);
	linebuf_free(&s->from_server);
	outq_free(&s->to_client);
	outq_free(&s->to_server);
	counters_free(s->ctr);
	policy_free(s->pol);
	dlog_close(&s->log);
	dlink_close(&s->link);
	dlink_set_sandbox(&s->link, NULL);
	if (l->inofd >= 0)
		close(l->inofd);
	if (l->sigfd >= 0)
		close(l->sigfd);
}

int shim_run(const struct shim_opts *o)
{
	struct shim s;
	struct loop l = { .s = &s, .sigfd = -1, .inofd = -1 };
	int rc = harden_self() || descendants_adopt() ? EXIT_FAILURE : setup(&s, o);

	sched_slice_set(SCHED_SLICE_NS);	/* a relay: run soon after each wake (the server gets the default back) */

	if (rc == 0 && setup_signals(&l) < 0)
		rc = EXIT_FAILURE;
	dlink_init(&s.link, o->socket_path, o->name, o->daemon_timeout_ms);
	s.link.running = shim_running_calls;
	s.link.running_ctx = &s;
	if (rc == 0)
		shim_link_sandbox(&s);
	if (rc == 0 && start_server(&s) < 0)
		rc = s.child.exited ? 127 : EXIT_FAILURE;
	if (rc != 0) {
		teardown(&s, &l);
		return rc;
	}
	setup_inotify(&l);
	outq_init(&s.to_client, client_out_fd());
	outq_init(&s.to_server, s.child.to_server);
	while (!finished(&s)) {
		iterate(&l);
		if (s.child.exited && s.server_eof && s.c2s.n)
			shim_fail_pending(&s, "the MCP server exited before answering");
	}
	if (s.to_server.fd >= 0)
		close(s.to_server.fd);
	if (s.child.from_server >= 0)
		close(s.child.from_server);
	if (s.to_client.fd > STDERR_FILENO)
		close(s.to_client.fd);
	rc = child_exit_code(&s.child);
	teardown(&s, &l);
	return rc;
}
