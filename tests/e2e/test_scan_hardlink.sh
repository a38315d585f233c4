#!/usr/bin/env bash
# E2E: a config hard-linked at two clients' paths is read as each (an attacker's review, item 1). Before, the
# file was skipped the second time by its device and inode whatever its key, so one linked at Cursor's path
# (read for "mcpServers", empty) and VS Code's (read for "servers", holding "evil") hid "evil" from scan and
# from --wrap.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/scan_home.sh"
H=$TMP/home
mkdir -p "$H/.cursor" "$H/.config/Code/User"
echo '{"mcpServers": {}, "servers": {"evil": {"command": "node", "args": ["evil.js"]}}}' > "$H/.cursor/mcp.json"
ln "$H/.cursor/mcp.json" "$H/.config/Code/User/mcp.json"
mcpw_scan --json --home "$H" > "$TMP/out" 2> "$TMP/err" || fail "scan failed: $(cat "$TMP/err")"
assert_contains "$(cat "$TMP/out")" '"client":"vscode","name":"evil"' "the VS Code view of a linked file is listed"
out=$(mcpw_scan --home "$H" --wrap) || fail "wrap failed"
assert_contains "$out" ".config/Code/User/mcp.json: wrapped 1 server(s)" "--wrap wraps it"
mcpw_scan --json --home "$H" > "$TMP/out"
assert_contains "$(grep '"evil"' "$TMP/out")" '"wrapped_in_config":true' "and scan sees it wrapped"

# Both views wrap: the first replaces the file at its name, and the other link, now a file of its own, is read
# and wrapped too.
rm -f "$H/.cursor/"* "$H/.config/Code/User/"*
echo '{"mcpServers": {"a": {"command": "node", "args": ["a.js"]}}, "servers": {"b": {"command": "node", "args": ["b.js"]}}}' \
	> "$H/.cursor/mcp.json"
ln "$H/.cursor/mcp.json" "$H/.config/Code/User/mcp.json"
mcpw_scan --home "$H" --wrap > /dev/null || fail "wrap of both views failed"
mcpw_scan --json --home "$H" > "$TMP/out"
assert_eq "$(grep -c '"wrapped_in_config":false' "$TMP/out")" 0 "every view's servers are wrapped: $(cat "$TMP/out")"
assert_eq "$(grep -c '"wrapped_in_config":true' "$TMP/out")" 2 "cursor's a and vscode's b"
