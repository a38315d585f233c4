#!/usr/bin/env bash
# What a daemon restart leaves to the next daemon is finished, not forgotten:
# 1) a call with `on_end: kill` that ends while the daemon is away (its reply passes the shim with no daemon)
#    has what it left running (a setsid'd grandchild) killed once the shim resumes its server, and leaves the
#    active sets of every process of the server's own (here the python server under `sh -c`), not only the root's;
# 2) a server whose shim is gone by the time a daemon comes back is adopted, then forgotten once its cgroup is
#    empty, and the rule sets the kernel held for it (the server's and its call's) leave the pinned maps.
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"

leftover=
test_cleanup() {
	touch "$TMP/done" "$TMP/go"	# the raw client's waits end, before $TMP goes
	[ -n "$leftover" ] && kill -9 "$leftover" 2>/dev/null
	[ -n "${rc_pid:-}" ] && kill "$rc_pid" 2>/dev/null
	pkill -f "while \\[ ! -f $TMP/done \\]" 2>/dev/null	# the script's wait, should $TMP go before it looks again
	return 0
}
# raw_session SCRIPT POLICY: the raw client through the shim and the mcp-sandbox fixture (a child of `sh -c`,
# which stays its root), in the background.
raw_session() {
	PYTHONPATH=$FIXTURES python3 "$NODE_DIR/rawclient.py" "$1" "$TMP/err" -- "$MCPWARDEN" run --socket "$SOCK" \
		--policy "$2" --audit "$TMP/decisions" -- sh -c 'python3 "$0"; exit $?' "$FIXTURES/sandbox_server.py" \
		>"$TMP/out" &
	rc_pid=$!
}
dargs=(--audit-dir "$TMP/audit" --audit-fsync-ms 0)
restart_after() {	# kills the daemon, runs "$@" while it is away, starts it again
	kill -KILL "$daemon_pid"; wait "$daemon_pid" 2>/dev/null; daemon_pid=
	"$@"
	start_daemon "${dargs[@]}"
}

# 1) on_end: kill across the gap.
cat >"$TMP/on_end.yaml" <<EOF
version: "1"
default: allow
tools:
  execute_python_code:
    timeout: 60s
    sandbox:
      on_end: kill
EOF
code="import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        null = os.open('/dev/null', os.O_RDWR)
        for fd in (0, 1, 2): os.dup2(null, fd)
        open('$TMP/leftover.pid', 'w').write(str(os.getpid()))
        time.sleep(300)
    os._exit(0)
while not os.path.exists('$TMP/go'): time.sleep(0.05)
print('returning')"
args=$(python3 -c 'import json,sys; print(json.dumps({"name":"execute_python_code","arguments":{"code": sys.argv[1]}}))' "$code")
cat >"$TMP/script" <<EOF
$INIT
$INITIALIZED
#sleep 1
{"jsonrpc":"2.0","id":5,"method":"tools/call","params":$args}
#wait 5
#sh while [ ! -f $TMP/done ]; do sleep 0.1; done
{"jsonrpc":"2.0","id":6,"method":"tools/list"}
#wait 6
EOF
start_daemon "${dargs[@]}"
raw_session "$TMP/script" "$TMP/on_end.yaml"
for _ in $(seq "$(slow 100)"); do [ -s "$TMP/leftover.pid" ] && break; sleep 0.1; done
leftover=$(cat "$TMP/leftover.pid") || fail "the call left nothing running"
ended() { grep -q '"kind":"call_end"' "$TMP/decisions" 2>/dev/null; }
call_over() { touch "$TMP/go"; for _ in $(seq "$(slow 100)"); do ended && break; sleep 0.1; done; }
restart_after call_over
ended || fail "the call's reply did not come while the daemon was away"
for _ in $(seq "$(slow 100)"); do grep -q 'is back: server resumed' "$TMP/err" && break; sleep 0.1; done
for _ in $(seq "$(slow 50)"); do kill -0 "$leftover" 2>/dev/null || break; sleep 0.1; done
kill -0 "$leftover" 2>/dev/null && fail "the call's leftover $leftover lives after the resume (on_end: kill)"
leftover=
# calls_of PID: the call ids PID's entry of the pinned lineage map carries.
calls_of() {
	bpftool -j map lookup pinned "$PIN_DIR"/g*/maps/tracked key $(python3 -c 'import struct,sys
print(" ".join(str(b) for b in struct.pack("<I", int(sys.argv[1]))))' "$1") | python3 -c 'import json,sys
v = json.load(sys.stdin)["formatted"]["value"]; print(v["calls"][:v["ncalls"]])'
}
worker=$(pgrep -f "^python3 $FIXTURES/sandbox_server.py") || fail "no python server under sh -c"
for _ in $(seq "$(slow 50)"); do [ "$(calls_of "$worker")" = "[]" ] && break; sleep 0.1; done
assert_eq "$(calls_of "$worker")" "[]" "the server's own process under sh -c carries no call that ended while no daemon ran"
touch "$TMP/done"; wait "$rc_pid"; rc_pid=
grep -q '"kind":"call_end".*ended while no daemon ran' "$TMP/audit"/seg-* || fail "no call_end record for the call"
pass "on_end: kill of a call that ended while the daemon was away runs at the resume"

# 2) A server nobody resumes.
rm -f "$TMP/done"
cat >"$TMP/sets.yaml" <<EOF
version: "1"
default: allow
sandbox:
  exec: {deny: [/usr/bin/whoami]}
tools:
  execute_python_code:
    timeout: 120s
    sandbox:
      exec: {deny: [/usr/bin/id]}
EOF
args=$(python3 -c 'import json,sys; print(json.dumps({"name":"execute_python_code","arguments":{"code": "import time; time.sleep(100)"}}))')
cat >"$TMP/script" <<EOF
$INIT
$INITIALIZED
#sleep 1
{"jsonrpc":"2.0","id":5,"method":"tools/call","params":$args}
#sh while [ ! -f $TMP/done ]; do sleep 0.1; done
EOF
# sets SERVER: the rule sets the pinned sb_rules holds for SERVER.
sets() {
	bpftool -j map dump pinned "$PIN_DIR"/g*/maps/sb_rules | python3 -c 'import json,sys
print(sorted(e["formatted"]["key"]["call"] for e in json.load(sys.stdin) if e["formatted"]["key"]["server_id"] == int(sys.argv[1])))' "$1"
}
raw_session "$TMP/script" "$TMP/sets.yaml"
sid=
for _ in $(seq "$(slow 100)"); do
	sid=$("$MCPWARDEN" ps --json --socket "$SOCK" | python3 -c 'import json,sys
print(max([s["server_id"] for s in json.load(sys.stdin)["servers"] if any(not c["ended"] for c in s["calls"])] or [""]))')
	[ -n "$sid" ] && break
	sleep 0.1
done
[ -n "$sid" ] || fail "the second server's call did not start"
assert_eq "$(sets "$sid")" "[0, 1]" "the kernel holds the server's set and its call's"
cg=$(ls -d "$CGROUP2"/mcpwarden/"$sid"-*)
gone() { kill -KILL "$(pgrep -f "mcpwarden run --socket $SOCK --policy $TMP/sets.yaml")"; echo 1 >"$cg/cgroup.kill"; sleep 0.5; }
restart_after gone
for _ in $(seq "$(slow 100)"); do grep -q "server $sid .*removed empty cgroup" "$DAEMON_LOG" && break; sleep 0.1; done
grep -q "server $sid .*removed empty cgroup" "$DAEMON_LOG" || fail "the unresumed server's cgroup was not removed"
assert_eq "$(sets "$sid")" "[]" "its rule sets left the kernel with it"
touch "$TMP/done"; wait "$rc_pid" 2>/dev/null; rc_pid=
pass "a server nobody resumes takes every rule set the kernel held for it when it goes"
