/* audit_cmd.c: `mcpwarden audit verify|show|tail|keygen`: reads the daemon's audit directory, makes a sealing key. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/seal.h"
#include "audit/segments.h"
#include "audit/show.h"
#include "audit/verify.h"
#include "cli/commands.h"

#define AUDIT_DEFAULT_DIR "/var/lib/mcpwarden/audit"

static int audit_main(int argc, char **argv);

static const struct cli_opt opts[] = {
	{ "call", 'c', "ID", 0, "show: the call to rebuild" },
	{ "server", 's', "ID", 0, "show: the server the call belongs to (default: any)" },
	OPT_JSON,
	{ "lines", 'n', "N", CLI_SHORT, "tail: how many records (default 20)" },
	{ "key", 'k', "HEX|@FILE", 0, "verify: check the seals too, with the verification key keygen printed" },
	{ "seal-key", 'K', "FILE", 0, "keygen: the key file to create, for `daemon --seal-key`" },
	{ NULL },
};

const struct cli_command cmd_audit = {
	.name = "audit",
	.run = audit_main,
	.summary = "Reads the daemon's audit directory (default " AUDIT_DEFAULT_DIR "): verify its hash chain "
		   "(and seals, with --key), show one call (its decision, process tree, connections), or tail its last "
		   "records; keygen writes a sealing key for the daemon and prints the key that verifies its seals.",
	.words = "verify|show|tail|keygen",
	.operands = "[DIR]",
	.opts = opts,
};

static void print_problem(void *ctx, const char *segment, uint64_t seq, const char *what)
{
	(void)ctx;
	printf("%s seq %" PRIu64 ": %s\n", segment, seq, what);
}

/* The verification key from --key: the hex itself, or @FILE holding it. 0, or -1 (said). */
static int read_vkey(const char *arg, struct seal_key *k)
{
	char buf[SEAL_HEX_LEN + 3] = "";
	FILE *f;

	if (arg[0] != '@')
		snprintf(buf, sizeof(buf), "%s", arg);
	else if (!(f = fopen(arg + 1, "re"))) {
		perror(arg + 1);
		return -1;
	} else {
		size_t n = fread(buf, 1, sizeof(buf) - 1, f);

		buf[n] = '\0';
		fclose(f);
	}
	if (seal_parse_hex(buf, k) < 0) {
		fprintf(stderr, "mcpwarden audit verify: --key%s%s: not %d hex digits\n", arg[0] == '@' ? " " : "",
			arg[0] == '@' ? arg : "", SEAL_HEX_LEN);
		explicit_bzero(buf, sizeof(buf));
		return -1;
	}
	explicit_bzero(buf, sizeof(buf));
	return 0;
}

static int verify(const char *dir, const char *key_arg)
{
	struct seal_key k;
	uint64_t records;
	int problems;

	if (key_arg && read_vkey(key_arg, &k) < 0)
		return EXIT_USAGE;
	problems = audit_verify(dir, key_arg ? &k : NULL, print_problem, NULL, &records);
	explicit_bzero(&k, sizeof(k));
	if (problems < 0)
		return EXIT_RUNTIME;
	if (problems == 0)
		printf("%s: ok, %" PRIu64 " records, chain intact%s\n", dir, records,
		       key_arg ? ", every seal holds and the last covers the end" : "");
	else
		printf("%s: %d problem(s) in %" PRIu64 " records\n", dir, problems, records);
	return problems ? EXIT_RUNTIME : EXIT_OK;
}

static int show(const char *dir, uint64_t call, uint64_t server, bool json)
{
	const char *why;
	cJSON *t = audit_call_tree(dir, call, server, &why);
	char *text;

	if (!t) {
		fprintf(stderr, "mcpwarden audit show: call %" PRIu64 " in %s: %s\n", call, dir, why);
		return EXIT_RUNTIME;
	}
	if (json) {
		text = cJSON_PrintUnformatted(t);
		printf("%s\n", text ? text : "null");
		free(text);
	} else {
		audit_print_tree(stdout, t);
	}
	cJSON_Delete(t);
	return EXIT_OK;
}

static int keygen(const char *path)
{
	char vkey[SEAL_HEX_LEN + 1];

	if (seal_keygen(path, vkey) < 0)
		return EXIT_RUNTIME;
	printf("%s\n", vkey);
	fprintf(stderr, "mcpwarden audit keygen: wrote the sealing key to %s (for `daemon --seal-key %s`).\n"
		"The line above is the verification key, printed this once: store it off this host "
		"(whoever holds it can seal a forged trail), and give it to `audit verify --key`.\n", path, path);
	explicit_bzero(vkey, sizeof(vkey));
	return EXIT_OK;
}

/* The last n records, oldest first, as stored (they are JSON already). */
static int tail(const char *dir, long n)
{
	struct segment *segs;
	int count = segments_list(dir, &segs);
	char **ring = calloc((size_t)n, sizeof(char *));
	long seen = 0;

	if (count < 0 || !ring) {
		free(ring);
		return EXIT_RUNTIME;
	}
	for (int i = 0; i < count; i++) {
		char *text, *line, *save = NULL;
		size_t len;

		if (segment_read(dir, &segs[i], &text, &len) < 0)
			continue;
		for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			free(ring[seen % n]);
			ring[seen++ % n] = strdup(line);
		}
		free(text);
	}
	for (long i = seen > n ? seen - n : 0; i < seen; i++) {
		printf("%s\n", ring[i % n] ? ring[i % n] : "");
		free(ring[i % n]);
	}
	free(ring);
	free(segs);
	return EXIT_OK;
}

static int audit_main(int argc, char **argv)
{
	uint64_t call = 0, server = 0;
	const char *sub, *dir, *key = NULL, *seal_key = NULL;
	bool json = false;
	long n = 20;
	int c;

	optind = 1;
	while ((c = cli_getopt(&cmd_audit, argc, argv)) != -1) {
		switch (c) {
		case 'c': call = strtoull(optarg, NULL, 10); break;
		case 's': server = strtoull(optarg, NULL, 10); break;
		case 'j': json = true; break;
		case 'n': n = strtol(optarg, NULL, 10); break;
		case 'k': key = optarg; break;
		case 'K': seal_key = optarg; break;
		default: return cli_usage(&cmd_audit, c);
		}
	}
	if (optind == argc)
		return cli_usage(&cmd_audit, '?');
	sub = argv[optind];
	dir = optind + 1 < argc ? argv[optind + 1] : AUDIT_DEFAULT_DIR;
	if (!strcmp(sub, "verify"))
		return verify(dir, key);
	if (!strcmp(sub, "keygen") && seal_key && optind + 1 == argc)
		return keygen(seal_key);
	if (!strcmp(sub, "show") && call)
		return show(dir, call, server, json);
	if (!strcmp(sub, "tail") && n > 0)
		return tail(dir, n);
	fprintf(stderr, "mcpwarden audit: '%s' needs %s\n", sub,
		!strcmp(sub, "show") ? "--call ID" : !strcmp(sub, "keygen") ? "--seal-key FILE (and no DIR)" :
		"verify, show --call ID, tail [-n N] or keygen --seal-key FILE");
	return cli_usage(&cmd_audit, '?');
}
