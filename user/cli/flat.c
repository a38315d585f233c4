/* flat.c: prints a JSON object as key=value pairs for people (nested keys joined with '.'). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cli/flat.h"

static void walk(FILE *f, const cJSON *o, const char *prefix, char sep, bool *first)
{
	const cJSON *it;
	char path[256];
	char *text;

	cJSON_ArrayForEach(it, o) {
		snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", it->string);
		if (cJSON_IsObject(it)) {
			walk(f, it, path, sep, first);
			continue;
		}
		if (!*first)
			fputc(sep, f);
		*first = false;
		if (cJSON_IsString(it)) {
			fprintf(f, "%s=%s", path, it->valuestring);
			continue;
		}
		text = cJSON_PrintUnformatted(it);
		fprintf(f, "%s=%s", path, text ? text : "?");
		free(text);
	}
}

void flat_print(FILE *f, const cJSON *o, char sep)
{
	bool first = true;

	walk(f, o, "", sep, &first);
	fputc('\n', f);
}
