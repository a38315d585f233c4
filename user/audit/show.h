/* show.h: rebuilds one tool call from the audit log: decision, process tree, connections. */
#ifndef MCPWARDEN_SHOW_H
#define MCPWARDEN_SHOW_H

#include <stdint.h>
#include <stdio.h>
#include <cJSON.h>

/* Collects call `call` of server `server_id` (0: any server) from dir. Returns a JSON
 * object {call, processes: [tree], connections, denies}, or NULL when the call is not there
 * or dir cannot be read (*why says which). */
cJSON *audit_call_tree(const char *dir, uint64_t call, uint64_t server_id, const char **why);
/* Prints that object as a readable tree. */
void audit_print_tree(FILE *out, const cJSON *tree);

#endif
