#!/usr/bin/env bash
# test_enforce_threads.sh: a thread started by a call carries the call, and its rules, until it exits, as a
# forked child does. The in-process server (the shibing624 fixture: exec() inside the server) runs a call whose
# code starts a thread and returns. Only after the daemon shows the call ended does the thread run `touch`,
# which the tool's rule denies and the server's rules allow; then it starts a thread of its own that tries the
# same. Both are killed, the call stays listed (its rules alive) until the threads exit, and then it goes. A
# second session's thread exec()s touch itself (taking over the server's pid): it is killed before it runs. In a
# third, each call has the newest worker thread start the next: the fifth would carry five calls, one more than
# a lineage holds, so it is killed with its server, and a deny record says why.
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"

start_daemon
follow_events "$TMP/events"	# from the start: the recent-events buffer may lose them to the host's own events
cat >"$TMP/policy.yaml" <<EOF
version: "1"
default: allow
sandbox:
  exec:
    deny: [/usr/bin/id]
tools:
  run_python_code:
    sandbox:
      exec:
        deny: [touch]
EOF

# session CODE: one run_python_code call, then the client waits for $TMP/done; output in $TMP/out.
session() {
	local calls
	calls=$(python3 -c 'import json,sys
print(json.dumps([{"name": "run_python_code", "arguments": {"code": sys.argv[1]}}, {"wait_file": sys.argv[2]}]))' \
		"$1" "$TMP/done")
	(cd "$NODE_DIR" && CALLS=$calls timeout 90 node client.mjs calls -- "$MCPWARDEN" run --socket "$SOCK" \
		--policy "$TMP/policy.yaml" -- python3 "$FIXTURES/shibing624_server.py" >"$TMP/out" 2>&1) &
	client=$!
}
test_cleanup() { [ -n "$client" ] && kill "$client" 2>/dev/null; }

# call_state: "ended" once the daemon shows the session's call ended, "gone" once it no longer lists it.
call_state() {
	"$MCPWARDEN" ps --json --socket "$SOCK" | python3 -c 'import json,sys
s = json.load(sys.stdin)["servers"]
calls = [c for x in s for c in x["calls"]]
print("gone" if s and not calls else "ended" if calls and all(c["ended"] for c in calls) else "running")'
}
wait_state() {
	for _ in $(seq 300); do [ "$(call_state)" = "$1" ] && return 0; sleep 0.1; done
	cat "$TMP/out"; fail "the call never got to \"$1\" (now $(call_state))"
}
# answered: waits until the client has the call's result (the shim sends call_end before it forwards it).
answered() {
	for _ in $(seq 300); do grep -q '^result 0' "$TMP/out" && return 0; sleep 0.1; done
	cat "$TMP/out"; fail "the call did not answer"
}

# 1. Threads that outlive the call, and a thread such a thread starts.
code="import subprocess, threading, time, os
def attempt(name):
    r = subprocess.run(['touch', '$TMP/ran-' + name])
    with open('$TMP/rc-' + name, 'w') as f:
        f.write(str(r.returncode))
def later():
    while not os.path.exists('$TMP/go'):
        time.sleep(0.05)
    attempt('thread')
    t = threading.Thread(target=attempt, args=('nested',))
    t.start()
    t.join()
    while not os.path.exists('$TMP/release'):
        time.sleep(0.05)
threading.Thread(target=later).start()
print('thread started')"
session "$code"
answered
touch "$TMP/go"
for _ in $(seq 300); do [ -s "$TMP/rc-nested" ] && break; sleep 0.1; done
assert_eq "$(cat "$TMP/rc-thread" 2>/dev/null)" "-9" "after the call ended, its thread's touch is killed"
assert_eq "$(cat "$TMP/rc-nested" 2>/dev/null)" "-9" "a thread that thread started carries the call too"
[ ! -e "$TMP/ran-thread" ] && [ ! -e "$TMP/ran-nested" ] || fail "touch ran"
assert_eq "$(call_state)" "ended" "while its threads live, the ended call and its rules stay"
call=$("$MCPWARDEN" ps --json --socket "$SOCK" | python3 -c 'import json,sys
print([c["call"] for x in json.load(sys.stdin)["servers"] for c in x["calls"]][0])')
for _ in $(seq 100); do [ "$(grep -c '"type":"deny"' "$TMP/events")" -ge 2 ] && break; sleep 0.1; done
python3 - "$TMP/events" "$call" <<'PY' || { cat "$TMP/events"; fail "the deny records do not carry the call"; }
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
d = [e for e in ev if e.get("type") == "deny" and "touch" in json.dumps(e)]
assert len(d) == 2 and all(int(sys.argv[2]) in e.get("calls", []) for e in d), d
PY
pass "the deny records name the call"
touch "$TMP/release"
wait_state gone
pass "once its threads exit, the ended call and its rules go"
touch "$TMP/done"
wait "$client" || { cat "$TMP/out"; fail "client session failed"; }
client=
grep -q '^result 0.*thread started' "$TMP/out" || { cat "$TMP/out"; fail "the call did not answer"; }

# 2. A thread's own exec takes over the server's pid: the call it carries still judges it.
rm -f "$TMP/done"
code="import threading, time, os
def later():
    while not os.path.exists('$TMP/go2'):
        time.sleep(0.05)
    os.execv('/usr/bin/touch', ['touch', '$TMP/ran-exec'])
threading.Thread(target=later).start()
print('thread started')"
session "$code"
answered
touch "$TMP/go2"
for _ in $(seq 100); do [ "$(call_state)" = gone ] && break; sleep 0.1; done
sleep 0.5
[ ! -e "$TMP/ran-exec" ] || fail "the thread's exec of touch ran"
pass "a thread's exec of a denied program, after its call ended, is killed"
touch "$TMP/done"
wait "$client"
client=

# 3. A chain of worker threads, each started by the last during a new call, piles up calls: the fifth is lost.
rm -f "$TMP/done"
chain="import sys, threading, queue, types
m = sys.modules.get('mcpw_chain')
def worker(q):
    while True:
        reply = q.get()
        nq = queue.Queue()
        threading.Thread(target=worker, args=(nq,), daemon=True).start()
        reply.put(nq)
if m is None:
    m = sys.modules['mcpw_chain'] = types.ModuleType('mcpw_chain')
    m.cur = queue.Queue()
    threading.Thread(target=worker, args=(m.cur,), daemon=True).start()
else:
    r = queue.Queue()
    m.cur.put(r)
    m.cur = r.get(timeout=10)
print('chained')"
calls=$(python3 -c 'import json,sys
c = {"name": "run_python_code", "arguments": {"code": sys.argv[1]}}
print(json.dumps([c] * 5))' "$chain")
(cd "$NODE_DIR" && CALLS=$calls timeout 120 node client.mjs calls -- "$MCPWARDEN" run --socket "$SOCK" \
	--policy "$TMP/policy.yaml" -- python3 "$FIXTURES/shibing624_server.py" >"$TMP/out" 2>&1)
cat "$TMP/out"
for i in 0 1 2 3; do
	grep -q "^result $i.*chained" "$TMP/out" || fail "call $i of the chain did not answer"
done
grep -q "^result 4.*chained" "$TMP/out" && fail "the fifth worker, carrying five calls, ran"
stop_follow
grep '"rule_kind":"lineage"' "$TMP/events" | grep -q 'could not carry all its calls' ||
	fail "no deny record tells of the lost lineage: $(grep deny "$TMP/events")"
pass "a thread that would carry five calls is killed with its server, and a record says why"
