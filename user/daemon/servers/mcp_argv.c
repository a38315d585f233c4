/* mcp_argv.c: classifies a command line: a package runner, and arguments that name MCP. */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "daemon/servers/mcp_argv.h"

static const char *base(const char *arg)
{
	const char *slash = strrchr(arg, '/');

	return slash ? slash + 1 : arg;
}

static bool is_interpreter(const char *b)
{
	return !strcmp(b, "env") || !strcmp(b, "node") || !strcmp(b, "nodejs");
}

/* Whether a word of `arg` (letters and digits between other characters) is "mcp" or "fastmcp". */
static bool has_mcp_word(const char *arg)
{
	for (const char *w = arg; *w;) {
		size_t n = 0;

		while (isalnum((unsigned char)w[n]))
			n++;
		if ((n == 3 && !strncasecmp(w, "mcp", 3)) || (n == 7 && !strncasecmp(w, "fastmcp", 7)))
			return true;
		w += n ? n : 1;
	}
	return false;
}

static bool names_mcp(const char *arg)
{
	return has_mcp_word(arg) || strstr(arg, "@modelcontextprotocol/");
}

unsigned mcp_argv_hint(const char *args, size_t len)
{
	unsigned hint = 0;
	bool leading = true, npm = false;

	for (size_t pos = 0; pos < len; pos += strnlen(args + pos, len - pos) + 1) {
		char arg[256];
		const char *b;

		/* Arguments are NUL-separated but the last may be cut short: bound each copy. */
		snprintf(arg, sizeof(arg), "%.*s", (int)strnlen(args + pos, len - pos), args + pos);
		b = base(arg);
		if (leading && !is_interpreter(b)) {
			leading = false;	/* the program, past `env node`: only it may be the runner */
			if (!strcmp(b, "npx") || !strcmp(b, "uvx") || !strcmp(b, "pnpx") || !strcmp(b, "bunx"))
				hint |= MCP_ARGV_RUNNER;
			npm = !strcmp(b, "npm");
		}
		if (npm && (!strcmp(arg, "exec") || !strcmp(arg, "x")))
			hint |= MCP_ARGV_RUNNER;
		if (names_mcp(arg))
			hint |= MCP_ARGV_NAME;
	}
	return hint;
}
