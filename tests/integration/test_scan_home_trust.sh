#!/usr/bin/env bash
# test_scan_home_trust.sh: what root's `scan --wrap` trusts, after an attacker's review. A --home given
# through a user's link, or a root-owned directory that is not root's home, is refused (before, the scan
# acted in and as whoever the link chose, or as root). The per-home child really is the user: a config in
# nobody's home that only root may read is left alone (before, with the drop removed, it was rewritten by
# root). A VS Code line comment ended by a lone CR, which VS Code reads as a line end and the scan did not,
# is refused, so no `"command"` hides behind it. Names from a user's files reach root's terminal without control bytes.
source "$(dirname "$0")/../lib.sh"
require_root
chmod 0711 "$TMP"
H=$TMP/home
mkdir -p "$H/.cursor" "$H/.config/Code/User" "$TMP/shared/bobproj"
printf '{"mcpServers": {"c": {"command": "npx", "args": ["c"]}}}\n' > "$H/.cursor/mcp.json"
chown -R nobody: "$H"
chmod 1777 "$TMP/shared"
ln -s "$TMP/shared" "$H/work"
printf '{"projects": {"%s/bobproj": {}}}\n' "$TMP/shared" > "$TMP/shared/.claude.json"
printf '{"mcpServers": {"b": {"command": "node", "args": ["b.js"]}}}\n' > "$TMP/shared/bobproj/.mcp.json"
cp "$TMP/shared/bobproj/.mcp.json" "$TMP/bob.orig"

# 1. --home through a link, and a root-owned directory.
rc=0
"$MCPWARDEN" scan --wrap --home "$H/work" >"$TMP/out" 2>&1 || rc=$?
[ "$rc" -ne 0 ] || fail "--home through a link was scanned: $(cat "$TMP/out")"
assert_contains "$(cat "$TMP/out")" "not the directory's own path" "--home through a link is refused, saying why"
rc=0
"$MCPWARDEN" scan --wrap --home "$TMP/shared" >"$TMP/out" 2>&1 || rc=$?
[ "$rc" -ne 0 ] || fail "a root-owned --home was scanned: $(cat "$TMP/out")"
assert_contains "$(cat "$TMP/out")" "owned by root but not root's home" "a root-owned --home is refused, saying why"
cmp -s "$TMP/shared/bobproj/.mcp.json" "$TMP/bob.orig" || fail "another user's project config was rewritten"
[ ! -e "$TMP/shared/bobproj/.mcp.json.mcpwarden.bak" ] || fail "a backup was left in another user's project"
pass "nothing outside the refused homes changed"

# 2. The child is the user: a root-only config in nobody's home stays as it is.
printf '{"servers": {"v": {"command": "uvx", "args": ["v"]}}}\n' > "$H/.config/Code/User/mcp.json"
chown root:root "$H/.config/Code/User/mcp.json"
chmod 0600 "$H/.config/Code/User/mcp.json"
cp "$H/.config/Code/User/mcp.json" "$TMP/v.orig"
"$MCPWARDEN" scan --wrap --home "$H" >"$TMP/out" 2>&1 || true
cmp -s "$H/.config/Code/User/mcp.json" "$TMP/v.orig" || fail "a config only root may read was rewritten: $(cat "$TMP/out")"
grep -q '"args": \["run"' "$H/.cursor/mcp.json" || grep -q 'mcpwarden' "$H/.cursor/mcp.json" ||
	fail "nobody's own config was not wrapped: $(cat "$TMP/out")"
pass "the scan acts as the home's user: what only root may read is left alone, the user's own is wrapped"
"$MCPWARDEN" scan --unwrap --home "$H" >/dev/null 2>&1 || true

# 3. A line comment ended by a lone CR.
printf '{"servers": {"s": {"command": "safe", "args": ["x"] // note\r, "command": "evil"}}}\n' \
	> "$H/.config/Code/User/mcp.json"
chown nobody: "$H/.config/Code/User/mcp.json"
cp "$H/.config/Code/User/mcp.json" "$TMP/cr.orig"
"$MCPWARDEN" scan --wrap --home "$H" >"$TMP/out" 2>&1 || true
cmp -s "$H/.config/Code/User/mcp.json" "$TMP/cr.orig" || fail "the ambiguous config was rewritten: $(cat "$TMP/out")"
assert_contains "$(cat "$TMP/out")" "U+2028" "the ambiguous line comment is refused, with the reason"

# 4. Names from a user's files reach root's terminal without control bytes: no escapes, no forged lines.
printf '{"projects": {"/nowhere/p\\u001b[2J\\n/home/x/.claude.json: wrapped 3 server(s)": {}},\n "mcpServers": {"e\\u001b]0;x\\u0007": {"command": "a\\u001bb", "args": ["c\\nd"]}}}\n' \
	> "$H/.claude.json"
chown nobody: "$H/.claude.json"
"$MCPWARDEN" scan --home "$H" >"$TMP/out" 2>&1 || true
grep -q $'\x1b' "$TMP/out" && fail "an escape byte from a user's config reached the output: $(cat -v "$TMP/out")"
grep -q '^/home/x/.claude.json: wrapped' "$TMP/out" && fail "a forged line reached the output: $(cat -v "$TMP/out")"
grep -q '2J' "$TMP/out" || fail "the project key was not shown at all: $(cat -v "$TMP/out")"
pass "a user's names are shown with their control bytes as '?'"
