#!/usr/bin/env bash
# test_enforce_on_end.sh: `on_end: kill` in a tool's sandbox: what a call leaves running (a double-forked,
# setsid process) is killed when the call ends, and the call's result says so; with `keep` (the default) it
# lives on under the call's rules. Python run by the real mcp-server-code-runner (SDK client, shim, daemon).
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"

start_daemon
code="import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        null = os.open('/dev/null', os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)	# let go of the call's pipes, as a daemon does
        open('$TMP/leftover.pid', 'w').write(str(os.getpid()))
        time.sleep(300)
    os._exit(0)
time.sleep(0.5)
print('left one behind')"
args=$(python3 -c 'import json,sys; print(json.dumps({"code": sys.argv[1], "languageId": "python"}))' "$code")
leftover=
test_cleanup() { [ -n "$leftover" ] && kill "$leftover" 2>/dev/null; }

# run END: one call under a tool sandbox with on_end END; prints the client's output.
run() {
	cat >"$TMP/policy.yaml" <<EOF2
version: "1"
default: allow
tools:
  run-code:
    timeout: 30s
    sandbox:
      on_end: $1
EOF2
	rm -f "$TMP/leftover.pid"
	(cd "$NODE_DIR" && TOOL=run-code ARGS=$args timeout 90 node client.mjs call -- "$MCPWARDEN" run --socket "$SOCK" \
		--policy "$TMP/policy.yaml" -- env PATH=/usr/bin:/bin node node_modules/mcp-server-code-runner/dist/cli.js 2>&1)
}

out=$(run kill)
echo "$out"
leftover=$(cat "$TMP/leftover.pid" 2>/dev/null)
[ -n "$leftover" ] || fail "the snippet left nothing behind"
for _ in $(seq 20); do kill -0 "$leftover" 2>/dev/null || break; sleep 0.1; done
kill -0 "$leftover" 2>/dev/null && fail "on_end: kill: the process the call left behind ($leftover) still runs"
pass "on_end: kill: what the call left running is dead once it ended"
assert_contains "$out" "tools.run-code.sandbox.on_end" "the result names the rule"
assert_contains "$out" "left running was killed: killed 1 processes" "the result says what was killed"

out=$(run keep)
leftover=$(cat "$TMP/leftover.pid" 2>/dev/null)
[ -n "$leftover" ] || fail "the snippet left nothing behind: $out"
sleep 0.5
kill -0 "$leftover" 2>/dev/null || fail "on_end: keep: the process the call left behind is gone"
assert_not_contains "$out" "sandbox.on_end" "on_end: keep: nothing is said"
pass "on_end: keep: it lives on"
