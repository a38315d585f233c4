/* policy_cmd.c: `mcpwarden policy check FILE...`: validates policy files, exits 2 on errors. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "policy/load.h"

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

int cmd_policy(int argc, char **argv)
{
	if (argc < 3 || strcmp(argv[1], "check")) {
		fprintf(stderr, "usage: mcpwarden policy check FILE...\n");
		return EXIT_USAGE;
	}
	return check_files(argc - 2, argv + 2);
}
