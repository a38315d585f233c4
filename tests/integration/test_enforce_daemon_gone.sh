#!/usr/bin/env bash
# Kernel sandbox, fail closed: a shim whose daemon enforced its tool's sandbox, and then went away
# (stopped, crashed, or made to stop answering), refuses that tool's calls until the daemon is
# back, instead of running them without rules. Then the session goes on with the new daemon. The
# same holds for a server-level sandbox: while the daemon is away, every call is refused.
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"

call='{"name":"run_python_code","arguments":{"code":"print(\"ran under the sandbox\")"}}'
# session POLICY: three calls through the shim, the daemon stopped for the second.
session() {
	start_daemon
	rm -f "$TMP/gone" "$TMP/back" "$TMP/out"
	(cd "$NODE_DIR" && CALLS="[$call, {\"wait_file\": \"$TMP/gone\"}, $call, {\"wait_file\": \"$TMP/back\"}, $call]" \
		timeout 90 node client.mjs calls -- "$MCPWARDEN" run --socket "$SOCK" \
		--policy "$1" -- python3 "$FIXTURES/shibing624_server.py" >"$TMP/out" 2>&1) &
	client=$!
	for _ in $(seq 300); do grep -q '^result 0' "$TMP/out" && break; sleep 0.1; done
	stop_daemon || fail "the daemon did not stop cleanly"
	for _ in $(seq 300); do grep -q 'went away' "$TMP/out" && break; sleep 0.1; done
	touch "$TMP/gone"
	for _ in $(seq 300); do grep -q '^result 2' "$TMP/out" && break; sleep 0.1; done
	start_daemon
	for _ in $(seq 300); do grep -q 'is back: server resumed' "$TMP/out" && break; sleep 0.1; done
	touch "$TMP/back"
	wait "$client" || { cat "$TMP/out"; fail "client session failed"; }
	cat "$TMP/out"
	stop_daemon || fail "the daemon did not stop cleanly"
}
cat >"$TMP/tool.yaml" <<'EOF'
version: "1"
default: deny
tools:
  run_python_code:
    sandbox:
      exec: {deny: ["*"]}
EOF
session "$TMP/tool.yaml"
assert_contains "$(grep '^result 0' "$TMP/out")" "ran under the sandbox" "with the daemon: the call runs"
assert_contains "$(grep '^result 2' "$TMP/out")" "no daemon enforces the tool's sandbox (" "daemon gone: the sandboxed call is refused"
assert_contains "$(grep '^result 2' "$TMP/out")" '"rule":"tools.run_python_code.sandbox"' "naming the sandbox"
assert_contains "$(grep '^result 4' "$TMP/out")" "ran under the sandbox" "daemon back: the session goes on"
pass "sandboxed calls wait for the daemon instead of running without rules"

cat >"$TMP/server.yaml" <<'EOF'
version: "1"
default: allow
sandbox:
  exec: {deny: [/usr/bin/id]}
EOF
session "$TMP/server.yaml"
assert_contains "$(grep '^result 0' "$TMP/out")" "ran under the sandbox" "server-level sandbox, with the daemon: the call runs"
assert_contains "$(grep '^result 2' "$TMP/out")" "no daemon enforces the server's sandbox (" "daemon gone: every call is refused"
assert_contains "$(grep '^result 2' "$TMP/out")" '"rule":"sandbox"' "naming the server's sandbox"
assert_contains "$(grep '^result 4' "$TMP/out")" "ran under the sandbox" "daemon back: the session goes on"
pass "a server-level sandbox holds calls back while the daemon is away"
