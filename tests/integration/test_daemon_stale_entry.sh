#!/usr/bin/env bash
# test_daemon_stale_entry.sh: a lineage entry belongs to one process, not to a pid. An entry left by an
# earlier process of a pid (its exit missed) must not hand that process's server to the next one: here an
# entry with another start time is written into `tracked` for a live, untracked process, which then forks,
# and neither it nor its child is attributed to that server. And the daemon refuses to track a zombie, which
# would leave just such an entry.
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"
command -v bpftool >/dev/null || fail "bpftool is missing"

start_daemon
follow_events "$TMP/events"
map=$(daemon_map tracked)
[ -n "$map" ] || fail "the daemon's tracked map was not found"

python3 -c 'import os, sys, time
print(os.getpid(), flush=True)
while not os.path.exists(sys.argv[1]): time.sleep(0.05)
if os.fork() == 0:
    os.execv("/bin/true", ["true", "stale-child-" + sys.argv[2]])
os.wait()' "$TMP/go" "$$" >"$TMP/pid" &
holder=$!
test_cleanup() { kill "$holder" 2>/dev/null; }
for _ in $(seq 50); do [ -s "$TMP/pid" ] && break; sleep 0.1; done
pid=$(cat "$TMP/pid")
# tracked[pid] = { start_time 1 (no process's), server 4242, no calls }
key=$(python3 -c 'import struct,sys; print(" ".join(str(b) for b in struct.pack("<I", int(sys.argv[1]))))' "$pid")
val=$(python3 -c 'import struct; print(" ".join(str(b) for b in struct.pack("<QII4QIIII", 1, 4242, 0, 0, 0, 0, 0, 0, 0, 0, 0)))')
# shellcheck disable=SC2086
bpftool map update id "$map" key $key value $val || fail "could not write the stale entry"
touch "$TMP/go"
wait "$holder"
holder=
stop_follow
python3 - "$TMP/events" "$$" <<'PY' || fail "the stale entry's server was handed on: $(grep stale-child "$TMP/events")"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
ex = [e for e in ev if e.get("type") == "exec" and "stale-child-" + sys.argv[2] in json.dumps(e)]
assert ex, "no exec event of the child"
assert all(e.get("server_id", 0) != 4242 for e in ex), ex
PY
pass "an entry with another process's start time is not this process's: its child belongs to no server"

# A zombie: its exit went by, so an entry for it would outlive it.
python3 -c 'import os, sys, time
pid = os.fork()
if pid == 0: os._exit(0)
print(pid, flush=True)
time.sleep(30)' >"$TMP/zombie" &
parent=$!
test_cleanup() { kill "$parent" 2>/dev/null; }
for _ in $(seq 50); do [ -s "$TMP/zombie" ] && break; sleep 0.1; done
zombie=$(cat "$TMP/zombie")
for _ in $(seq 50); do grep -q '^State:.*Z' "/proc/$zombie/status" 2>/dev/null && break; sleep 0.1; done
rep=$(python3 - "$SOCK" "$zombie" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
s.send(('{"op":"track","pid":%s}' % sys.argv[2]).encode())
print(s.recv(65536).decode())
PY
)
assert_contains "$rep" "has exited" "tracking a zombie is refused"
