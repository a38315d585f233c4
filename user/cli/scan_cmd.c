/* scan_cmd.c: `mcpwarden scan`: MCP servers configured, running and policed on this host. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cJSON.h>

#include "cli/commands.h"
#include "common/log.h"
#include "common/printable.h"
#include "discover/join.h"
#include "discover/wrap.h"

static int scan_main(int argc, char **argv);

static const struct cli_opt opts[] = {
	{ "json", 'j', NULL, 0, "print one JSON object per server" },
	{ "home", 'H', "DIR", CLI_REPEAT, "read the configs under DIR instead of every user's home" },
	{ "wrap", 'w', NULL, 0, "rewrite the configs, as each home's user, to run each server through `mcpwarden run`" },
	{ "policy-dir", 'p', "DIR", 0, "with --wrap: give a server DIR/NAME.yaml as its policy when that exists; a wrapped "
				       "server counts as wrapped only with exactly that policy when it exists, and none when not" },
	{ "unwrap", 'u', NULL, 0, "undo --wrap" },
	{ NULL },
};

const struct cli_command cmd_scan = {
	.name = "scan",
	.run = scan_main,
	.summary = "Lists the MCP servers the clients on this host configure: configured, running (unpoliced) or policed.",
	.opts = opts,
};

static cJSON *entry_json(const struct mcp_entry *e, const struct join_result *r)
{
	cJSON *o = cJSON_CreateObject(), *argv = cJSON_AddArrayToObject(o, "argv"), *pids;

	cJSON_AddStringToObject(o, "state", state_name(r->state));
	cJSON_AddStringToObject(o, "client", e->client);
	cJSON_AddStringToObject(o, "name", e->name);
	cJSON_AddStringToObject(o, "config", e->file);
	for (size_t i = 0; i < e->argc; i++)
		cJSON_AddItemToArray(argv, cJSON_CreateString(e->argv[i]));
	if (e->url[0])
		cJSON_AddStringToObject(o, "url", e->url);
	cJSON_AddBoolToObject(o, "wrapped_in_config", e->wrapped);
	if (e->not_wrapped)
		cJSON_AddStringToObject(o, "not_wrapped_because", e->not_wrapped);
	pids = cJSON_AddArrayToObject(o, "pids");
	for (size_t i = 0; i < r->npids; i++)
		cJSON_AddItemToArray(pids, cJSON_CreateNumber(r->pids[i]));
	if (r->shim)
		cJSON_AddNumberToObject(o, "shim_pid", r->shim);
	return o;
}

/* One entry as a line for a terminal: every text from a user's file through printable(). */
static void print_text(const struct mcp_entry *e, const struct join_result *r)
{
	char buf[4096];

	printf("%-10s %-16s ", state_name(r->state), e->client);
	printf("%-24s ", printable(e->name, buf, sizeof(buf)));
	if (e->url[0])
		printf("%s", printable(e->url, buf, sizeof(buf)));
	for (size_t i = 0; i < e->argc; i++)
		printf("%s%s", i ? " " : "", printable(e->argv[i], buf, sizeof(buf)));
	if (r->npids)
		printf("  [pid %d%s]", r->pids[0], r->npids > 1 ? " ..." : "");
	printf("\n    %s\n", printable(e->file, buf, sizeof(buf)));
}

static int scan_main(int argc, char **argv)
{
	char *homes[64], dir[PATH_MAX];
	size_t nhomes = 0;
	const char *policy_dir = NULL;
	bool json = false, wrap = false, unwrap = false;
	struct mcp_config_set set;
	struct proc_list procs;
	struct join_result *joined;
	struct timespec deadline;
	size_t unjoined;
	int c, rc = EXIT_OK;

	optind = 1;
	while ((c = cli_getopt(&cmd_scan, argc, argv)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'H':
			if (nhomes == sizeof(homes) / sizeof(homes[0])) {
				log_warnx("--home %s: at most %zu homes", optarg, nhomes);
				return EXIT_USAGE;
			}
			homes[nhomes++] = optarg;
			break;
		case 'w': wrap = true; break;
		case 'u': unwrap = true; break;
		case 'p': policy_dir = optarg; break;
		default: return cli_usage(&cmd_scan, c);
		}
	}
	if (optind != argc)	/* a stray operand must not widen --wrap to every user's configs */
		return cli_usage(&cmd_scan, '?');
	if (policy_dir && !realpath(policy_dir, dir)) {	/* the configs name it from anywhere */
		log_warn("--policy-dir %s", policy_dir);
		return EXIT_USAGE;
	}
	if (wrap || unwrap)
		return wrap_homes(nhomes ? homes : NULL, nhomes, unwrap, policy_dir ? dir : NULL, stdout)
			       ? EXIT_RUNTIME : EXIT_OK;
	configs_scan(&set, nhomes ? homes : NULL, nhomes, policy_dir ? dir : NULL);
	for (size_t i = 0; i < set.nproblems; i++)
		fprintf(stderr, "mcpwarden scan: %s\n", set.problems[i]);
	if (set.not_listed)
		rc = EXIT_RUNTIME;	/* the listing is not whole */
	if (procs_snapshot(&procs) < 0)
		rc = EXIT_RUNTIME;	/* configs are still listed */
	if (!(joined = calloc(set.n ? set.n : 1, sizeof(*joined)))) {
		log_warnx("joining %zu server entries to the processes: out of memory", set.n);
		procs_free(&procs);
		configs_free(&set);
		return EXIT_RUNTIME;
	}
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += JOIN_DEADLINE_S;
	if ((unjoined = join_all(set.v, set.n, &procs, joined, &deadline))) {
		log_warnx("%zu server entries not joined to the running processes within %d s: listed as unknown",
			  unjoined, JOIN_DEADLINE_S);
		rc = EXIT_RUNTIME;
	}
	for (size_t i = 0; i < set.n; i++) {
		if (json) {
			cJSON *o = entry_json(&set.v[i], &joined[i]);
			char *text = cJSON_PrintUnformatted(o);

			printf("%s\n", text ? text : "{}");
			free(text);
			cJSON_Delete(o);
		} else {
			print_text(&set.v[i], &joined[i]);
		}
	}
	free(joined);
	procs_free(&procs);
	configs_free(&set);
	return rc;
}
