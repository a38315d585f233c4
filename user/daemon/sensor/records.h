/* records.h: the way each ring buffer record takes through the daemon. */
#ifndef MCPWARDEN_RECORDS_H
#define MCPWARDEN_RECORDS_H

#include <stddef.h>

/*
 * The ring buffer's sample callback; `ctx` is the struct daemon. A record is
 * checked and counted; a denial goes to its calls (calls/denials.h); any other
 * updates the process table (an exit of a server's root may forget the server),
 * is looked at for an unpoliced MCP server, and unless out of scope is published.
 * 0, or SENSOR_CONSUME_STOP once the running slice is spent (ring.h): a bad record
 * is counted, not fatal.
 */
int records_handle(void *ctx, void *data, size_t size);

#endif
