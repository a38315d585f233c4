/* test_sandbox.c: a policy's sandbox as the daemon gets it (the wire format's round trips and rejected input), a call's
 * deadline and its rule, a result turned into a sandbox refusal, and where the dynamic loaders are. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <glob.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "daemon/calls/file_id.h"
#include "daemon/calls/loaders.h"
#include "jsonrpc/reply.h"
#include "policy/load.h"
#include "policy/sandbox_wire.h"
#include "policy/unix_rule.h"
#include "sandbox.h"
#include "shim/call_limits.h"

static struct policy *load(const char *text)
{
	char err[1024];
	struct policy *p = policy_load_text("t.yaml", text, strlen(text), 0, err, sizeof(err));

	if (!p)
		fail_msg("%s", err);
	return p;
}

static const char *str(const cJSON *o, const char *path0, const char *path1)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, path0);

	if (path1)
		v = cJSON_GetObjectItemCaseSensitive(v, path1);
	return cJSON_GetStringValue(v);
}

static void sandbox_json_carries_every_rule(void **state)
{
	struct policy *p = load("sandbox:\n"
				"  exec: {allow: [python3], deny: [/usr/bin/id]}\n"
				"  network:\n    allow: [\"10.0.0.0/8\", \"[::1]:443\"]\n    deny: [\"10.1.2.3:22\"]\n"
				"  max_processes: 32\n  max_runtime: 5s\n");
	cJSON *j = sandbox_wire_encode(&p->sandbox), *allow, *deny;

	(void)state;
	assert_non_null(j);
	assert_string_equal(str(j, "network", "egress"), "deny");	/* an allow list means only it */
	allow = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "network"), "allow");
	deny = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "network"), "deny");
	assert_int_equal(cJSON_GetArraySize(allow), 2);
	assert_string_equal(str(cJSON_GetArrayItem(allow, 0), "addr", NULL), "10.0.0.0");
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(allow, 0), "prefix")->valueint, 8);
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(allow, 1), "family")->valueint, 6);
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(allow, 1), "port")->valueint, 443);
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(deny, 0), "port")->valueint, 22);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetArrayItem(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "exec"), "deny"), 0)), "/usr/bin/id");
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(j, "max_processes")->valueint, 32);
	assert_null(cJSON_GetObjectItemCaseSensitive(j, "max_runtime"));	/* the shim keeps deadlines */
	cJSON_Delete(j);
	policy_free(p);
}

static void sandbox_json_absent_and_egress_allow(void **state)
{
	struct policy *p = load("tools:\n  t:\n    sandbox:\n      network:\n        egress: allow\n"
				"        deny: [\"169.254.169.254\"]\n");
	cJSON *j;

	(void)state;
	assert_null(sandbox_wire_encode(&p->sandbox));		/* no server-level block */
	j = sandbox_wire_encode(&policy_tool(p, "t")->sandbox);
	assert_string_equal(str(j, "network", "egress"), "allow");
	assert_null(cJSON_GetObjectItemCaseSensitive(j, "exec"));
	cJSON_Delete(j);
	policy_free(p);
}

static void too_many_network_entries_fail(void **state)
{
	char text[2048] = "sandbox:\n  network:\n    deny: [", err[1024];
	struct policy *p;

	(void)state;
	for (int i = 0; i < 17; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s\"10.0.0.%d\"", i ? ", " : "", i);
	strcat(text, "]\n");
	p = policy_load_text("t.yaml", text, strlen(text), 0, err, sizeof(err));
	assert_null(p);
	assert_non_null(strstr(err, "sandbox.network"));
	assert_non_null(strstr(err, "at most 16"));
}

static void earliest_limit_names_the_deadline(void **state)
{
	struct policy *p = load("sandbox: {max_runtime: 20s}\n"
				"tools:\n  a:\n    timeout: 30s\n    sandbox: {max_runtime: 10s, max_processes: 4}\n"
				"  b:\n    timeout: 5s\n  \"*\":\n    sandbox: {max_processes: 2}\n  c: {}\n");
	struct call_limits l;

	(void)state;
	call_limits_get(p, "a", 30000, &l);
	assert_int_equal(l.deadline_ms, 10000);
	assert_string_equal(l.deadline_rule, "tools.a.sandbox.max_runtime");
	assert_non_null(l.sandbox);
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(l.sandbox, "max_processes")->valueint, 4);
	cJSON_Delete(l.sandbox);
	call_limits_get(p, "b", 5000, &l);
	assert_int_equal(l.deadline_ms, 5000);
	assert_string_equal(l.deadline_rule, "tools.b.timeout");
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(l.sandbox, "max_processes")->valueint, 2);	/* "*" */
	cJSON_Delete(l.sandbox);
	call_limits_get(p, "c", 0, &l);
	assert_int_equal(l.deadline_ms, 20000);
	assert_string_equal(l.deadline_rule, "sandbox.max_runtime");
	cJSON_Delete(l.sandbox);
	policy_free(p);
}

static void result_becomes_a_sandbox_refusal(void **state)
{
	cJSON *msg = cJSON_Parse("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"content\":"
				 "[{\"type\":\"text\",\"text\":\"printed\"}],\"isError\":false}}");
	cJSON *v = cJSON_Parse("[{\"rule\":\"tools.t.sandbox.exec.allow\",\"what\":\"exec of /usr/bin/id killed\"},"
			       "{\"rule\":\"sandbox.network.egress\",\"what\":\"connect refused\"}]");
	cJSON *res, *content, *meta, *idv;
	char *line;

	(void)state;
	reply_mark_sandbox(msg, "t", v);
	res = cJSON_GetObjectItemCaseSensitive(msg, "result");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(res, "isError")));
	content = cJSON_GetObjectItemCaseSensitive(res, "content");
	assert_int_equal(cJSON_GetArraySize(content), 2);
	assert_non_null(strstr(str(cJSON_GetArrayItem(content, 0), "text", NULL),
			       "[rule 'tools.t.sandbox.exec.allow'] exec of /usr/bin/id killed;"));
	assert_non_null(strstr(str(cJSON_GetArrayItem(content, 0), "text", NULL), "sandbox.network.egress"));
	assert_string_equal(str(cJSON_GetArrayItem(content, 1), "text", NULL), "printed");
	meta = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(res, "_meta"), POLICY_META_KEY);
	assert_string_equal(str(meta, "decision", NULL), "sandbox");
	assert_string_equal(str(meta, "rule", NULL), "tools.t.sandbox.exec.allow");
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(msg, "id")->valueint, 7);
	cJSON_Delete(msg);

	msg = cJSON_Parse("{\"jsonrpc\":\"2.0\",\"id\":8,\"error\":{\"code\":-1,\"message\":\"boom\"}}");
	reply_mark_sandbox(msg, "t", v);
	assert_non_null(strstr(str(msg, "error", "message"), "tools.t.sandbox.exec.allow"));
	assert_string_equal(str(cJSON_GetObjectItemCaseSensitive(msg, "error"), "data", "decision"), "sandbox");
	cJSON_Delete(msg);

	/* A reply the shim could not read is replaced by the refusal alone, with its id. */
	line = reply_sandbox(cJSON_GetObjectItemCaseSensitive(v, "id"), "t", v);
	assert_non_null(line);
	msg = cJSON_Parse(line);
	assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(msg, "id")));
	res = cJSON_GetObjectItemCaseSensitive(msg, "result");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(res, "isError")));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(res, "content")), 1);
	assert_non_null(strstr(line, "tools.t.sandbox.exec.allow"));
	free(line);
	idv = cJSON_CreateNumber(9);
	line = reply_sandbox(idv, "t", v);
	assert_non_null(strstr(line, "\"id\":9"));
	free(line);
	cJSON_Delete(idv);
	cJSON_Delete(msg);
	cJSON_Delete(v);
}

/* On this host's ext4 the superblock device is stat's; the symlink /bin/sh resolves to its target. */
static void file_id_is_the_files_identity(void **state)
{
	uint64_t dev, ino;
	struct stat st;
	mode_t type;

	(void)state;
	assert_int_equal(stat("/bin/sh", &st), 0);
	assert_int_equal(file_id("/bin/sh", &dev, &ino, &type), 0);
	assert_int_equal(type, S_IFREG);
	assert_int_equal(ino, st.st_ino);
	assert_int_equal(dev, (uint64_t)major(st.st_dev) << 20 | minor(st.st_dev));
	assert_int_equal(file_id("/", &dev, &ino, &type), 0);
	assert_int_equal(type, S_IFDIR);
	assert_int_equal(file_id("/no/such/file", &dev, &ino, &type), -1);
}

/* /bin/sh's loader is read from its PT_INTERP, and the usual places name the same file. */
static void loaders_are_found(void **state)
{
	char path[4096], why[300];
	uint64_t dev, ino, gdev, gino;
	bool listed = false;
	mode_t type;

	(void)state;
	assert_int_equal(loader_of("/bin/sh", path, sizeof(path), why, sizeof(why)), 1);
	assert_int_equal(file_id(path, &dev, &ino, &type), 0);
	assert_int_equal(type, S_IFREG);
	for (size_t i = 0; loader_globs[i]; i++) {
		glob_t g;

		if (glob(loader_globs[i], 0, NULL, &g))
			continue;
		for (size_t j = 0; j < g.gl_pathc; j++)
			listed |= !file_id(g.gl_pathv[j], &gdev, &gino, &type) && gdev == dev && gino == ino;
		globfree(&g);
	}
	assert_true(listed);
	assert_int_equal(loader_of("/sbin/ldconfig", path, sizeof(path), why, sizeof(why)), 0);	/* static */
	assert_int_equal(loader_of("/etc/passwd", path, sizeof(path), why, sizeof(why)), -1);
	assert_non_null(strstr(why, "/etc/passwd: no ELF program headers"));
	assert_int_equal(loader_of("/no/such/file", path, sizeof(path), why, sizeof(why)), -1);
	assert_non_null(strstr(why, "/no/such/file: No such file"));
	assert_int_equal(loader_of("/bin/sh", path, 8, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "PT_INTERP is not an absolute path of fewer than 8 bytes"));
}

static void assert_strv_equal(char **a, size_t na, char **b, size_t nb)
{
	assert_int_equal(a != NULL, b != NULL);	/* an empty list is still a list */
	assert_int_equal(na, nb);
	for (size_t i = 0; i < na; i++)
		assert_string_equal(a[i], b[i]);
}

static void assert_nets_equal(const struct cidr_rule *a, size_t na, const struct cidr_rule *b, size_t nb)
{
	assert_int_equal(na, nb);
	for (size_t i = 0; i < na; i++) {
		assert_int_equal(a[i].family, b[i].family);
		assert_memory_equal(a[i].addr, b[i].addr, sizeof(a[i].addr));
		assert_int_equal(a[i].prefix, b[i].prefix);
		assert_int_equal(a[i].port, b[i].port);
	}
}

static void assert_sandbox_equal(const struct sandbox *a, const struct sandbox *b)
{
	assert_int_equal(a->present, b->present);
	assert_strv_equal(a->exec_allow, a->nexec_allow, b->exec_allow, b->nexec_allow);
	assert_strv_equal(a->exec_deny, a->nexec_deny, b->exec_deny, b->nexec_deny);
	assert_int_equal(a->egress, b->egress);
	assert_nets_equal(a->net_allow, a->nnet_allow, b->net_allow, b->nnet_allow);
	assert_nets_equal(a->net_deny, a->nnet_deny, b->net_deny, b->nnet_deny);
	assert_int_equal(a->max_processes, b->max_processes);
	assert_int_equal(a->max_runtime_ms, b->max_runtime_ms);
}

/* The policy's server-level sandbox, encoded and decoded, is the model the loader made; so is its encoding. */
static void round_trip(const char *yaml)
{
	struct policy *p = load(yaml);
	cJSON *j = sandbox_wire_encode(&p->sandbox), *again;
	struct sandbox sb;
	char why[256] = "", *t1, *t2;

	assert_non_null(j);
	if (sandbox_wire_decode(j, &sb, why, sizeof(why)))
		fail_msg("%s", why);
	assert_sandbox_equal(&p->sandbox, &sb);
	again = sandbox_wire_encode(&sb);
	t1 = cJSON_PrintUnformatted(j);
	t2 = cJSON_PrintUnformatted(again);
	assert_string_equal(t1, t2);
	free(t1);
	free(t2);
	cJSON_Delete(again);
	cJSON_Delete(j);
	sandbox_free(&sb);
	policy_free(p);
}

static void exec_allow_and_deny(void **state)
{
	(void)state;
	round_trip("sandbox:\n  exec: {allow: [python3, \"/usr/bin/python3.*\"], deny: [/usr/bin/id]}\n");
	round_trip("sandbox:\n  exec: {deny: [\"*\"]}\n");
	round_trip("sandbox:\n  exec: {allow: []}\n");	/* nothing may run */
}

static void v4_and_v6_nets_with_prefix_and_port(void **state)
{
	(void)state;
	round_trip("sandbox:\n  network:\n    egress: deny\n"
		   "    allow: [\"10.0.0.0/8\", \"203.0.113.10:443\", \"0.0.0.0/0:53\", \"[::1]:8080\", \"2001:db8::/32\"]\n"
		   "    deny: [\"10.1.2.3/32:22\", \"::/0\", \"[fe80::1]:1\"]\n");
}

static void egress_allow_and_deny(void **state)
{
	(void)state;
	round_trip("sandbox:\n  network: {egress: allow, deny: [\"169.254.169.254\"]}\n");
	round_trip("sandbox:\n  network: {egress: deny}\n");
	round_trip("sandbox:\n  network: {egress: allow}\n");
}

static void max_processes_and_everything(void **state)
{
	(void)state;
	round_trip("sandbox: {max_processes: 32}\n");
	round_trip("sandbox: {max_processes: 4294967295}\n");
	round_trip("sandbox:\n  exec: {allow: [python3]}\n  network:\n    egress: deny\n"
		   "    allow: [\"203.0.113.10/32:443\"]\n  max_processes: 7\n");
	round_trip("sandbox: {}\n");
}

static void rejected(const char *text, const char *want);

/* on_end: kill goes to the daemon with the tool's rules; only a tool's sandbox may say it, and only kill or keep. */
static void on_end_kill(void **state)
{
	struct policy *p = load("tools:\n  t:\n    sandbox: {on_end: kill}\n");
	cJSON *j = sandbox_wire_encode(&p->tools[0].sandbox);
	const char *top = "sandbox: {on_end: kill}\n", *odd = "tools:\n  t:\n    sandbox: {on_end: later}\n";
	struct sandbox sb;
	char why[256], err[1024];

	(void)state;
	assert_string_equal(str(j, "on_end", NULL), "kill");
	assert_int_equal(sandbox_wire_decode(j, &sb, why, sizeof(why)), 0);
	assert_true(sb.kill_on_end);
	sandbox_free(&sb);
	cJSON_Delete(j);
	policy_free(p);
	assert_null(policy_load_text("t.yaml", top, strlen(top), 0, err, sizeof(err)));
	assert_non_null(strstr(err, "sandbox.on_end: only in a tool's sandbox"));
	assert_null(policy_load_text("t.yaml", odd, strlen(odd), 0, err, sizeof(err)));
	assert_non_null(strstr(err, "tools.t.sandbox.on_end: must be kill or keep"));
	rejected("{\"on_end\":\"later\"}", "on_end: must be");
}

/* A v4-mapped rule is the IPv4 rule the kernel judges such a destination by. */
static void v4_mapped_rules_are_ipv4(void **state)
{
	struct policy *p = load("sandbox:\n  network: {deny: [\"[::ffff:127.0.0.1]:80\", \"::ffff:a00:0/104\"]}\n");
	char err[1024];
	const char *bad = "sandbox:\n  network: {deny: [\"::ffff:0:0/64\"]}\n";

	(void)state;
	assert_int_equal(p->sandbox.nnet_deny, 2);
	assert_int_equal(p->sandbox.net_deny[0].family, AF_INET);
	assert_int_equal(p->sandbox.net_deny[0].prefix, 32);
	assert_int_equal(p->sandbox.net_deny[0].port, 80);
	assert_memory_equal(p->sandbox.net_deny[0].addr, "\x7f\0\0\x01", 4);
	assert_int_equal(p->sandbox.net_deny[1].family, AF_INET);
	assert_int_equal(p->sandbox.net_deny[1].prefix, 8);
	policy_free(p);
	assert_null(policy_load_text("t.yaml", bad, strlen(bad), 0, err, sizeof(err)));
	assert_non_null(strstr(err, "sandbox.network.deny[0]"));
}

/* network.unix lists go to the daemon as written, and come back the same. */
static void unix_entries_round_trip(void **state)
{
	struct policy *p = load("sandbox:\n  network:\n    unix:\n"
				"      allow: [/run/user/, \"@/tmp/dbus-1\"]\n      deny: [/run/docker.sock]\n");
	cJSON *j = sandbox_wire_encode(&p->sandbox);
	struct sandbox sb;
	char why[256];

	(void)state;
	assert_non_null(j);
	assert_null(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "network"), "egress"));
	assert_int_equal(sandbox_wire_decode(j, &sb, why, sizeof(why)), 0);
	assert_int_equal(sb.nunix_allow, 2);
	assert_string_equal(sb.unix_allow[0], "/run/user/");
	assert_string_equal(sb.unix_allow[1], "@/tmp/dbus-1");
	assert_int_equal(sb.nunix_deny, 1);
	assert_string_equal(sb.unix_deny[0], "/run/docker.sock");
	assert_int_equal(sb.egress, -1);	/* unix rules say nothing of inet egress */
	sandbox_free(&sb);
	cJSON_Delete(j);
	policy_free(p);
}

/* The entries the kernel's table can match, and those it can't, from the loader and from the wire. */
static void unix_entry_forms(void **state)
{
	static const char *const good[] = { "/run/docker.sock", "/run/user/", "/", "@", "@name", "@/tmp/x//y", NULL };
	static const char *const bad[] = { "", "run/docker.sock", "/run//docker.sock", "/run/./x", "/run/../x",
					   "/run/..", "/run/.", "./x", NULL };
	char longest[EV_UNIX_PATH_LEN + 1];

	(void)state;
	for (size_t i = 0; good[i]; i++)
		assert_null(unix_rule_check(good[i]));
	for (size_t i = 0; bad[i]; i++) {
		char text[256], err[1024], wire[256];
		struct sandbox sb;
		cJSON *j;

		assert_non_null(unix_rule_check(bad[i]));
		snprintf(text, sizeof(text), "sandbox:\n  network:\n    unix:\n      deny: [\"%s\"]\n", bad[i]);
		assert_null(policy_load_text("t.yaml", text, strlen(text), 0, err, sizeof(err)));
		assert_non_null(strstr(err, "sandbox.network.unix.deny[0]"));
		snprintf(wire, sizeof(wire), "{\"network\":{\"unix\":{\"allow\":[\"%s\"]}}}", bad[i]);
		j = cJSON_Parse(wire);
		assert_int_equal(sandbox_wire_decode(j, &sb, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "network.unix.allow[0]"));
		cJSON_Delete(j);
	}
	memset(longest, 'a', sizeof(longest) - 1);
	longest[0] = '/';
	longest[sizeof(longest) - 1] = '\0';
	assert_non_null(unix_rule_check(longest));
	longest[sizeof(longest) - 2] = '\0';
	assert_null(unix_rule_check(longest));
}

/* More entries than the kernel's table holds are refused, by the loader and by the wire. */
static void at_most_sixteen_unix_entries(void **state)
{
	char text[2048] = "sandbox:\n  network:\n    unix:\n      deny: [", wire[2048] = "{\"network\":{\"unix\":{\"deny\":[";
	char err[1024];
	struct sandbox sb;
	cJSON *j;

	(void)state;
	for (int i = 0; i <= SB_MAX_UNIX_RULES; i++) {
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s/s%d", i ? ", " : "", i);
		snprintf(wire + strlen(wire), sizeof(wire) - strlen(wire), "%s\"/s%d\"", i ? "," : "", i);
	}
	strcat(text, "]\n");
	strcat(wire, "]}}}");
	assert_null(policy_load_text("t.yaml", text, strlen(text), 0, err, sizeof(err)));
	assert_non_null(strstr(err, "sandbox.network.unix"));
	j = cJSON_Parse(wire);
	assert_int_equal(sandbox_wire_decode(j, &sb, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "at most 16"));
	cJSON_Delete(j);
}

/* An allow list without egress means only what it lists: it arrives as egress deny. */
static void allow_list_alone_arrives_as_egress_deny(void **state)
{
	struct policy *p = load("sandbox:\n  network: {allow: [\"10.0.0.0/8\"]}\n");
	cJSON *j = sandbox_wire_encode(&p->sandbox);
	struct sandbox sb;
	char why[256];

	(void)state;
	assert_int_equal(p->sandbox.egress, -1);
	assert_int_equal(sandbox_wire_decode(j, &sb, why, sizeof(why)), 0);
	assert_int_equal(sb.egress, 0);
	assert_int_equal(sb.nnet_allow, 1);
	assert_int_equal(sb.net_allow[0].prefix, 8);
	sandbox_free(&sb);
	cJSON_Delete(j);
	policy_free(p);
}

/* The decoder reads "egress" as the encoder writes it: an allow list alone means only what it lists,
 * and a deny list alone leaves the rest open; each decodes and encodes back to itself. */
static void egress_as_the_encoder_means_it(void **state)
{
	static const struct { const char *in; int egress; } cases[] = {
		{ "{\"network\":{\"allow\":[]}}", 0 },
		{ "{\"network\":{\"deny\":[{\"family\":4,\"addr\":\"10.0.0.0\",\"prefix\":8,\"port\":0}]}}", -1 },
		{ "{\"network\":{\"egress\":\"allow\",\"allow\":[]}}", 1 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cJSON *j = cJSON_Parse(cases[i].in), *again;
		struct sandbox sb, sb2;
		char why[256], *a, *b;

		assert_int_equal(sandbox_wire_decode(j, &sb, why, sizeof(why)), 0);
		assert_int_equal(sb.egress, cases[i].egress);
		again = sandbox_wire_encode(&sb);
		assert_int_equal(sandbox_wire_decode(again, &sb2, why, sizeof(why)), 0);
		assert_int_equal(sb2.egress, cases[i].egress);
		a = cJSON_PrintUnformatted(again);
		cJSON_Delete(again);
		again = sandbox_wire_encode(&sb2);
		b = cJSON_PrintUnformatted(again);
		assert_string_equal(a, b);
		free(a);
		free(b);
		cJSON_Delete(again);
		cJSON_Delete(j);
		sandbox_free(&sb);
		sandbox_free(&sb2);
	}
}

/* Decoding `text` fails with an error that contains `want`; nothing is left in the model. */
static void rejected(const char *text, const char *want)
{
	cJSON *j = cJSON_Parse(text);
	struct sandbox sb;
	char why[256] = "";

	assert_non_null(j);
	assert_int_equal(sandbox_wire_decode(j, &sb, why, sizeof(why)), -1);
	if (!strstr(why, want))
		fail_msg("decoding %s: got '%s', want '%s'", text, why, want);
	assert_null(sb.exec_allow);
	assert_null(sb.net_allow);
	assert_null(sb.net_deny);
	cJSON_Delete(j);
}

#define NET(f, a, p, port) "{\"family\":" #f ",\"addr\":\"" a "\",\"prefix\":" #p ",\"port\":" #port "}"

static void bad_family(void **state)
{
	(void)state;
	rejected("{\"network\":{\"allow\":[" NET(5, "10.0.0.1", 32, 0) "]}}", "network.allow[0].family: must be 4 or 6");
	rejected("{\"network\":{\"deny\":[" NET(4, "10.0.0.1", 32, 0) "," NET(6, "10.0.0.1", 32, 0) "]}}",
		 "network.deny[1].addr: must be an IPv6 address");
	rejected("{\"network\":{\"allow\":[{\"addr\":\"10.0.0.1\",\"prefix\":32,\"port\":0}]}}",
		 "network.allow[0].family: must be 4 or 6");
}

static void prefix_out_of_range(void **state)
{
	(void)state;
	rejected("{\"network\":{\"allow\":[" NET(4, "10.0.0.0", 33, 0) "]}}",
		 "network.allow[0].prefix: 33 is out of range 0..32");
	rejected("{\"network\":{\"allow\":[" NET(6, "::", 129, 0) "]}}", "network.allow[0].prefix: 129 is out of range 0..128");
	rejected("{\"network\":{\"allow\":[" NET(4, "10.0.0.0", -1, 0) "]}}", "network.allow[0].prefix: -1 is out of range");
	rejected("{\"network\":{\"allow\":[" NET(4, "10.0.0.0", 8.5, 0) "]}}", "network.allow[0].prefix: 8.5 is not a whole");
}

static void port_out_of_range(void **state)
{
	(void)state;
	rejected("{\"network\":{\"deny\":[" NET(4, "10.0.0.1", 32, 65536) "]}}",
		 "network.deny[0].port: 65536 is out of range 0..65535");
	rejected("{\"network\":{\"deny\":[" NET(4, "10.0.0.1", 32, -1) "]}}", "network.deny[0].port: -1 is out of range");
	rejected("{\"network\":{\"deny\":[{\"family\":4,\"addr\":\"10.0.0.1\",\"prefix\":32}]}}",
		 "network.deny[0].port: missing");
	rejected("{\"network\":{\"deny\":[" NET(4, "10.0.0.1", 32, "\"22\"") "]}}", "network.deny[0].port: must be a number");
}

static void unknown_key(void **state)
{
	(void)state;
	rejected("{\"network\":{\"egress\":\"allow\",\"egress\":\"deny\"}}", "network.egress: key repeated");
	rejected("{\"max_processes\":5,\"max_processes\":9}", "max_processes: key repeated");
	rejected("{\"max_runtime\":30000}", "max_runtime: unknown key");
	rejected("{\"exec\":{\"allow\":[],\"only\":[]}}", "exec.only: unknown key");
	rejected("{\"network\":{\"egres\":\"deny\"}}", "network.egres: unknown key");
	rejected("{\"network\":{\"allow\":[{\"family\":4,\"addr\":\"10.0.0.1\",\"prefix\":32,\"port\":0,\"proto\":\"tcp\"}]}}",
		 "network.allow[0].proto: unknown key");
}

static void other_faults(void **state)
{
	(void)state;
	rejected("[]", "sandbox: must be an object");
	rejected("{\"exec\":{\"allow\":[\"python3\",7]}}", "exec.allow[1]: must be a string");
	rejected("{\"exec\":{\"deny\":\"*\"}}", "exec.deny: must be a list of strings");
	rejected("{\"network\":{\"egress\":\"maybe\"}}", "network.egress: must be \"allow\" or \"deny\"");
	rejected("{\"network\":{\"allow\":[" NET(4, "10.0.0.300", 32, 0) "]}}", "network.allow[0].addr: must be an IPv4 address");
	rejected("{\"max_processes\":0}", "max_processes: 0 is out of range 1..4294967295");
	rejected("{\"max_processes\":4294967296}", "max_processes: 4294967296 is out of range");
}

static void at_most_sixteen_network_entries(void **state)
{
	char text[4096] = "{\"network\":{\"allow\":[";

	(void)state;
	for (int i = 0; i < 17; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s" NET(4, "10.0.0.1", 32, 0), i ? "," : "");
	strcat(text, "]}}");
	rejected(text, "network: at most 16 allow and deny entries in all");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sandbox_json_carries_every_rule),
		cmocka_unit_test(sandbox_json_absent_and_egress_allow),
		cmocka_unit_test(too_many_network_entries_fail),
		cmocka_unit_test(earliest_limit_names_the_deadline),
		cmocka_unit_test(result_becomes_a_sandbox_refusal),
		cmocka_unit_test(file_id_is_the_files_identity),
		cmocka_unit_test(loaders_are_found),
		cmocka_unit_test(exec_allow_and_deny),
		cmocka_unit_test(v4_and_v6_nets_with_prefix_and_port),
		cmocka_unit_test(egress_allow_and_deny),
		cmocka_unit_test(max_processes_and_everything),
		cmocka_unit_test(allow_list_alone_arrives_as_egress_deny),
		cmocka_unit_test(bad_family),
		cmocka_unit_test(prefix_out_of_range),
		cmocka_unit_test(port_out_of_range),
		cmocka_unit_test(unknown_key),
		cmocka_unit_test(other_faults),
		cmocka_unit_test(at_most_sixteen_network_entries),
		cmocka_unit_test(egress_as_the_encoder_means_it),
		cmocka_unit_test(unix_entries_round_trip),
		cmocka_unit_test(v4_mapped_rules_are_ipv4),
		cmocka_unit_test(on_end_kill),
		cmocka_unit_test(unix_entry_forms),
		cmocka_unit_test(at_most_sixteen_unix_entries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
