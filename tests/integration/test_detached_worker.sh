#!/usr/bin/env bash
# A server whose startup forks a detached worker (setsid, double fork) that later runs the calls' commands:
# - with the daemon there first, the worker is tracked and the tool's exec deny holds in it;
# - with the daemon started after the shim, the server (and its worker) ran with no daemon to see them, so the
#   shim restarts it under the daemon: the old worker is killed (the shim is a subreaper: it adopted it), the new
#   one is tracked, and the deny holds in it;
# - with no daemon at all, a call's deadline kills the stuck server and, once it is reaped, what it left below
#   the shim, the detached worker included.
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"
W=$TMP/w
mkdir -p "$W"
export WORKER_DIR=$W
test_cleanup() {
	for f in "$W"/worker-*.pid; do [ -s "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null; done
	return 0
}
cat >"$TMP/policy.yaml" <<'YAML'
version: "1"
default: allow
tools:
  run:
    timeout: 4s
    sandbox:
      exec:
        deny: [/usr/bin/id]
YAML
call() { echo '{"jsonrpc":"2.0","id":'"$1"',"method":"tools/call","params":{"name":"run","arguments":'"$2"'}}'; echo "#wait $1"; }
step() { echo "#sh touch $TMP/$1; while [ ! -e $TMP/$1.done ]; do sleep 0.1; done"; }
await() { for _ in $(seq "$(slow 200)"); do [ -e "$TMP/$1" ] && return 0; sleep 0.1; done; fail "client never reached $1"; }
alive() { kill -0 "$1" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]; }
VIA='{"via":"worker","argv":["/usr/bin/id","-u"]}'

# 1. The daemon first: the worker is below the server, tracked.
start_daemon
{ echo "$INIT"; echo "#wait 0"; echo "$INITIALIZED"; call 1 "$VIA"; } >"$TMP/script"
raw "$TMP/script" "$MCPWARDEN" run --socket "$SOCK" --policy "$TMP/policy.yaml" -- python3 "$FIXTURES/worker_server.py"
assert_not_contains "$(reply 1)" "returncode 0" "daemon first: the worker's id did not run"
pass "with the daemon first, the tool's exec deny holds in the detached worker"
test_cleanup; rm -f "$W"/*

# 2. The daemon after the shim.
stop_daemon || fail "the daemon's exit status"
{
	echo "$INIT"; echo "#wait 0"; echo "$INITIALIZED"
	step late
	echo "#sh for i in \$(seq $(slow 300)); do [ \$(ls $W | grep -c '^worker-') -ge 2 ] && break; sleep 0.1; done"
	call 1 "$VIA"
} >"$TMP/script"
raw "$TMP/script" "$MCPWARDEN" run --socket "$SOCK" --policy "$TMP/policy.yaml" -- python3 "$FIXTURES/worker_server.py" &
client=$!
await late
old=$(cat "$W"/worker-*.pid)
alive "$old" || fail "the first worker is not running"
start_daemon
touch "$TMP/late.done"
wait "$client"
cat "$TMP/err"
assert_contains "$(cat "$TMP/err")" "restarted under it" "the shim restarts the server under the daemon"
for _ in $(seq "$(slow 50)"); do alive "$old" || break; sleep 0.1; done
alive "$old" && fail "the worker forked before the daemon came (pid $old) outlived the restart"
assert_not_contains "$(reply 1)" "returncode 0" "daemon late: the new worker's id did not run"
assert_contains "$(reply 1)" "worker:" "the call went through the new worker"
pass "with the daemon late, the server restarts under it: its old worker is killed, the new one is confined"
test_cleanup; rm -f "$W"/*

# 3. No daemon: a deadline kills the detached worker with the server.
{
	echo "$INIT"; echo "#wait 0"; echo "$INITIALIZED"
	call 1 '{"argv":["sleep","30"]}'
} >"$TMP/script"
raw "$TMP/script" "$MCPWARDEN" run --no-daemon --allow-unsandboxed --policy "$TMP/policy.yaml" \
	-- python3 "$FIXTURES/worker_server.py"
old=$(cat "$W"/worker-*.pid | head -n 1)
assert_contains "$(reply 1)" "timed out" "the call timed out"
assert_contains "$(cat "$TMP/err")" "killing it" "the shim killed the stuck server"
for _ in $(seq "$(slow 50)"); do alive "$old" || break; sleep 0.1; done
alive "$old" && fail "the detached worker (pid $old) outlived the deadline kill"
pass "with no daemon, a deadline kills the server's detached worker too"
