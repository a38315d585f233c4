#!/usr/bin/env bash
# A call's deadline passes while the daemon is away (killed mid-call): no daemon can kill the call's processes,
# so the shim kills the whole server through its cgroup (cgroup.kill), a setsid escapee included, says so,
# and audits it; the client gets its timeout, and the next sandboxed call is refused until a daemon is back.
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"

cat >"$TMP/policy.yaml" <<EOF
version: "1"
default: allow
tools:
  run-code:
    timeout: $(slow 4)s
    sandbox:
      exec: {deny: [/usr/bin/id]}
EOF
# A sleep length no other process on the host is likely to use: pgrep below looks host-wide.
secs=$((3000 + $$ % 5000))
tree="import os, subprocess, time
subprocess.Popen(['sh', '-c', 'sleep $secs & sleep $secs'])
if os.fork() == 0:          # a double-forked setsid escapee
    os.setsid()
    if os.fork() == 0:
        time.sleep(300)
    os._exit(0)
time.sleep(0.3)
open('$TMP/tree.pid', 'w').write(str(os.getpid()))
time.sleep(300)"
code_call() { python3 -c 'import json,sys; print(json.dumps({"name": "run-code", "arguments": {"code": sys.argv[1], "languageId": "python"}}))' "$1"; }
test_cleanup() { pkill -f "sleep $secs"; }

start_daemon
(cd "$NODE_DIR" && CALLS="[$(code_call "$tree"), $(code_call "print('after')")]" timeout "$(slow 90)" \
	node client.mjs calls -- "$MCPWARDEN" run --socket "$SOCK" --policy "$TMP/policy.yaml" --audit "$TMP/decisions" \
	-- node node_modules/mcp-server-code-runner/dist/cli.js >"$TMP/out" 2>&1) &
client=$!
for _ in $(seq "$(slow 200)"); do [ -s "$TMP/tree.pid" ] && break; sleep 0.1; done
[ -s "$TMP/tree.pid" ] || { cat "$TMP/out"; fail "the call's tree did not start"; }
[ -n "$(pgrep -f "sleep $secs")" ] || fail "the call's sleeps are not running"
kill -KILL "$daemon_pid"
wait "$daemon_pid" 2>/dev/null
daemon_pid=
wait "$client" || { cat "$TMP/out"; fail "client session failed"; }
out=$(cat "$TMP/out")
echo "$out"
assert_contains "$out" "timed out after" "the call timed out"
assert_contains "$out" "a call's deadline passed while no daemon could kill its processes: killing server" \
	"the shim says it kills the server itself"
assert_contains "$out" "(its cgroup)" "through its cgroup"
assert_contains "$out" "no daemon enforces the tool's sandbox" "the next sandboxed call waits for a daemon"
assert_contains "$(cat "$TMP/decisions")" '"kind":"server_kill"' "the kill is in the decision log"
sleep "$(slow 0.3)"
left=$(pgrep -f "sleep $secs" || true)
[ -z "$left" ] || { ps -o pid,ppid,sid,cmd -p $left; fail "processes of the timed-out call are alive: $left"; }
pass "a deadline with the daemon away kills the call's whole tree, a setsid escapee included"
