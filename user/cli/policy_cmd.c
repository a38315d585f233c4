/* policy_cmd.c: `mcpwarden policy check [--strict] [--strict-intercept] FILE...`: validates policy files and warns where their rules may not hold. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "policy/lint.h"
#include "policy/load.h"

static int policy_main(int argc, char **argv);

static const struct cli_opt opts[] = {
	{ "strict", 'S', NULL, 0, "fail (exit 2) on warnings too" },
	{ "strict-intercept", 'I', NULL, 0, "refuse every mcpwarden extension: the file must be one Intercept reads as is" },
	{ NULL },
};

const struct cli_command cmd_policy = {
	.name = "policy",
	.run = policy_main,
	.summary = "Validates policy files: every error, one per line, reads file:line: field: message, and the exit "
		   "code is 2. "
		   "Warnings (file:line: warning: field: message) name rules that may not hold; under --strict they fail too.",
	.words = "check",
	.operands = "FILE...",
	.in_order = true,	/* options end at the first file */
	.opts = opts,
};

static void print_warning(void *ctx, const char *text)
{
	(void)ctx;
	fprintf(stderr, "%s\n", text);
}

static int check_files(int n, char **files, bool strict, unsigned flags)
{
	int bad = 0;

	for (int i = 0; i < n; i++) {
		char err[POLICY_ERR_SIZE];
		struct policy *p = policy_load_file(files[i], flags, err, sizeof(err));
		size_t warnings;

		if (!p) {
			fprintf(stderr, "%s\n", err);
			bad++;
			continue;
		}
		warnings = policy_lint(p, print_warning, NULL);
		printf("%s: %s (%zu tool entries, default %s, %zu warning%s)\n", files[i],
		       strict && warnings ? "failed --strict" : "ok", p->ntools, p->default_deny ? "deny" : "allow",
		       warnings, warnings == 1 ? "" : "s");
		bad += strict && warnings;
		policy_free(p);
	}
	return bad ? EXIT_USAGE : EXIT_OK;
}

/* Reads options from argv[1] on into *strict and *flags: -1, or the exit code of a usage error or --help. */
static int read_options(int argc, char **argv, bool *strict, unsigned *flags)
{
	int c;

	optind = 1;
	while ((c = cli_getopt(&cmd_policy, argc, argv)) != -1) {
		if (c == 'S')
			*strict = true;
		else if (c == 'I')
			*flags |= POLICY_STRICT_INTERCEPT;
		else
			return cli_usage(&cmd_policy, c);
	}
	return -1;
}

/* Options may come before "check" or after it, up to the first file. */
static int policy_main(int argc, char **argv)
{
	bool strict = false;
	unsigned flags = 0;
	int r;

	if ((r = read_options(argc, argv, &strict, &flags)) >= 0)
		return r;
	if (optind >= argc || strcmp(argv[optind], "check"))
		return cli_usage(&cmd_policy, '?');
	argc -= optind;	/* on from "check", as if it were argv[0] */
	argv += optind;
	if ((r = read_options(argc, argv, &strict, &flags)) >= 0)
		return r;
	if (optind >= argc)
		return cli_usage(&cmd_policy, '?');
	return check_files(argc - optind, argv + optind, strict, flags);
}
