/* status_cmd.c: `mcpwarden status`: asks the daemon for its mode, features, counters and drops. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/commands.h"
#include "cli/flat.h"
#include "common/ctl_client.h"
#include "common/log.h"

static int status_main(int argc, char **argv);

static const struct cli_opt opts[] = {
	OPT_JSON,
	OPT_SOCKET,
	{ NULL },
};

const struct cli_command cmd_status = {
	.name = "status",
	.run = status_main,
	.summary = "Prints the daemon's mode, features (BPF LSM, cgroups...), counters and drops per event type.",
	.opts = opts,
};

static int status_main(int argc, char **argv)
{
	const char *path = CTL_DEFAULT_SOCKET;
	const cJSON *st;
	bool json = false;
	char *text;
	cJSON *rep;
	int c;

	optind = 1;
	while ((c = cli_getopt(&cmd_status, argc, argv)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 's': path = optarg; break;
		default: return cli_usage(&cmd_status, c);
		}
	}
	if (optind != argc)
		return cli_usage(&cmd_status, '?');
	rep = ctl_ask(path, CTL_OP_STATUS);
	st = cJSON_GetObjectItemCaseSensitive(rep, "status");
	if (!cJSON_IsObject(st)) {
		if (rep)
			log_warnx("%s: reply without a 'status' object", path);
		cJSON_Delete(rep);
		return EXIT_RUNTIME;
	}
	if (json) {
		text = cJSON_PrintUnformatted(st);
		if (text)
			printf("%s\n", text);
		free(text);
	} else {
		flat_print(stdout, st, '\n');
	}
	cJSON_Delete(rep);
	return EXIT_OK;
}
