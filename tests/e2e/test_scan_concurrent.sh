#!/usr/bin/env bash
# E2E: a config another program writes while `scan --wrap` rewrites it (Claude Code rewrites ~/.claude.json
# as it runs) keeps that program's update (an attacker's review, L7). strace holds each fsync of the wrap for
# 2 s; while the new text's file waits beside the config, the test writes the config as Claude Code would (a
# new file renamed over it). The wrap reads the config again before its rename, sees it changed, and leaves it
# as the other program left it: nothing of the wrap stays (no new text, no backup), the file is named, and the
# wrap exits 1. Then a wrap with no one else writing goes through. Before, the rename put back the old text.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/scan_home.sh"
command -v strace >/dev/null || fail "strace is not installed (tools/install-deps.sh installs it)"
H=$TMP/home
mkdir -p "$H"
printf '{"numStartups": 1, "mcpServers": {"cc": {"command": "node", "args": ["cc.js"]}}}\n' > "$H/.claude.json"
mcpw_scan --home "$H" > /dev/null	# makes the home nobody's, as each scan of it as root does
# LeakSanitizer can't run under ptrace: the sanitizer build's leak check is off for this one run.
ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0 strace -f -qq -o /dev/null -e trace=fsync -e inject=fsync:delay_enter=2s \
	"$MCPWARDEN" scan --home "$H" --wrap > "$TMP/out" 2> "$TMP/err" &
scan=$!
for _ in $(seq 200); do
	compgen -G "$H/.claude.json.mcpwarden-??????" > /dev/null && break
	sleep 0.05
done
compgen -G "$H/.claude.json.mcpwarden-??????" > /dev/null || { kill $scan; fail "the wrap's new text never appeared beside the config"; }
# Claude Code's own update: a new file renamed over the config.
printf '{"numStartups": 2, "mcpServers": {"cc": {"command": "node", "args": ["cc.js"]}}}\n' > "$TMP/update"
chown nobody: "$TMP/update"
cp -p "$TMP/update" "$H/.claude.json.new" && mv "$H/.claude.json.new" "$H/.claude.json"
rc=0
wait $scan || rc=$?
cat "$TMP/out" "$TMP/err"
assert_eq "$rc" 1 "the wrap that met another writer exits 1"
cmp "$TMP/update" "$H/.claude.json" || fail "the other program's update was lost"
pass "the other program's update is kept"
assert_contains "$(cat "$TMP/err")" "$H/.claude.json: changed since it was read (another program wrote it): left as it is" "the file is named, with why"
[ -z "$(find "$H" -name '*.mcpwarden*')" ] || fail "the wrap left files: $(find "$H" -name '*.mcpwarden*')"
pass "nothing of the wrap is left: no new text, no backup"

mcpw_scan --home "$H" --wrap > "$TMP/out" || fail "the wrap with no one else writing failed"
assert_contains "$(cat "$TMP/out")" "$H/.claude.json: wrapped 1 server(s)" "then the wrap goes through"
cmp "$TMP/update" "$H/.claude.json.mcpwarden.bak" || fail "the backup is not the updated config"
pass "its backup is the config as the other program left it"
