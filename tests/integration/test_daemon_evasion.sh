#!/usr/bin/env bash
# test_daemon_evasion.sh: evasions still seen and attributed to the tracked server: double fork + setsid (with UDP sendto and IPv6 connects, one with a 24-byte sockaddr), vfork+exec, fexecve of a memfd, io_uring connect and UDP sendmsg (inline and from an io-wq worker; the send recorded by the cgroup hook, no syscall sees it), a 32-bit process's UDP sendto (int $0x80, which the syscall tracepoints skip: recorded by the hook too), UDP sendmmsg to many destinations (the first 8 reported, the rest counted), a thread rewriting a connect's sockaddr (the record names the peer the kernel connected to).
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"

for h in vfork_exec memfd_exec uring_op udp_sendmmsg connect_race udp32; do
	[ -x "$HELPERS/$h" ] || fail "missing $HELPERS/$h (make all)"
done
mkfifo "$TMP/go"
cat >"$TMP/orphan.py" <<'PY'
import os, socket
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.sendto(b"x", ("127.0.0.1", 9))
s6 = socket.socket(socket.AF_INET6)
try:
    s6.connect(("::1", 9))
except OSError:
    pass
# The short IPv6 sockaddr (24 bytes, no scope id; RFC 2133 length), which the kernel accepts.
import ctypes, struct
short = struct.pack("=H", socket.AF_INET6) + struct.pack("!HI", 10, 0) + socket.inet_pton(socket.AF_INET6, "::1")
s6b = socket.socket(socket.AF_INET6)
ctypes.CDLL(None, use_errno=True).connect(s6b.fileno(), ctypes.c_char_p(short), len(short))
os.execv("/usr/bin/id", ["/usr/bin/id", "-G"])
PY
export TMP
# The grandchild is orphaned (the subshell exits) and leaves the session; it signals the end through a file.
sh -c '
read x <"$1"
( setsid sh -c "python3 \"\$0\" >/dev/null; touch \"\$1\"" "$3" "$TMP/orphan.done" & )
"$2/vfork_exec" /usr/bin/id -nu >/dev/null
"$2/memfd_exec" /usr/bin/id -ng >/dev/null
"$2/uring_op" connect >"$TMP/uring.inline"
"$2/uring_op" connect async >"$TMP/uring.async"
"$2/uring_op" sendmsg >"$TMP/usend.inline"
"$2/uring_op" sendmsg async >"$TMP/usend.async"
"$2/udp32" && touch "$TMP/udp32.sent"
"$2/udp_sendmmsg" 10 40000 >/dev/null
"$2/connect_race" 300 >"$TMP/race"
' root "$TMP/go" "$HELPERS" "$TMP/orphan.py" &
root=$!
start_daemon --track-pid "$root"
lost_before=$("$MCPWARDEN" status --json --socket "$SOCK" | python3 -c 'import json, sys; print(json.load(sys.stdin)["counters"]["net_records_lost"])')
follow_events "$TMP/events"
echo go >"$TMP/go"
wait "$root" || fail "tracked tree failed"
for _ in $(seq 50); do [ -e "$TMP/orphan.done" ] && break; sleep 0.1; done
[ -e "$TMP/orphan.done" ] || fail "the orphaned grandchild did not finish"
stop_follow
lost_after=$("$MCPWARDEN" status --json --socket "$SOCK" | python3 -c 'import json, sys; print(json.load(sys.stdin)["counters"]["net_records_lost"])')
[ $((lost_after - lost_before)) -eq 2 ] || fail "sendmmsg of 10: want 2 messages counted unreported, got $((lost_after - lost_before))"
pass "sendmmsg messages past the first 8 counted in net_records_lost"

python3 - "$TMP/events" "$root" "$TMP/uring.inline" "$TMP/uring.async" "$TMP/race" "$TMP/usend.inline" "$TMP/usend.async" <<'PY' || fail "evasion events (see above)"
import sys
from evlib import Checks
c = Checks(sys.argv[1])
expect, check, evs = c.expect, c.check, c.evs
root = int(sys.argv[2])
ports = {m: dict(kv.split("=") for kv in open(p).read().split()) for m, p in (("inline", sys.argv[3]), ("async", sys.argv[4]))}
def execs(argv):
    return lambda e: e["type"] == "exec" and e["argv"] == argv and e["server_id"] == 1
g = expect("double fork + setsid: grandchild's exec of id", execs(["/usr/bin/id", "-G"]))
check("the grandchild is not the root's child", g and g["ppid"] != root)
expect("double fork + setsid: grandchild's UDP sendto", lambda e: e["type"] == "net" and e["op"] == "sendto"
       and e["server_id"] == 1 and e["addr"] == "127.0.0.1" and e["port"] == 9)
expect("double fork + setsid: grandchild's IPv6 connect", lambda e: e["type"] == "net" and e["op"] == "connect"
       and e["server_id"] == 1 and e.get("family") == "inet6" and e["addr"] == "::1" and e["port"] == 9)
expect("a 24-byte IPv6 sockaddr still gives the address", lambda e: e["type"] == "net" and e["op"] == "connect"
       and e["server_id"] == 1 and e.get("family") == "inet6" and e.get("addr") == "::1" and e["port"] == 10)
expect("vfork + exec", lambda e: execs(["/usr/bin/id", "-nu"])(e) and e["exe"] == "/usr/bin/id")
expect("fexecve of a memfd, exe is its /dev/fd path", lambda e: execs(["/usr/bin/id", "-ng"])(e)
       and e["exe"].startswith("/dev/fd/"))
for mode, kv in ports.items():
    port = int(kv["port"])
    check(f"io_uring connect ({mode}) succeeded: res={kv['res']}", kv["res"] == "0")
    hit = expect(f"io_uring connect ({mode}): SYN_SENT to the listener", lambda e: e["type"] == "sock_state"
                 and e["newstate"] == "SYN_SENT" and e["port"] == port and e["server_id"] == 1)
    expect(f"io_uring connect ({mode}): ESTABLISHED, attributed to the same process", lambda e: hit and
           e["type"] == "sock_state" and e["newstate"] == "ESTABLISHED" and e["port"] == port
           and e["server_id"] == 1 and e["pid"] == hit["pid"])
    syscall = [e for e in evs if e["type"] == "net" and e["op"] == "connect" and e.get("port") == port]
    check(f"io_uring connect ({mode}): no connect syscall events: {syscall}", not syscall)
    uring = hit and next((e for e in evs if e["type"] == "exec" and e["pid"] == hit["pid"]), None)
    check(f"io_uring connect ({mode}): the pid is the helper's", uring and "uring_op" in uring["exe"])
for mode, path in (("inline", sys.argv[6]), ("async", sys.argv[7])):
    kv = dict(kv.split("=") for kv in open(path).read().split())
    port = int(kv["port"])
    check(f"io_uring UDP sendmsg ({mode}) sent its 3 bytes: res={kv['res']}", kv["res"] == "3")
    expect(f"io_uring UDP sendmsg ({mode}): recorded at the cgroup hook, attributed", lambda e: e["type"] == "net"
           and e["op"] == "send_hooked" and e["port"] == port and e["addr"] == "127.0.0.1" and e["server_id"] == 1)
hooked = [e for e in evs if e["type"] == "net" and e["op"] == "send_hooked" and e["port"] == 9]
check(f"a plain sendto is recorded once, at its syscall, not again at the hook: {hooked}", not hooked)
import os
if os.path.exists(os.environ["TMP"] + "/udp32.sent"):
    expect("a 32-bit process's UDP sendto: recorded at the cgroup hook, attributed", lambda e: e["type"] == "net"
           and e["op"] == "send_hooked" and e["port"] == 10 and e["comm"] == "udp32" and e["server_id"] == 1)
    seen = [e for e in evs if e["type"] == "net" and e["op"] == "sendto" and e.get("port") == 10]
    check(f"a 32-bit process's sendto makes no syscall record (the tracepoints skip compat syscalls): {seen}", not seen)
else:
    print("this kernel runs no 32-bit code: nothing of it to see")
mm = sorted(e["port"] for e in evs if e["type"] == "net" and e["op"] == "sendmmsg" and e["server_id"] == 1
            and e["addr"] == "127.0.0.1" and e["result"] == 1)
check(f"sendmmsg to 10 destinations: the first 8 reported, each with its bytes: {mm}", mm == list(range(40000, 40008)))
race = dict(kv.split("=") for kv in open(sys.argv[5]).read().split())
real, decoy = int(race["port"]), int(race["decoy"])
made = [e for e in evs if e["type"] == "net" and e["op"] == "connect" and e["server_id"] == 1 and e["result"] == 0
        and e.get("port") in (real, decoy)]
wrong = [e for e in made if e["port"] != real]
check(f"racing sockaddr: {len(made)} connects made (helper: {race['connected']}), none recorded at the decoy port {decoy}: "
      f"{len(wrong)} were", len(made) == int(race["connected"]) > 0 and not wrong)
c.done()
PY
pass "evasions seen and attributed to server 1"
