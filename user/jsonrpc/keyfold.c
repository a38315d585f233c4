/* keyfold.c: compares JSON keys the way the most lenient servers match them. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "jsonrpc/keyfold.h"

/* Reads one folded character at *p; returns it (lowercase ASCII, or the raw byte). */
static int next_folded(const char **p, const char *end)
{
	const unsigned char *u = (const unsigned char *)*p;

	if (end - *p >= 2 && u[0] == 0xc5 && u[1] == 0xbf) {	/* U+017F long s */
		*p += 2;
		return 's';
	}
	if (end - *p >= 3 && u[0] == 0xe2 && u[1] == 0x84 && u[2] == 0xaa) {	/* U+212A Kelvin */
		*p += 3;
		return 'k';
	}
	(*p)++;
	return tolower(u[0]);
}

bool key_fold_equal(const char *a, size_t alen, const char *b, size_t blen)
{
	const char *ae = a + alen, *be = b + blen;

	while (a < ae && b < be)
		if (next_folded(&a, ae) != next_folded(&b, be))
			return false;
	return a == ae && b == be;
}

char *key_fold(const char *key)
{
	const char *p = key, *end = key + strlen(key);
	char *out = malloc((size_t)(end - key) + 1), *o = out;

	while (out && p < end)
		*o++ = (char)next_folded(&p, end);
	if (out)
		*o = '\0';
	return out;
}
