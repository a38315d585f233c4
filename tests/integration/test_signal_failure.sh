#!/usr/bin/env bash
# test_signal_failure.sh: a kill the kernel would not send is not reported as done. With every BPF-side kill
# made to fail (daemon --fail-signals, test only; the kernel can refuse one with EBUSY or EPERM), a denied exec
# and a fork over max_processes still end: the deny record says the kernel's kill failed, the daemon kills the
# process through a pidfd, and status counts the failures. Run with each way of killing an unborn child
# (bpf_send_signal_task where the kernel has it, else at its first run) and without BPF LSM, whose refusals
# need no signal.
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"

# One tracked tree under exec.deny [sleep] and max_processes 2: it execs sleep, and forks 3 children that wait.
prog='
import os, subprocess, sys, time
sys.stdin.readline()
t = time.monotonic()
r = subprocess.run(["sleep", "30"])
print("sleep returncode", r.returncode, "after", round(time.monotonic() - t), "s", flush=True)
kids = []
for _ in range(3):
    pid = os.fork()
    if pid == 0:
        time.sleep(30)
        os._exit(0)
    kids.append(pid)
t = time.monotonic()
sts = {}
while len(sts) < 1 and time.monotonic() - t < 20:
    for k in kids:
        if k not in sts and os.waitpid(k, os.WNOHANG) != (0, 0):
            sts[k] = True
    time.sleep(0.05)
print("children ended", len(sts), "after", round(time.monotonic() - t), "s", flush=True)
for k in kids:
    if k not in sts:
        os.kill(k, 9)
        os.waitpid(k, 0)
'

run_mode() { # NAME UNBORN-KILL DAEMON-ARGS...: runs where the daemon then kills unborn children by UNBORN-KILL (or any)
	local name=$1 unborn=$2 have
	shift 2
	start_daemon --fail-signals --without lsm "$@"
	have=$("$MCPWARDEN" status --json --socket "$SOCK" | python3 -c 'import json,sys; print(json.load(sys.stdin)["features"]["unborn_kill"])')
	[ "$unborn" != any ] || [ "$have" != none ] || fail "$name: the daemon can't kill unborn children here"
	if [ "$unborn" != any ] && [ "$have" != "$unborn" ]; then
		echo "$name: not on this kernel (its unborn kill is $have); the kernel matrix runs it"
		stop_daemon || fail "$name: the daemon did not exit cleanly"
		return
	fi
	follow_events "$TMP/events"
	python3 - "$SOCK" "$prog" >"$TMP/out" 2>&1 <<'PY'
import json, socket, subprocess, sys
p = subprocess.Popen([sys.executable, "-c", sys.argv[2]], stdin=subprocess.PIPE, text=True)
c = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
c.connect(sys.argv[1])
c.send(json.dumps({"op": "track", "pid": p.pid,
                   "sandbox": {"exec": {"deny": ["sleep"]}, "max_processes": 2}}).encode())
rep = json.loads(c.recv(65536))
assert rep.get("ok") is True, rep
p.stdin.write("go\n"); p.stdin.flush()
sys.exit(p.wait(timeout=120))
PY
	local rc=$? out
	out=$(cat "$TMP/out")
	[ $rc -eq 0 ] || fail "$name: the tracked tree failed (rc $rc): $out"
	assert_contains "$out" "sleep returncode -9 after 0 s" "$name: the denied exec whose kernel kill failed was killed by the daemon"
	assert_contains "$out" "children ended 1 after 0 s" "$name: the fork over max_processes whose kernel kill failed was killed by the daemon"
	st=$("$MCPWARDEN" status --json --socket "$SOCK")
	stop_follow
	python3 - "$TMP/events" "$st" <<'PY' || fail "$name: records and counters: $(grep '"deny"' "$TMP/events" | head -5)"
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
d = [e for e in evs if e.get("type") == "deny"]
ex = [e for e in d if e.get("op") == "exec"]
fk = [e for e in d if e.get("op") == "fork"]
assert ex and all("killed by the daemon" in e["what"] for e in ex), ex
assert fk and any("killed by the daemon" in e["what"] for e in fk), fk
assert not any(e["what"].endswith("killed before it ran") for e in ex), ex
s = json.loads(sys.argv[2])
assert s["counters"]["kernel_kills_failed"] >= 2, s["counters"]
assert s["features"]["fail_signals"] is True, s["features"]
PY
	pass "$name: the records say the daemon killed them, and status counts the failed kernel kills"
	stop_daemon || fail "$name: the daemon did not exit cleanly"
}

run_mode "this kernel's unborn kill" any
run_mode "first-run kill" fexit/schedule_tail --without signal-task
