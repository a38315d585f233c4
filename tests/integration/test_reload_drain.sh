#!/usr/bin/env bash
# test_reload_drain.sh: a reload that tightens the server-level sandbox while a call runs. The daemon keeps the
# new server-level rules waiting for the running calls (they were started under the old ones); a call that
# comes meanwhile waits in the shim until they end, then starts under the new rules: its denied exec is denied.
# Before, it started at once under the old server-level rules, and a stream of calls kept the new ones out.
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"

start_daemon
printf 'version: "1"\ndefault: allow\n' >"$TMP/policy.yaml"
printf 'version: "1"\ndefault: allow\nsandbox:\n  exec: {deny: [/usr/bin/touch]}\n' >"$TMP/tight.yaml"
long=$(python3 -c 'import json,sys; print(json.dumps({"name":"execute_python_code","arguments":{"code": sys.argv[1]}}))' \
	"import os, time
open('$TMP/started', 'w').close()
while not os.path.exists('$TMP/go'): time.sleep(0.05)
print('first done')")
# touch_call FILE: a call that runs touch FILE and says how it went.
touch_call() {
	python3 -c 'import json,sys; print(json.dumps({"name":"execute_python_code","arguments":{"code": sys.argv[1]}}))' \
		"import subprocess
try:
    print('touch rc', subprocess.run(['/usr/bin/touch', '$1']).returncode)
except OSError as e:
    print('touch errno', e.errno)"
}
second=$(touch_call "$TMP/ran")
cat >"$TMP/script" <<EOF
$INIT
$INITIALIZED
#sleep 0.5
{"jsonrpc":"2.0","id":1,"method":"tools/call","params":$long}
#sh while [ ! -f $TMP/started ]; do sleep 0.05; done
#sh cp $TMP/tight.yaml $TMP/policy.yaml
#signal HUP
#sleep 0.5
{"jsonrpc":"2.0","id":2,"method":"tools/call","params":$second}
[{"jsonrpc":"2.0","id":3,"method":"tools/call","params":$(touch_call "$TMP/ran3")}]
#wait 3
#sleep 1
#sh touch $TMP/go
#wait 1
#wait 2
EOF
raw "$TMP/script" "$MCPWARDEN" run --socket "$SOCK" --policy "$TMP/policy.yaml" -- python3 "$FIXTURES/sandbox_server.py"
cat "$TMP/out" "$TMP/err"
assert_contains "$(reply 1)" "first done" "the running call ends as it began"
[ -e "$TMP/ran" ] && fail "the call that came after the reload ran touch: it started under the old server-level rules"
assert_contains "$(cat "$TMP/err")" "new calls wait for the 1 running ones" "the shim holds the call that came after the reload"
grep -Eq 'touch (rc -9|errno 1)' <<<"$(reply 2)" || fail "the call after the reload: $(reply 2)"
pass "it ran once the first ended, under the reloaded rules: touch was denied"
assert_contains "$(reply 3)" "can't wait in the shim" "a call in a batch, which can't be held, is refused meanwhile"
[ -e "$TMP/ran3" ] && fail "the batched call ran touch under the old server-level rules"

# A call that does not end can't keep the reloaded rules out for ever: past 30 s, the held calls are refused.
printf 'version: "1"\ndefault: allow\n' >"$TMP/policy.yaml"
cat >"$TMP/script" <<EOF
$INIT
$INITIALIZED
#sleep 0.5
{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"fixture_sleep","arguments":{"seconds":$(slow 36)}}}
#sleep 1
#sh cp $TMP/tight.yaml $TMP/policy.yaml
#signal HUP
#sleep 0.5
{"jsonrpc":"2.0","id":4,"method":"tools/call","params":$(touch_call "$TMP/ran4")}
#sh sleep $(slow 32)
#wait 4
#sh sleep $(slow 4)
#wait 1
EOF
raw "$TMP/script" "$MCPWARDEN" run --socket "$SOCK" --policy "$TMP/policy.yaml" -- python3 "$FIXTURES/sandbox_server.py"
cat "$TMP/out"
assert_contains "$(reply 4)" "has waited more than 30 s for 1 running call" "a call held past 30 s is refused, naming the wait"
[ -e "$TMP/ran4" ] && fail "the call held past 30 s ran"
assert_contains "$(reply 1)" "slept" "the running call still ends as it began"
