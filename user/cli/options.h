/* options.h: a command's options, declared once: the table drives its getopt_long parsing and every usage text. */
#ifndef MCPWARDEN_CLI_OPTIONS_H
#define MCPWARDEN_CLI_OPTIONS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#define CLI_REPEAT	(1u << 0)	/* may be given more than once: "[--home DIR]..." */
#define CLI_SHORT	(1u << 1)	/* the usage names the short form too: "[-n|--lines N]" */

struct cli_opt {
	const char *name;	/* the long name, without "--"; NULL ends a table */
	int key;		/* what cli_getopt returns for it: its short letter (-K is accepted too) */
	const char *arg;	/* the value's name in the usage ("FILE"); NULL for a flag */
	unsigned flags;		/* CLI_* */
	const char *help;	/* one line for `mcpwarden CMD --help` */
};

struct cli_command {
	const char *name;
	int (*run)(int argc, char **argv);	/* argv[0] is the command's name; returns the exit code */
	const char *summary;	/* one line for `mcpwarden CMD --help` */
	const char *words;	/* the usage before the options ("verify|show|tail"); NULL: none */
	const char *operands;	/* the usage after the options ("-- CMD [ARG...]"); NULL: none */
	bool in_order;		/* options end at the first operand (they may follow it otherwise) */
	const struct cli_opt *opts;	/* the command's options but --help, which every command has */
};

/* Exit codes shared by every subcommand. */
#define EXIT_OK		0
#define EXIT_RUNTIME	1
#define EXIT_USAGE	2

/* What cli_getopt returns for --help (-h). */
#define CLI_HELP	'h'

/*
 * getopt_long over cmd's options and --help. Set optind = 1 before the first
 * call. Returns an option's key (optarg holds its value), CLI_HELP, '?' for
 * an unknown option or a missing value (getopt has said which), or -1 after
 * the last option, with argv[optind] the first operand.
 */
int cli_getopt(const struct cli_command *cmd, int argc, char **argv);
/*
 * Ends a command's parsing. For c == CLI_HELP prints its help (the usage line,
 * the summary, one line per option) on stdout and returns EXIT_OK; for anything
 * else ('?', or any c for bad operands) prints its usage line on stderr and
 * returns EXIT_USAGE.
 */
int cli_usage(const struct cli_command *cmd, int c);
/* Prints "mcpwarden NAME WORDS [OPTIONS] OPERANDS" and a newline. */
void cli_print_synopsis(FILE *f, const struct cli_command *cmd);

#endif
