/* test_wrap_text.c: unit tests for --wrap's textual edits (user/discover/wrap_text.c) and the JSONC and TOML tokenizers under them. */
#include <setjmp.h>
#include <getopt.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cli/commands.h"
#include "discover/config_doc.h"
#include "discover/wrap_text.h"
#include "discover/wrapper.h"

static const struct wrap_opts json_opts = { .key = "mcpServers" };
static const struct wrap_opts vscode_opts = { .key = "servers" };
static const struct wrap_opts toml_opts = { .toml = true };

/* wrap (or unwrap) of text: the new text, which the test frees; NULL with why on a refusal. */
static char *run(const struct wrap_opts *o, bool unwrap, const char *text, size_t *changed, char *why)
{
	size_t len, n;
	char *out = wrap_text(o, unwrap, text, strlen(text), &len, changed ? changed : &n, why, 256);

	if (out)
		assert_int_equal(strlen(out), len);
	return out;
}

static void round_trip(const struct wrap_opts *o, const char *text, const char *want_wrapped)
{
	char why[256], *w = run(o, false, text, NULL, why), *u;

	assert_non_null(w);
	assert_string_equal(w, want_wrapped);
	u = run(o, true, w, NULL, why);
	assert_non_null(u);
	assert_string_equal(u, text);
	assert_true(wrap_undoes(o, w, strlen(w), text, strlen(text)));
	free(u);
	free(w);
}

static void jsonc_kept(void **state)
{
	(void)state;
	/* Comments, trailing commas, a huge integer, \u escapes, CRLF, key order: all kept. */
	round_trip(&json_opts,
		   "// top\r\n{\r\n  \"mcpServers\": {\r\n    \"fs\": { /* the files */\r\n      \"args\": [\"-y\", \"@mcp/fs\",],\r\n"
		   "      \"command\": \"np\\u0078\",\r\n      \"n\": 12345678901234567890,\r\n    },\r\n  },\r\n}\r\n",
		   "// top\r\n{\r\n  \"mcpServers\": {\r\n    \"fs\": { /* the files */\r\n"
		   "      \"args\": [\"run\", \"--name\", \"fs\", \"--\", \"np\\u0078\",\"-y\", \"@mcp/fs\",],\r\n"
		   "      \"command\": \"mcpwarden\",\r\n      \"n\": 12345678901234567890,\r\n    },\r\n  },\r\n}\r\n");
	/* A multi-line args array with comments keeps its lines; an empty one its inside. */
	round_trip(&vscode_opts,
		   "{\"servers\": {\"m\": {\"command\": \"x\", \"args\": [\n  // pkg\n  \"a\"\n]}, \"e\": {\"command\": \"y\", \"args\": [ ]}}}",
		   "{\"servers\": {\"m\": {\"command\": \"mcpwarden\", \"args\": [\"run\", \"--name\", \"m\", \"--\", \"x\",\n  // pkg\n  \"a\"\n]}, "
		   "\"e\": {\"command\": \"mcpwarden\", \"args\": [\"run\", \"--name\", \"e\", \"--\", \"y\" ]}}}");
}

static void toml_kept(void **state)
{
	(void)state;
	round_trip(&toml_opts,
		   "model = \"o4\" # [mcp_servers.not]\r\n[mcp_servers.code]\r\ncommand = 'npx' # runner\r\n"
		   "args = [\r\n  \"-y\", # c\r\n  '''mcp-x''',\r\n]\r\n[mcp_servers.code.env]\r\nX = \"1\"\r\n",
		   "model = \"o4\" # [mcp_servers.not]\r\n[mcp_servers.code]\r\ncommand = \"mcpwarden\" # runner\r\n"
		   "args = [\"run\", \"--name\", \"code\", \"--\", 'npx',\r\n  \"-y\", # c\r\n  '''mcp-x''',\r\n]\r\n"
		   "[mcp_servers.code.env]\r\nX = \"1\"\r\n");
	/* A multi-line string that looks like a table is a string. */
	round_trip(&toml_opts, "s = \"\"\"\n[mcp_servers.x]\ncommand = \"no\"\n\"\"\"\n[mcp_servers.\"a b\"]\nargs = [\"z\"]\ncommand = \"y\"\n",
		   "s = \"\"\"\n[mcp_servers.x]\ncommand = \"no\"\n\"\"\"\n[mcp_servers.\"a b\"]\n"
		   "args = [\"run\", \"--name\", \"a b\", \"--\", \"y\",\"z\"]\ncommand = \"mcpwarden\"\n");
}

/* Without args, wrap adds a member; the textual unwrap leaves it empty, the backup gives the bytes. */
static void added_args(void **state)
{
	const char *json = "{\"mcpServers\": {\"b\": {\"command\": \"srv\"}}}";
	const char *toml = "[mcp_servers.b]\r\ncommand = \"srv\" # c\r\nenv = { A = \"1\" }\r\n";
	char why[256], *w, *u;

	(void)state;
	w = run(&json_opts, false, json, NULL, why);
	assert_string_equal(w, "{\"mcpServers\": {\"b\": {\"command\": \"mcpwarden\", \"args\": [\"run\", \"--name\", \"b\", \"--\", \"srv\"]}}}");
	u = run(&json_opts, true, w, NULL, why);
	assert_string_equal(u, "{\"mcpServers\": {\"b\": {\"command\": \"srv\", \"args\": []}}}");
	assert_true(wrap_undoes(&json_opts, w, strlen(w), json, strlen(json)));
	free(u);
	free(w);
	w = run(&toml_opts, false, toml, NULL, why);
	assert_string_equal(w, "[mcp_servers.b]\r\ncommand = \"mcpwarden\" # c\r\nargs = [\"run\", \"--name\", \"b\", \"--\", \"srv\"]\r\n"
			       "env = { A = \"1\" }\r\n");
	assert_true(wrap_undoes(&toml_opts, w, strlen(w), toml, strlen(toml)));
	free(w);
}

/* An edit made after the wrap survives the unwrap, and the backup no longer fits. */
static void edited_after_wrap(void **state)
{
	const char *orig = "{\"mcpServers\": {\"a\": {\"command\": \"x\", \"args\": [\"1\"]}}}";
	const char *edited = "{\"mcpServers\": {\"a\": {\"command\": \"mcpwarden\", \"args\": [\"run\", \"--name\", \"a\", \"--\", \"x\",\"1\"]}}, \"theme\": 1}";
	char why[256], *u;

	(void)state;
	u = run(&json_opts, true, edited, NULL, why);
	assert_string_equal(u, "{\"mcpServers\": {\"a\": {\"command\": \"x\", \"args\": [\"1\"]}}, \"theme\": 1}");
	assert_false(wrap_undoes(&json_opts, edited, strlen(edited), orig, strlen(orig)));
	free(u);
}

static bool policy(const char *name, char *path, size_t len, void *arg)
{
	(void)arg;
	snprintf(path, len, "/p/\"%s\".yaml", name);
	return true;
}

static void with_policy_and_projects(void **state)
{
	const struct wrap_opts o = { .key = "mcpServers", .policy = policy };
	const char *text = "{\"projects\": {\"/h/p\": {\"mcpServers\": {\"q\": {\"command\": \"c\", \"args\": []}}}}}";
	char why[256], *w, *u;
	size_t changed;

	(void)state;
	w = run(&o, false, text, &changed, why);
	assert_int_equal(changed, 1);
	assert_string_equal(w, "{\"projects\": {\"/h/p\": {\"mcpServers\": {\"q\": {\"command\": \"mcpwarden\", \"args\": "
			       "[\"run\", \"--name\", \"q\", \"--policy\", \"/p/\\\"q\\\".yaml\", \"--\", \"c\"]}}}}}");
	u = run(&o, true, w, &changed, why);
	assert_int_equal(changed, 1);
	assert_string_equal(u, text);
	free(u);
	free(w);
}

static int noted, rewrapped;
static void note(const char *name, const char *why, bool left, void *arg)
{
	(void)name;
	(void)why;
	(void)arg;
	if (left)
		noted++;
	else
		rewrapped++;
}

/* Entries wrap can't edit safely are left as they are, and said. */
static void odd_entries(void **state)
{
	const struct wrap_opts o = { .key = "mcpServers", .note = note };
	const char *text = "{\"mcpServers\": {\"n\": {\"command\": \"x\", \"args\": [1]}, \"z\": {\"command\": \"a\\u0000b\"},"
			   " \"s\": {\"command\": \"x\", \"args\": \"y\"}, \"u\": {\"url\": \"http://h\"}}}";
	char why[256], *w;
	size_t changed;

	(void)state;
	noted = 0;
	w = run(&o, false, text, &changed, why);
	assert_int_equal(changed, 0);
	assert_int_equal(noted, 3);
	assert_string_equal(w, text);
	free(w);
}

/* The tokens the argvs below are made of: run's options, spellings of them, "--" and plain words. */
static char *const words[] = { "run", "--name", "--policy", "--", "-n", "-p", "x", "--name=x", "--no-daemon" };
#define NWORDS (sizeof(words) / sizeof(words[0]))

/* Whether run's own option table (cli_getopt, as `mcpwarden run` parses) reads argv as w says. */
static bool run_reads(char **argv, size_t argc, const struct wrapper *w)
{
	const char *name = NULL, *policy = NULL;
	int c;
	bool other = false;

	optind = 1;
	opterr = 0;
	while ((c = cli_getopt(&cmd_run, (int)argc - 1, argv + 1)) != -1) {
		if (c == 'n' && !name)
			name = optarg;
		else if (c == 'p' && !policy)
			policy = optarg;
		else
			other = true;
	}
	return !other && name == w->name && policy == w->policy && (size_t)optind + 1 == w->command;
}

/* Every argv of up to 8 words that wrapper_parse takes, `mcpwarden run` reads the same way: the same
 * NAME and P, no other option, and the same command. So a name such as "--" or "--policy" can't move it. */
static void wrapper_parse_is_runs(void **state)
{
	char *argv[8] = { "/usr/bin/mcpwarden" };
	size_t idx[8] = { 0 }, taken = 0;
	struct wrapper w;

	(void)state;
	for (size_t argc = 2; argc <= 8; argc++) {
		memset(idx, 0, sizeof(idx));
		for (;;) {
			size_t k = 1;

			for (size_t i = 1; i < argc; i++)
				argv[i] = words[idx[i]];
			if (wrapper_parse(argv, argc, &w)) {
				taken++;
				if (!run_reads(argv, argc, &w)) {
					for (size_t i = 0; i < argc; i++)
						print_error("%s ", argv[i]);
					fail_msg("wrapper_parse read this argv otherwise than run does");
				}
			}
			while (k < argc && ++idx[k] == NWORDS)
				idx[k++] = 0;
			if (k == argc)
				break;
		}
	}
	assert_true(taken > 100);
	/* Names that look like options wrap, are taken as wrapped, and unwrap, in JSON and TOML. */
	round_trip(&json_opts, "{\"mcpServers\": {\"--\": {\"command\": \"a\", \"args\": [\"--\"]}, \"--policy\": {\"command\": \"--\", \"args\": []}}}",
		   "{\"mcpServers\": {\"--\": {\"command\": \"mcpwarden\", \"args\": [\"run\", \"--name\", \"--\", \"--\", \"a\",\"--\"]}, "
		   "\"--policy\": {\"command\": \"mcpwarden\", \"args\": [\"run\", \"--name\", \"--policy\", \"--\", \"--\"]}}}");
	round_trip(&toml_opts, "[mcp_servers.--]\ncommand = \"-n\"\nargs = [\"--\"]\n",
		   "[mcp_servers.--]\ncommand = \"mcpwarden\"\nargs = [\"run\", \"--name\", \"--\", \"--\", \"-n\",\"--\"]\n");
}

static bool policy_q(const char *name, char *path, size_t len, void *arg)
{
	(void)arg;
	snprintf(path, len, "/etc/p/%s.yaml", name);
	return !strcmp(name, "q");
}

/* A wrapper other than the one --wrap writes for the server (another --name, another mcpwarden, another
 * --policy, a --policy where it gives none) is not taken as wrapped: --wrap's takes its place, before the
 * command it ran, and wrap says so. --wrap's own, with no --policy or the one it gives, stays. Without a
 * policy source, a wrapper with a --policy is left (and said): wrapping it again would drop its policy. */
static void foreign_wrappers(void **state)
{
	const struct wrap_opts o = { .key = "mcpServers", .policy = policy_q, .note = note, .exe = "/usr/bin/mcpwarden" };
#define W(key, exe, rest) "\"" key "\": {\"command\": \"" exe "\", \"args\": [\"run\", \"--name\", " rest "]}"
	const char *text = "{\"mcpServers\": {"
		W("a", "/usr/bin/mcpwarden", "\"b\", \"--\", \"x\"") ", "
		W("q", "/usr/bin/mcpwarden", "\"q\", \"--policy\", \"/tmp/lax.yaml\", \"--\", \"y\"") ", "
		W("r", "/usr/bin/mcpwarden", "\"r\", \"--policy\", \"/etc/p/r.yaml\", \"--\", \"z\", \"1\"") ", "
		W("t", "./mcpwarden", "\"t\", \"--\", \"v\"") ", "
		W("ok", "/usr/bin/mcpwarden", "\"ok\", \"--\", \"w\"") "}}";
	const char *want = "{\"mcpServers\": {"
		W("a", "/usr/bin/mcpwarden", "\"a\", \"--\", \"x\"") ", "
		W("q", "/usr/bin/mcpwarden", "\"q\", \"--policy\", \"/etc/p/q.yaml\", \"--\", \"y\"") ", "
		W("r", "/usr/bin/mcpwarden", "\"r\", \"--\", \"z\", \"1\"") ", "
		W("t", "/usr/bin/mcpwarden", "\"t\", \"--\", \"v\"") ", "
		W("ok", "/usr/bin/mcpwarden", "\"ok\", \"--\", \"w\"") "}}";
#undef W
	struct wrap_opts o2 = { .key = "mcpServers", .note = note };
	char why[256], *w, *u;
	size_t changed;

	(void)state;
	noted = rewrapped = 0;
	w = run(&o, false, text, &changed, why);
	assert_int_equal(changed, 4);
	assert_int_equal(rewrapped, 4);
	assert_int_equal(noted, 0);
	assert_string_equal(w, want);
	u = run(&o, false, w, &changed, why);
	assert_int_equal(changed, 0);	/* now as --wrap leaves it */
	assert_string_equal(u, w);
	free(u);
	assert_true(wrap_undoes(&o, w, strlen(w), text, strlen(text)));	/* the backup still goes back */
	free(w);
	/* Without a policy source (no --policy-dir), a wrapper's --policy can't be judged: never dropped. */
	noted = rewrapped = 0;
	o2.exe = o.exe;
	w = run(&o2, false, text, &changed, why);
	assert_int_equal(changed, 2);	/* a and t; q and r keep theirs */
	assert_int_equal(noted, 2);
	assert_int_equal(rewrapped, 2);
	free(w);
}

static bool policy_all(const char *name, char *path, size_t len, void *arg)
{
	(void)arg;
	snprintf(path, len, "/etc/p/%s.yaml", name);
	return true;
}

/* Where the server has a policy, its wrapper counts only with exactly that --policy: one whose --policy words
 * were deleted, or written before the policy was, gets it. A name holding "${" (which clients expand in args)
 * would put the expansion in the policy path: left alone and said, and never taken as wrapped. */
static void policy_exactly(void **state)
{
	const struct wrap_opts o = { .key = "mcpServers", .policy = policy_all, .note = note, .exe = "/usr/bin/mcpwarden" };
#define W(key, rest) "\"" key "\": {\"command\": \"/usr/bin/mcpwarden\", \"args\": [\"run\", \"--name\", " rest "]}"
	const char *text = "{\"mcpServers\": {" W("q", "\"q\", \"--\", \"y\"") ", "
		W("x${HOME}", "\"x${HOME}\", \"--policy\", \"/etc/p/x${HOME}.yaml\", \"--\", \"z\"") "}}";
	const char *want = "{\"mcpServers\": {" W("q", "\"q\", \"--policy\", \"/etc/p/q.yaml\", \"--\", \"y\"") ", "
		W("x${HOME}", "\"x${HOME}\", \"--policy\", \"/etc/p/x${HOME}.yaml\", \"--\", \"z\"") "}}";
#undef W
	const struct wrapper expands = { .exe = "/usr/bin/mcpwarden", .name = "x${HOME}", .policy = "/etc/p/x${HOME}.yaml" };
	char why[256], *w;
	size_t changed;

	(void)state;
	noted = rewrapped = 0;
	w = run(&o, false, text, &changed, why);
	assert_string_equal(w, want);
	assert_int_equal(changed, 1);
	assert_int_equal(rewrapped, 1);
	assert_int_equal(noted, 1);
	free(w);
	assert_string_equal(wrapper_mismatch(&expands, "x${HOME}", &expands),
			    "its policy path would hold \"${\", which the client expands in args");
}

/* An entry whose "env" sets a loader variable (JSON's object, TOML's table or inline table), or that has an
 * "envFile", runs the user's code inside mcpwarden run before its main: --wrap leaves it alone, wrapped or not,
 * and says why; config_doc says why too (scan's not_wrapped_because). A harmless variable changes nothing. */
static void loader_env(void **state)
{
	static const char *const texts[][2] = {
		{ "{\"mcpServers\": {\"a\": {\"command\": \"n\", \"env\": {\"LD_PRELOAD\": \"/tmp/x.so\"}}}}", CONFIG_DOC_ENV_LOADER },
		{ "{\"mcpServers\": {\"a\": {\"command\": \"/usr/bin/mcpwarden\", \"args\": [\"run\", \"--name\", \"a\", "
		  "\"--\", \"n\"], \"env\": {\"GCONV_PATH\": \"/tmp\"}}}}", CONFIG_DOC_ENV_LOADER },
		{ "{\"mcpServers\": {\"a\": {\"command\": \"n\", \"envFile\": \"${workspaceFolder}/.env\"}}}", CONFIG_DOC_ENV_FILE },
		{ "[mcp_servers.a]\ncommand = \"n\"\n[mcp_servers.a.env]\nLD_AUDIT = \"/tmp/x.so\"\n", CONFIG_DOC_ENV_LOADER },
		{ "[mcp_servers.a]\ncommand = \"n\"\nenv = { \"LD_LIBRARY_PATH\" = \"/tmp\" }\n", CONFIG_DOC_ENV_LOADER },
		{ "{\"mcpServers\": {\"a\": {\"command\": \"n\", \"env\": {\"PATH\": \"/bin\"}}}}", NULL },
	};
	struct wrap_opts o = { .key = "mcpServers", .note = note, .exe = "/usr/bin/mcpwarden" };

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		char why[256], *w;
		size_t changed;
		struct config_doc d;

		o.toml = texts[i][0][0] == '[';
		assert_int_equal(config_doc_parse(&d, o.toml, o.key, texts[i][0], strlen(texts[i][0]), why, sizeof(why)), 0);
		if (texts[i][1])
			assert_string_equal(d.v[0].env_unsafe, texts[i][1]);
		else
			assert_null(d.v[0].env_unsafe);
		config_doc_free(&d);
		noted = 0;
		w = run(&o, false, texts[i][0], &changed, why);
		assert_int_equal(changed, !texts[i][1]);
		assert_int_equal(noted, !!texts[i][1]);
		free(w);
	}
}

static void refused(const struct wrap_opts *o, const char *text, const char *want)
{
	char why[256], *w = run(o, false, text, NULL, why);

	assert_null(w);
	assert_string_equal(why, want);
}

/* Not one valid document: refused with its line, never edited. */
static void refusals(void **state)
{
	(void)state;
	refused(&json_opts, "{\"mcpServers\": {}}\n{}", "2: not valid JSON: more text after the document's value");
	refused(&json_opts, "{}\n/* open", "2: not valid JSON: a comment is not closed (*/ missing)");
	refused(&json_opts, "{\n\"a\": \"b\nc\"}", "2: not valid JSON: a control character in a string (it must be escaped)");
	refused(&json_opts, "{\"a\": 01}", "1: not valid JSON: expected ',' or '}' after a member");
	refused(&json_opts, "{\"a\": [1,,2]}", "1: not valid JSON: expected a value");
	refused(&json_opts, "[]", "1: the document is not a JSON object");
	refused(&json_opts, "", "1: not valid JSON: the document ends where a value should be");
	refused(&json_opts, "{\"mcpServers\": {\"a\": {\"command\": \"x\", \"command\": \"y\"}}}",
		"1: the key \"command\" is there twice");
	refused(&json_opts, "{\"mcpServers\": {\"a\": {}, \"\\u0061\": {}}}", "1: a server's name is there twice");
	refused(&toml_opts, "[mcp_servers.a]\ncommand = npx\n", "2: expected a value (a bare word must be quoted)");
	refused(&toml_opts, "[mcp_servers.a]\ncommand = \"x\"\ncommand = \"y\"\n", "3: a server's \"command\" is set twice");
	refused(&toml_opts, "[mcp_servers.a]\n[mcp_servers.a]\n", "2: the server's table is opened twice, or after its keys");
	refused(&toml_opts, "a = \"\"\"\nopen\n", "1: a string is not closed");
	refused(&toml_opts, "a = 1 b = 2\n", "1: expected the end of the line");
	refused(&toml_opts, "a = [1,\n", "2: expected a value");
	refused(&toml_opts, "a = 1979-05-27\nb = 3n\n", "2: a malformed number, date or time");
}

/* n servers (JSON, or TOML tables), then extra, as a config's text; the test frees it. */
static char *many(bool toml, size_t n, const char *extra)
{
	size_t cap = n * 48 + strlen(extra) + 64, len = 0;
	char *t = malloc(cap);

	assert_non_null(t);
	len += (size_t)snprintf(t, cap, "%s", toml ? "" : "{\"mcpServers\": {");
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(t + len, cap - len, toml ? "[mcp_servers.s%zu]\ncommand = \"x\"\n" : "\"s%zu\": {\"command\": \"x\"},\n", i);
	snprintf(t + len, cap - len, "%s%s", extra, toml ? "" : "}}");
	return t;
}

/* A file holds at most CONFIG_DOC_MAX_SERVERS servers; one with more is refused, with the line of the first
 * one over. Twins are found by sorting: the later place is named, and two projects may share a name. */
static void servers_per_file(void **state)
{
	char why[256], *t, *w;

	(void)state;
	t = many(false, CONFIG_DOC_MAX_SERVERS, "");
	w = run(&json_opts, false, t, NULL, why);
	assert_non_null(w);
	free(w);
	free(t);
	t = many(false, CONFIG_DOC_MAX_SERVERS, "\"one\": {\"command\": \"too many\"}");
	refused(&json_opts, t, "4097: more than 4096 servers in one file");
	free(t);
	t = many(true, CONFIG_DOC_MAX_SERVERS, "[mcp_servers.one]\n");
	refused(&toml_opts, t, "8193: more than 4096 servers in one file");
	free(t);
	/* TOML keys of a server met again anywhere find it again (a binary search): not a new server. */
	refused(&toml_opts, "mcp_servers.b.url = \"u\"\nmcp_servers.a.url = \"v\"\nmcp_servers.c.url = \"v\"\nmcp_servers.b.url = \"w\"\n",
		"4: a server's \"url\" is set twice");
	t = many(false, 3000, "\"s1234\": {}");
	refused(&json_opts, t, "3001: a server's name is there twice");
	free(t);
	refused(&json_opts, "{\"mcpServers\": {\"a\": 1,\n\"\\u0061\": {\"command\": \"x\"}}}", "2: a server's name is there twice");
	t = run(&json_opts, false, "{\"projects\": {\"/p\": {\"mcpServers\": {\"a\": {\"command\": \"x\"}}}, "
		"\"/q\": {\"mcpServers\": {\"a\": {\"command\": \"x\"}}}}}", NULL, why);
	assert_non_null(t);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(jsonc_kept),
		cmocka_unit_test(toml_kept),
		cmocka_unit_test(added_args),
		cmocka_unit_test(edited_after_wrap),
		cmocka_unit_test(with_policy_and_projects),
		cmocka_unit_test(odd_entries),
		cmocka_unit_test(wrapper_parse_is_runs),
		cmocka_unit_test(foreign_wrappers),
		cmocka_unit_test(policy_exactly),
		cmocka_unit_test(loader_env),
		cmocka_unit_test(refusals),
		cmocka_unit_test(servers_per_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
