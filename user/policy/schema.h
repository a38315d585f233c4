/* schema.h: checks tool arguments against a server's JSON Schema (required, types, enums). */
#ifndef MCPWARDEN_SCHEMA_H
#define MCPWARDEN_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <cJSON.h>

/* Returns 0 when args satisfy schema; else -1 with why naming the field. With
 * required_only, checks only that required properties are present. */
int schema_check(const cJSON *schema, const cJSON *args, bool required_only, char *why, size_t whysz);

#endif
