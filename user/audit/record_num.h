/* record_num.h: a number field of an audit record, read as the unsigned integer it must be: the files are hostile. */
#ifndef MCPWARDEN_RECORD_NUM_H
#define MCPWARDEN_RECORD_NUM_H

#include <stdbool.h>
#include <stdint.h>
#include <cJSON.h>

/* Whether v is a JSON number holding an integer from 0 to 2^53 (what a double holds exactly); then *out is it.
 * Anything else (a string, -1, 1.5, 1e300, NaN) is false, with *out 0: never a conversion out of range. */
bool record_num(const cJSON *v, uint64_t *out);

#endif
