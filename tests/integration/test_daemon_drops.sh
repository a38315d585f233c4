#!/usr/bin/env bash
# test_daemon_drops.sh: when the ring buffer overflows (daemon stopped; a UDP flood, then an exec storm), status reports per-type drops, a lost_events event says so in-band, and events resume; a follower that stops reading loses messages, counted and told in-band, while the daemon serves others.
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"

# udp_sender N FIFO: in the background, once FIFO is written, N UDP sends to 127.0.0.1:9 (one record each).
udp_sender() {
	sh -c 'read x <"$2"; exec python3 -c "
import socket, sys
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(int(sys.argv[1])):
    u.sendto(b\"x\", (\"127.0.0.1\", 9))
" "$1"' root "$1" "$2" &
}

mkfifo "$TMP/go"
# 60000 UDP sends of ~264-byte records overflow the 8 MiB ring buffer while nobody reads it.
udp_sender 60000 "$TMP/go"
root=$!
start_daemon --track-pid "$root"

drops() { "$MCPWARDEN" status --json --socket "$SOCK" | python3 -c 'import json,sys; print(json.load(sys.stdin)["drops"][sys.argv[1]])' "$1"; }
assert_eq "$(drops net)" 0 "no drops before the flood"

kill -STOP "$daemon_pid"
echo go >"$TMP/go"
wait "$root" || { kill -CONT "$daemon_pid"; fail "sender failed"; }
# An exec storm into the full ring: every exec record (and the forks' and exits') is lost, and counted.
/usr/bin/python3 -c '
import os
for _ in range(500):
    os.waitpid(os.posix_spawn("/bin/true", ["true"], {}), 0)' || { kill -CONT "$daemon_pid"; fail "exec storm failed"; }
kill -CONT "$daemon_pid"
x=$(drops exec)
[ "$x" -ge 500 ] 2>/dev/null || fail "expected >= 500 exec drops after the exec storm, got '$x'"
pass "status reports $x dropped exec records after 500 execs into a full ring"

n=$(drops net)
[ "$n" -gt 0 ] 2>/dev/null || fail "expected net drops after the flood, got '$n'"
pass "status reports $n dropped net records"
# status is answered ahead of the ring's backlog, which the daemon reads a slice at a time meanwhile.
for _ in $(seq "$(slow 100)"); do
	seen=$("$MCPWARDEN" status --json --socket "$SOCK" | python3 -c 'import json,sys; print(json.load(sys.stdin)["counters"]["events"]["net"])')
	[ $((seen + n)) -ge 60000 ] && break
	sleep 0.1
done
[ "$seen" -gt 0 ] && [ $((seen + n)) -ge 60000 ] || fail "received $seen + dropped $n net records, expected >= 60000"
pass "received $seen + dropped $n >= 60000 sends"

# The consumer sees the loss in-band: lost_events events whose net counts add up to the drops.
sleep 0.6	# a daemon tick
timeout 10 "$MCPWARDEN" events --json --socket "$SOCK" >"$TMP/events" || fail "events failed"
python3 - "$TMP/events" "$(drops net)" "$(drops exec)" <<'PY' || fail "lost_events in the stream (see above)"
import json, sys
lost = [e for e in map(json.loads, open(sys.argv[1])) if e["type"] == "lost_events"]
print("lost_events:", lost)
assert lost, "no lost_events event"
assert all(e["source"] == "ring_buffer" for e in lost)
assert all(set(e["counts"]) == {"exec", "fork", "exit", "net", "sock_state"} for e in lost)
assert all(e["total"] == sum(e["counts"].values()) > 0 and e["ts"] > 0 for e in lost)
assert sum(e["counts"]["net"] for e in lost) == int(sys.argv[2]), "net counts do not add up to status drops"
assert sum(e["counts"]["exec"] for e in lost) == int(sys.argv[3]), "exec counts do not add up to status drops"
PY
pass "lost_events events report the $n dropped net and $x exec records in-band"

# A follower that stops reading: the daemon keeps at most 4096 messages (4 MiB) for it and drops the
# rest, counted. When it reads again, a lost_events event from source "subscriber" comes before the
# next event and says how many it missed: what it received and what it was told it lost add up.
mkfifo "$TMP/go2" "$TMP/read"
udp_sender 20000 "$TMP/go2"
sender=$!
python3 - "$SOCK" "$sender" <<'PY' || fail "track the sender"
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
s.send(json.dumps({"op": "track", "pid": int(sys.argv[2])}).encode())
assert json.loads(s.recv(65536))["ok"]
PY
python3 - "$SOCK" "$TMP/read" "$TMP/follower.out" <<'PY' &
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(sys.argv[1])
s.send(json.dumps({"op": "subscribe", "follow": True}).encode())
open(sys.argv[2]).read()	# not a byte read from the daemon until told
s.settimeout(3)
out = open(sys.argv[3], "w")
try:
    while True:
        out.write(s.recv(1 << 20).decode() + "\n")
except socket.timeout:
    pass
PY
follower=$!
for _ in $(seq 50); do
	[ "$(clients)" -ge 1 ] && break
	sleep 0.1
done
echo go >"$TMP/go2"
wait "$sender" || fail "sender failed"
sleep 0.5	# a daemon tick drains the ring
"$MCPWARDEN" status --socket "$SOCK" >/dev/null || fail "the daemon does not answer others while a follower is stuck"
pass "the daemon answers while a follower is stuck"
echo go >"$TMP/read"
sleep 0.5
/bin/true	# an event after the follower read again: the notice goes before it
wait "$follower"
python3 - "$TMP/follower.out" "$sender" <<'PY' || fail "the stuck follower's loss (see above)"
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
sender = int(sys.argv[2])
told = [e for e in evs if e.get("type") == "lost_events" and e.get("source") == "subscriber"]
sends = [e for e in evs if e.get("type") == "net" and e.get("op") == "sendto" and e.get("pid") == sender]
print(f"received {len(evs)} messages, {len(sends)} of the sender's 20000 sends; told of losses: {told}")
assert told and all(e["total"] > 0 and e["ts"] > 0 for e in told), "no lost_events from source subscriber"
assert len(sends) < 20000, "nothing was lost: the test did not fill the queue"
assert len(sends) + sum(e["total"] for e in told) >= 20000, "received + told lost < 20000 sends"
PY
pass "a stuck follower loses messages, counted, and is told in-band"

