#!/usr/bin/env bash
# Kernel sandbox, fail closed: a shim whose daemon enforced its tool's sandbox, and then went away
# (stopped, crashed, or made to stop answering), refuses that tool's calls until the daemon is
# back, instead of running them without rules. Then the session goes on with the new daemon.
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"

start_daemon
call='{"name":"run_python_code","arguments":{"code":"print(\"ran under the sandbox\")"}}'
(cd "$NODE_DIR" && CALLS="[$call, {\"sleep_ms\": 3000}, $call, {\"sleep_ms\": 5000}, $call]" timeout 60 \
	node client.mjs calls -- "$MCPWARDEN" run --socket "$SOCK" \
	--policy "$TOP/policies/shibing624-run-python-code.yaml" -- python3 "$FIXTURES/shibing624_server.py" \
	>"$TMP/out" 2>&1) &
client=$!
sleep 2.5
stop_daemon || fail "the daemon did not stop cleanly"
sleep 3
start_daemon
wait "$client" || { cat "$TMP/out"; fail "client session failed"; }
cat "$TMP/out"
assert_contains "$(grep '^result 0' "$TMP/out")" "ran under the sandbox" "with the daemon: the call runs"
assert_contains "$(grep '^result 2' "$TMP/out")" "no daemon enforces the tool's sandbox (" "daemon gone: the sandboxed call is refused"
assert_contains "$(grep '^result 2' "$TMP/out")" '"rule":"tools.run_python_code.sandbox"' "naming the sandbox"
assert_contains "$(grep '^result 4' "$TMP/out")" "ran under the sandbox" "daemon back: the session goes on"
pass "sandboxed calls wait for the daemon instead of running without rules"
