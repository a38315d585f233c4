#!/usr/bin/env bash
# test_track_start_time.sh: a root is tracked with its own start time, the kernel's, never that of an earlier
# process of its pid that the daemon's process table still holds. Process A runs and the daemon reads its fork
# record; the daemon is stopped; A exits (its exit record waits unread in the ring, behind others) and the pids
# are cycled until B gets A's pid. Then `track` B, with a sandbox denying true, is served ahead of the ring's
# backlog: the table holds A at that pid, and B not at all. B's lineage entry must carry B's start time, or the
# BPF side takes it for a stale one (bpf/lineage.bpf.h, tracked_stale), and B's tree runs without its rules.
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"
[ -x "$HELPERS/pid_cycle" ] || fail "missing $HELPERS/pid_cycle (make all)"

start_daemon
test_cleanup() { kill -CONT "$daemon_pid" 2>/dev/null; pkill -KILL -f "track-start-time-$$" 2>/dev/null; }

python3 - "$SOCK" "$daemon_pid" "$HELPERS/pid_cycle" "$$" "$SLOW" <<'PY' || fail "the tracked root's rules (see above)"
import json, os, signal, socket, subprocess, sys, time
sock, daemon, cycle, tag, slow = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], float(sys.argv[5])
a = subprocess.Popen(["sleep", "600"])
time.sleep(0.5 * slow)	# the daemon reads A's fork record (it reads the ring at least every 100 ms)
c = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
c.connect(sock)
c.send(b'{"op":"status"}')
assert json.loads(c.recv(1 << 20))["ok"], "status"	# the daemon has accepted this peer
os.kill(daemon, signal.SIGSTOP)
try:
    for _ in range(300):	# records ahead of A's exit: more than one slice of the ring
        subprocess.run(["/bin/true"], check=True)
    a.kill()
    a.wait()
    b = subprocess.Popen([cycle, str(a.pid), sys.executable, "-c", r'''
import os, subprocess, sys
print(os.getpid(), flush=True)
sys.stdin.readline()
try:
    r = subprocess.run(["/bin/true", sys.argv[1]]).returncode
    print("true exited %d" % r if r >= 0 else "true was killed by signal %d" % -r, flush=True)
except PermissionError:
    print("true was refused (EPERM)", flush=True)
''', "track-start-time-" + tag], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    pid = int(b.stdout.readline() or 0)
    assert pid == a.pid, ("pid %d never came round to a new process" % a.pid, pid)
    req = {"op": "track", "pid": pid, "sandbox": {"exec": {"deny": ["true"]}}}
    c.send(json.dumps(req).encode())
finally:
    os.kill(daemon, signal.SIGCONT)
c.settimeout(30 * slow)
ack = json.loads(c.recv(1 << 20))
print("track pid %d:" % pid, ack)
assert ack.get("ok") is True, ack
b.stdin.write("go\n"); b.stdin.flush()
out = b.stdout.readline().strip()
b.wait()
print("pid %d, tracked after pid %d's earlier process: %s" % (pid, pid, out))
assert out != "true exited 0", "the root's exec of true ran: its lineage entry is not its own"
PY
pass "a root whose pid an earlier process held, still in the table, is tracked under its own start time: its rules hold"

# A pid with no live process, and a zombie, are refused, and the reply names the pid.
rep=$(request '{"op":"track","pid":2147483647}')
assert_contains "$rep" "pid 2147483647" "tracking a pid with no process is refused, naming the pid"
