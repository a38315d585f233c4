#!/usr/bin/env bash
# test_enforce_count_race.sh: max_processes counts never wrap. A tree the daemon tracks under
# max_processes 4 goes through 150 rounds of: 4 children counted; the server's rules cleared and set
# again (a policy reload), so the count starts over; one new child counted; then the 4 old children
# released together, so their exits race to decrement a count of 1 on both CPUs. A count that
# wrapped below 0 would kill every later fork; a saturating one does not. At the end 4 children
# still run and a 5th is killed before it runs.
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"

start_daemon
python3 - "$SOCK" <<'PY' || fail "process counts after racing exits"
import json, socket, subprocess, sys
prog = r'''
import os, sys, time
def spawn(n):
    r, w = os.pipe()
    kids = []
    for _ in range(n):
        pid = os.fork()
        if pid == 0:
            os.read(r, 1)
            os._exit(0)
        kids.append(pid)
    return r, w, kids
def release(r, w, kids):
    os.write(w, b"x" * len(kids))
    sts = [os.waitpid(p, 0)[1] for p in kids]
    os.close(r); os.close(w)
    return any(os.WIFSIGNALED(s) for s in sts)
for rnd in range(150):
    old = spawn(4)
    print("counted", flush=True); sys.stdin.readline()      # the harness reloads the rules
    new = spawn(1)
    if release(*old) | release(*new):
        print("killed in round", rnd, flush=True); sys.exit(1)
last = spawn(5)
time.sleep(0.3)
alive = [os.waitpid(p, os.WNOHANG) == (0, 0) for p in last[2]]    # reaps the killed one
release(last[0], last[1], [p for p, a in zip(last[2], alive) if a])
print("alive", alive, flush=True)
sys.exit(0 if alive == [True, True, True, True, False] else 2)
'''
p = subprocess.Popen([sys.executable, "-c", prog], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
c = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
c.connect(sys.argv[1])
def ask(req):
    c.send(json.dumps(req).encode())
    rep = json.loads(c.recv(65536))
    assert rep.get("ok") is True, (req, rep)
    return rep
sid = ask({"op": "track", "pid": p.pid, "sandbox": {"max_processes": 4}})["server_id"]
for line in p.stdout:
    print(line.strip())
    if line.startswith("counted"):
        ask({"op": "policy_reload", "server_id": sid, "file": "t.yaml", "trigger": "test", "ok": True})
        ask({"op": "policy_reload", "server_id": sid, "file": "t.yaml", "trigger": "test", "ok": True,
             "sandbox": {"max_processes": 4}})
        p.stdin.write("go\n"); p.stdin.flush()
sys.exit(p.wait(timeout=120))
PY
pass "after 150 rounds of racing exits over a restarted count: 4 children run, the 5th is killed"
