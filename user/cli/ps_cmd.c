/* ps_cmd.c: `mcpwarden ps`: the MCP servers the daemon tracks and their processes. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/commands.h"
#include "common/ctl_client.h"

static int ps_main(int argc, char **argv);

static const struct cli_opt opts[] = {
	OPT_JSON,
	OPT_SOCKET,
	{ NULL },
};

const struct cli_command cmd_ps = {
	.name = "ps",
	.run = ps_main,
	.summary = "Lists the MCP servers the daemon tracks, their calls and their processes.",
	.opts = opts,
};

static void print_text(const cJSON *ps)
{
	const cJSON *s, *p, *c;

	cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(ps, "servers")) {
		int id = cJSON_GetObjectItemCaseSensitive(s, "server_id")->valueint;

		printf("server %d %s root %d %s%s\n", id,
		       cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s, "name")),
		       cJSON_GetObjectItemCaseSensitive(s, "root")->valueint,
		       cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s, "cgroup")),
		       cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "sandbox")) ? " sandboxed" : "");
		cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(s, "calls"))
			printf("  call %.0f %s%s%s\n", cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(c, "call")),
			       cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "tool")),
			       cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "sandbox")) ? " sandboxed" : "",
			       cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "ended")) ? " (ended, processes left)" : "");
		cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(ps, "processes"))
			if (cJSON_GetObjectItemCaseSensitive(p, "server_id")->valueint == id)
				printf("  %7d %7d %-16s %s\n", cJSON_GetObjectItemCaseSensitive(p, "pid")->valueint,
				       cJSON_GetObjectItemCaseSensitive(p, "ppid")->valueint,
				       cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "comm")),
				       cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "exe")));
	}
}

static int ps_main(int argc, char **argv)
{
	const char *path = CTL_DEFAULT_SOCKET;
	const cJSON *ps;
	bool json = false;
	cJSON *rep;
	int c;

	optind = 1;
	while ((c = cli_getopt(&cmd_ps, argc, argv)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 's': path = optarg; break;
		default: return cli_usage(&cmd_ps, c);
		}
	}
	if (optind != argc)
		return cli_usage(&cmd_ps, '?');
	rep = ctl_ask(path, CTL_OP_PS);
	ps = cJSON_GetObjectItemCaseSensitive(rep, "ps");
	if (!cJSON_IsObject(ps)) {
		cJSON_Delete(rep);
		return EXIT_RUNTIME;
	}
	if (json) {
		char *text = cJSON_PrintUnformatted(ps);

		printf("%s\n", text ? text : "{}");
		free(text);
	} else {
		print_text(ps);
	}
	cJSON_Delete(rep);
	return EXIT_OK;
}
