/* names.c: lookups in a table of names indexed by an enum. */
#include <string.h>

#include "common/names.h"

const char *name_at(const char *const *names, size_t n, size_t i, const char *dflt)
{
	return i < n ? names[i] : dflt;
}

int name_index(const char *const *names, size_t from, size_t n, const char *name)
{
	for (size_t i = from; name && i < n; i++)
		if (names[i] && !strcmp(name, names[i]))
			return (int)i;
	return -1;
}
