#!/usr/bin/env bash
# The shim and the daemon as faults happen: without a daemon the shim enforces and warns
# once; when the daemon is killed and restarted, the shim reconnects and re-registers its
# server, which keeps working throughout; its processes are attributed again afterwards; a daemon
# started after the shim takes the server then.
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"
cat > "$TMP/policy.yaml" <<'YAML'
version: "1"
tools:
  run_python_code:
    rules:
      - {name: no-rm, action: deny, conditions: [{path: args.code, op: contains, value: "rm -rf"}]}
YAML
call() { echo '{"jsonrpc":"2.0","id":'"$1"',"method":"tools/call","params":{"name":"run_python_code","arguments":{"code":"'"$2"'"}}}'; echo "#wait $1"; }

# 1. No daemon: policy still enforced, one warning.
{
	echo "$INIT"; echo "#wait 0"; echo "$INITIALIZED"
	call 1 "print(1)"; call 2 "import os; os.system('rm -rf /nonexistent')"; call 3 "print(3)"
} > "$TMP/script"
raw "$TMP/script" "$MCPWARDEN" run --socket "$TMP/absent.sock" --policy "$TMP/policy.yaml" -- python3 "$FIXTURES/shibing624_server.py"
assert_contains "$(reply 1)" '1\n' "works without a daemon"
assert_contains "$(reply 2)" '"rule": "no-rm"' "policy enforced without a daemon"
assert_eq "$(grep -c 'no daemon at' "$TMP/err")" 1 "warned exactly once"

# 2. Daemon killed and restarted mid-session. The client script waits on files that this
# shell creates once it has killed, then restarted, the daemon.
step() { echo "#sh touch $TMP/$1; while [ ! -e $TMP/$1.done ]; do sleep 0.1; done"; }
await() { for _ in $(seq 200); do [ -e "$TMP/$1" ] && return 0; sleep 0.1; done; fail "client never reached $1"; }
start_daemon
{
	echo "$INIT"; echo "#wait 0"; echo "$INITIALIZED"
	call 1 "print(1)"
	step kill
	call 2 "print(2)"
	call 3 "import os; os.system('rm -rf /nonexistent')"
	step restart
	echo "#sleep 2.5"
	call 4 "import subprocess; subprocess.run(['/bin/true', 'after-restart'])"
} > "$TMP/script"
raw "$TMP/script" "$MCPWARDEN" run --socket "$SOCK" --audit "$TMP/audit.jsonl" --policy "$TMP/policy.yaml" \
	-- python3 "$FIXTURES/shibing624_server.py" &
client=$!
await kill
kill -KILL "$daemon_pid"; wait "$daemon_pid" 2>/dev/null; daemon_pid=
touch "$TMP/kill.done"
await restart
start_daemon	# on the stale socket the killed daemon left
follow_events "$TMP/events"
touch "$TMP/restart.done"
wait "$client"
stop_follow
cat "$TMP/out" "$TMP/err"
assert_contains "$(reply 1)" '1\n' "call before the kill ran"
assert_contains "$(reply 2)" '2\n' "server kept working while the daemon was down"
assert_contains "$(reply 3)" '"rule": "no-rm"' "policy enforced while the daemon was down"
assert_contains "$(reply 4)" '"isError": false' "call after the restart ran"
assert_contains "$(cat "$TMP/err")" "went away" "the shim noticed the daemon leaving"
assert_contains "$(cat "$TMP/err")" "is back: server resumed" "the shim reconnected and took its server back"
# attributed EVENTS AUDIT MARK: the exec whose argv holds MARK carries the server id and the call of the shim's
# last allowed call, and that server id never changed.
attributed() {
	python3 - "$@" <<'PY'
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
dec = [json.loads(l) for l in open(sys.argv[2]) if '"decision":"allow"' in l]
last = dec[-1]
if len({d["server_id"] for d in dec if "server_id" in d}) != 1:
    print("the server id changed:", dec); sys.exit(1)
hits = [e for e in evs if e["type"] == "exec" and sys.argv[3] in e.get("argv", [])]
print(last, hits)
ok = hits and hits[0]["server_id"] == last["server_id"] and last["call"] in hits[0]["calls"]
sys.exit(0 if ok else 1)
PY
}
attributed "$TMP/events" "$TMP/audit.jsonl" after-restart || fail "processes after the restart are attributed"
pass "after the restart, the call's exec carries the same server id and the call"

# 3. The daemon starts after the shim: no daemon saw what the server forked before it came (a setsid worker
# would be outside every rule), so the shim restarts the server under it, replaying the handshake, and the
# next call's processes are attributed to it.
stop_daemon || fail "daemon exit status"
rm -f "$TMP/audit.jsonl" "$TMP/events"
{
	echo "$INIT"; echo "#wait 0"; echo "$INITIALIZED"
	call 1 "print(1)"
	step late
	echo "#sh for i in \$(seq $(slow 200)); do grep -q 'restarted as pid' $TMP/err && break; sleep 0.1; done"
	call 2 "import subprocess; subprocess.run(['/bin/true', 'late-daemon'])"
} > "$TMP/script"
raw "$TMP/script" "$MCPWARDEN" run --socket "$SOCK" --audit "$TMP/audit.jsonl" --policy "$TMP/policy.yaml" \
	-- python3 "$FIXTURES/shibing624_server.py" &
client=$!
await late
start_daemon
follow_events "$TMP/events"
touch "$TMP/late.done"
wait "$client"
stop_follow
cat "$TMP/err"
assert_contains "$(reply 1)" '1\n' "the server ran before any daemon"
assert_contains "$(cat "$TMP/err")" "ran without one: what it started meanwhile is outside the daemon's view" \
	"the shim says why it restarts the server"
assert_contains "$(cat "$TMP/err")" "restarted as pid" "the server was restarted under the daemon"
assert_contains "$(reply 2)" '"isError": false' "the call after the daemon came ran"
attributed "$TMP/events" "$TMP/audit.jsonl" late-daemon || fail "a call after a late daemon is attributed"
pass "a daemon started after the shim restarts the server under it: the next call's exec carries it and the call"
