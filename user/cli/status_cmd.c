/* status_cmd.c: `mcpwarden status`: asks the daemon for its mode, features, counters and drops. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

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
	cJSON *req, *rep;
	bool json = false;
	char *text;
	int c, fd;

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
	if ((fd = ctl_connect(path)) < 0)
		return EXIT_RUNTIME;
	req = cJSON_CreateObject();
	if (!req || !cJSON_AddStringToObject(req, "op", CTL_OP_STATUS)) {
		log_warnx("status request: out of memory");
		cJSON_Delete(req);
		close(fd);
		return EXIT_RUNTIME;
	}
	rep = ctl_call(fd, req);
	cJSON_Delete(req);
	close(fd);
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
