/* options.c: parses a command's options from its table, and prints its usage and help from the same table. */
#include <getopt.h>

#include "cli/options.h"

#define CLI_MAX_OPTS	24	/* a command's options, --help not counted */

static const struct cli_opt help_opt = { "help", CLI_HELP, NULL, 0, "print this help" };

int cli_getopt(const struct cli_command *cmd, int argc, char **argv)
{
	struct option longopts[CLI_MAX_OPTS + 2];
	char shortopts[2 * CLI_MAX_OPTS + 4], *p = shortopts;
	size_t n = 0;

	if (cmd->in_order)
		*p++ = '+';
	for (const struct cli_opt *o = cmd->opts; o && o->name; o++) {
		if (n == CLI_MAX_OPTS) {
			fprintf(stderr, "mcpwarden %s: more than %d options in its table\n", cmd->name, CLI_MAX_OPTS);
			return '?';
		}
		longopts[n++] = (struct option){ o->name, o->arg ? required_argument : no_argument, NULL, o->key };
		*p++ = (char)o->key;
		if (o->arg)
			*p++ = ':';
	}
	longopts[n++] = (struct option){ help_opt.name, no_argument, NULL, help_opt.key };
	longopts[n] = (struct option){ 0 };
	*p++ = (char)help_opt.key;
	*p = '\0';
	return getopt_long(argc, argv, shortopts, longopts, NULL);
}

/* "--name ARG", or "-k|--name ARG" with CLI_SHORT. */
static void opt_text(char *out, size_t size, const struct cli_opt *o)
{
	char dash[4] = "";

	if (o->flags & CLI_SHORT)
		snprintf(dash, sizeof(dash), "-%c|", o->key);
	snprintf(out, size, "%s--%s%s%s", dash, o->name, o->arg ? " " : "", o->arg ? o->arg : "");
}

void cli_print_synopsis(FILE *f, const struct cli_command *cmd)
{
	char text[64];

	fprintf(f, "mcpwarden %s", cmd->name);
	if (cmd->words)
		fprintf(f, " %s", cmd->words);
	for (const struct cli_opt *o = cmd->opts; o && o->name; o++) {
		opt_text(text, sizeof(text), o);
		fprintf(f, " [%s]%s", text, o->flags & CLI_REPEAT ? "..." : "");
	}
	if (cmd->operands)
		fprintf(f, " %s", cmd->operands);
	fputc('\n', f);
}

static void print_opt(const struct cli_opt *o)
{
	char text[64];

	opt_text(text, sizeof(text), o);
	printf("  %-26s %s%s\n", text, o->help, o->flags & CLI_REPEAT ? " (may be repeated)" : "");
}

int cli_usage(const struct cli_command *cmd, int c)
{
	if (c != CLI_HELP) {
		fputs("usage: ", stderr);
		cli_print_synopsis(stderr, cmd);
		return EXIT_USAGE;
	}
	fputs("usage: ", stdout);
	cli_print_synopsis(stdout, cmd);
	printf("%s\n\noptions:\n", cmd->summary);
	for (const struct cli_opt *o = cmd->opts; o && o->name; o++)
		print_opt(o);
	print_opt(&help_opt);
	return EXIT_OK;
}
