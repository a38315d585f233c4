/* printable.c: replaces control bytes in untrusted text before it is logged or shown. */
#include "common/printable.h"

const char *printable(const char *s, char *buf, size_t size)
{
	size_t i = 0;

	if (!size)
		return buf;
	for (; s[i] && i + 1 < size; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	buf[i] = '\0';
	return buf;
}
