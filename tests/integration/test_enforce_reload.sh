#!/usr/bin/env bash
# Kernel sandbox, reload: a policy file rewritten under a running shim swaps the server's rules in the
# kernel too. An in-process connect is refused under the first file, goes through once the
# file allows it, a broken file written afterwards changes nothing (the last good rules hold), and
# a file without a sandbox block takes the server's rules away.
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"

python3 -c 'import socket
s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(8); print(s.getsockname()[1], flush=True)
while True: s.accept()[0].close()' >"$TMP/port" &
listener=$!
test_cleanup() { kill "$listener" 2>/dev/null; }
for _ in $(seq 50); do [ -s "$TMP/port" ] && break; sleep 0.1; done
port=$(cat "$TMP/port")
policy() {	# policy egress|none: the server-level rule (none: no sandbox block), written in place
	if [ "$1" = none ]; then
		printf 'version: "1"\ndefault: allow\n' >"$TMP/policy.tmp"
	else
		printf 'version: "1"\ndefault: allow\nsandbox:\n  network:\n    egress: %s\n' "$1" >"$TMP/policy.tmp"
	fi
	mv "$TMP/policy.tmp" "$TMP/policy.yaml"
}
policy deny
start_daemon
call="{\"name\":\"run_python_code\",\"arguments\":{\"code\":\"import socket\\nsocket.create_connection(('127.0.0.1', $port)).close()\\nprint('connected')\"}}"
(cd "$NODE_DIR" && CALLS="[$call, {\"sleep_ms\": 2500}, $call, {\"sleep_ms\": 2500}, $call, {\"sleep_ms\": 2500}, $call,
	{\"sleep_ms\": 2500}, $call]" timeout 60 \
	node client.mjs calls -- "$MCPWARDEN" run --socket "$SOCK" --policy "$TMP/policy.yaml" \
	-- python3 "$FIXTURES/shibing624_server.py" >"$TMP/out" 2>&1) &
client=$!
sleep 2.5
psj=$("$MCPWARDEN" ps --json --socket "$SOCK")
policy allow
sleep 2.5
echo 'version: "1"
sandbox: {network: {egress: sometimes}}' >"$TMP/policy.yaml"	# invalid: the shim and the daemon keep the last good rules
sleep 2.5
policy deny
sleep 2.5
policy none	# no sandbox block: the server's rules leave the kernel
wait "$client" || { cat "$TMP/out"; fail "client session failed"; }
cat "$TMP/out"
python3 -c 'import json,sys; s = json.loads(sys.argv[1])["servers"]; sys.exit(0 if any(x["sandbox"] for x in s) else 1)' \
	"$psj" || fail "ps --json does not show the server's sandbox: $psj"
assert_contains "$(grep '^result 0' "$TMP/out")" "sandbox.network.egress" "egress deny: refused"
assert_contains "$(grep '^result 2' "$TMP/out")" "connected" "after the reload to egress allow: connects"
assert_contains "$(grep '^result 4' "$TMP/out")" "connected" "an invalid file keeps the last good rules"
assert_contains "$(grep '^result 6' "$TMP/out")" "sandbox.network.egress" "egress deny again: refused"
assert_contains "$(grep '^result 8' "$TMP/out")" "connected" "a policy without a sandbox takes the rules away"
pass "a reloaded policy swaps the kernel's rules; a broken one changes nothing"
