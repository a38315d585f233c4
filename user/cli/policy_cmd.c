/* policy_cmd.c: `mcpwarden policy check FILE...`: validates policy files, exits 2 on errors. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "policy/load.h"

static int policy_main(int argc, char **argv);

const struct cli_command cmd_policy = {
	.name = "policy",
	.run = policy_main,
	.summary = "Validates policy files: errors read file:line: field: message, and the exit code is 2.",
	.words = "check",
	.operands = "FILE...",
	.in_order = true,	/* a file name may start with '-' */
};

static int check_files(int n, char **files)
{
	int bad = 0;

	for (int i = 0; i < n; i++) {
		char err[1024];
		struct policy *p = policy_load_file(files[i], err, sizeof(err));

		if (!p) {
			fprintf(stderr, "%s\n", err);
			bad++;
			continue;
		}
		printf("%s: ok (%zu tool entries, default %s)\n", files[i], p->ntools,
		       p->default_deny ? "deny" : "allow");
		policy_free(p);
	}
	return bad ? EXIT_USAGE : EXIT_OK;
}

static int policy_main(int argc, char **argv)
{
	int c;

	optind = 1;
	if ((c = cli_getopt(&cmd_policy, argc, argv)) != -1)
		return cli_usage(&cmd_policy, c);
	if (argc - optind < 2 || strcmp(argv[optind], "check"))
		return cli_usage(&cmd_policy, '?');
	return check_files(argc - optind - 1, argv + optind + 1);
}
