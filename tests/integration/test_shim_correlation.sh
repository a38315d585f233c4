#!/usr/bin/env bash
# Correlation end to end: the real SDK client calls run-code on mcp-server-code-runner through the
# shim with a daemon running. The Python snippet runs `id` through a shell and connects to a
# loopback port: every exec (sh, python, sh, id) and the connect carry that call's id. The
# same for the in-process fixture, where the connect comes from the server pid itself.
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"
source "$(dirname "$0")/code_call.sh"
start_daemon
follow_events "$TMP/events"
start_listener
out=$(code_runner_call "$TMP/audit1")
echo "$out"
assert_contains "$out" "done" "run-code ran through the shim"

in_process="import socket, os
socket.create_connection(('127.0.0.1', $port)).close()
os.system('id')
print('done')"
args=$(python3 -c 'import json,sys; print(json.dumps({"code": sys.argv[1]}))' "$in_process")
out=$(cd "$NODE_DIR" && TOOL=run_python_code ARGS=$args node client.mjs call -- "$MCPWARDEN" run --socket "$SOCK" \
	--audit "$TMP/audit2" -- python3 "$FIXTURES/shibing624_server.py" 2>&1)
echo "$out"
assert_contains "$out" "done" "run_python_code ran in-process through the shim"
stop_follow
kill "$listener"

python3 - "$TMP/events" "$TMP/audit1" "$TMP/audit2" "$port" <<'PY' || fail "attribution (see above)"
import json, os, sys
evs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
port = int(sys.argv[4])
def decision(path):
    d = [json.loads(l) for l in open(path) if '"decision"' in l][0]
    return d["server_id"], d["call"]
ok = True
def check(what, cond, detail=""):
    global ok
    print(("ok: " if cond else "BAD: ") + what, detail)
    ok &= bool(cond)

# 1. code runner: node -> sh -> python -> sh -> id, and the connect, all with the call id.
sid, call = decision(sys.argv[2])
mine = [e for e in evs if e.get("server_id") == sid and call in e.get("calls", [])]
execs = [e for e in mine if e["type"] == "exec"]
names = [os.path.basename(e["exe"]) for e in execs]
print("execs of the call:", [(e["pid"], e["ppid"], os.path.basename(e["exe"]), e["argv"][:3]) for e in execs])
want = ["sh", "python", "sh", "id"]
seq = iter(names)
check("exec chain sh -> python -> sh -> id carries the call", all(any(n.startswith(w) for n in seq) for w in want), names)
by_pid = {e["pid"]: e for e in execs}
idx = [e for e in execs if os.path.basename(e["exe"]) == "id"]
chain = []
e = idx[0] if idx else None
while e:
    chain.append(os.path.basename(e["exe"]))
    e = by_pid.get(e["ppid"])
check("id's ancestry runs back through the call's processes", len(chain) >= 4, chain)
root = [x for x in evs if x["type"] == "exec" and x.get("server_id") == sid and not x.get("calls")]
check("the server itself (node) is tracked under the same server id", any("node" in os.path.basename(x["exe"]) for x in root))
conns = [x for x in mine if x["type"] == "net" and x["op"] == "connect" and x.get("port") == port]
check("the connect carries the call", conns and conns[0]["result"] == 0 and conns[0]["addr"] == "127.0.0.1", conns[:1])

# 2. in-process: the connect comes from the server pid itself.
sid2, call2 = decision(sys.argv[3])
mine2 = [e for e in evs if e.get("server_id") == sid2 and call2 in e.get("calls", [])]
srv = [e for e in evs if e["type"] == "exec" and e.get("server_id") == sid2 and "shibing624" in " ".join(e["argv"])]
check("fixture server exec seen", srv)
conn2 = [x for x in mine2 if x["type"] == "net" and x["op"] == "connect" and x.get("port") == port]
check("in-process connect comes from the server pid with the call", conn2 and srv and conn2[0]["pid"] == srv[0]["pid"], conn2[:1])
ids = [x for x in mine2 if x["type"] == "exec" and os.path.basename(x["exe"]) == "id"]
check("os.system('id') in-process carries the call", ids)
sys.exit(0 if ok else 1)
PY
pass "every exec and connect of a call is attributed to it"
