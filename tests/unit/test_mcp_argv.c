/* test_mcp_argv.c: unit tests for the command-line classifier of unpoliced servers (user/daemon/servers/mcp_argv.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "daemon/servers/mcp_argv.h"

/* The hint of a command line given as one string with NULs between arguments (sizeof counts the last NUL). */
#define HINT(lit) mcp_argv_hint(lit, sizeof(lit))

static void runners(void **state)
{
	(void)state;
	assert_int_equal(HINT("/usr/bin/env\0node\0/usr/bin/npx\0-y\0@modelcontextprotocol/server-everything"),
			 MCP_ARGV_RUNNER | MCP_ARGV_NAME);
	assert_int_equal(HINT("node\0/usr/bin/npx\0--no-install\0@modelcontextprotocol/server-everything\0stdio"),
			 MCP_ARGV_RUNNER | MCP_ARGV_NAME);
	assert_int_equal(HINT("uvx\0mcp-server-fetch"), MCP_ARGV_RUNNER | MCP_ARGV_NAME);
	assert_int_equal(HINT("npm\0exec\0fastmcp-demo"), MCP_ARGV_RUNNER | MCP_ARGV_NAME);
	assert_int_equal(HINT("npx\0cowsay\0hello"), MCP_ARGV_RUNNER);
}

static void runner_must_be_the_program(void **state)
{
	(void)state;
	/* timeout runs npx: the npx process is flagged at its own exec, not timeout. */
	assert_int_equal(HINT("timeout\0""10\0npx\0@modelcontextprotocol/server-everything"), MCP_ARGV_NAME);
	assert_int_equal(HINT("npm\0install\0left-pad"), 0);
}

static void names(void **state)
{
	(void)state;
	assert_int_equal(HINT("python3\0-m\0FastMCP_server"), MCP_ARGV_NAME);
	assert_int_equal(HINT("node\0/opt/x/.bin/mcp-server-everything\0stdio"), MCP_ARGV_NAME);
	assert_int_equal(HINT("python3\0server.py"), 0);
	/* Words, not substrings: ourselves, or a path that merely contains the letters. */
	assert_int_equal(HINT("/usr/bin/mcpwarden\0run\0--\0python3\0server.py"), 0);
	assert_int_equal(HINT("python3\0/tmp/mcpwarden-test.x/jsonsrv.py"), 0);
	assert_int_equal(HINT("python3\0srv.py\0--name\0my-MCP-http"), MCP_ARGV_NAME);
}

static void cut_last_argument(void **state)
{
	(void)state;
	/* The kernel's copy may end inside an argument, with no NUL. */
	assert_int_equal(mcp_argv_hint("npx\0@modelcontextprotocol/ser", 30), MCP_ARGV_RUNNER | MCP_ARGV_NAME);
	assert_int_equal(mcp_argv_hint("npx\0mc", 6), MCP_ARGV_RUNNER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(runners),
		cmocka_unit_test(runner_must_be_the_program),
		cmocka_unit_test(names),
		cmocka_unit_test(cut_last_argument),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
