#!/usr/bin/env bash
# test_base_procs.sh: every call reaches every process of its server's own, also one the server forks between two
# calls. The daemon keeps the list of those processes from one walk of the lineage map to the next and walks again
# only when the kernel made a new one (base_procs.h); a worker forked after the first call must still carry the
# second call and its rules: its exec of /usr/bin/touch during that call is denied. So must a root that another
# replaced (track with a server_id), which userspace, not the kernel, made a server's own.
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"

start_daemon
python3 - "$SOCK" "$TMP" >"$TMP/out" 2>&1 <<'PY' || { cat "$TMP/out"; fail "the raw client failed"; }
import json, os, socket, subprocess, sys, time
tmp = sys.argv[2]
server = subprocess.Popen([sys.executable, "-c", r'''
import os, sys
tmp = sys.argv[1]
def worker(go, name):
    """Forked outside any call: the server's own. Tries touch once told to (during a call), then reports."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.read(r, 1)
        try:
            os.execv("/usr/bin/touch", ["touch", os.path.join(tmp, name)])
        except OSError as e:
            os._exit(3)
    return pid, w
def outcome(pid, name):
    _, st = os.waitpid(pid, 0)
    ran = os.path.exists(os.path.join(tmp, name))
    how = "ran" if ran else ("killed" if os.WIFSIGNALED(st) else "EPERM" if os.WEXITSTATUS(st) == 3 else "rc%d" % os.WEXITSTATUS(st))
    print(name, how, flush=True)
    open(os.path.join(tmp, name + ".told"), "w").close()
sys.stdin.readline()                      # call 1 has started: the daemon walked the lineage map
first, fw = worker(None, "first")         # forked while call 1 runs, by a process that carries it: not base
open(os.path.join(tmp, "forked1"), "w").close()
sys.stdin.readline()                      # call 1 ended: what it left still answers to its rules
os.write(fw, b"x"); outcome(first, "first")
late, lw = worker(None, "late")           # forked outside any call: the server's own, after the walk
open(os.path.join(tmp, "forked"), "w").close()
sys.stdin.readline()                      # call 2 has started
os.write(lw, b"x"); outcome(late, "late")
sys.stdin.readline()
''', tmp], stdin=subprocess.PIPE, text=True)
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
def req(**o):
    s.send(json.dumps(o).encode())
    return json.loads(s.recv(65536))
r = req(op="register", name="base", pid=server.pid, id=1)
assert r["ok"], r
sid = r["server_id"]
deny = {"exec": {"deny": ["/usr/bin/touch"]}}
def say(line):
    server.stdin.write(line + "\n"); server.stdin.flush()
assert req(op="call_start", server_id=sid, call=1, tool="run", sandbox=deny)["ok"]
say("call 1 started")
while not os.path.exists(os.path.join(tmp, "forked1")):    # the first child forked within call 1
    time.sleep(0.05)
assert req(op="call_end", server_id=sid, call=1)["ok"]
say("call 1 ended")
while not os.path.exists(os.path.join(tmp, "forked")):
    time.sleep(0.05)
assert req(op="call_start", server_id=sid, call=2, tool="run", sandbox=deny)["ok"]
say("call 2 started")
while not os.path.exists(os.path.join(tmp, "late.told")):    # its touch was tried within call 2
    time.sleep(0.05)
assert req(op="call_end", server_id=sid, call=2)["ok"]
say("done")
server.wait(timeout=60)
PY
out=$(cat "$TMP/out")
echo "$out"
grep -Eq "^first (killed|EPERM)$" <<<"$out" || fail "a child call 1 left running was not held to its rules after its end"
pass "a child that call 1 left running stays under its rules after the call's end ($(grep '^first' <<<"$out"))"
grep -Eq "^late (killed|EPERM)$" <<<"$out" ||
	fail "a worker the server forked between the calls was not held to call 2's rules: $(grep '^late' <<<"$out")"
pass "a worker forked after the daemon's walk carries the next call and its rules (late: $(grep '^late' <<<"$out"))"

# A replaced root: R was server S's root, then `track` made R2 its root. R stays one of S's own processes.
python3 - "$SOCK" "$TMP" >"$TMP/out2" 2>&1 <<'PY' || { cat "$TMP/out2"; fail "the raw client failed"; }
import json, os, socket, subprocess, sys, time
tmp = sys.argv[2]
code = r'''
import os, sys
tmp = sys.argv[1]
sys.stdin.readline()
pid = os.fork()
if pid == 0:
    try:
        os.execv("/usr/bin/touch", ["touch", os.path.join(tmp, "escaped")])
    except OSError:
        os._exit(3)
_, st = os.waitpid(pid, 0)
print("child", "ran" if os.path.exists(os.path.join(tmp, "escaped")) else ("killed" if os.WIFSIGNALED(st) else "rc%d" % os.WEXITSTATUS(st)), flush=True)
open(os.path.join(tmp, "child.told"), "w").close()
sys.stdin.readline()
'''
other = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.readline()"], stdin=subprocess.PIPE, text=True)
R = subprocess.Popen([sys.executable, "-c", code, tmp], stdin=subprocess.PIPE, text=True)
R2 = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.readline()"], stdin=subprocess.PIPE, text=True)
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
def req(**o):
    s.send(json.dumps(o).encode())
    return json.loads(s.recv(65536))
r = req(op="register", name="other", pid=other.pid, id=1); assert r["ok"], r
assert req(op="call_start", server_id=r["server_id"], call=1, tool="t")["ok"]   # a walk: the list is kept
assert req(op="call_end", server_id=r["server_id"], call=1)["ok"]
r = req(op="register", name="S", pid=R.pid, id=2); assert r["ok"], r
sid = r["server_id"]
r = req(op="track", pid=R2.pid, server_id=sid, id=3); assert r["ok"], r
r = req(op="call_start", server_id=sid, call=7, tool="run", sandbox={"exec": {"deny": ["/usr/bin/touch"]}})
assert r["ok"], r
R.stdin.write("go\n"); R.stdin.flush()
while not os.path.exists(os.path.join(tmp, "child.told")):    # its child tried touch within call 7
    time.sleep(0.05)
assert req(op="call_end", server_id=sid, call=7)["ok"]
for p in (R, R2, other):
    p.stdin.write("x\n"); p.stdin.flush(); p.wait(timeout=30)
PY
out=$(cat "$TMP/out2")
echo "$out"
grep -Eq "^child (killed|EPERM|rc3)$" <<<"$out" || fail "the child of a replaced root was not held to the call's rules: $out"
pass "a root that another replaced stays one of its server's own: its fork during a call is held to the call's rules"
