#!/usr/bin/env bash
# test_control_visibility.sh: who sees what on the control socket. Three servers registered by three users
# (root, nobody, uid 12345; the test shim cg_spawn): a peer that is not root sees only its own uid's servers
# and their processes in `ps`, and only their events, both the recent ones and live (`events --follow`).
# A process inside a policed server's tree, root though it is, sees only its own server's. Root sees all.
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"

start_daemon
chmod 0711 "$TMP" && chmod 0666 "$SOCK" || fail "open the test socket to other users"
as_uid() { local uid=$1; shift; setpriv --reuid="$uid" --regid="$uid" --clear-groups "$@"; }
pids=()
test_cleanup() { [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null; }

# Live events, from before the servers exist: one follower as nobody, one as root.
before=$(clients)
as_uid 65534 "$MCPWARDEN" events --follow --json --socket "$SOCK" >"$TMP/nobody.live" 2>&1 &
pids+=($!)
"$MCPWARDEN" events --follow --json --socket "$SOCK" >"$TMP/root.live" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ "$(clients)" -ge $((before + 2)) ] && break; sleep 0.1; done
[ "$(clients)" -ge $((before + 2)) ] || fail "the followers did not subscribe"

# spawn NAME UID CMD...: registers server NAME as UID, its process runs CMD; sets sid[NAME].
declare -A sid
spawn() {
	local name=$1 uid=$2; shift 2
	as_uid "$uid" "$HELPERS/cg_spawn" "$SOCK" "$name" 1 "$@" >"$TMP/$name.spawn" 2>"$TMP/$name.err" &
	pids+=($!)
	for _ in $(seq 100); do grep -q '^server_id=' "$TMP/$name.spawn" && break; sleep 0.1; done
	grep -q '^server_id=' "$TMP/$name.spawn" || fail "cg_spawn $name as uid $uid: $(cat "$TMP/$name.err")"
	sid[$name]=$(sed -n 's/^server_id=\([0-9]*\) pid=\([0-9]*\).*/\1/p' "$TMP/$name.spawn")
	pids+=("$(sed -n 's/^server_id=\([0-9]*\) pid=\([0-9]*\).*/\2/p' "$TMP/$name.spawn")")
}
spawn nobodys 65534 sh -c 'exec sleep 60'
spawn others 12345 sh -c 'exec sleep 60'
# The root server's own process asks the daemon what it sees, once the daemon's table has its processes.
spawn roots 0 sh -c "for i in \$(seq 50); do \"$MCPWARDEN\" ps --json --socket \"$SOCK\" >\"$TMP/inner.ps\";
	grep -q '\"processes\":\[{' \"$TMP/inner.ps\" && break; sleep 0.1; done
	\"$MCPWARDEN\" events --json --socket \"$SOCK\" >\"$TMP/inner.events\"; touch \"$TMP/inner.done\"; exec sleep 60"
for _ in $(seq 100); do [ -e "$TMP/inner.done" ] && break; sleep 0.1; done
[ -e "$TMP/inner.done" ] || fail "the root server's process did not ask"
echo "servers: roots=${sid[roots]} nobodys=${sid[nobodys]} others=${sid[others]}"
sleep 0.5	# live events in flight

# check WHAT PS_JSON EVENTS_FILE WANT_SERVERS: the servers ps shows and the servers events name are exactly
# WANT_SERVERS (space-separated ids); events without a server are another uid's only for root.
check() {
	python3 - "$2" "$3" "$4" <<'PY' || fail "$1: sees more or less than its own (see above)"
import json, sys
ps, want = json.loads(sys.argv[1]), {int(x) for x in sys.argv[3].split()}
evs = [json.loads(l) for l in open(sys.argv[2]) if l.startswith("{")]
shown = {s["server_id"] for s in ps["servers"]}
procs = {p["server_id"] for p in ps["processes"]}
named = {e["server_id"] for e in evs if e.get("server_id")}
print("ps servers", sorted(shown), "ps processes of", sorted(procs), "events of", sorted(named), "of", len(evs))
assert shown == want, f"ps servers {shown}, want {want}"
assert procs == want, f"ps processes of {procs}, want {want}"
assert named == want, f"events of servers {named}, want {want}"
PY
	pass "$1 sees servers $4 only, in ps and in events"
}
ids="${sid[roots]} ${sid[nobodys]} ${sid[others]}"
check "nobody (ps, recent events)" "$(as_uid 65534 "$MCPWARDEN" ps --json --socket "$SOCK")" \
	<(as_uid 65534 "$MCPWARDEN" events --json --socket "$SOCK") "${sid[nobodys]}"
check "uid 12345 (ps, recent events)" "$(as_uid 12345 "$MCPWARDEN" ps --json --socket "$SOCK")" \
	<(as_uid 12345 "$MCPWARDEN" events --json --socket "$SOCK") "${sid[others]}"
check "nobody (live events)" "$(as_uid 65534 "$MCPWARDEN" ps --json --socket "$SOCK")" "$TMP/nobody.live" "${sid[nobodys]}"
check "a root process inside the root server" "$(cat "$TMP/inner.ps")" "$TMP/inner.events" "${sid[roots]}"
python3 - "$TMP/nobody.live" <<'PY' || fail "nobody's live events name another uid's process"
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
assert all(e.get("uid", 65534) == 65534 for e in evs if not e.get("server_id")), evs
PY
# Root sees all three, and others' events too.
psj=$("$MCPWARDEN" ps --json --socket "$SOCK")
python3 - "$psj" "$TMP/root.live" "$ids" <<'PY' || fail "root does not see every server"
import json, sys
ps, want = json.loads(sys.argv[1]), {int(x) for x in sys.argv[3].split()}
named = {e["server_id"] for e in map(json.loads, open(sys.argv[2])) if e.get("server_id")}
assert want <= {s["server_id"] for s in ps["servers"]}, ps
assert want <= named, named
PY
pass "root sees every server in ps and in live events"
