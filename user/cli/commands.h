/* commands.h: the `mcpwarden` subcommands, each declared by its table of options (cli/options.h). */
#ifndef MCPWARDEN_COMMANDS_H
#define MCPWARDEN_COMMANDS_H

#include "cli/options.h"
#include "control.h"

extern const struct cli_command cmd_run;
extern const struct cli_command cmd_policy;
extern const struct cli_command cmd_scan;
extern const struct cli_command cmd_audit;
extern const struct cli_command cmd_daemon;
extern const struct cli_command cmd_events;
extern const struct cli_command cmd_ps;
extern const struct cli_command cmd_status;

/* Options several commands share. */
#define OPT_SOCKET	{ "socket", 's', "PATH", 0, "the daemon's control socket (default " CTL_DEFAULT_SOCKET ")" }
#define OPT_JSON	{ "json", 'j', NULL, 0, "print JSON" }
#define OPT_VERBOSE	{ "verbose", 'v', NULL, 0, "log debug messages too" }

#endif
