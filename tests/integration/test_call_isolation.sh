#!/usr/bin/env bash
# test_call_isolation.sh: a call's code can't reach into its server. Where BPF LSM is active, a process forked in
# a call may open /proc/PID/mem (or ptrace, or read /proc/PID/environ and fd/N) only of its own children in that
# call: not its server's root, whose rules are not the call's and whose memory it could rewrite; not the
# server's worker that the root forked before the call (the process npx or sh -c leaves running the server);
# nor the daemon. The server's own processes still reach the call's. Without BPF LSM nothing stops it, and status says so (call_isolation: none); the kernel
# matrix runs this test where BPF LSM is active.
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"

start_daemon
st=$("$MCPWARDEN" status --json --socket "$SOCK")
mode=$(python3 -c 'import json,sys; f = json.loads(sys.argv[1])["features"]; print(f["call_isolation"], f["exec_enforcement"])' "$st")
if [ "$mode" = "none signal" ]; then
	pass "no BPF LSM here: status says call_isolation none (the kernel matrix runs the rest)"
	exit 0
fi
assert_eq "$mode" "lsm/ptrace_access_check lsm" "with BPF LSM, status names the hook"
follow_events "$TMP/events"

python3 - "$SOCK" "$daemon_pid" "$TMP/forked" >"$TMP/out" 2>&1 <<'PY'
import json, os, socket, subprocess, sys, time
server = subprocess.Popen([sys.executable, "-c", r'''
import os, sys
def reach(pid, what="mem", how="r+b"):
    try:
        with open("/proc/%d/%s" % (pid, what), how):
            return "open"
    except PermissionError:
        return "EPERM"
    except OSError as e:
        return e.__class__.__name__
sys.stdin.readline()
wr, ww = os.pipe()
worker = os.fork()    # forked before any call: the server's own, as npx's node is
if worker == 0:
    os.read(wr, 1)
    os._exit(0)
open(sys.argv[2], "w").close()    # the worker is forked: the call may start
sys.stdin.readline()
r, w = os.pipe()
c = os.fork()
if c == 0:    # forked in the call: the call's code
    g = os.fork()
    if g == 0:
        os.read(r, 1)
        os._exit(0)
    print("call->server", reach(os.getppid()), flush=True)
    print("call->server environ", reach(os.getppid(), "environ", "rb"), flush=True)
    print("call->server fd", reach(os.getppid(), "fd/0", "rb"), flush=True)
    print("call->worker", reach(worker), flush=True)
    print("call->daemon", reach(int(sys.argv[1])), flush=True)
    print("call->own child", reach(g), flush=True)
    os.write(w, b"x")
    os.waitpid(g, 0)
    os._exit(0)
print("server->call", reach(c), flush=True)
os.waitpid(c, 0)
os.write(ww, b"x")
os.waitpid(worker, 0)
''', sys.argv[2], sys.argv[3]], stdin=subprocess.PIPE, text=True)
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
def req(**o):
    s.send(json.dumps(o).encode())
    return json.loads(s.recv(65536))
r = req(op="register", name="iso", pid=server.pid, id=1)
assert r["ok"], r
server.stdin.write("fork\n"); server.stdin.flush()
while not os.path.exists(sys.argv[3]):    # the worker is forked outside any call
    time.sleep(0.05)
assert req(op="call_start", server_id=r["server_id"], call=7, tool="run", sandbox={})["ok"]
server.stdin.write("go\n"); server.stdin.flush()
server.wait(timeout=60)
req(op="call_end", server_id=r["server_id"], call=7)
PY
out=$(cat "$TMP/out")
echo "$out"
assert_contains "$out" "call->server EPERM" "the call's code can't open its server's memory"
assert_contains "$out" "call->server environ EPERM" "nor read its environment"
assert_contains "$out" "call->server fd EPERM" "nor open its descriptors"
assert_contains "$out" "call->worker EPERM" "nor reach the server's worker forked before the call"
assert_contains "$out" "call->daemon EPERM" "nor the daemon's"
assert_contains "$out" "call->own child open" "it still reaches its own child in the call"
assert_contains "$out" "server->call open" "the server's own process still reaches the call's"
stop_follow
python3 - "$TMP/events" <<'PY' || fail "deny records: $(grep -c ptrace "$TMP/events")"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
d = [e for e in ev if e.get("type") == "deny" and e.get("op") == "ptrace"]
assert len(d) >= 2 and all(e["rule"] == "sandbox.call_isolation" and "refused (EPERM)" in e["what"] for e in d), d
PY
pass "each refusal is a deny record naming call_isolation"
