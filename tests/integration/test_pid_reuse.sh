#!/usr/bin/env bash
# test_pid_reuse.sh: a server's rules and attribution never pass to the next process with a pid. A tracked
# server (exec.deny [true]) forks a child, which exits; its lineage entry is then put back as if its exit had
# been missed (what a tracked zombie or a lost exit record leaves); the host's pids are cycled until an
# unrelated process gets that pid, and it and its child run true: neither is attributed to the server, and
# the server's rule does not touch them. The lineage map is keyed by host pids, so a pid namespace's own
# pid_max would not bring them round sooner: the test forks through the host's pid space (about 5 s here).
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"
command -v bpftool >/dev/null || fail "bpftool is missing"
[ -x "$HELPERS/pid_cycle" ] || fail "missing $HELPERS/pid_cycle (make all)"

start_daemon
follow_events "$TMP/events"
map=$(daemon_map tracked)
[ -n "$map" ] || fail "the daemon's tracked map was not found"

python3 - "$SOCK" "$TMP/events" "$map" "$HELPERS/pid_cycle" "$$" <<'PY' || fail "pid reuse"
import json, socket, struct, subprocess, sys, time
sock, events, map_id, cycle, tag = sys.argv[1:6]
server = subprocess.Popen([sys.executable, "-c", r'''
import os, sys
sys.stdin.readline()
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(w)
    print(os.getpid(), flush=True)
    os.read(r, 1)
    os._exit(0)
sys.stdin.readline()
os.write(w, b"x")
os.waitpid(pid, 0)
print("reaped", flush=True)
sys.stdin.readline()
'''], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
c = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
c.connect(sock)
c.send(json.dumps({"op": "track", "pid": server.pid, "sandbox": {"exec": {"deny": ["true"]}}}).encode())
ack = json.loads(c.recv(65536))
assert ack.get("ok") is True, ack
sid = ack["server_id"]
server.stdin.write("fork\n"); server.stdin.flush()
child = int(server.stdout.readline())
def evs():
    return [json.loads(l) for l in open(events) if l.strip()]
for _ in range(50):
    fork = next((e for e in evs() if e["type"] == "fork" and e["pid"] == child), None)
    if fork:
        break
    time.sleep(0.1)
assert fork and fork["server_id"] == sid, ("the child was not tracked", fork)
server.stdin.write("exit\n"); server.stdin.flush()
assert server.stdout.readline().strip() == "reaped"
# As if the child's exit had been missed: its entry, with its start time, under its pid.
key = struct.pack("<I", child)
val = struct.pack("<QII4QIIII", int(fork["start_time"]), sid, 0, 0, 0, 0, 0, 0, 0, 0, 0)
subprocess.run(["bpftool", "map", "update", "id", map_id, "key", *map(str, key), "value", *map(str, val)], check=True)
t = time.monotonic()
r = subprocess.run([cycle, str(child), "sh", "-c", f"/bin/true reuse-child-{tag}; exec /bin/true reuse-{tag}"])
print("pid", child, "came round in %.1f s" % (time.monotonic() - t), flush=True)
assert r.returncode == 0, ("the process with the reused pid, or its child, was stopped", r.returncode)
time.sleep(0.5)
ex = [e for e in evs() if e["type"] == "exec" and any(m in e.get("argv", []) for m in (f"reuse-{tag}", f"reuse-child-{tag}"))]
assert len(ex) == 2, ex
assert all(e["server_id"] != sid for e in ex), ex
assert any(e["pid"] == child for e in ex), ex
den = [e for e in evs() if e["type"] == "deny" and e["server_id"] == sid]
assert not den, den
server.stdin.write("end\n"); server.stdin.flush(); server.wait()
PY
pass "the process that got a tracked process's pid, and its child, are not the server's, and its rules don't touch them"
