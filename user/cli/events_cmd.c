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
#include "control.h"

static int usage(void)
{
	fprintf(stderr, "usage: mcpwarden events [--follow] [--json] [--socket PATH]\n");
	return EXIT_USAGE;
}

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

int cmd_events(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "follow", no_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *path = CTL_DEFAULT_SOCKET;
	bool follow = false, json = false;
	cJSON *req, *rep;
	ssize_t n;
	char *msg;
	int c, fd, r = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "fjs:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f': follow = true; break;
		case 'j': json = true; break;
		case 's': path = optarg; break;
		default: return usage();
		}
	}
	if (optind != argc)
		return usage();
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
