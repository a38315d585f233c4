/* audit_cmd.c: `mcpwarden audit verify|show|tail|keygen`: reads the daemon's audit directory, makes a sealing key. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/seal_file.h"
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
	{ "key", 'k', "@FILE|-|HEX", 0, "verify: check the seals too, with the verification key keygen printed, read "
	  "from FILE or stdin (-); HEX on the command line is visible to every local user while verify runs" },
	{ "key-file", 'f', "FILE", 0, "verify --key: the daemon's live key file too (read only): it must follow the "
	  "trail's last seal, or the tail was cut back" },
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

/* The verification key from --key: @FILE holding it, - for stdin, or the hex itself (then wiped from argv, which
 * /proc/PID/cmdline shows). 0, or -1 (said). */
static int read_vkey(char *arg, struct seal_key *k)
{
	char buf[SEAL_HEX_LEN + 3] = "";
	FILE *f = !strcmp(arg, "-") ? stdin : arg[0] == '@' ? fopen(arg + 1, "re") : NULL;
	int rc;

	if (f) {
		buf[fread(buf, 1, sizeof(buf) - 1, f)] = '\0';
		if (f != stdin)
			fclose(f);
	} else if (arg[0] == '@') {
		perror(arg + 1);
		return -1;
	} else {
		snprintf(buf, sizeof(buf), "%s", arg);
		explicit_bzero(arg, strlen(arg));
	}
	rc = seal_parse_hex(buf, k);
	explicit_bzero(buf, sizeof(buf));
	if (rc < 0)
		fprintf(stderr, "mcpwarden audit verify: --key %s: not %d hex digits\n", f || arg[0] == '@' ? arg : "HEX",
			SEAL_HEX_LEN);
	return rc;
}

static int verify(const char *dir, char *key_arg, const char *key_file)
{
	struct seal_key k, file;
	struct verify_seals seals = { .key = &k, .file = key_file ? &file : NULL };
	uint64_t records;
	int problems;

	if (key_file && !key_arg) {
		fprintf(stderr, "mcpwarden audit verify: --key-file goes with --key\n");
		return EXIT_USAGE;
	}
	if (key_arg && read_vkey(key_arg, &k) < 0)
		return EXIT_USAGE;
	if (key_file && seal_file_read(key_file, &file) < 0) {
		explicit_bzero(&k, sizeof(k));
		return EXIT_RUNTIME;
	}
	problems = audit_verify(dir, key_arg ? &seals : NULL, print_problem, NULL, &records);
	explicit_bzero(&k, sizeof(k));
	explicit_bzero(&file, sizeof(file));
	if (problems < 0)
		return EXIT_RUNTIME;
	if (problems)
		printf("%s: %d problem(s) in %" PRIu64 " records\n", dir, problems, records);
	else if (key_arg)
		printf("%s: ok, %" PRIu64 " records, chain intact, sealed through seq %" PRIu64 ", epoch %" PRIu64
		       ", at %s%s\n", dir, records, seals.seq, seals.epoch, seals.ts,
		       key_file ? "; the key file follows it" : "");
	else
		printf("%s: ok, %" PRIu64 " records, chain intact\n", dir, records);
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
		"The line above is the verification key (epoch 0's; the file holds epoch 1's), printed this once: store "
		"it off this host, since whoever holds it can seal a forged trail, and give it to `audit verify --key "
		"@FILE` or `--key -` (stdin).\n", path, path);
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
	const char *sub, *dir, *seal_key = NULL, *key_file = NULL;
	char *key = NULL;
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
		case 'f': key_file = optarg; break;
		default: return cli_usage(&cmd_audit, c);
		}
	}
	if (optind == argc)
		return cli_usage(&cmd_audit, '?');
	sub = argv[optind];
	dir = optind + 1 < argc ? argv[optind + 1] : AUDIT_DEFAULT_DIR;
	if (!strcmp(sub, "verify"))
		return verify(dir, key, key_file);
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
