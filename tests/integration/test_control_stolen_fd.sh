#!/usr/bin/env bash
# test_control_stolen_fd.sh: the daemon trusts messages, not connections. Between two calls of the real
# mcp-server-code-runner (SDK client, shim, daemon), a root process outside any seccomp filter takes the
# shim's control socket with pidfd_getfd and sends, as the shim's connection, a policy_reload that would drop
# the server-level rules and a call_start of a new call without rules. Each message carries its sender's
# SCM_CREDENTIALS: both are refused unanswered ("credentials of pid N, not the peer's pid M"), logged and
# audited (peer_refused); the server keeps its rules, no call starts, and in the next call the exec the
# server-level rule denies and the exec the tool's rule denies are both killed, as before the attack.
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"

start_daemon --audit-dir "$TMP/audit"
source "$(dirname "$0")/exec_rules.sh"
exec_rules_policy "$TMP/policy.yaml"
code=$EXEC_RULES_CODE
first=$(python3 -c 'import json; print(json.dumps({"name": "run-code", "arguments": {"code": "print(6*7)", "languageId": "python"}}))')
second=$(python3 -c 'import json,sys; print(json.dumps({"name": "run-code", "arguments": {"code": sys.argv[1], "languageId": "python"}}))' "$code")
# The pause between the calls is the attacker's window; the shim's decision log says when call 1 is done.
(cd "$NODE_DIR" && CALLS="[$first, {\"sleep_ms\": 6000}, $second]" timeout 60 node client.mjs calls -- \
	"$MCPWARDEN" run --socket "$SOCK" --audit "$TMP/shim-audit.jsonl" --policy "$TMP/policy.yaml" \
	-- env PATH=/usr/bin:/bin node node_modules/mcp-server-code-runner/dist/cli.js >"$TMP/out" 2>&1) &
client=$!
test_cleanup() { kill "$client" 2>/dev/null; }
for _ in $(seq 150); do
	grep -q '"kind":"call_end"' "$TMP/shim-audit.jsonl" 2>/dev/null && break
	sleep 0.1
done
grep -q '"kind":"call_end"' "$TMP/shim-audit.jsonl" 2>/dev/null || { cat "$TMP/out"; fail "call 1 did not end"; }
read -r sid shim < <("$MCPWARDEN" ps --json --socket "$SOCK" |
	python3 -c 'import json,sys; s = json.load(sys.stdin)["servers"][0]; print(s["server_id"], s["owner"])')
[ -n "$shim" ] && [ "$shim" -gt 0 ] || fail "no registered server in ps"

# The attacker: root, CAP_SYS_PTRACE, no seccomp. It finds the shim's connection to the daemon among the
# shim's sockets and speaks on it; it prints what it sent and every reply it got within 1 s.
python3 - "$shim" "$SOCK" "$sid" >"$TMP/attack.json" <<'PY' || fail "the attacker could not take the shim's socket"
import ctypes, json, os, select, socket, sys
shim, path, sid = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
libc = ctypes.CDLL(None, use_errno=True)
pidfd = os.pidfd_open(shim)
taken = None
for name in os.listdir(f"/proc/{shim}/fd"):
    if not os.readlink(f"/proc/{shim}/fd/{name}").startswith("socket:"):
        continue
    fd = libc.syscall(438, pidfd, int(name), 0)	# pidfd_getfd
    if fd < 0:
        sys.exit(f"pidfd_getfd fd {name}: errno {ctypes.get_errno()}")
    s = socket.socket(fileno=fd)
    if s.family == socket.AF_UNIX and s.type == socket.SOCK_SEQPACKET and s.getpeername() == path:
        taken = s
        break
    s.close()
if not taken:
    sys.exit("no control socket among the shim's descriptors")
sent = [{"op": "policy_reload", "server_id": sid, "file": "/dev/null", "trigger": "attack", "ok": True},
        {"op": "call_start", "server_id": sid, "call": 999, "tool": "run-code", "sandbox": {}}]
for m in sent:
    taken.send(json.dumps(m).encode())
# Not settimeout(): O_NONBLOCK would be set on the file description the shim shares.
replies = []
while select.select([taken], [], [], 1)[0]:
    replies.append(taken.recv(65536, socket.MSG_DONTWAIT).decode())
print(json.dumps({"attacker": os.getpid(), "sent": sent, "replies": replies}))
PY
cat "$TMP/attack.json"
attacker=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["attacker"])' "$TMP/attack.json")
psj=$("$MCPWARDEN" ps --json --socket "$SOCK")
echo "$psj"
python3 - "$psj" "$sid" <<'PY' || fail "the stolen socket changed the server's state (see above)"
import json, sys
s = [x for x in json.loads(sys.argv[1])["servers"] if x["server_id"] == int(sys.argv[2])][0]
assert s["sandbox"], "the server-level rules were dropped"
assert not [c for c in s["calls"] if c["call"] == 999], "the attacker's call 999 was started"
PY
pass "the server keeps its rules and no call 999 started"
grep -q "credentials of pid $attacker, not the peer's pid $shim" "$DAEMON_LOG" || fail "the daemon's log does not name both pids"
pass "the daemon's log says whose credentials the messages carried"
assert_eq "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["replies"])' "$TMP/attack.json")" "[]" \
	"the daemon answers nothing on the shim's connection to a message the shim did not send"

wait "$client" || { cat "$TMP/out"; fail "client session failed"; }
client=
cat "$TMP/out"
out=$(grep '^result 2' "$TMP/out")
assert_contains "$out" "/usr/bin/id returncode -9" "the next call: the exec the server-level rule denies is still killed"
assert_contains "$out" "touch returncode -9" "the next call: the exec the tool's rule denies is still killed"
assert_contains "$out" "child python ran" "the next call: what the rules allow runs"
[ ! -e "$TMP/ran-touch" ] || fail "touch ran"
assert_not_contains "$(cat "$TMP/out")" "stopped answering" "the shim's own link to the daemon stays in step"

stop_daemon || fail "daemon exited with an error"
python3 - "$TMP/audit" "$attacker" "$shim" <<'PY' || fail "peer_refused audit records (see above)"
import glob, json, sys
recs = [json.loads(l) for f in sorted(glob.glob(sys.argv[1] + "/seg-*.jsonl")) for l in open(f)]
refused = [r for r in recs if r["kind"] == "peer_refused"]
for r in refused:
    print(json.dumps(r))
ops = sorted(r["op"] for r in refused if r["sender_pid"] == int(sys.argv[2]) and r["peer_pid"] == int(sys.argv[3]))
assert ops == ["call_start", "policy_reload"], ops
assert all(r["why"] == f"credentials of pid {sys.argv[2]}, not the peer's pid {sys.argv[3]}" for r in refused)
assert not [r for r in recs if r["kind"] == "call_start" and r.get("call") == 999], "call 999 audited as started"
assert not [r for r in recs if r["kind"] == "policy_reload" and r.get("trigger") == "attack"], "the reload audited as the shim's"
PY
pass "both refusals audited as peer_refused, with the attacker's and the shim's pids"
"$MCPWARDEN" audit verify "$TMP/audit" >/dev/null || fail "the audit chain does not verify"
