/* sandbox_json.c: a policy's sandbox block as the JSON the daemon takes (see user/daemon/enforce.h). */
#include <arpa/inet.h>
#include <sys/socket.h>

#include "policy/sandbox_json.h"

static cJSON *strv(char **v, size_t n)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t i = 0; a && i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
	return a;
}

static cJSON *nets(const struct cidr_rule *r, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	char text[INET6_ADDRSTRLEN];

	for (size_t i = 0; a && i < n; i++) {
		cJSON *o = cJSON_CreateObject();

		if (!o || !inet_ntop(r[i].family, r[i].addr, text, sizeof(text))) {
			cJSON_Delete(o);
			continue;
		}
		cJSON_AddNumberToObject(o, "family", r[i].family == AF_INET6 ? 6 : 4);
		cJSON_AddStringToObject(o, "addr", text);
		cJSON_AddNumberToObject(o, "prefix", r[i].prefix);
		cJSON_AddNumberToObject(o, "port", r[i].port);
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

cJSON *sandbox_json(const struct sandbox *sb)
{
	cJSON *o, *exec, *net;

	if (!sb->present || !(o = cJSON_CreateObject()))
		return NULL;
	if ((sb->exec_allow || sb->exec_deny) && (exec = cJSON_AddObjectToObject(o, "exec"))) {
		if (sb->exec_allow)
			cJSON_AddItemToObject(exec, "allow", strv(sb->exec_allow, sb->nexec_allow));
		if (sb->exec_deny)
			cJSON_AddItemToObject(exec, "deny", strv(sb->exec_deny, sb->nexec_deny));
	}
	if ((sb->egress >= 0 || sb->net_allow || sb->net_deny) && (net = cJSON_AddObjectToObject(o, "network"))) {
		/* An allow list without `egress` means: only what it lists. */
		if (sb->egress >= 0 || sb->net_allow)
			cJSON_AddStringToObject(net, "egress", sb->egress == 1 || (sb->egress < 0 && !sb->net_allow) ?
						"allow" : "deny");
		cJSON_AddItemToObject(net, "allow", nets(sb->net_allow, sb->nnet_allow));
		cJSON_AddItemToObject(net, "deny", nets(sb->net_deny, sb->nnet_deny));
	}
	if (sb->max_processes)
		cJSON_AddNumberToObject(o, "max_processes", (double)sb->max_processes);
	return o;
}
