#!/usr/bin/env bash
# E2E: with a --policy-dir that has the server's NAME.yaml, a wrapper counts as wrapped only with exactly that
# --policy (an attacker's review, item 2). Before, a wrapper with no --policy stood: a user could delete the
# --policy words and still be counted as wrapped, and --wrap never added a policy made after the first wrap.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/scan_home.sh"
H=$TMP/home
P=$TMP/policies
mkdir -p "$H/.cursor" "$P"
echo '{"mcpServers": {"srv": {"command": "node", "args": ["srv.js"]}}}' > "$H/.cursor/mcp.json"
mcpw_scan --home "$H" --wrap --policy-dir "$P" > /dev/null || fail "the first wrap failed"
cp "$TOP/policies/server-everything.yaml" "$P/srv.yaml"	# a policy made after the wrap
mcpw_scan --json --home "$H" --policy-dir "$P" > "$TMP/out" 2> "$TMP/err"
assert_contains "$(cat "$TMP/out")" '"wrapped_in_config":false,"not_wrapped_because":"it has no --policy, and the --policy-dir has its NAME.yaml"' "a wrapper without the policy that exists is not counted"
assert_contains "$(cat "$TMP/err")" "server 'srv' is not counted as wrapped" "and scan says so"
out=$(mcpw_scan --home "$H" --wrap --policy-dir "$P" 2> "$TMP/err") || fail "the second wrap failed: $(cat "$TMP/err")"
assert_contains "$out" ".cursor/mcp.json: wrapped 1 server(s)" "--wrap writes the policy in"
mcpw_scan --json --home "$H" --policy-dir "$P" > "$TMP/out"
assert_contains "$(cat "$TMP/out")" '"--policy","'"$P"'/srv.yaml","--","node","srv.js"]' "now wrapped with it"
assert_contains "$(cat "$TMP/out")" '"wrapped_in_config":true' "and counted"
# The user deletes the --policy words: not counted any more.
sed -i 's|"--policy", *"[^"]*", *||' "$H/.cursor/mcp.json"
mcpw_scan --json --home "$H" --policy-dir "$P" > "$TMP/out" 2> /dev/null
assert_contains "$(cat "$TMP/out")" '"wrapped_in_config":false' "a wrapper whose --policy was deleted is not counted"

# A policy the home's user can't read is said (before, it was dropped without a word), and --wrap exits 1.
if [ "$(id -u)" = 0 ]; then
	echo '{"mcpServers": {"locked": {"command": "node", "args": ["l.js"]}}}' > "$H/.cursor/mcp.json"
	cp "$TOP/policies/server-everything.yaml" "$P/locked.yaml"
	chmod 0600 "$P/locked.yaml"
	chmod 0755 "$P"
	rc=0
	mcpw_scan --home "$H" --wrap --policy-dir "$P" > /dev/null 2> "$TMP/err" || rc=$?
	assert_eq "$rc" 1 "a wrap that could not give a policy exits 1"
	assert_contains "$(cat "$TMP/err")" "$P/locked.yaml: server 'locked': its policy can't be read as the home's user" "and says why"
fi
