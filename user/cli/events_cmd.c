/* events_cmd.c: `mcpwarden events`: prints the daemon's events, one per line, JSON or key=value. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/flat.h"
#include "common/ctl_client.h"
#include "common/log.h"

static int events_main(int argc, char **argv);

static const struct cli_opt opts[] = {
	{ "follow", 'f', NULL, 0, "after the recent events, keep printing live ones" },
	{ "json", 'j', NULL, 0, "print each event as a JSON object (default: key=value)" },
	OPT_SOCKET,
	{ NULL },
};

const struct cli_command cmd_events = {
	.name = "events",
	.run = events_main,
	.summary = "Prints the daemon's events: execs, forks, exits, connections, denials, each tied to its server and calls.",
	.opts = opts,
};

/* Prints one message: events have a "type"; the end marker is the op "end". 1 at the end, 0 to go on, -1 on garbage. */
static int print_event(const char *msg, ssize_t len, bool json)
{
	cJSON *o = cJSON_ParseWithLength(msg, len);
	int r = 0;

	if (!cJSON_IsObject(o)) {
		log_warnx("control socket: message is not a JSON object");
		r = -1;
	} else if (!cJSON_HasObjectItem(o, "type")) {
		r = ctl_message_op(o) == CTL_OP_END;
	} else if (json) {
		printf("%s\n", msg);
	} else {
		flat_print(stdout, o, ' ');
	}
	cJSON_Delete(o);
	fflush(stdout);
	return r;
}

static int events_main(int argc, char **argv)
{
	const char *path = CTL_DEFAULT_SOCKET;
	bool follow = false, json = false;
	cJSON *req, *rep;
	ssize_t n;
	char *msg;
	int c, fd, r = 0;

	optind = 1;
	while ((c = cli_getopt(&cmd_events, argc, argv)) != -1) {
		switch (c) {
		case 'f': follow = true; break;
		case 'j': json = true; break;
		case 's': path = optarg; break;
		default: return cli_usage(&cmd_events, c);
		}
	}
	if (optind != argc)
		return cli_usage(&cmd_events, '?');
	if ((fd = ctl_connect(path)) < 0)
		return EXIT_RUNTIME;
	req = ctl_message(CTL_OP_SUBSCRIBE);
	if (!req || !cJSON_AddBoolToObject(req, "follow", follow)) {
		log_warnx("subscribe request: out of memory");
		cJSON_Delete(req);
		close(fd);
		return EXIT_RUNTIME;
	}
	rep = ctl_call(fd, req);
	cJSON_Delete(req);
	if (!rep) {
		close(fd);
		return EXIT_RUNTIME;
	}
	cJSON_Delete(rep);
	while ((n = ctl_recv(fd, &msg)) > 0) {
		r = print_event(msg, n, json);
		free(msg);
		if (r)
			break;
	}
	close(fd);
	if (r == 1 || (!r && !n && follow))
		return EXIT_OK;	/* the end marker, or with --follow the daemon stopped */
	if (!r && !n)
		log_warnx("%s: the daemon closed before the end of the events", path);
	return EXIT_RUNTIME;
}
