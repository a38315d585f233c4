/* commands.h: one entry point per `mcpwarden` subcommand. Each returns the exit code. */
#ifndef MCPWARDEN_COMMANDS_H
#define MCPWARDEN_COMMANDS_H

/* Exit codes shared by every subcommand (DESIGN.md §3). */
#define EXIT_OK		0
#define EXIT_RUNTIME	1
#define EXIT_USAGE	2

int cmd_run(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_daemon(int argc, char **argv);
int cmd_events(int argc, char **argv);
int cmd_status(int argc, char **argv);

#endif
