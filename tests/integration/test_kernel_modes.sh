#!/usr/bin/env bash
# test_kernel_modes.sh: each kernel mechanism the daemon picked (status features) does what it says, in the mode
# it is in. Run as is on this kernel, under `MCPWARDEN_DAEMON_ARGS=--without ...` for the fallbacks older kernels
# use, and inside each row of `make test-kernels`. A tracked tree (no shim, no node: quick under qemu TCG) with
# server rules exec.deny [touch] and max_processes 3:
# - exec deny: lsm -> the exec fails with EPERM (PermissionError) and touch never runs; signal -> touch is killed;
# - process limit: lsm -> a 4th live child's fork fails with EAGAIN (BlockingIOError); signal -> that child is
#   killed before it runs; after the 3 exit, 3 new children run again (their exits gave the count back);
# - process exit: 21 processes of 8 threads each end in one exit_group: exactly one exit record each;
# - process_limits none (no way to stop a child in time): a policy with max_processes is refused, saying why.
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"

start_daemon
features=$("$MCPWARDEN" status --json --socket "$SOCK" | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["features"]))')
echo "features: $features"
feature() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$features" "$1"; }
exec_mode=$(feature exec_enforcement)
limits=$(feature process_limits)
echo "exec deny: $exec_mode; process limits: $limits ($(feature unborn_kill)); exit: $(feature process_exit)"

if [ "$limits" = none ]; then
	out=$(python3 - "$SOCK" <<'PY'
import json, socket, subprocess, sys
c = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
c.connect(sys.argv[1])
for sandbox in ({"max_processes": 3}, {"exec": {"deny": ["touch"]}}):
    p = subprocess.Popen(["sleep", "30"])
    c.send(json.dumps({"op": "track", "pid": p.pid, "sandbox": sandbox}).encode())
    print(c.recv(65536).decode())
    p.kill()
PY
)
	echo "$out"
	assert_contains "$(echo "$out" | head -1)" "max_processes: this kernel can neither refuse a fork (BPF LSM) nor kill a child before it runs" \
		"without a way to stop a child in time, a process limit is refused, saying why"
	assert_contains "$(echo "$out" | tail -1)" '"ok":true' "rules without max_processes are still taken"
	exit 0
fi

follow_events "$TMP/events"
python3 - "$SOCK" "$TMP" "$exec_mode" "$limits" <<'PY' >"$TMP/out" 2>&1
import json, socket, subprocess, sys
sock, tmp, exec_mode, limits = sys.argv[1:]
prog = r'''
import os, subprocess, sys, threading, time
tmp, exec_mode, limits = sys.argv[1:]
sys.stdin.readline()                                   # tracked, with the rules in force
try:
    r = subprocess.run(["touch", tmp + "/ran-touch"])
    print("touch returncode", r.returncode, flush=True)
except PermissionError as e:
    print("touch PermissionError", e.errno, flush=True)
def spawn(n):
    rd, wr = os.pipe()
    kids, refused = [], 0
    for _ in range(n):
        try:
            pid = os.fork()
        except BlockingIOError:
            refused += 1
            continue
        if pid == 0:
            os.read(rd, 1)
            os._exit(0)
        kids.append(pid)
    return rd, wr, kids, refused
def release(rd, wr, kids):
    time.sleep(0.5)                                    # a child killed before it ran is dead by now
    alive = [os.waitpid(p, os.WNOHANG) == (0, 0) for p in kids]
    os.write(wr, b"x" * len(kids))
    for p, a in zip(kids, alive):
        if a:
            os.waitpid(p, 0)
    os.close(rd); os.close(wr)
    return alive
for rnd in range(2):
    rd, wr, kids, refused = spawn(4)
    print("round", rnd, "refused", refused, "alive", release(rd, wr, kids), flush=True)
# 21 processes (3 at a time: the limit) of 8 threads each, each ended by one exit_group while every thread runs.
pids = []
for _ in range(7):
    batch = []
    for _ in range(3):
        pid = os.fork()
        if pid == 0:
            go = threading.Event()
            for _ in range(7):
                threading.Thread(target=lambda: (go.wait(), [0 for _ in range(10**6)]), daemon=True).start()
            go.set()
            os._exit(0)
        batch.append(pid)
    for p in batch:
        if os.WIFSIGNALED(os.waitpid(p, 0)[1]):
            print("threaded process killed", p, flush=True)
    pids += batch
print("threaded", " ".join(map(str, pids)), flush=True)
'''
p = subprocess.Popen([sys.executable, "-c", prog, tmp, exec_mode, limits], stdin=subprocess.PIPE, text=True)
c = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
c.connect(sock)
c.send(json.dumps({"op": "track", "pid": p.pid,
                   "sandbox": {"exec": {"deny": ["touch"]}, "max_processes": 3}}).encode())
rep = json.loads(c.recv(65536))
assert rep.get("ok") is True, rep
p.stdin.write("go\n"); p.stdin.flush()
sys.exit(p.wait(timeout=600))
PY
rc=$?
cat "$TMP/out"
[ $rc -eq 0 ] || fail "the tracked tree failed (rc $rc)"
stop_follow
out=$(cat "$TMP/out")
[ ! -e "$TMP/ran-touch" ] || fail "touch ran despite exec.deny"
assert_not_contains "$out" "threaded process killed" "the threaded processes, 3 at a time, all ran"
if [ "$exec_mode" = lsm ]; then
	assert_contains "$out" "touch PermissionError 1" "lsm: the denied exec fails with EPERM"
else
	assert_contains "$out" "touch returncode -9" "signal: the denied exec is killed before it runs"
fi
if [ "$limits" = lsm ]; then
	assert_contains "$out" "round 0 refused 1 alive [True, True, True]" "lsm: the 4th live child's fork fails with EAGAIN"
	assert_contains "$out" "round 1 refused 1 alive [True, True, True]" "and after the 3 exit, 3 run again"
else
	assert_contains "$out" "round 0 refused 0 alive [True, True, True, False]" "signal: the 4th live child is killed before it runs"
	assert_contains "$out" "round 1 refused 0 alive [True, True, True, False]" "and after they exit, 3 run again"
fi
pids=$(sed -n 's/^threaded //p' "$TMP/out")
python3 - "$TMP/events" "$pids" "$limits" <<'PY' || fail "exit records of threaded processes"
import json, sys
sys.path.insert(0, sys.argv[0].rsplit("/", 1)[0])
evs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
pids = [int(p) for p in sys.argv[2].split()]
exits = {p: sum(1 for e in evs if e.get("type") == "exit" and e.get("pid") == p) for p in pids}
bad = {p: n for p, n in exits.items() if n != 1}
print("exit records per threaded process:", sorted(set(exits.values())), "bad:", bad)
denies = [e for e in evs if e.get("type") == "deny"]
print("deny records:", [(e.get("op"), e.get("action")) for e in denies])
want = "refused" if sys.argv[3] == "lsm" else "killed"
ok = not bad and any(e.get("op") == "fork" and e.get("action") == want for e in denies)
sys.exit(0 if ok else 1)
PY
pass "one exit record for each of 21 processes whose 8 threads exit together; the fork denial is recorded"
