/* run_cmd.c: `mcpwarden run`: parses options and starts the shim in front of a server. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "common/log.h"
#include "control.h"
#include "shim/shim.h"

static int usage(void)
{
	fprintf(stderr, "usage: mcpwarden run [--policy FILE] [--name NAME] [--socket PATH] "
		"[--no-daemon] [--audit FILE] [--max-line BYTES] [--verbose] -- CMD [ARG...]\n");
	return EXIT_USAGE;
}

int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "name", required_argument, NULL, 'n' },
		{ "socket", required_argument, NULL, 's' },
		{ "no-daemon", no_argument, NULL, 'N' },
		{ "audit", required_argument, NULL, 'a' },
		{ "max-line", required_argument, NULL, 'm' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct shim_opts o = { .max_line = SHIM_DEFAULT_MAX_LINE, .socket_path = CTL_DEFAULT_SOCKET };
	char *end;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+p:n:s:Na:m:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'p': o.policy_path = optarg; break;
		case 'n': o.name = optarg; break;
		case 's': o.socket_path = optarg; break;
		case 'N': o.socket_path = NULL; break;
		case 'a': o.audit_path = optarg; break;
		case 'm':
			o.max_line = strtoul(optarg, &end, 10);
			if (*end || o.max_line < 1024) {
				fprintf(stderr, "mcpwarden run: --max-line: '%s' is not a byte count >= 1024\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'v': log_set_verbose(true); break;
		default: return usage();
		}
	}
	if (optind >= argc)
		return usage();
	o.argv = argv + optind;
	if (!o.name) {
		const char *slash = strrchr(o.argv[0], '/');

		o.name = slash ? slash + 1 : o.argv[0];
	}
	return shim_run(&o);
}
