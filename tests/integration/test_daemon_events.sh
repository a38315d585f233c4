#!/usr/bin/env bash
# test_daemon_events.sh: a tracked process tree's exec and network events reach `mcpwarden events` with its server id; others' do not.
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"

# The root waits on a fifo until the daemon tracks it, then runs `id -u` and the network script.
mkfifo "$TMP/go"
cat >"$TMP/net.py" <<'PY'
import socket, sys
ls = socket.socket(); ls.bind(("127.0.0.1", 0)); ls.listen()
port = ls.getsockname()[1]
c = socket.socket(); c.connect(("127.0.0.1", port))
a, _ = ls.accept()
nb = socket.socket(); nb.setblocking(False)
nb.connect_ex(("127.0.0.1", port))   # EINPROGRESS: the outcome comes as a state change
# A blocking socket with a send timeout may also return EINPROGRESS: its state changes are reported too.
import struct
ls2 = socket.socket(); ls2.bind(("127.0.0.1", 0)); ls2.listen()
port2 = ls2.getsockname()[1]
st = socket.socket(); st.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, struct.pack("ll", 5, 0))
st.connect(("127.0.0.1", port2))
import time; time.sleep(0.1)
for name in ("/nonexistent/mcpwarden.sock", "\0mcpwarden-abstract"):
    try:
        socket.socket(socket.AF_UNIX).connect(name)
    except OSError:
        pass
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.sendto(b"x", ("127.0.0.1", port))
u.sendmsg([b"y"], [], 0, ("127.0.0.1", port + 1))
s6 = socket.socket(socket.AF_INET6)
try:
    s6.connect(("::1", port))
except OSError:
    pass
open(sys.argv[1], "w").write(f"{port} {port2}")
# Exec from a thread that is not the leader: the kernel gives it the leader's pid.
import os, threading
threading.Thread(target=lambda: os.execv("/bin/true", ["/bin/true", "exec-from-thread"])).start()
PY
# An argv longer than the 256 bytes an exec record holds: cut, and flagged.
long=$(printf 'a%.0s' $(seq 400))
sh -c 'read x <"$1"; id -u >/dev/null; /bin/true "$4"; python3 "$2" "$3"' root "$TMP/go" "$TMP/net.py" "$TMP/port" "$long" &
root=$!

start_daemon --track-pid "$root"
follow_events "$TMP/events"
echo go >"$TMP/go"
wait "$root" || fail "tracked tree failed"
/bin/echo "untracked-$$" >/dev/null
stop_follow
[ -s "$TMP/port" ] || fail "network script did not finish"

python3 - "$TMP/events" "$(cat "$TMP/port")" "$root" "untracked-$$" <<'PY' || fail "events do not match (see above)"
import json, sys
path, (port, port2), root, marker = sys.argv[1], map(int, sys.argv[2].split()), int(sys.argv[3]), sys.argv[4]
evs = [json.loads(l) for l in open(path) if l.strip()]
print(f"{len(evs)} events")
ok = True
def expect(what, pred):
    global ok
    hits = [e for e in evs if pred(e)]
    print(("ok: " if hits else "MISSING: ") + what + (": " + json.dumps(hits[0]) if hits else ""))
    ok &= bool(hits)
def net(op, **kw):
    return lambda e: e["type"] == "net" and e["op"] == op and e["server_id"] == 1 and \
        all(e.get(k) == v for k, v in kw.items())
expect("exec of id with argv, server 1", lambda e: e["type"] == "exec" and e["argv"] == ["id", "-u"]
       and e["server_id"] == 1 and e["exe"].endswith("/id") and e["argv_truncated"] is False)
expect("a long argv is cut and flagged", lambda e: e["type"] == "exec" and e["argv"][0] == "/bin/true"
       and e["argv_truncated"] is True and e["argv"][1] == "a" * (256 - len("/bin/true") - 1) and e["server_id"] == 1)
expect("fork of a tracked child inherits server 1", lambda e: e["type"] == "fork" and e["ppid"] == root
       and e["server_id"] == 1)
expect("tcp connect to loopback, result 0", net("connect", family="inet", addr="127.0.0.1", port=port, result=0))
expect("bind", net("bind", family="inet", addr="127.0.0.1"))
expect("listen", net("listen", result=0))
expect("accept with peer address", lambda e: net("accept", family="inet", addr="127.0.0.1")(e) and e["result"] >= 0)
expect("udp sendto", net("sendto", family="inet", addr="127.0.0.1", port=port, result=1))
expect("udp sendmsg", net("sendmsg", family="inet", addr="127.0.0.1", port=port + 1, result=1))
expect("ipv6 connect", net("connect", family="inet6", addr="::1", port=port))
expect("unix connect, refused, with its path", net("connect", family="unix", path="/nonexistent/mcpwarden.sock",
       result=-2))
expect("unix connect to an abstract name", net("connect", family="unix", path="@mcpwarden-abstract", result=-111))
expect("non-blocking connect in progress", net("connect", family="inet", addr="127.0.0.1", port=port, result=-115))
expect("its outcome: tcp state ESTABLISHED", lambda e: e["type"] == "sock_state" and e["newstate"] == "ESTABLISHED"
       and e["oldstate"] == "SYN_SENT" and e["server_id"] == 1 and e["port"] == port and e["addr"] == "127.0.0.1")
expect("a send timeout's connect: tcp state ESTABLISHED", lambda e: e["type"] == "sock_state"
       and e["newstate"] == "ESTABLISHED" and e["server_id"] == 1 and e["port"] == port2)
blocking_est = [e for e in evs if e["type"] == "sock_state" and e["newstate"] == "ESTABLISHED" and e["port"] == port]
print("ESTABLISHED records for port", port, "(want one: the non-blocking connect's):", blocking_est)
ok &= len(blocking_est) == 1
blocking = [e for e in evs if e["type"] == "sock_state" and e["newstate"] == "SYN_SENT"]
print("state changes of syscall connects, reported by their connect event instead (want none):", blocking)
ok &= not blocking
expect("exit of the root", lambda e: e["type"] == "exit" and e["pid"] == root and e["server_id"] == 1)
expect("untracked exec seen, server 0", lambda e: e["type"] == "exec" and marker in e["argv"] and e["server_id"] == 0)
py = next(e["pid"] for e in evs if e["type"] == "net" and e["op"] == "connect")
expect("exec from a non-leader thread keeps the pid and lineage", lambda e: e["type"] == "exec"
       and "exec-from-thread" in e["argv"] and e["pid"] == py and e["old_tid"] != py and e["server_id"] == 1)
untracked_net = [e for e in evs if e["type"] in ("net", "sock_state") and e["server_id"] == 0]
print("network events from untracked processes:", untracked_net[:3])
ok &= not untracked_net
# The tracked tree is the root and what it forked, whatever the children run (python3 may be a pyenv shell shim).
tree = {root}
grew = True
while grew:
    kids = {e["pid"] for e in evs if e["type"] == "fork" and e["ppid"] in tree}
    grew = not kids <= tree
    tree |= kids
bad = [e for e in evs if e["server_id"] != 0 and (marker in e.get("argv", []) or e["pid"] not in tree)]
print("tracked events from untracked processes:", bad)
sys.exit(0 if ok and not bad else 1)
PY
pass "tracked tree events"
