/* bench.c: shim benchmarks: relay throughput, tools/call round trip and policy decisions/s,
 * each printed beside a baseline measured in the same run. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "audit/chain.h"
#include "audit/segments.h"
#include "policy/eval.h"
#include "policy/load.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

struct copy {
	int from, to;
};

static void *copy_bytes(void *arg)
{
	struct copy *c = arg;
	static __thread char buf[1 << 16];
	ssize_t n;

	while ((n = read(c->from, buf, sizeof(buf))) > 0)
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(c->to, buf + off, (size_t)(n - off));

			if (w < 0)
				return NULL;
			off += w;
		}
	close(c->to);
	return NULL;
}

/* `bench relay CMD...`: a plain byte relay, one thread a direction: the shim's baseline. */
static int plain_relay(char **argv)
{
	int in[2], out[2];
	pthread_t t1, t2;
	pid_t pid;

	if (pipe(in) < 0 || pipe(out) < 0)
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execvp(argv[0], argv);
		die(argv[0]);
	}
	close(in[0]);
	close(out[1]);
	struct copy up = { 0, in[1] }, down = { out[0], 1 };
	if (pthread_create(&t1, NULL, copy_bytes, &up) || pthread_create(&t2, NULL, copy_bytes, &down))
		die("pthread_create");
	pthread_join(t2, NULL);
	waitpid(pid, NULL, 0);
	return 0;
}

/* `bench server`: answers every request line at once (a stand-in MCP server). */
static int responder(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	while ((n = getline(&line, &cap, stdin)) > 0) {
		char *id = strstr(line, "\"id\":");
		long v = id ? strtol(id + 5, NULL, 10) : -1;

		if (v >= 0) {
			printf("{\"jsonrpc\":\"2.0\",\"id\":%ld,\"result\":{\"content\":[{\"type\":\"text\","
			       "\"text\":\"ok\"}]}}\n", v);
			fflush(stdout);
		}
	}
	free(line);
	return 0;
}

struct peer {
	pid_t pid;
	int to, from;
};

static struct peer spawn(char **argv)
{
	int in[2], out[2];
	struct peer p;

	if (pipe(in) < 0 || pipe(out) < 0)
		die("pipe");
	fcntl(in[1], F_SETPIPE_SZ, 1 << 20);
	fcntl(out[1], F_SETPIPE_SZ, 1 << 20);
	p.pid = fork();
	if (p.pid < 0)
		die("fork");
	if (p.pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		dup2(in[0], 0);
		dup2(out[1], 1);
		if (devnull >= 0)
			dup2(devnull, 2);
		for (int fd = 3; fd < 64; fd++)
			close(fd);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	p.to = in[1];
	p.from = out[0];
	return p;
}

static void finish(struct peer *p)
{
	close(p->to);
	close(p->from);
	waitpid(p->pid, NULL, 0);
}

/* Sends count messages of size bytes through argv (which echoes them) and times it. */
static double throughput(char **argv, size_t size, int count)
{
	struct peer p = spawn(argv);
	const char *head = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{\"data\":\"";
	size_t hl = strlen(head), total = size * (size_t)count, got = 0, sent = 0;
	char *msg = malloc(size), *buf = malloc(1 << 20);
	double t0;

	memcpy(msg, head, hl);
	memset(msg + hl, 'x', size - hl - 4);
	memcpy(msg + size - 4, "\"}}\n", 4);
	fcntl(p.to, F_SETFL, O_NONBLOCK);
	t0 = now_s();
	while (got < total) {
		struct pollfd pf[2] = { { .fd = sent < total ? p.to : -1, .events = POLLOUT },
					{ .fd = p.from, .events = POLLIN } };

		if (poll(pf, 2, 10000) <= 0)
			die("throughput: stalled");
		if (pf[0].revents) {
			size_t off = sent % size;
			ssize_t w = write(p.to, msg + off, size - off);

			if (w > 0)
				sent += (size_t)w;
		}
		if (pf[1].revents) {
			ssize_t r = read(p.from, buf, 1 << 20);

			if (r <= 0)
				die("throughput: relay closed");
			got += (size_t)r;
		}
	}
	t0 = now_s() - t0;
	finish(&p);
	free(msg);
	free(buf);
	return (double)total / t0 / (1 << 20);
}

#define RUNS 5

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Round trips of tools/call through argv; fills p50 and p99 in microseconds. */
static void roundtrip(char **argv, int count, double *p50, double *p99)
{
	struct peer p = spawn(argv);
	double *lat = malloc(sizeof(double) * (size_t)count);
	char req[256], buf[4096];

	for (int i = -200; i < count; i++) {	/* the first 200 warm up */
		int n = snprintf(req, sizeof(req), "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"tools/call\","
				 "\"params\":{\"name\":\"echo\",\"arguments\":{\"message\":\"hi\"}}}\n", i + 1000);
		double t0 = now_s();
		size_t got = 0;

		if (write(p.to, req, (size_t)n) != n)
			die("roundtrip: write");
		while (got == 0 || buf[got - 1] != '\n') {
			ssize_t r = read(p.from, buf + got, sizeof(buf) - got);

			if (r <= 0)
				die("roundtrip: read");
			got += (size_t)r;
		}
		if (i >= 0)
			lat[i] = (now_s() - t0) * 1e6;
	}
	finish(&p);
	qsort(lat, (size_t)count, sizeof(double), cmp_double);
	*p50 = lat[count / 2];
	*p99 = lat[count * 99 / 100];
	free(lat);
}

/* Decisions per second on policy text, cycling through tools. */
static double decisions(const char *text, int tools)
{
	char err[1024], name[32];
	struct policy *pol = policy_load_text("bench.yaml", text, strlen(text), 0, err, sizeof(err));
	struct counters *c = counters_new();
	cJSON *args = cJSON_Parse("{\"code\":\"print(42)\",\"amount\":12,\"lang\":\"python\"}");
	struct decision d;
	long n = 0;
	double t0 = now_s(), el;

	if (!pol) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	do {
		for (int i = 0; i < 1000; i++, n++) {
			struct call_ctx cx = { .tool = name, .args = args, .now = 1000 };

			snprintf(name, sizeof(name), "tool%d", (int)(n % tools));
			policy_decide(pol, c, &cx, &d);
			if (!d.allow) {
				fprintf(stderr, "bench: unexpected deny of %s: %s\n", name, d.reason);
				exit(1);
			}
		}
	} while ((el = now_s() - t0) < 1.0);
	cJSON_Delete(args);
	counters_free(c);
	policy_free(pol);
	return (double)n / el;
}

static cJSON *sample_event(int i)
{
	cJSON *o = cJSON_CreateObject(), *argv = cJSON_AddArrayToObject(o, "argv"), *calls;

	cJSON_AddNumberToObject(o, "pid", 40000 + i % 5000);
	cJSON_AddNumberToObject(o, "ppid", 39999);
	cJSON_AddNumberToObject(o, "start_time", 3178371906602.0 + i);
	cJSON_AddNumberToObject(o, "server_id", 3);
	calls = cJSON_AddArrayToObject(o, "calls");
	cJSON_AddItemToArray(calls, cJSON_CreateNumber(i / 50));
	cJSON_AddStringToObject(o, "comm", "python3");
	cJSON_AddStringToObject(o, "exe", "/usr/bin/python3.11");
	cJSON_AddItemToArray(argv, cJSON_CreateString("python3"));
	cJSON_AddItemToArray(argv, cJSON_CreateString("-u"));
	cJSON_AddItemToArray(argv, cJSON_CreateString("/tmp/tmp.python"));
	return o;
}

/* Compressed and uncompressed bytes of dir's rotated (gzip) audit segments. */
static void gz_sizes(const char *dir, size_t *gz, size_t *raw)
{
	struct segment *segs;
	int n = segments_list(dir, &segs);
	char path[4096];
	struct stat st;

	*gz = *raw = 0;
	for (int i = 0; i < n; i++) {
		char *text;
		size_t len;

		snprintf(path, sizeof(path), "%s/%s", dir, segs[i].name);
		if (!segs[i].compressed || stat(path, &st) < 0 || segment_read(dir, &segs[i], &text, &len) < 0)
			continue;
		*gz += (size_t)st.st_size;
		*raw += len;
		free(text);
	}
	if (n >= 0)
		free(segs);
}

/* Audit records/s with the default fsync policy, against plain unhashed lines; and how much
 * gzip saves on rotated segments. */
static void audit_bench(void)
{
	char tmpl[] = "/tmp/mcpwarden-bench.XXXXXX", *dir = mkdtemp(tmpl), plain[4200], cmd[4300];
	struct audit_opts o = { .dir = dir, .host = "bench", .fsync_ms = 1000, .max_segment_bytes = 4u << 20 };
	const int n = 200000;
	struct audit_log a;
	double t0, chained, base;
	size_t gz, raw;
	FILE *f;

	if (!dir || audit_open(&a, &o) < 0)
		die("audit bench: open");
	t0 = now_s();
	for (int i = 0; i < n; i++)
		audit_append(&a, "exec", sample_event(i));
	audit_close(&a);
	chained = n / (now_s() - t0);
	snprintf(plain, sizeof(plain), "%s/plain.jsonl", dir);
	f = fopen(plain, "w");
	t0 = now_s();
	for (int i = 0; f && i < n; i++) {
		cJSON *e = sample_event(i);
		char *line = cJSON_PrintUnformatted(e);

		fprintf(f, "%s\n", line);
		free(line);
		cJSON_Delete(e);
	}
	if (f) {
		fflush(f);
		fdatasync(fileno(f));
		fclose(f);
	}
	base = n / (now_s() - t0);
	printf("== audit log ==\n");
	printf("plain JSON lines %9.0f records/s   chained (SHA-256, batched fsync) %9.0f records/s   ratio %.2f\n",
	       base, chained, chained / base);
	gz_sizes(dir, &gz, &raw);
	printf("rotated segments: %zu gzip bytes for %zu raw bytes: compressed/raw %.3f\n", gz, raw,
	       raw ? (double)gz / (double)raw : 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench: could not remove %s\n", dir);
}

static char *hundred_rule_policy(void)
{
	size_t cap = 1 << 16, off = 0;
	char *t = malloc(cap);

	off += (size_t)snprintf(t + off, cap - off, "version: \"1\"\ndefault: deny\ntools:\n");
	for (int i = 0; i < 50; i++)
		off += (size_t)snprintf(t + off, cap - off,
			"  tool%d:\n    rules:\n"
			"      - name: r%da\n        conditions:\n"
			"          - {path: args.lang, op: in, value: [python, javascript]}\n"
			"          - {path: args.amount, op: lte, value: 100}\n"
			"      - name: r%db\n        action: deny\n        conditions:\n"
			"          - {path: args.code, op: regex, value: \"os\\\\.system|subprocess\"}\n",
			i, i, i);
	return t;
}

int main(int argc, char **argv)
{
	char *mcpwarden = getenv("MCPWARDEN");
	char *self = argv[0];

	if (argc > 1 && !strcmp(argv[1], "relay"))
		return plain_relay(argv + 2);
	if (argc > 1 && !strcmp(argv[1], "server"))
		return responder();
	if (!mcpwarden) {
		fprintf(stderr, "bench: set MCPWARDEN to the binary to measure\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	char *relay_cat[] = { self, "relay", "cat", NULL };
	char *shim_cat[] = { mcpwarden, "run", "--", "cat", NULL };
	char *direct_srv[] = { self, "server", NULL };
	char *relay_srv[] = { self, "relay", self, "server", NULL };
	char *shim_srv[] = { mcpwarden, "run", "--", self, "server", NULL };
	struct { size_t size; int count; const char *label; } sizes[] = {
		{ 1024, 200000, "1 KiB" }, { 1 << 20, 400, "1 MiB" },
	};

	bool only_relay = argc > 1 && !strcmp(argv[1], "throughput");

	printf("== shim relay throughput (echo through cat, both directions) ==\n");
	/* Alternating pairs, median of the ratios: one run is too noisy on a busy 2-core box. */
	for (size_t i = 0; i < 2; i++) {
		double base[RUNS], shim[RUNS], ratio[RUNS];

		for (int r = 0; r < RUNS; r++) {
			base[r] = throughput(relay_cat, sizes[i].size, sizes[i].count);
			shim[r] = throughput(shim_cat, sizes[i].size, sizes[i].count);
			ratio[r] = shim[r] / base[r];
		}
		qsort(base, RUNS, sizeof(double), cmp_double);
		qsort(shim, RUNS, sizeof(double), cmp_double);
		qsort(ratio, RUNS, sizeof(double), cmp_double);
		printf("%-6s messages: plain relay %8.1f MiB/s   shim %8.1f MiB/s   ratio %.2f (median of %d, range %.2f-%.2f; target >= 0.80 at 1 MiB)\n",
		       sizes[i].label, base[RUNS / 2], shim[RUNS / 2], ratio[RUNS / 2], RUNS, ratio[0], ratio[RUNS - 1]);
	}
	if (only_relay)
		return 0;
	printf("== tools/call round trip, 20000 calls ==\n");
	double d50, d99, r50, r99, s50, s99;
	roundtrip(direct_srv, 20000, &d50, &d99);
	roundtrip(relay_srv, 20000, &r50, &r99);
	roundtrip(shim_srv, 20000, &s50, &s99);
	printf("direct       p50 %7.1f us  p99 %7.1f us\n", d50, d99);
	printf("plain relay  p50 %7.1f us  p99 %7.1f us\n", r50, r99);
	printf("shim         p50 %7.1f us  p99 %7.1f us\n", s50, s99);
	printf("added by the shim over direct: p50 %.1f us (target <= 20), p99 %.1f us (target <= 100)\n",
	       s50 - d50, s99 - d99);
	printf("added by the shim over a plain relay: p50 %.1f us, p99 %.1f us\n", s50 - r50, s99 - r99);
	printf("== policy decisions ==\n");
	char *text = hundred_rule_policy();
	double base = decisions("version: \"1\"\ntools:\n  tool0: {}\n", 1);
	double full = decisions(text, 50);
	printf("empty policy %10.0f decisions/s\n100-rule policy %7.0f decisions/s   ratio to empty %.2f, to the 1 M/s target %.2f\n",
	       base, full, full / base, full / 1e6);
	free(text);
	audit_bench();
	return 0;
}
