#!/usr/bin/env bash
# test_lineage_budget.sh: one server's fork storm can't take another server's room in the lineage map. With
# room for 2048 processes (daemon --max-tracked) and two servers, server A forks past its reserve and the
# shared pool: its extra children die before they run, with a lineage_budget denial, while server B goes on
# forking, each child tracked as B's and run to its end. When A's children exit, the pool is whole again.
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"

start_daemon --max-tracked 2048
follow_events "$TMP/events"

# A server: waits for GO, forks N children that sleep (A) or exit at once (B), and prints how many of them
# ran (a child killed before it ran ends by SIGKILL without having written its byte to the pipe).
cat >"$TMP/server.py" <<'PY'
import os, signal, sys, time
go, n, hold = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "hold"
print(os.getpid(), flush=True)
while not os.path.exists(go):
    time.sleep(0.05)
r, w = os.pipe()
kids = []
for _ in range(n):
    pid = os.fork()
    if pid == 0:
        os.close(r)
        os.write(w, b"x")
        if hold:
            signal.pause()
        os._exit(0)
    kids.append(pid)
os.close(w)
if hold:
    time.sleep(2)	# the children that run have written by now; the pipe stays open in them
    ran = len(os.read(r, 1 << 16))
else:
    ran = len(b"".join(iter(lambda: os.read(r, 4096), b"")))
print(ran, flush=True)
if hold:
    open(go + ".counted", "w").close()
    while not os.path.exists(go + ".release"):
        time.sleep(0.05)
    for k in kids:
        try:
            os.kill(k, signal.SIGKILL)
        except ProcessLookupError:
            pass
for k in kids:
    os.waitpid(k, 0)
print("done", flush=True)
PY
python3 "$TMP/server.py" "$TMP/go-a" 2300 hold >"$TMP/a.out" &
a=$!
python3 "$TMP/server.py" "$TMP/go-b" 200 run >"$TMP/b.out" &
b=$!
test_cleanup() { pkill -KILL -P "$a"; pkill -KILL -P "$b"; kill -KILL "$a" "$b"; } 2>/dev/null
for _ in $(seq 50); do [ -s "$TMP/a.out" ] && [ -s "$TMP/b.out" ] && break; sleep 0.1; done
sa=$(request "{\"op\":\"track\",\"pid\":$(head -1 "$TMP/a.out")}")
sb=$(request "{\"op\":\"track\",\"pid\":$(head -1 "$TMP/b.out")}")
ida=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["server_id"])' "$sa") || fail "track A: $sa"
idb=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["server_id"])' "$sb") || fail "track B: $sb"
sleep 0.3	# the daemon shares the room anew on its next tick (100 ms)
limits=$("$MCPWARDEN" status --json --socket "$SOCK")
read -r reserve shared < <(python3 -c 'import json,sys; l = json.loads(sys.argv[1])["lineage"]
print(l["reserve_per_server"], l["shared_limit"])' "$limits")
assert_eq "$reserve $shared" "128 1724" "2048 entries for two servers: a reserve of 128 each, 1724 shared"

touch "$TMP/go-a"
for _ in $(seq "$(slow 600)"); do [ -e "$TMP/go-a.counted" ] && break; sleep 0.1; done
[ -e "$TMP/go-a.counted" ] || fail "server A's storm did not finish: $(cat "$TMP/a.out")"
ran_a=$(sed -n 2p "$TMP/a.out")
[ "$ran_a" -le $((reserve + shared)) ] && [ "$ran_a" -ge $((reserve + shared - 80)) ] ||
	fail "server A ran $ran_a children; its reserve and the pool are $((reserve + shared))"
pass "server A's storm stopped at its reserve and the shared pool ($ran_a of 2300 children ran)"

# Server B forks while A holds everything A may have.
touch "$TMP/go-b"
for _ in $(seq "$(slow 300)"); do grep -q done "$TMP/b.out" && break; sleep 0.1; done
assert_eq "$(sed -n 2p "$TMP/b.out")" 200 "server B's 200 children all ran while A's storm held the pool"

st=$("$MCPWARDEN" status --json --socket "$SOCK")
python3 - "$st" <<'PY' || fail "status: $st"
import json, sys
s = json.loads(sys.argv[1])
assert s["counters"]["lineage_over_budget"] >= 2300 - 128 - 1724 - 80, s["counters"]
assert s["lineage"]["shared_used"] >= 1724 - 80, s["lineage"]
assert s["lineage"]["capacity"] == 2048, s["lineage"]
PY
pass "status counts the refused forks and shows the pool spent"

touch "$TMP/go-a.release"
for _ in $(seq "$(slow 300)"); do grep -q done "$TMP/a.out" && break; sleep 0.1; done
sleep 0.3
used=$("$MCPWARDEN" status --json --socket "$SOCK" | python3 -c 'import json,sys; print(json.load(sys.stdin)["lineage"]["shared_used"])')
assert_eq "$used" 0 "the pool is whole again once A's children are gone"

stop_follow
python3 - "$TMP/events" "$ida" "$idb" <<'PY' || fail "denials: $(grep -c lineage_budget "$TMP/events")"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
den = [e for e in ev if e.get("type") == "deny" and e.get("rule") == "sandbox.lineage_budget"]
assert den, "no lineage_budget denial"
assert all(e.get("server_id") == int(sys.argv[2]) for e in den), [e.get("server_id") for e in den][:5]
assert "room in the lineage map" in den[0].get("what", ""), den[0]
forks_b = [e for e in ev if e.get("type") == "fork" and e.get("server_id") == int(sys.argv[3])]
assert len(forks_b) >= 200, len(forks_b)
PY
pass "the denials name server A only, with the reason; B's 200 forks were attributed to B"
