/* flat.h: prints a JSON object as key=value pairs for people (nested keys joined with '.'). */
#ifndef MCPWARDEN_FLAT_H
#define MCPWARDEN_FLAT_H

#include <stdio.h>

#include <cJSON.h>

/* Prints each scalar as path=value; arrays as compact JSON; pairs separated by `sep`, then a newline. */
void flat_print(FILE *f, const cJSON *o, char sep);

#endif
