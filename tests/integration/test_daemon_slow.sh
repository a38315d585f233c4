#!/usr/bin/env bash
# test_daemon_slow.sh: a daemon too slow to ack in time (here stopped for 2 s) does not break the session. The
# shim refuses the sandboxed call it could not get acked (and says how long it waited), takes the daemon for
# gone, connects again and resumes its server once the daemon answers: the call that was running goes on to
# its end under its rules (its denied execs stay denied), the daemon ends the call it acked to no one, and the
# next call, right after the resume, runs (the refused call's id is spent: the daemon may have started it).
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"

test_cleanup() { [ -n "${daemon_pid:-}" ] && kill -CONT "$daemon_pid" 2>/dev/null; return 0; }
start_daemon
cat >"$TMP/policy.yaml" <<EOF
version: "1"
default: allow
tools:
  execute_python_code:
    timeout: 60s
    sandbox:
      exec: {deny: [/usr/bin/id]}
EOF
code="import os, subprocess, time
out = open('$TMP/attempts', 'a')
end = time.time() + $(slow 30)
while time.time() < end and not os.path.exists('$TMP/stop'):
    try:
        rc = subprocess.run(['/usr/bin/id'], capture_output=True).returncode
        ex = 'ok' if rc == 0 else 'rc%d' % rc
    except OSError as e:
        ex = 'errno%d' % e.errno
    out.write(ex + '\n'); out.flush()
    time.sleep(0.2)
print('done')"
long=$(python3 -c 'import json,sys; print(json.dumps({"name":"execute_python_code","arguments":{"code": sys.argv[1]}}))' "$code")
short='{"name":"execute_python_code","arguments":{"code":"print(1)"}}'
cat >"$TMP/script" <<EOF
$INIT
$INITIALIZED
#sleep 0.5
{"jsonrpc":"2.0","id":5,"method":"tools/call","params":$long}
#sh for i in \$(seq 100); do [ -s $TMP/attempts ] && break; sleep 0.1; done
#sh kill -STOP $daemon_pid
{"jsonrpc":"2.0","id":6,"method":"tools/call","params":$short}
#wait 6
#sh sleep 2; kill -CONT $daemon_pid
#sh for i in \$(seq 200); do grep -q 'is back' $TMP/err && break; sleep 0.1; done
{"jsonrpc":"2.0","id":7,"method":"tools/call","params":$short}
#sh sleep 1; touch $TMP/stop
#wait 5
#wait 7
#sh $MCPWARDEN ps --json --socket $SOCK >$TMP/ps.json
EOF
raw "$TMP/script" "$MCPWARDEN" run --socket "$SOCK" --daemon-timeout 500 --policy "$TMP/policy.yaml" \
	-- python3 "$FIXTURES/sandbox_server.py"
cat "$TMP/out" "$TMP/err"
assert_contains "$(reply 6)" "500 ms" "the call the stopped daemon could not ack is refused, naming the wait"
assert_contains "$(cat "$TMP/err")" "is back: server resumed" "the shim resumes its server once the daemon answers"
assert_contains "$(reply 5)" "done" "the running call goes on to its end"
assert_not_contains "$(reply 7)" "denied" "a call right after the resume is not refused (the unacked call's id is not used again)"
assert_contains "$(reply 7)" '1\n' "and it runs"
assert_not_contains "$(cat "$TMP/attempts")" "ok" "none of its denied execs ran, before, during or after"
grep -q "refused to resume" "$DAEMON_LOG" && fail "the daemon refused the resume: $(grep 'refused to resume' "$DAEMON_LOG")"
python3 - "$TMP/ps.json" <<'PY' || fail "ps while the session ran: $(cat "$TMP/ps.json")"
import json, sys
servers = json.load(open(sys.argv[1]))["servers"]
print("calls:", [(c["call"], c["ended"]) for s in servers for c in s["calls"]])
sys.exit(not servers or any(not c["ended"] for s in servers for c in s["calls"]))
PY
pass "no call is left running in the daemon: the one it acked to no one ended"
