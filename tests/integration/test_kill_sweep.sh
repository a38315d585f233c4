#!/usr/bin/env bash
# test_kill_sweep.sh: killing a call of thousands of processes doesn't stall the daemon for everyone else. Server
# A's call forks 4000 processes; while the daemon kills that call (and its dying processes leave the lineage map
# under the sweep), a second shim keeps starting and ending calls of its own server, and every ack reaches it
# within 1 s (a tenth of what a shim waits by default, --daemon-timeout, before it takes the daemon for gone).
# Then every one of the 4000 is dead.
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"

start_daemon
# The storm's processes carry $TMP/storm in their argv: whatever happens, none outlives the test.
test_cleanup() { pkill -KILL -f "$TMP/storm"; } 2>/dev/null
python3 - "$SOCK" "$(slow 1)" "$TMP/storm" >"$TMP/out" 2>&1 <<'PY'
import json, os, socket, subprocess, sys, threading, time
N, ACK_LIMIT = 4000, 1.0 * float(sys.argv[2])
def peer():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(sys.argv[1])
    def req(**o):
        s.send(json.dumps(o).encode())
        return json.loads(s.recv(65536))
    return req
prog = r'''
import os, signal, sys
sys.stdin.readline()
for _ in range(int(sys.argv[1])):
    if os.fork() == 0:
        signal.pause()
print("forked", flush=True)
sys.stdin.readline()
'''
a = subprocess.Popen([sys.executable, "-c", prog, str(N), sys.argv[3]], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
b = subprocess.Popen(["sleep", "600"])
ra, rb = peer(), peer()
sa = ra(op="register", name="storm", pid=a.pid, id=1)
sb = rb(op="register", name="bystander", pid=b.pid, id=1)
assert sa["ok"] and sb["ok"], (sa, sb)
assert ra(op="call_start", server_id=sa["server_id"], call=7)["ok"]
a.stdin.write("go\n"); a.stdin.flush()
assert a.stdout.readline().strip() == "forked"
kids = [int(p) for p in open("/proc/%d/task/%d/children" % (a.pid, a.pid)).read().split()]
assert len(kids) == N, len(kids)

lat, stop = [], threading.Event()
def bystander():
    call = 100
    while not stop.is_set():
        for op in ("call_start", "call_end"):
            t = time.monotonic()
            r = rb(op=op, server_id=sb["server_id"], call=call)
            lat.append(time.monotonic() - t)
            assert r["ok"], r
        call += 1
th = threading.Thread(target=bystander)
th.start()
time.sleep(0.3)
t = time.monotonic()
r = ra(op="kill_call", server_id=sa["server_id"], call=7, rule="test", reason="sweep under load")
took = time.monotonic() - t
deadline = time.monotonic() + 60 * float(sys.argv[2])
alive = N
while alive and time.monotonic() < deadline:
    time.sleep(0.2)
    alive = sum(1 for k in kids if os.path.exists("/proc/%d" % k) and
                open("/proc/%d/stat" % k).read().rsplit(")", 1)[1].split()[0] != "Z")
time.sleep(0.5)
stop.set(); th.join()
print("kill_call ack %.3f s; bystander acks %d, max %.3f s; alive %d" % (took, len(lat), max(lat), alive), flush=True)
a.stdin.write("end\n"); a.stdin.flush(); a.wait(); b.kill()
sys.exit(0 if r.get("ok") and alive == 0 and max(lat) < ACK_LIMIT else 1)
PY
rc=$?
cat "$TMP/out"
[ $rc -eq 0 ] || fail "the sweep of $((4000)) processes stalled another shim's acks, or left some alive"
pass "4000 processes of one call killed while another shim's acks stayed under 1 s"
