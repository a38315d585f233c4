/* cg_spawn.c: test shim: registers a server, starts CMD inside its cgroup (clone3 CLONE_INTO_CGROUP, or blocked until attach moves it), attaches it. */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/ctl_client.h"

/*
 * usage: cg_spawn SOCKET NAME FORGE_PID CMD [ARG...]
 * Prints "server_id=S pid=P cgroup=PATH mode=clone3|moved" on stdout. Before
 * starting CMD it asks to attach FORGE_PID (not its child): the daemon must
 * refuse, else exit 3. When clone3 into the cgroup is not allowed (not root),
 * the child waits on a pipe until "attach" (which moves it) is acked.
 * Exits with CMD's exit code, 1 on setup failures.
 */

/* Sends {"op":OP,"server_id":S,"pid":P} or {"op":"register","name":NAME}. 0 on an ack. */
static int request(int sock, const char *op, const char *name, long sid, long pid, cJSON **rep, int *fd)
{
	cJSON *req = cJSON_CreateObject();
	char *text;
	int r = -1;

	cJSON_AddStringToObject(req, "op", op);
	if (name)
		cJSON_AddStringToObject(req, "name", name);
	else {
		cJSON_AddNumberToObject(req, "server_id", sid);
		cJSON_AddNumberToObject(req, "pid", pid);
	}
	text = cJSON_PrintUnformatted(req);
	cJSON_Delete(req);
	if (text)
		r = ctl_request_fd(sock, text, rep, fd);
	free(text);
	return r;
}

static pid_t spawn_in_cgroup(int cgfd, char **argv)
{
	struct clone_args args = { .flags = CLONE_INTO_CGROUP, .exit_signal = SIGCHLD, .cgroup = (uint64_t)cgfd };
	pid_t pid = syscall(SYS_clone3, &args, sizeof(args));

	if (pid == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "cg_spawn: exec %s: %m\n", argv[0]);
		_exit(127);
	}
	if (pid < 0) {
		int err = errno;

		fprintf(stderr, "cg_spawn: clone3 into cgroup fd %d: %m\n", cgfd);
		errno = err;
	}
	return pid;
}

/* Forks a child that execs argv once a byte arrives on *release (the write end, for the caller). */
static pid_t spawn_blocked(char **argv, int *release)
{
	int p[2];
	char c;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC)) {
		perror("cg_spawn: pipe");
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		if (read(p[0], &c, 1) != 1)
			_exit(126);	/* the parent gave up */
		execvp(argv[0], argv);
		fprintf(stderr, "cg_spawn: exec %s: %m\n", argv[0]);
		_exit(127);
	}
	if (pid < 0)
		perror("cg_spawn: fork");
	close(p[0]);
	*release = p[1];
	return pid;
}

int main(int argc, char **argv)
{
	const cJSON *sid, *path;
	cJSON *rep;
	int sock, cgfd, status, release = -1;
	pid_t pid;

	if (argc < 5) {
		fprintf(stderr, "usage: cg_spawn SOCKET NAME FORGE_PID CMD [ARG...]\n");
		return 2;
	}
	sock = ctl_connect(argv[1]);
	if (sock < 0 || request(sock, "register", argv[2], 0, 0, &rep, &cgfd))
		return 1;
	sid = cJSON_GetObjectItemCaseSensitive(rep, "server_id");
	path = cJSON_GetObjectItemCaseSensitive(rep, "cgroup");
	if (!cJSON_IsNumber(sid) || !cJSON_IsString(path) || cgfd < 0) {
		fprintf(stderr, "cg_spawn: register ack without server_id, cgroup or fd\n");
		return 1;
	}
	if (!request(sock, "attach", NULL, sid->valueint, atol(argv[3]), &rep, NULL)) {
		fprintf(stderr, "cg_spawn: forged attach of pid %s was accepted\n", argv[3]);
		return 3;
	}
	pid = spawn_in_cgroup(cgfd, argv + 4);
	if (pid < 0 && (errno == EPERM || errno == EACCES))
		pid = spawn_blocked(argv + 4, &release);
	if (pid < 0)
		return 1;
	printf("server_id=%d pid=%d cgroup=%s mode=%s\n", sid->valueint, pid, path->valuestring,
	       release < 0 ? "clone3" : "moved");
	fflush(stdout);
	if (request(sock, "attach", NULL, sid->valueint, pid, &rep, NULL)) {
		kill(pid, SIGKILL);
		return 1;
	}
	cJSON_Delete(rep);
	if (release >= 0 && (write(release, "x", 1) != 1 || close(release))) {
		perror("cg_spawn: release the child");
		return 1;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			fprintf(stderr, "cg_spawn: waitpid %d: %m\n", pid);
			return 1;
		}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
