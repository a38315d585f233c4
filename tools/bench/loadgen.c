/* loadgen.c: load for the daemon benchmark: fork+exec loop, pipe writers, TCP connect loop, paced UDP event storm, many idle children. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * usage: loadgen exec N           fork+exec /bin/true N times; prints "ops/s R"
 *        loadgen writes N         N times fork+exec a writer of 1 MiB in 4 KiB writes to a pipe; prints "ops/s R"
 *        loadgen connect N        N TCP connects (and accepts) over loopback; prints "ops/s R"
 *        loadgen storm RATE SECS  UDP sendto 127.0.0.1:9 at RATE/s (one sensor event each); prints "sent N"
 *        loadgen children N       forks N children that pause(); prints "ready" and kills them at EOF on stdin
 */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int exec_loop(long n)
{
	char *argv[] = { "/bin/true", NULL };
	double t0 = now();
	int status;

	for (long i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			execv(argv[0], argv);
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, &status, 0) < 0 || status) {
			fprintf(stderr, "loadgen exec: run %ld of /bin/true failed: %s\n", i, strerror(errno));
			return 1;
		}
	}
	printf("ops/s %.0f\n", n / (now() - t0));
	return 0;
}

#define WRITE_CHUNK	4096
#define WRITE_TOTAL	(1 << 20)

/* The exec'd writer: 1 MiB of JSON-like text to stdout, each write an object the sensor scans whole. */
static int writer(void)
{
	static const char pattern[] = "\"key\":\"value\",";
	static char buf[WRITE_CHUNK];

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = pattern[i % (sizeof(pattern) - 1)];
	buf[0] = '{';
	for (int i = 0; i < WRITE_TOTAL / WRITE_CHUNK; i++) {
		if (write(1, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
			fprintf(stderr, "loadgen writer: write %d to stdout: %s\n", i, strerror(errno));
			return 1;
		}
	}
	return 0;
}

/* Runs one writer on a pipe and drains it; 0 when all of its bytes came and it exited 0. */
static int write_once(long i)
{
	static char buf[65536];
	size_t total = 0;
	int fds[2], status;
	ssize_t r;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC)) {
		fprintf(stderr, "loadgen writes: pipe for run %ld: %s\n", i, strerror(errno));
		return 1;
	}
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		execl("/proc/self/exe", "loadgen", "writer", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	while (pid > 0 && (r = read(fds[0], buf, sizeof(buf))) > 0)
		total += r;
	close(fds[0]);
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || status || total != WRITE_TOTAL) {
		fprintf(stderr, "loadgen writes: run %ld: %zu bytes, status %d: %s\n", i, total, status, strerror(errno));
		return 1;
	}
	return 0;
}

static int write_loop(long n)
{
	double t0 = now();

	for (long i = 0; i < n; i++)
		if (write_once(i))
			return 1;
	printf("ops/s %.0f\n", n / (now() - t0));
	return 0;
}

static int connect_loop(long n)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct linger rst = { .l_onoff = 1, .l_linger = 0 };	/* close with RST: no TIME_WAIT eating ports */
	socklen_t len = sizeof(sa);
	int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), s, a;
	double t0;

	if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) || listen(ls, 128) ||
	    getsockname(ls, (struct sockaddr *)&sa, &len)) {
		perror("loadgen connect: loopback listener");
		return 1;
	}
	t0 = now();
	for (long i = 0; i < n; i++) {
		s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa)) ||
		    (a = accept(ls, NULL, NULL)) < 0 || setsockopt(s, SOL_SOCKET, SO_LINGER, &rst, sizeof(rst))) {
			fprintf(stderr, "loadgen connect: connect %ld to port %u: %s\n", i, ntohs(sa.sin_port),
				strerror(errno));
			return 1;
		}
		close(s);
		close(a);
	}
	printf("ops/s %.0f\n", n / (now() - t0));
	return 0;
}

static int storm(long rate, double secs)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(9), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int u = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	double t0 = now(), t;
	long sent = 0;

	if (u < 0) {
		perror("loadgen storm: socket");
		return 1;
	}
	/* Paced: send until `sent` catches up with rate * elapsed, then spin. */
	while ((t = now() - t0) < secs) {
		while (sent < rate * t) {
			if (sendto(u, "x", 1, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != ECONNREFUSED) {
				perror("loadgen storm: sendto");
				return 1;
			}
			sent++;
		}
	}
	printf("sent %ld\n", sent);
	return 0;
}

static int children(long n)
{
	pid_t *pids = calloc(n, sizeof(*pids));
	char line[16];
	long made = 0;

	if (!pids) {
		perror("loadgen children");
		return 1;
	}
	for (; made < n; made++) {
		pids[made] = fork();
		if (pids[made] == 0) {
			pause();
			_exit(0);
		}
		if (pids[made] < 0) {
			fprintf(stderr, "loadgen children: fork %ld of %ld: %s\n", made, n, strerror(errno));
			break;
		}
	}
	if (made == n) {
		printf("ready\n");
		fflush(stdout);
		while (fgets(line, sizeof(line), stdin))
			;
	}
	for (long i = 0; i < made; i++)
		kill(pids[i], SIGKILL);
	for (long i = 0; i < made; i++)
		waitpid(pids[i], NULL, 0);
	free(pids);
	return made == n ? 0 : 1;
}

int main(int argc, char **argv)
{
	long n = argc > 2 ? atol(argv[2]) : 0;

	if (argc == 3 && !strcmp(argv[1], "exec") && n > 0)
		return exec_loop(n);
	if (argc == 3 && !strcmp(argv[1], "writes") && n > 0)
		return write_loop(n);
	if (argc == 2 && !strcmp(argv[1], "writer"))
		return writer();
	if (argc == 3 && !strcmp(argv[1], "connect") && n > 0)
		return connect_loop(n);
	if (argc == 4 && !strcmp(argv[1], "storm") && n > 0)
		return storm(n, atof(argv[3]));
	if (argc == 3 && !strcmp(argv[1], "children") && n > 0)
		return children(n);
	fprintf(stderr, "usage: loadgen exec N | writes N | connect N | storm RATE SECS | children N\n");
	return 2;
}
