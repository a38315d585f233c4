#!/usr/bin/env bash
# test_shim_held.sh: a server runs at most 4 calls at once under the daemon (its root carries each call's id); the
# shim holds the calls past those, in order, and forwards each when one ends, rather than refusing it. Seven
# sandboxed calls sent at once, the sixth cancelled while held, then the client's EOF: the other six are answered
# (the held ones after the first ones end), none refused, the cancelled one never reaches the server as a call.
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"

start_daemon
printf 'version: "1"\ndefault: allow\ntools:\n  fixture_sleep:\n    sandbox:\n      exec:\n        deny: [/usr/bin/touch]\n' \
	>"$TMP/policy.yaml"
{
	echo "$INIT"
	echo "#wait 0"
	echo "$INITIALIZED"
	for i in 1 2 3 4 5 6; do
		echo '{"jsonrpc":"2.0","id":'$i',"method":"tools/call","params":{"name":"fixture_sleep","arguments":{"seconds":0.3}}}'
	done
	echo '{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":6}}'
	echo '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"fixture_sleep","arguments":{"seconds":0.3}}}'
} >"$TMP/script"
raw "$TMP/script" "$MCPWARDEN" run --socket "$SOCK" --policy "$TMP/policy.yaml" --audit "$TMP/decisions" \
	-- /usr/bin/python3 "$FIXTURES/stellify_server.py"
cat "$TMP/out" "$TMP/err"
for i in 1 2 3 4 5 7; do
	assert_contains "$(reply $i)" '"text": "slept"' "call $i is answered by the server"
done
assert_eq "$(reply 6)" "" "the call cancelled while held gets no answer"
assert_not_contains "$(cat "$TMP/out")" "mcpwarden policy denied" "no call is refused"
python3 - "$TMP/decisions" <<'PY' || fail "decision log (see above)"
import json, sys
allowed = [r for r in map(json.loads, open(sys.argv[1])) if r.get("kind") == "decision" and r.get("decision") == "allow"]
print("calls started with the daemon:", [r["id"] for r in allowed])
sys.exit(0 if [r["id"] for r in allowed] == [1, 2, 3, 4, 5, 7] and all(r.get("call") for r in allowed) else 1)
PY
pass "calls past the server's 4 wait in the shim and go on in order; a cancelled one is dropped"
