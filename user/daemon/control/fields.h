/* fields.h: reads a request's fields. */
#ifndef MCPWARDEN_FIELDS_H
#define MCPWARDEN_FIELDS_H

#include <stdbool.h>
#include <stdint.h>

#include <cJSON.h>

/* Reads integer field `key` of `req` in [min, max]; JSON numbers are doubles, so ids stay below 2^53.
 * false when it is missing, not an integer, or out of range. */
bool fields_uint(const cJSON *req, const char *key, double min, double max, uint64_t *out);

#endif
