/* unix_rule.c: checks a network.unix entry against the forms unix_rule.h lists. */
#include <string.h>

#include "events.h"
#include "policy/unix_rule.h"

const char *unix_rule_check(const char *s)
{
	size_t n = strlen(s);

	if (n >= EV_UNIX_PATH_LEN)
		return "longer than a unix socket address (107 bytes)";
	if (s[0] == '@')
		return NULL;
	if (s[0] != '/')
		return "must be an absolute path, a directory ending in '/', or an abstract name starting with '@'";
	for (const char *c = s; (c = strchr(c, '/')); c++) {
		const char *next = c + 1;
		size_t len = strcspn(next, "/");

		if (!*next)
			break;	/* a trailing '/': a directory entry */
		if (!len || (len == 1 && next[0] == '.') || (len == 2 && next[0] == '.' && next[1] == '.'))
			return "must be canonical: no empty, '.' or '..' component";
	}
	return NULL;
}
