#!/usr/bin/env bash
# test_lineage_budget.sh: one server's fork storm can't take another server's room in the lineage map. With
# room for 2048 processes (daemon --max-tracked), each server has a reserve of 8 and all share a pool of 896.
# Server A forks past its reserve and the pool: its extra children are refused (killed before they run, or
# EAGAIN under BPF LSM), with a lineage_budget denial. Server B, tracked only after the storm, still runs its
# whole reserve at once, each child tracked as B's; so does server C, tracked after A's root exited and A was
# forgotten with its children still alive (a server that goes can't grow the pool or free A's share). When
# A's children exit, the pool is whole again.
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"

start_daemon --max-tracked 2048
follow_events "$TMP/events"
read -r reserve shared < <("$MCPWARDEN" status --json --socket "$SOCK" | python3 -c 'import json,sys
l = json.load(sys.stdin)["lineage"]; print(l["reserve_per_server"], l["shared_limit"])')
assert_eq "$reserve $shared" "8 896" "2048 entries: a reserve of 8 per server, 896 shared"

# A server: waits for GO, forks N children that stay until GO.release, prints how many of them ran (a
# refused child never writes its byte), then releases them. With "orphan" it exits at once instead,
# leaving its children to run on.
cat >"$TMP/server.py" <<'PY'
import os, signal, sys, time
go, n, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
print(os.getpid(), flush=True)
while not os.path.exists(go):
    time.sleep(0.05)
r, w = os.pipe()
kids = []
for _ in range(n):
    try:
        pid = os.fork()
    except BlockingIOError:    # refused by BPF LSM (EAGAIN)
        continue
    if pid == 0:
        os.close(r)
        os.write(w, b"x")
        while not os.path.exists(go + ".release"):
            time.sleep(0.2)
        os._exit(0)
    kids.append(pid)
os.close(w)
time.sleep(2)    # the children that run have written by now; the pipe stays open in them
print(len(os.read(r, 1 << 16)), flush=True)
if mode == "orphan":
    os._exit(0)
open(go + ".counted", "w").close()
while not os.path.exists(go + ".release"):
    time.sleep(0.05)
for k in kids:
    os.waitpid(k, 0)
print("done", flush=True)
PY
start_server() { # NAME N MODE: starts it, tracks it, sets $pid_NAME and $sid_NAME
	python3 "$TMP/server.py" "$TMP/go-$1" "$2" "$3" >"$TMP/$1.out" &
	eval "pid_$1=$!"
	for _ in $(seq 50); do [ -s "$TMP/$1.out" ] && break; sleep 0.1; done
	local rep
	rep=$(request "{\"op\":\"track\",\"pid\":$(head -1 "$TMP/$1.out")}")
	eval "sid_$1=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["server_id"])' "$rep")" || fail "track $1: $rep"
}
ran() { # NAME: waits until server NAME counted its children, and prints how many ran
	for _ in $(seq "$(slow 600)"); do [ -n "$(sed -n 2p "$TMP/$1.out")" ] && break; sleep 0.1; done
	sed -n 2p "$TMP/$1.out"
}
test_cleanup() { touch "$TMP"/go-{a,b,c}.release; sleep 0.5; pkill -KILL -f "$TMP/server.py"; } 2>/dev/null

start_server a 1100 hold
touch "$TMP/go-a"
ran_a=$(ran a)
[ "$ran_a" -le $((reserve + shared)) ] && [ "$ran_a" -ge $((reserve + shared - 40)) ] ||
	fail "server A ran $ran_a children; its reserve and the pool are $((reserve + shared))"
pass "server A's storm stopped at its reserve and the shared pool ($ran_a of 1100 children ran)"

start_server b "$reserve" hold
touch "$TMP/go-b"
assert_eq "$(ran b)" "$reserve" "server B, tracked after the storm, runs its whole reserve at once"
touch "$TMP/go-b.release"

# A's root exits; its children live on. The daemon forgets A: nothing of its share comes free.
start_server c "$reserve" hold
kill -KILL "$pid_a"
for _ in $(seq 50); do request '{"op":"ps"}' | grep -q "\"server_id\":$sid_a," || break; sleep 0.1; done
touch "$TMP/go-c"
assert_eq "$(ran c)" "$reserve" "server C runs its whole reserve after A was forgotten with its children alive"

st=$("$MCPWARDEN" status --json --socket "$SOCK")
python3 - "$st" "$reserve" "$shared" <<'PY' || fail "status: $st"
import json, sys
s, reserve, shared = json.loads(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
assert s["counters"]["lineage_over_budget"] >= 1100 - reserve - shared, s["counters"]
assert s["lineage"]["shared_used"] >= shared - 40, s["lineage"]
assert s["lineage"]["capacity"] == 2048, s["lineage"]
PY
pass "status counts the refused forks and shows the pool spent"

touch "$TMP/go-a.release" "$TMP/go-c.release"
for _ in $(seq "$(slow 300)"); do
	used=$("$MCPWARDEN" status --json --socket "$SOCK" | python3 -c 'import json,sys; print(json.load(sys.stdin)["lineage"]["shared_used"])')
	[ "$used" = 0 ] && break
	sleep 0.2
done
assert_eq "$used" 0 "the pool is whole again once A's children are gone"

stop_follow
python3 - "$TMP/events" "$sid_a" "$sid_b" "$sid_c" "$reserve" <<'PY' || fail "denials: $(grep -c lineage_budget "$TMP/events")"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
a, b, c, reserve = (int(x) for x in sys.argv[2:6])
den = [e for e in ev if e.get("type") == "deny" and e.get("rule") == "sandbox.lineage_budget"]
assert den, "no lineage_budget denial"
assert all(e.get("server_id") == a for e in den), [e.get("server_id") for e in den][:5]
assert "room in the lineage map" in den[0].get("what", ""), den[0]
for s in (b, c):
    forks = [e for e in ev if e.get("type") == "fork" and e.get("server_id") == s]
    assert len(forks) >= reserve, (s, len(forks))
PY
pass "the denials name server A only, with the reason; B's and C's forks were attributed to them"
