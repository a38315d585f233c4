/* daemon_cmd.c: `mcpwarden daemon`: parses options and runs the daemon in the foreground. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "common/log.h"
#include "control.h"
#include "daemon/daemon.h"

static int usage(void)
{
	fprintf(stderr, "usage: mcpwarden daemon [--socket PATH] [--audit-dir DIR] [--audit-fsync-ms MS] "
		"[--audit-segment-bytes N] [--track-pid PID]... [--trace-all] [--unpoliced=alert|kill] [--verbose]\n");
	return EXIT_USAGE;
}

int cmd_daemon(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "track-pid", required_argument, NULL, 't' },
		{ "trace-all", no_argument, NULL, 'a' },
		{ "unpoliced", required_argument, NULL, 'u' },
		{ "audit-dir", required_argument, NULL, 'D' },
		{ "audit-fsync-ms", required_argument, NULL, 'F' },
		{ "audit-segment-bytes", required_argument, NULL, 'B' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct daemon_opts o = { .socket_path = CTL_DEFAULT_SOCKET, .audit_fsync_ms = 1000 };
	char *end;
	long pid;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "s:t:u:avhD:F:B:", opts, NULL)) != -1) {
		switch (c) {
		case 'D': o.audit_dir = optarg; break;
		case 'F':
		case 'B':
			pid = strtol(optarg, &end, 10);
			if (*end || pid < 0 || (c == 'B' && pid < 4096)) {
				fprintf(stderr, "mcpwarden daemon: --audit-%s: '%s' is not a valid number\n",
					c == 'F' ? "fsync-ms" : "segment-bytes (at least 4096)", optarg);
				return EXIT_USAGE;
			}
			if (c == 'F')
				o.audit_fsync_ms = pid;
			else
				o.audit_segment_bytes = (size_t)pid;
			break;
		case 's': o.socket_path = optarg; break;
		case 't':
			pid = strtol(optarg, &end, 10);
			if (*end || pid < 1 || pid > INT_MAX) {
				fprintf(stderr, "mcpwarden daemon: --track-pid: '%s' is not a pid\n", optarg);
				return EXIT_USAGE;
			}
			if (o.ntrack == DAEMON_MAX_TRACK) {
				fprintf(stderr, "mcpwarden daemon: --track-pid: at most %d\n", DAEMON_MAX_TRACK);
				return EXIT_USAGE;
			}
			o.track[o.ntrack++] = pid;
			break;
		case 'a': o.trace_all = true; break;
		case 'u':
			if (strcmp(optarg, "alert") && strcmp(optarg, "kill")) {
				fprintf(stderr, "mcpwarden daemon: --unpoliced: '%s' is neither alert nor kill\n", optarg);
				return EXIT_USAGE;
			}
			o.unpoliced_kill = !strcmp(optarg, "kill");
			break;
		case 'v': log_set_verbose(true); break;
		default: return usage();
		}
	}
	if (optind != argc)
		return usage();
	return daemon_run(&o) ? EXIT_RUNTIME : EXIT_OK;
}
