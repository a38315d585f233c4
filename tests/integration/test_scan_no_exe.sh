#!/usr/bin/env bash
# test_scan_no_exe.sh: when this mcpwarden's own path can't be read (/proc/self/exe), scan counts no entry as
# wrapped (an attacker's review, item 5). Before, the path it wanted was taken as a bare "mcpwarden", so an
# entry running whatever `mcpwarden` a PATH finds counted as wrapped. /proc is hidden by a tmpfs in a mount
# namespace of the scan's own. The sanitizers need /proc, so that scan is the plain build's.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../e2e/scan_home.sh"
require_root
plain=$TOP/build/mcpwarden
[ -x "$plain" ] || fail "$plain is not built (make builds it)"
H=$TMP/home
mkdir -p "$H/.cursor"
echo '{"mcpServers": {"s": {"command": "mcpwarden", "args": ["run", "--name", "s", "--", "node", "s.js"]}}}' \
	> "$H/.cursor/mcp.json"
mcpw_scan --home "$H" > /dev/null 2>&1	# the home becomes nobody's
unshare -m --propagation private sh -c 'mount -t tmpfs none /proc && exec "$0" scan --json --home "$1"' \
	"$plain" "$H" > "$TMP/out" 2> "$TMP/err"
cat "$TMP/out" "$TMP/err"
assert_contains "$(cat "$TMP/out")" '"name":"s"' "the entry is listed"
assert_contains "$(cat "$TMP/out")" '"wrapped_in_config":false,"not_wrapped_because":"the path of this mcpwarden (/proc/self/exe) could not be read' "a bare mcpwarden is not counted as wrapped"
