/* main.c: the `mcpwarden` binary: dispatches to a subcommand, the way bpftool does. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "common/log.h"

static const struct cli_command *const commands[] = {
	&cmd_run, &cmd_policy, &cmd_scan, &cmd_audit, &cmd_daemon, &cmd_events, &cmd_ps, &cmd_status,
};

static int usage(FILE *f)
{
	fprintf(f, "usage:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		fputs("  ", f);
		cli_print_synopsis(f, commands[i]);
	}
	fprintf(f, "`mcpwarden COMMAND --help` describes a command's options.\n");
	return f == stdout ? EXIT_OK : EXIT_USAGE;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help"))
		return usage(stdout);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(argv[1], commands[i]->name)) {
			static char tag[64];

			snprintf(tag, sizeof(tag), "mcpwarden %s", commands[i]->name);
			log_init(tag);
			return commands[i]->run(argc - 1, argv + 1);
		}
	}
	fprintf(stderr, "mcpwarden: unknown command '%s'\n", argv[1]);
	return usage(stderr);
}
