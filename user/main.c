/* main.c: the `mcpwarden` binary: dispatches to a subcommand, the way bpftool does. */
#include <errno.h>
#include <fcntl.h>
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

/*
 * Descriptors 0-2 are open from here on, on /dev/null where the caller closed them, so that no file the program
 * opens later takes their place (scan's per-home child points 0 and 1 at /dev/null). -1 when one can't be.
 */
static int open_std_fds(void)
{
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && (errno != EBADF || open("/dev/null", O_RDWR) != fd))
			return -1;
	return 0;
}

int main(int argc, char **argv)
{
	if (open_std_fds()) {
		perror("mcpwarden: descriptors 0-2 on /dev/null");
		return EXIT_RUNTIME;
	}
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
