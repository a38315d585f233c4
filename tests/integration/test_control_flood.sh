#!/usr/bin/env bash
# test_control_flood.sh: code inside a sandboxed server that floods the control socket with `status` can't starve
# the daemon's loop. First, with no flood, a tracked sender's records (RATE a second for SECS s, one UDP send
# each) are all read. Then a process inside a tracked server forks KIDS processes (lineage entries, which each
# status walks) and pipelines `status` on CONNS connections, never reading the replies, while the sender runs
# again (no record may be dropped; before the rate limit, about half were) and then a shim's sandboxed calls run
# (each answered, its call_start acked within a second). The flood is answered by errors naming the limit
# (include/control.h: CTL_READ_RATE).
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"

start_daemon
cat >"$TMP/policy.yaml" <<'EOF'
version: "1"
default: allow
tools:
  run_code:
    sandbox:
      exec:
        deny: [/usr/bin/touch]
EOF
mkdir "$TMP/shim"
args='{"language": "bash", "code": "/bin/true; echo call {call}"}'

python3 - "$SOCK" "$MCPWARDEN" "$TMP" "$TOP" "$FIXTURES" "$args" <<'PY' || fail "the flood (see above)"
import atexit, json, os, signal, socket, subprocess, sys, time
sock, mcpwarden, tmp, top, fixtures, args = sys.argv[1:7]
RATE, SECS, CONNS, CALLS, KIDS = 30000, 4, 32, 20, 3000

def request(obj):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(sock)
    s.send(json.dumps(obj).encode())
    return json.loads(s.recv(1 << 20))

def timed(f):
    t = time.monotonic()
    f()
    return time.monotonic() - t

def drops():
    return sum(request({"op": "status"})["status"]["drops"].values())

def track(p):
    ack = request({"op": "track", "pid": p.pid})
    assert ack.get("ok") is True, ("track", p.pid, ack)

# RATE UDP sends a second to 127.0.0.1:9 for SECS seconds, once told to go (one record each: it is tracked).
SENDER = r'''
import socket, sys, time
sys.stdin.readline()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
rate, secs = int(sys.argv[1]), float(sys.argv[2])
t0 = time.monotonic()
for i in range(int(rate * secs)):
    while time.monotonic() - t0 < i / rate:
        pass
    u.sendto(b"x", ("127.0.0.1", 9))
'''
def send_records():
    p = subprocess.Popen([sys.executable, "-c", SENDER, str(RATE), str(SECS)], stdin=subprocess.PIPE, text=True)
    track(p)
    p.stdin.write("go\n"); p.stdin.flush()
    return p

p = send_records()
assert p.wait() == 0, "the sender failed"
time.sleep(0.5)
before = drops()
print("no flood: %d records in %d s, %d dropped" % (RATE * SECS, SECS, before), flush=True)
assert before == 0, "the daemon drops records without a flood: the test can't tell"

# The flooder, inside a tracked server: status pipelined on CONNS connections as fast as they take it, the
# replies left unread (the daemon makes each, then queues or drops it) until its stdin closes; then it reads what
# is queued for it and prints how many were answered and refused, and a refusal's text.
FLOODER = r'''
import json, os, select, signal, socket, sys
sock, n = sys.argv[1], int(sys.argv[2])
kids = int(sys.argv[3])
sys.stdin.readline()
pids = []
for _ in range(kids):	# processes of its server: entries of the lineage map, which status counts
    pids.append(os.fork())
    if pids[-1] == 0:
        signal.pause()
print("forked", flush=True)
sys.stdin.readline()
cs = []
for _ in range(n):
    c = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    c.connect(sock)
    c.setblocking(False)
    cs.append(c)
while not select.select([sys.stdin], [], [], 0)[0]:
    select.select([], cs, [], 0.1)
    for c in cs:
        try:
            while True:
                c.send(b'{"op":"status"}')
        except BlockingIOError:
            pass
for k in pids:
    os.kill(k, signal.SIGKILL)
    os.waitpid(k, 0)
res = {"ok": 0, "refused": 0, "why": ""}
for c in cs:
    c.settimeout(0.2)
    try:
        while True:
            m = json.loads(c.recv(1 << 20))
            if m.get("ok"):
                res["ok"] += 1
            else:
                res["refused"] += 1
                res["why"] = m["error"]
    except socket.timeout:
        pass
print(json.dumps(res), flush=True)
'''
flooder = subprocess.Popen([sys.executable, "-c", FLOODER, sock, str(CONNS), str(KIDS)], stdin=subprocess.PIPE,
                           stdout=subprocess.PIPE, text=True, start_new_session=True)
def kill_flooder():
    try:
        os.killpg(flooder.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
atexit.register(kill_flooder)
track(flooder)
flooder.stdin.write("go\n"); flooder.stdin.flush()
assert flooder.stdout.readline().strip() == "forked", "the flooder's children"
print("status with the flooder's %d processes: %.2f ms" % (KIDS, 1000 * timed(lambda: request({"op": "status"}))))
flooder.stdin.write("go\n"); flooder.stdin.flush()
time.sleep(1)
p = send_records()
assert p.wait() == 0, "the sender failed"
time.sleep(0.5)
after = drops()
# call_end reads the ring up to its request (ring_catch_up): the calls come after the sender, not during it.
drive = subprocess.run([sys.executable, top + "/tests/integration/load_drive.py", tmp + "/shim/out.json", "1",
                        str(CALLS), "run_code", args, "--", mcpwarden, "run", "--socket", sock, "--policy",
                        tmp + "/policy.yaml", "--", sys.executable, fixtures + "/stellify_server.py"])
flooder.stdin.close()
flood = json.loads(flooder.stdout.readline())
assert flooder.wait() == 0, "the flooder failed"
out = json.load(open(tmp + "/shim/out.json"))
texts = [json.dumps(r["reply"]) for r in out["replies"] if r["reply"] is not None]
acks = sorted(out["acks_us"])
print("flood: of the replies still queued at its end, %d answered, %d refused (%r); %d of %d records dropped; calls answered %d/%d, acks %d, max %.1f ms"
      % (flood["ok"], flood["refused"], flood["why"], after, RATE * SECS, len(texts), CALLS, len(acks),
         acks[-1] / 1000 if acks else float("nan")), flush=True)
assert drive.returncode == 0, "load_drive.py failed"
assert after == 0, "the ring buffer dropped %d records under the flood" % after
assert len(texts) == CALLS and all("call " in t for t in texts), "not every call ran: %s" % texts[:3]
assert len(acks) == CALLS and acks[-1] < 1000000, "call_start acks: %s" % acks
assert flood["refused"] > 0 and "rate" in flood["why"], flood
PY
pass "a status flood from inside a server drops no record and delays no call: it is refused past its rate"
