/* audit_cmd.c: `mcpwarden audit verify|show|tail`: reads the daemon's audit directory. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	{ NULL },
};

const struct cli_command cmd_audit = {
	.name = "audit",
	.run = audit_main,
	.summary = "Reads the daemon's audit directory (default " AUDIT_DEFAULT_DIR "): verify its hash chain, "
		   "show one call (its decision, process tree, connections), or tail its last records.",
	.words = "verify|show|tail",
	.operands = "[DIR]",
	.opts = opts,
};

static void print_problem(void *ctx, const char *segment, uint64_t seq, const char *what)
{
	(void)ctx;
	printf("%s seq %" PRIu64 ": %s\n", segment, seq, what);
}

static int verify(const char *dir)
{
	uint64_t records;
	int problems = audit_verify(dir, print_problem, NULL, &records);

	if (problems < 0)
		return EXIT_RUNTIME;
	if (problems == 0)
		printf("%s: ok, %" PRIu64 " records, chain intact\n", dir, records);
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
	const char *sub, *dir;
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
		default: return cli_usage(&cmd_audit, c);
		}
	}
	if (optind == argc)
		return cli_usage(&cmd_audit, '?');
	sub = argv[optind];
	dir = optind + 1 < argc ? argv[optind + 1] : AUDIT_DEFAULT_DIR;
	if (!strcmp(sub, "verify"))
		return verify(dir);
	if (!strcmp(sub, "show") && call)
		return show(dir, call, server, json);
	if (!strcmp(sub, "tail") && n > 0)
		return tail(dir, n);
	fprintf(stderr, "mcpwarden audit: '%s' needs %s\n", sub,
		!strcmp(sub, "show") ? "--call ID" : "verify, show --call ID or tail [-n N]");
	return cli_usage(&cmd_audit, '?');
}
