/* daemon_cmd.c: `mcpwarden daemon`: parses options and runs the daemon in the foreground. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/chain.h"
#include "audit/segments.h"
#include "audit/syslog_target.h"
#include "cli/commands.h"
#include "common/log.h"
#include "daemon/daemon.h"
#include "daemon/sensor/lineage_budget.h"
#include "daemon/sensor/pins.h"

static int daemon_main(int argc, char **argv);

static const struct cli_opt opts[] = {
	OPT_SOCKET,
	{ "audit-dir", 'D', "DIR", 0, "keep the hash-chained audit log in DIR" },
	{ "audit-fsync-ms", 'F', "MS", 0, "sync the audit log at most this often, in ms (0: every record)" },
	{ "audit-segment-bytes", 'B', "N", 0, "start a new audit segment past N bytes (4096 to 512 MiB)" },
	{ "syslog", 'L', "TARGET", 0, "send every audit record to syslog too (RFC 5424): local (/dev/log), unix:PATH, "
	  "udp://HOST:PORT or tcp://HOST:PORT; needs --audit-dir" },
	{ "seal-key", 'K', "FILE", 0, "seal each audit sync batch with the key in FILE (`audit keygen`; root's, mode "
	  "0600), evolving it after each: a key read later can't reseal what came before" },
	{ "seal-interval-ms", 'I', "MS", 0, "with --seal-key, seal at least this often even with no new record, so the "
	  "last seal's time tells how fresh the trail is (100 to 60000, the default)" },
	{ "track-pid", 't', "PID", CLI_REPEAT, "track PID and what it forks as a server, without a shim" },
	{ "trace-all", 'a', NULL, 0, "report every process's socket calls, not only servers'" },
	{ "fail-signals", 'X', NULL, 0, "for tests only: make every kill the kernel side sends fail, as it can under "
	  "load, so the daemon's own kill is seen to take over" },
	{ "max-tracked", 'M', "N", 0, "room for N tracked processes (default: the host's pid_max or threads-max, "
	  "the lower)" },
	{ "unpoliced", 'u', "alert|kill", 0, "what to do about an MCP server running without a shim (default alert)" },
	{ "pin-dir", 'P', "DIR", 0, "pin the BPF programs and maps under DIR, on bpffs (default " PINS_DEFAULT_ROOT "), "
	  "so enforcement outlives the daemon; a daemon that starts takes them over" },
	{ "stop-enforcement", 'S', NULL, 0, "remove what a stopped daemon left pinned, and exit: the one way to take "
	  "the sandbox out of the kernel (refused while a daemon runs)" },
	{ "without", 'W', "lsm|signal-task|exit-group-dead", CLI_REPEAT, "leave a kernel mechanism unused even where it works "
	  "(to work around a kernel's bug, or to test the fallback; status shows what is in force)" },
	OPT_VERBOSE,
	{ NULL },
};

const struct cli_command cmd_daemon = {
	.name = "daemon",
	.run = daemon_main,
	.summary = "Runs the BPF sensor and sandbox in the foreground (as root), serving shims and the other commands.",
	.opts = opts,
};

static int daemon_main(int argc, char **argv)
{
	struct daemon_opts o = { .socket_path = CTL_DEFAULT_SOCKET, .audit_fsync_ms = 1000, .pin_dir = PINS_DEFAULT_ROOT };
	struct syslog_target syslog;
	char why[256];
	bool stop = false;
	unsigned removed;
	char *end;
	long pid;
	int c;

	optind = 1;
	while ((c = cli_getopt(&cmd_daemon, argc, argv)) != -1) {
		switch (c) {
		case 'D': o.audit_dir = optarg; break;
		case 'L':
			if (syslog_target_parse(optarg, &syslog, why, sizeof(why)) < 0) {
				fprintf(stderr, "mcpwarden daemon: --syslog '%s': %s\n", optarg, why);
				return EXIT_USAGE;
			}
			o.syslog = &syslog;
			break;
		case 'K': o.seal_key = optarg; break;
		case 'F':
		case 'B':
		case 'I':
			pid = strtol(optarg, &end, 10);
			if (*end || pid < 0 || (c == 'B' && (pid < 4096 || pid > SEGMENT_MAX_BYTES)) ||
			    (c == 'I' && (pid < 100 || pid > AUDIT_SEAL_IDLE_MS))) {
				fprintf(stderr, "mcpwarden daemon: --%s: '%s' is not a valid number\n",
					c == 'F' ? "audit-fsync-ms" : c == 'B' ? "audit-segment-bytes (4096 to 536870912)" :
					"seal-interval-ms (100 to 60000)", optarg);
				return EXIT_USAGE;
			}
			if (c == 'F')
				o.audit_fsync_ms = pid;
			else if (c == 'B')
				o.audit_segment_bytes = (size_t)pid;
			else
				o.seal_ms = pid;
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
		case 'M':
			pid = strtol(optarg, &end, 10);
			if (*end || pid < LINEAGE_MIN_CAPACITY || pid > (long)LINEAGE_MAX_CAPACITY) {
				fprintf(stderr, "mcpwarden daemon: --max-tracked: '%s' is not a number from %u to %u\n",
					optarg, LINEAGE_MIN_CAPACITY, LINEAGE_MAX_CAPACITY);
				return EXIT_USAGE;
			}
			o.max_tracked = (uint32_t)pid;
			break;
		case 'a': o.trace_all = true; break;
		case 'P': o.pin_dir = optarg; break;
		case 'S': stop = true; break;
		case 'X': o.fail_signals = true; break;
		case 'u':
			if (strcmp(optarg, "alert") && strcmp(optarg, "kill")) {
				fprintf(stderr, "mcpwarden daemon: --unpoliced: '%s' is neither alert nor kill\n", optarg);
				return EXIT_USAGE;
			}
			o.unpoliced_kill = !strcmp(optarg, "kill");
			break;
		case 'W':
			if (!strcmp(optarg, "lsm"))
				o.without_lsm = true;
			else if (!strcmp(optarg, "signal-task"))
				o.without |= SENSOR_WITHOUT_SIGNAL_TASK;
			else if (!strcmp(optarg, "exit-group-dead"))
				o.without |= SENSOR_WITHOUT_GROUP_DEAD;
			else {
				fprintf(stderr, "mcpwarden daemon: --without: '%s' is not lsm, signal-task or exit-group-dead\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case 'v': log_set_verbose(true); break;
		default: return cli_usage(&cmd_daemon, c);
		}
	}
	if (optind != argc)
		return cli_usage(&cmd_daemon, '?');
	if (o.syslog && !o.audit_dir) {
		fprintf(stderr, "mcpwarden daemon: --syslog sends the audit log's records: it needs --audit-dir\n");
		return EXIT_USAGE;
	}
	if (o.seal_key && !o.audit_dir) {
		fprintf(stderr, "mcpwarden daemon: --seal-key seals the audit log: it needs --audit-dir\n");
		return EXIT_USAGE;
	}
	if (o.seal_ms && !o.seal_key) {
		fprintf(stderr, "mcpwarden daemon: --seal-interval-ms goes with --seal-key\n");
		return EXIT_USAGE;
	}
	if (stop) {
		if (pins_remove_all(o.pin_dir, &removed)) {
			fprintf(stderr, "mcpwarden daemon: --stop-enforcement: %s not removed (the reason is above)\n",
				o.pin_dir);
			return EXIT_RUNTIME;
		}
		printf("removed %s: %u pinned programs and maps; the kernel enforces nothing of mcpwarden's now\n",
		       o.pin_dir, removed);
		return EXIT_OK;
	}
	return daemon_run(&o) ? EXIT_RUNTIME : EXIT_OK;
}
