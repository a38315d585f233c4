/* run_cmd.c: `mcpwarden run`: parses options and starts the shim in front of a server. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "common/log.h"
#include "policy/load.h"
#include "shim/shim.h"

static int run_main(int argc, char **argv);

static const struct cli_opt opts[] = {
	{ "policy", 'p', "FILE", 0, "the tool-call policy (YAML or JSON); without it, relay and fail-closed checks only" },
	{ "name", 'n', "NAME", 0, "the server's name for the daemon and the decision log (default: CMD's base name)" },
	OPT_SOCKET,
	{ "no-daemon", 'N', NULL, 0, "do not use the daemon: tool-call policy only (a policy with sandbox rules then needs --allow-unsandboxed)" },
	{ "allow-unsandboxed", 'U', NULL, 0, "run even where the daemon can't enforce the policy's sandbox rules (they are NOT enforced; logged)" },
	{ "strict-intercept", 'I', NULL, 0, "refuse a policy that uses any mcpwarden extension: only what Intercept reads" },
	{ "daemon-timeout", 'T', "MS", 0, "wait this long for each of the daemon's acks before taking it for gone (default 10000): then sandboxed calls are refused" },
	{ "audit", 'a', "FILE", 0, "append the decision log to FILE, one JSON object per line" },
	{ "max-line", 'm', "BYTES", 0, "the longest line relayed (at least 1024); longer ones are refused" },
	OPT_VERBOSE,
	{ NULL },
};

const struct cli_command cmd_run = {
	.name = "run",
	.run = run_main,
	.summary = "Runs the MCP server CMD on stdio behind the tool-call policy, and the daemon's sandbox when one runs.",
	.operands = "-- CMD [ARG...]",
	.in_order = true,	/* CMD's own options are not ours */
	.opts = opts,
};

static int run_main(int argc, char **argv)
{
	struct shim_opts o = { .max_line = SHIM_DEFAULT_MAX_LINE, .socket_path = CTL_DEFAULT_SOCKET,
			       .daemon_timeout_ms = DLINK_ACK_MS };
	unsigned long ms;
	char *end;
	int c;

	optind = 1;
	while ((c = cli_getopt(&cmd_run, argc, argv)) != -1) {
		switch (c) {
		case 'p': o.policy_path = optarg; break;
		case 'n': o.name = optarg; break;
		case 's': o.socket_path = optarg; break;
		case 'N': o.socket_path = NULL; break;
		case 'U': o.allow_unsandboxed = true; break;
		case 'I': o.policy_flags |= POLICY_STRICT_INTERCEPT; break;
		case 'a': o.audit_path = optarg; break;
		case 'T':
			ms = strtoul(optarg, &end, 10);
			if (*end || !*optarg || ms < 1 || ms > 3600000) {
				fprintf(stderr, "mcpwarden run: --daemon-timeout: '%s' is not a count of milliseconds from 1 "
					"to 3600000\n", optarg);
				return EXIT_USAGE;
			}
			o.daemon_timeout_ms = ms;
			break;
		case 'm':
			o.max_line = strtoul(optarg, &end, 10);
			if (*end || o.max_line < 1024) {
				fprintf(stderr, "mcpwarden run: --max-line: '%s' is not a byte count >= 1024\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'v': log_set_verbose(true); break;
		default: return cli_usage(&cmd_run, c);
		}
	}
	if (optind >= argc)
		return cli_usage(&cmd_run, '?');
	o.argv = argv + optind;
	if (!o.name) {
		const char *slash = strrchr(o.argv[0], '/');

		o.name = slash ? slash + 1 : o.argv[0];
	}
	return shim_run(&o);
}
