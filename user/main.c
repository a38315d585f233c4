/* main.c: the `mcpwarden` binary: dispatches to a subcommand, the way bpftool does. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "common/log.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
} commands[] = {
	{ "run", cmd_run, "run [--policy FILE] [--name NAME] [--socket PATH] [--no-daemon] [--audit FILE] -- CMD [ARG...]" },
	{ "policy", cmd_policy, "policy check FILE..." },
	{ "scan", cmd_scan, "scan [--json] [--home DIR]... [--wrap [--policy-dir DIR] | --unwrap]" },
	{ "audit", cmd_audit, "audit verify|show|tail [--call ID] [--server ID] [--json] [-n N] [DIR]" },
	{ "daemon", cmd_daemon, "daemon [--socket PATH] [--audit-dir DIR] [--audit-fsync-ms MS] [--audit-segment-bytes N] [--track-pid PID]... [--trace-all] [--unpoliced=alert|kill] [--verbose]" },
	{ "events", cmd_events, "events [--follow] [--json] [--socket PATH]" },
	{ "ps", cmd_ps, "ps [--json] [--socket PATH]" },
	{ "status", cmd_status, "status [--json] [--socket PATH]" },
};

static int usage(FILE *f)
{
	fprintf(f, "usage:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  mcpwarden %s\n", commands[i].usage);
	return f == stdout ? EXIT_OK : EXIT_USAGE;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help"))
		return usage(stdout);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(argv[1], commands[i].name)) {
			static char tag[64];

			snprintf(tag, sizeof(tag), "mcpwarden %s", commands[i].name);
			log_init(tag);
			return commands[i].fn(argc - 1, argv + 1);
		}
	}
	fprintf(stderr, "mcpwarden: unknown command '%s'\n", argv[1]);
	return usage(stderr);
}
