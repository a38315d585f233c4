/* scan_cmd.c: `mcpwarden scan`: MCP servers configured, running and policed on this host. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "discover/join.h"
#include "discover/wrap.h"

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
	pids = cJSON_AddArrayToObject(o, "pids");
	for (size_t i = 0; i < r->npids; i++)
		cJSON_AddItemToArray(pids, cJSON_CreateNumber(r->pids[i]));
	if (r->shim)
		cJSON_AddNumberToObject(o, "shim_pid", r->shim);
	return o;
}

static void print_text(const struct mcp_entry *e, const struct join_result *r)
{
	printf("%-10s %-16s %-24s ", state_name(r->state), e->client, e->name);
	if (e->url[0])
		printf("%s", e->url);
	for (size_t i = 0; i < e->argc; i++)
		printf("%s%s", i ? " " : "", e->argv[i]);
	if (r->npids)
		printf("  [pid %d%s]", r->pids[0], r->npids > 1 ? " ..." : "");
	printf("\n    %s\n", e->file);
}

int cmd_scan(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "home", required_argument, NULL, 'H' },
		{ "wrap", no_argument, NULL, 'w' },
		{ "unwrap", no_argument, NULL, 'u' },
		{ "policy-dir", required_argument, NULL, 'p' },
		{ 0 },
	};
	char *homes[64];
	size_t nhomes = 0;
	const char *policy_dir = NULL;
	bool json = false, wrap = false, unwrap = false;
	struct mcp_config_set set;
	struct proc_list procs;
	int c, rc = EXIT_OK;

	optind = 1;
	while ((c = getopt_long(argc, argv, "jH:wup:", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'H':
			if (nhomes < sizeof(homes) / sizeof(homes[0]))
				homes[nhomes++] = optarg;
			break;
		case 'w': wrap = true; break;
		case 'u': unwrap = true; break;
		case 'p': policy_dir = optarg; break;
		default:
			fprintf(stderr, "usage: mcpwarden scan [--json] [--home DIR]... [--wrap [--policy-dir DIR] | --unwrap]\n");
			return EXIT_USAGE;
		}
	}
	configs_scan(&set, nhomes ? homes : NULL, nhomes);
	for (size_t i = 0; i < set.nproblems; i++)
		fprintf(stderr, "mcpwarden scan: %s\n", set.problems[i]);
	if (wrap || unwrap) {
		rc = wrap_configs(&set, unwrap, policy_dir, stdout) ? EXIT_RUNTIME : EXIT_OK;
		configs_free(&set);
		return rc;
	}
	if (procs_snapshot(&procs) < 0)
		rc = EXIT_RUNTIME;	/* configs are still listed */
	for (size_t i = 0; i < set.n; i++) {
		struct join_result r;

		join_entry(&set.v[i], &procs, &r);
		if (json) {
			cJSON *o = entry_json(&set.v[i], &r);
			char *text = cJSON_PrintUnformatted(o);

			printf("%s\n", text ? text : "{}");
			free(text);
			cJSON_Delete(o);
		} else {
			print_text(&set.v[i], &r);
		}
	}
	procs_free(&procs);
	configs_free(&set);
	return rc;
}
