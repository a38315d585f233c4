/* connect_race.c: evasion case: N blocking connects to a loopback listener while another thread keeps rewriting the port in the sockaddr being passed. */
#include <arpa/inet.h>
#include <sched.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static struct sockaddr_in target;
static in_port_t real, decoy;
static atomic_bool done;

/* Runs the calling thread on CPU `cpu` only: the flipper and the connects on two CPUs really race. */
static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		perror("connect_race: sched_setaffinity");
}

/* Flips the port between the listener's and the decoy's, each held for a while. */
static void *flipper(void *arg)
{
	volatile in_port_t *port = &target.sin_port;

	(void)arg;
	pin(0);
	while (!atomic_load(&done)) {
		*port = decoy;
		for (volatile int i = 0; i < 2000; i++)
			;
		*port = real;
		for (volatile int i = 0; i < 2000; i++)
			;
	}
	return NULL;
}

/* A loopback TCP socket bound to a free port; listening if asked. Its port in *port. */
static int loopback(int backlog, in_port_t *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || (backlog && listen(fd, backlog)) ||
	    getsockname(fd, (struct sockaddr *)&sa, &len)) {
		perror("connect_race: loopback socket");
		exit(1);
	}
	*port = sa.sin_port;
	return fd;
}

int main(int argc, char **argv)
{
	int n, ls, ok = 0;
	pthread_t th;

	if (argc != 2 || (n = atoi(argv[1])) < 1) {
		fprintf(stderr, "usage: connect_race N\n");
		return 2;
	}
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		fprintf(stderr, "connect_race: needs 2 CPUs\n");
		return 1;
	}
	pin(1);
	ls = loopback(1024, &real);
	loopback(0, &decoy);	/* bound, not listening: a connect there is refused */
	target = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = real, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	if (pthread_create(&th, NULL, flipper, NULL)) {
		fprintf(stderr, "connect_race: pthread_create failed\n");
		return 1;
	}
	for (int i = 0; i < n; i++) {
		int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), a;

		if (s < 0) {
			perror("connect_race: socket");
			return 1;
		}
		if (!connect(s, (struct sockaddr *)&target, sizeof(target))) {
			ok++;
			if ((a = accept(ls, NULL, NULL)) >= 0)
				close(a);
		}
		close(s);
	}
	atomic_store(&done, true);
	pthread_join(th, NULL);
	printf("port=%u decoy=%u connected=%d\n", ntohs(real), ntohs(decoy), ok);
	return 0;
}
