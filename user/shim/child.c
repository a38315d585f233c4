/* child.c: starts the MCP server in its own process group and ends it in stages. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sched.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "common/sched_slice.h"
#include "shim/child.h"
#include "shim/descendants.h"

/* In the forked child: wire up fds, detach, wait for the go byte if held, harden, exec.
 * Writes errno to errfd on failure. */
static void __attribute__((noreturn)) exec_server(char *const argv[], int in, int out,
						    int errfd, int gofd, pid_t parent, const struct harden *h)
{
	sigset_t none;
	char go;
	int err;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	if (setpgid(0, 0) < 0 || prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		goto fail;
	if (getppid() != parent)	/* the shim died before PDEATHSIG was armed */
		_exit(127);
	if (dup2(in, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0)
		goto fail;
	if (gofd >= 0 && read(gofd, &go, 1) != 1)	/* the shim died before the daemon knew us */
		_exit(127);
	sched_slice_set(0);	/* a host that refuses it (SELinux, seccomp) refused the shim's too: nothing to undo */
	if (harden_apply(h))
		goto fail;
	execvp(argv[0], argv);
fail:
	err = errno;
	if (write(errfd, &err, sizeof(err)) < 0)
		_exit(126);
	_exit(127);
}

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* Reads the exec result from the CLOEXEC pipe: EOF means the server is running. */
static int child_started(struct child *c, const char *name)
{
	ssize_t n;
	int err;

	do
		n = read(c->errp, &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	close(c->errp);
	c->errp = -1;
	if (n == sizeof(err)) {
		log_warnx("cannot run %s: %s", name, strerror(err));
		waitpid(c->pid, &c->status, 0);
		c->exited = true;
		return -1;
	}
	if (set_nonblock(c->to_server) < 0 || set_nonblock(c->from_server) < 0) {
		log_warn("O_NONBLOCK on pipes of server pid %d", c->pid);
		return -1;
	}
	return 0;
}

/* fork(), or clone3() straight into a cgroup, so not one instruction runs outside it. A shim that is not root
 * may not (it can't write the common ancestor's cgroup.procs): it forks, and the held child waits for the
 * daemon's attach to move it in. */
static pid_t spawn_into(int cgroup_fd)
{
	struct clone_args args = { .exit_signal = SIGCHLD };
	pid_t pid;

	if (cgroup_fd < 0)
		return fork();
	args.flags = CLONE_INTO_CGROUP;
	args.cgroup = (uint64_t)cgroup_fd;
	pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
	return pid < 0 && (errno == EACCES || errno == EPERM) ? fork() : pid;
}

int child_spawn(struct child *c, char *const argv[], int cgroup_fd, bool hold, const struct harden *h)
{
	int in[2], out[2], errp[2], go[2] = { -1, -1 };
	pid_t parent = getpid();

	memset(c, 0, sizeof(*c));
	c->go = -1;
	/* stdin and stdout are sockets, not pipes: a pipe can be opened again through /proc/PID/fd/N,
	 * so another process of the same uid could write requests past the policy or read the replies. */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) < 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, out) < 0 || pipe2(errp, O_CLOEXEC) < 0 ||
	    (hold && pipe2(go, O_CLOEXEC) < 0)) {
		log_warn("stdio for server %s", argv[0]);
		return -1;
	}
	/* Large buffers keep big messages to few writes; best effort. */
	setsockopt(in[1], SOL_SOCKET, SO_SNDBUF, &(int){ 1 << 20 }, sizeof(int));
	setsockopt(out[0], SOL_SOCKET, SO_RCVBUF, &(int){ 1 << 20 }, sizeof(int));
	shutdown(in[0], SHUT_WR);	/* each socket carries one direction, as the pipes did */
	shutdown(out[1], SHUT_RD);
	c->pid = spawn_into(cgroup_fd);
	if (c->pid < 0) {
		log_warn("%s for server %s", cgroup_fd >= 0 ? "clone3 into its cgroup" : "fork", argv[0]);
		return -1;
	}
	if (c->pid == 0)
		exec_server(argv, in[0], out[1], errp[1], go[0], parent, h);
	setpgid(c->pid, c->pid);	/* also set here: no window where signals miss it */
	close(in[0]);
	close(out[1]);
	close(errp[1]);
	c->errp = errp[0];
	c->to_server = in[1];
	c->from_server = out[0];
	if (hold) {
		close(go[0]);
		c->go = go[1];
		return 0;	/* child_release() reads the exec result */
	}
	return child_started(c, argv[0]);
}

int child_release(struct child *c, const char *name)
{
	char byte = 1;

	if (write(c->go, &byte, 1) != 1) {
		log_warn("releasing server %s (pid %d)", name, c->pid);
		return -1;
	}
	close(c->go);
	c->go = -1;
	return child_started(c, name);
}

void child_signal(const struct child *c, int sig)
{
	if (c->pid > 0 && !c->exited && kill(-c->pid, sig) < 0 && errno != ESRCH)
		log_warn("signal %d to server process group %d", sig, c->pid);
}

void child_kill_leftovers(const struct child *c)
{
	/* Called right after the reap: the group id cannot have been reused yet. */
	if (c->pid > 0 && kill(-c->pid, SIGKILL) < 0 && errno != ESRCH)
		log_warn("SIGKILL to what is left of server process group %d", c->pid);
	descendants_kill();	/* and what left the group: the shim adopted it */
}

bool child_reap(struct child *c)
{
	pid_t r;

	if (c->exited)
		return true;
	do
		r = waitpid(c->pid, &c->status, WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == c->pid)
		c->exited = true;
	else if (r < 0)
		log_warn("waitpid server pid %d", c->pid);
	return c->exited;
}

int child_exit_code(const struct child *c)
{
	if (WIFEXITED(c->status))
		return WEXITSTATUS(c->status);
	if (WIFSIGNALED(c->status))
		return 128 + WTERMSIG(c->status);
	return 1;
}
