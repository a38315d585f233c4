/* regex_text.c: reads the text of a POSIX extended regular expression without compiling it. */
#include <string.h>

#include "policy/regex_text.h"

const char *regex_bracket_end(const char *p)
{
	p++;
	p += *p == '^';
	p += *p == ']';
	while (*p && *p != ']') {
		if (*p == '[' && p[1] && strchr(":.=", p[1])) {
			const char close[3] = { p[1], ']', '\0' };
			const char *end = strstr(p + 2, close);

			if (end) {
				p = end + 2;
				continue;
			}
		}
		p++;
	}
	return *p ? p + 1 : p;
}
