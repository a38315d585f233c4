#!/usr/bin/env bash
# test_daemon_drops.sh: when the ring buffer overflows (daemon stopped), status reports per-type drops and events resume.
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
