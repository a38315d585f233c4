#!/usr/bin/env bash
# Kernel sandbox, runaway executions, each through the real SDK client, the shim and the daemon:
# 1) a run-code call past its timeout loses its whole tree (child, grandchildren, a setsid
#    escapee) and the code-runner server lives on for the next call;
# 2) max_processes stops a fork bomb: with BPF LSM the fork over the limit fails with EAGAIN (the bomb
#    stops, and on_end: kill takes its tree when the call ends); without, the process over the limit dies
#    before it runs, then the call's tree is killed; the result names the rule;
# 3) a CPU spin inside an in-process server (shibing624 style) is killed with the server once it
#    cannot answer a ping; the shim restarts it, replays the handshake, and the client's next
#    call on the same session works.
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"
source "$(dirname "$0")/escapee_tree.sh"

start_daemon --audit-dir "$TMP/audit"
follow_events "$TMP/events"
limits=$("$MCPWARDEN" status --json --socket "$SOCK" | python3 -c 'import json,sys; print(json.load(sys.stdin)["features"]["process_limits"])')
calls() {	# calls POLICY OUT CALLS SERVER...: one client session under the shim
	local policy=$1 out=$2 list=$3
	shift 3
	(cd "$NODE_DIR" && CALLS=$list timeout "$(slow 90)" node client.mjs calls -- "$MCPWARDEN" run --socket "$SOCK" \
		--policy "$policy" --audit "$out.log" -- "$@" >"$out" 2>&1) || { cat "$out"; fail "client session failed"; }
	cat "$out"
}
code_call() {	# JSON of a run-code call of python CODE
	python3 -c 'import json,sys; print(json.dumps({"name": "run-code", "arguments": {"code": sys.argv[1], "languageId": "python"}}))' "$1"
}
alive() {	# alive PID...: the ones still running
	for p in "$@"; do [ -d "/proc/$p" ] && ! grep -q '^State:.*Z' "/proc/$p/status" 2>/dev/null && echo "$p"; done
}

# 1) Timeout: the tree, a setsid escapee included, dies; the server stays.
cat >"$TMP/timeout.yaml" <<EOF
version: "1"
default: allow
tools:
  run-code:
    timeout: $(slow 2)s
EOF
tree=$(escapee_tree "$TMP/tree.pid")
calls "$TMP/timeout.yaml" "$TMP/timeout.out" "[$(code_call "$tree"), $(code_call "print('server still here')")]" \
	node "$NODE_DIR/node_modules/mcp-server-code-runner/dist/cli.js"
out=$(cat "$TMP/timeout.out")
assert_contains "$out" "timed out after" "the call timed out"
assert_contains "$out" "rule 'tools.run-code.timeout'" "the timeout names its rule"
assert_contains "$out" "server still here" "the next call on the same server works"
sleep "$(slow 0.3)"
left=$(pgrep -f "sleep $secs" || true)
[ -z "$left" ] || { ps -o pid,ppid,sid,cmd -p $left; fail "processes of the timed-out call are alive: $left"; }
[ -z "$(alive "$(cat "$TMP/tree.pid")")" ] || fail "the call's python is alive"
pass "the whole tree died: child, grandchildren and the setsid escapee"

# 2) Fork bomb against max_processes.
cat >"$TMP/bomb.yaml" <<EOF
version: "1"
default: allow
tools:
  run-code:
    timeout: 30s
    sandbox:
      max_processes: 16
      on_end: kill
EOF
# The bomb's children leave the call's output pipe: with BPF LSM the call goes on past the refused fork, and
# code-runner would wait for their end of it until the timeout.
bomb="import os, time
try:
    for i in range(200):
        if os.fork() == 0:
            null = os.open('/dev/null', os.O_RDWR)
            os.dup2(null, 1)
            os.dup2(null, 2)
            time.sleep(60)
            os._exit(0)
    print('forked 200 without being stopped')
    time.sleep(60)
except BlockingIOError:
    print('BlockingIOError: fork', i, 'refused')"
calls "$TMP/bomb.yaml" "$TMP/bomb.out" "[$(code_call "$bomb"), $(code_call "print('after the bomb')")]" \
	node "$NODE_DIR/node_modules/mcp-server-code-runner/dist/cli.js"
out=$(cat "$TMP/bomb.out")
assert_not_contains "$out" "forked 200" "the bomb did not get its 200 processes"
if [ "$limits" = lsm ]; then
	assert_contains "$out" "BlockingIOError: fork " "lsm: the fork over the limit fails with EAGAIN"
	assert_contains "$out" "[rule 'tools.run-code.sandbox.max_processes'] 16 processes already: the fork was refused (EAGAIN)" \
		"the result names max_processes"
else
	assert_contains "$out" "[rule 'tools.run-code.sandbox.max_processes'] more than 16 processes" "the result names max_processes"
fi
assert_contains "$out" "after the bomb" "the server survives for the next call"
sleep "$(slow 0.3)"
left=$(pgrep -f 'tmp.python' || true)
[ -z "$left" ] || fail "bomb processes left: $left"
pass "the fork bomb's tree is gone"

# 3) In-process spin: the server itself is killed and restarted; the session goes on.
cat >"$TMP/spin.yaml" <<EOF
version: "1"
default: allow
tools:
  run_python_code:
    timeout: 1s
EOF
spin='{"name":"run_python_code","arguments":{"code":"while True: pass"}}'
back='{"name":"run_python_code","arguments":{"code":"import os; print(\"back in pid\", os.getpid())"}}'
calls "$TMP/spin.yaml" "$TMP/spin.out" "[$spin, {\"sleep_ms\": 3000}, $back]" python3 "$FIXTURES/shibing624_server.py"
out=$(cat "$TMP/spin.out")
assert_contains "$out" "timed out after" "the spinning call timed out"
assert_contains "$out" "back in pid" "the next call works on the same session"
assert_contains "$out" "is stuck" "the shim found the server stuck"
assert_contains "$(cat "$TMP/spin.out.log")" '"kind":"server_kill"' "the kill is in the decision log"
assert_contains "$(cat "$TMP/spin.out.log")" '"kind":"server_respawn"' "and the restart"
[ "$(grep -c 'ready' "$TMP/spin.out")" -ge 2 ] || fail "the server was not restarted"
stop_follow

python3 - "$TMP/events" "$limits" <<'PY' || fail "kill events (see above)"
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
lsm = sys.argv[2] == "lsm"
kills = [e for e in evs if e["type"] == "kill"]
for k in kills:
    print("kill:", k.get("rule"), k["reason"], "pids", k["pids"])
ok = any(k["rule"] == "tools.run-code.timeout" and len(k["pids"]) >= 4 for k in kills)
ok &= any(k["rule"] == ("tools.run-code.sandbox.on_end" if lsm else "tools.run-code.sandbox.max_processes") for k in kills)
ok &= any(k["rule"] == "tools.run_python_code.timeout" and "killed the server" in k["reason"] for k in kills)
forks = [e for e in evs if e["type"] == "deny" and e["op"] == "fork"]
print("fork denials:", len(forks), forks[:1])
ok &= bool(forks) and all(e["rule"] == "tools.run-code.sandbox.max_processes" for e in forks)
sys.exit(0 if ok else 1)
PY
zcat -f "$TMP"/audit/* | grep -q '"kind":"kill"' || fail "no kill record in the audit log"
read -r sid call < <(call_ids "$TMP/timeout.out.log")
tree=$("$MCPWARDEN" audit show --call "$call" --server "$sid" "$TMP/audit")
echo "$tree"
# As many as the kill event counted: 5 or 6, as the shells exec their last command or fork it.
n=$(python3 -c 'import json,sys
print([len(e["pids"]) for e in map(json.loads, open(sys.argv[1])) if e["type"] == "kill" and e["rule"] == "tools.run-code.timeout"][0])' "$TMP/events")
assert_contains "$tree" "killed: deadline passed: killed $n processes of the call" "audit show --call lists the kill"
assert_contains "$tree" "[killed by signal 9]" "and shows the processes as killed"
pass "runaway calls: timeouts kill trees, process limits stop fork bombs, stuck servers restart"
