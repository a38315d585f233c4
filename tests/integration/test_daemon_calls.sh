#!/usr/bin/env bash
# test_daemon_calls.sh: a shim-like peer registers its child server and reports calls; processes forked during a call carry it.
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"

start_daemon
follow_events "$TMP/events"

# The "shim": starts a server that forks one process per line it reads, registers it, and brackets lines with calls.
python3 - "$SOCK" >"$TMP/shim.out" <<'PY' || fail "shim script failed: $(cat "$TMP/shim.out")"
import json, socket, subprocess, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
def req(**o):
    s.send(json.dumps(o).encode())
    return json.loads(s.recv(65536))
srv = subprocess.Popen(["sh", "-c", "read x; /bin/true during-1001; read x; /bin/true during-both; read x; /bin/true after"],
                       stdin=subprocess.PIPE)
r = req(op="register", name="calls-test", pid=srv.pid, id=1)
assert r["ok"] and r["id"] == 1, r
sid = r["server_id"]
def step(line):
    srv.stdin.write(line); srv.stdin.flush(); time.sleep(0.3)
assert req(op="call_start", server_id=sid, call=1001)["ok"]
step(b"a\n")
assert req(op="call_start", server_id=sid, call=1002)["ok"]
step(b"b\n")
assert req(op="call_end", server_id=sid, call=1001)["ok"]
assert req(op="call_end", server_id=sid, call=1002)["ok"]
r = req(op="call_end", server_id=sid, call=1002)
assert not r["ok"] and "not active" in r["error"], r
step(b"c\n")
srv.stdin.close(); srv.wait()
r = req(op="call_start", server_id=sid, call=1003)
assert not r["ok"], r   # the server exited: its id is gone
print(sid, srv.pid)
PY
read -r sid srv <"$TMP/shim.out"
stop_follow

python3 - "$TMP/events" "$sid" "$srv" <<'PY' || fail "call attribution (see above)"
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
sid, srv = int(sys.argv[2]), int(sys.argv[3])
def execs(marker):
    return [e for e in evs if e["type"] == "exec" and marker in e["argv"]]
ok = True
for marker, calls in (("during-1001", [1001]), ("during-both", [1001, 1002]), ("after", [])):
    got = execs(marker)
    good = len(got) == 1 and got[0]["server_id"] == sid and got[0]["calls"] == calls and got[0]["ppid"] == srv \
        and got[0]["ambiguous"] is (len(calls) > 1)
    print(("ok: " if good else "BAD: ") + marker, calls, got)
    ok &= good
sys.exit(0 if ok else 1)
PY
pass "calls active at fork are inherited"
