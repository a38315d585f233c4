#!/usr/bin/env bash
# test_daemon_drops.sh: when the ring buffer overflows (daemon stopped), status reports per-type drops, a lost_events event says so in-band, and events resume.
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"

mkfifo "$TMP/go"
# 60000 UDP sends of ~264-byte records overflow the 8 MiB ring buffer while nobody reads it.
sh -c 'read x <"$1"; exec python3 -c "
import socket
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(60000):
    u.sendto(b\"x\", (\"127.0.0.1\", 9))
"' root "$TMP/go" &
root=$!
start_daemon --track-pid "$root"

drops() { "$MCPWARDEN" status --json --socket "$SOCK" | python3 -c 'import json,sys; print(json.load(sys.stdin)["drops"][sys.argv[1]])' "$1"; }
assert_eq "$(drops net)" 0 "no drops before the flood"

kill -STOP "$daemon_pid"
echo go >"$TMP/go"
wait "$root" || { kill -CONT "$daemon_pid"; fail "sender failed"; }
kill -CONT "$daemon_pid"

n=$(drops net)
[ "$n" -gt 0 ] 2>/dev/null || fail "expected net drops after the flood, got '$n'"
pass "status reports $n dropped net records"
seen=$("$MCPWARDEN" status --json --socket "$SOCK" | python3 -c 'import json,sys; print(json.load(sys.stdin)["counters"]["events"]["net"])')
[ "$seen" -gt 0 ] && [ $((seen + n)) -ge 60000 ] || fail "received $seen + dropped $n net records, expected >= 60000"
pass "received $seen + dropped $n >= 60000 sends"

# The consumer sees the loss in-band: lost_events events whose net counts add up to the drops.
sleep 0.6	# a daemon tick
timeout 10 "$MCPWARDEN" events --json --socket "$SOCK" >"$TMP/events" || fail "events failed"
python3 - "$TMP/events" "$(drops net)" <<'PY' || fail "lost_events in the stream (see above)"
import json, sys
lost = [e for e in map(json.loads, open(sys.argv[1])) if e["type"] == "lost_events"]
print("lost_events:", lost)
assert lost, "no lost_events event"
assert all(set(e["counts"]) == {"exec", "fork", "exit", "net", "sock_state"} for e in lost)
assert all(e["total"] == sum(e["counts"].values()) > 0 and e["ts"] > 0 for e in lost)
assert sum(e["counts"]["net"] for e in lost) == int(sys.argv[2]), "net counts do not add up to status drops"
PY
pass "lost_events events report the $n dropped net records in-band"
