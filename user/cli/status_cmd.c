/* status_cmd.c: `mcpwarden status`: asks the daemon for its mode, features, counters and drops. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/commands.h"
#include "cli/flat.h"
#include "common/ctl_client.h"
#include "common/log.h"
#include "control.h"

static int usage(void)
{
	fprintf(stderr, "usage: mcpwarden status [--json] [--socket PATH]\n");
	return EXIT_USAGE;
}

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *path = CTL_DEFAULT_SOCKET;
	const cJSON *st;
	bool json = false;
	char *text;
	cJSON *rep;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "js:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 's': path = optarg; break;
		default: return usage();
		}
	}
	if (optind != argc)
		return usage();
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
