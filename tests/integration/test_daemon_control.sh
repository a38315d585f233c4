#!/usr/bin/env bash
# test_daemon_control.sh: the control socket: track requests (ids, errors), status counters and drops, events without --follow.
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"

# Without a daemon, clients fail with the runtime exit code.
"$MCPWARDEN" status --socket "$TMP/none.sock" 2>/dev/null; assert_eq "$?" 1 "status without a daemon exits 1"

# A pin root another user made before the daemon (bpffs's own mount is mode 1777 unless systemd mounted it) is
# moved aside, not obeyed, and the daemon starts.
mkdir "$PIN_DIR" && chown nobody "$PIN_DIR" || fail "make a foreign $PIN_DIR"
test_cleanup() { rmdir "$PIN_DIR"-foreign65534-* 2>/dev/null; }
start_daemon
assert_contains "$(cat "$DAEMON_LOG")" "uid 65534 made it before the daemon did; moved aside" "a foreign pin root is moved aside"
assert_eq "$(stat -c '%u %a' "$PIN_DIR")" "0 700" "the daemon's own pin root is root's, mode 0700"

# A second daemon refuses to start: on the same pin root (one daemon per host) and, given a root of its own, on
# the same socket; either way it leaves the first one's pins and socket alone.
timeout 20 "$MCPWARDEN" daemon --socket "$SOCK" --pin-dir "$PIN_DIR" >"$TMP/second.log" 2>&1
assert_eq "$?" 1 "second daemon on a held pin root exits 1"
assert_contains "$(cat "$TMP/second.log")" "another mcpwarden daemon holds it" "second daemon says why"
timeout 20 "$MCPWARDEN" daemon --socket "$SOCK" --pin-dir "$PIN_DIR-second" >"$TMP/second.log" 2>&1
assert_eq "$?" 1 "second daemon on a live socket exits 1"
assert_contains "$(cat "$TMP/second.log")" "another daemon is listening" "second daemon says why"
"$MCPWARDEN" daemon --stop-enforcement --pin-dir "$PIN_DIR-second" >/dev/null || fail "remove $PIN_DIR-second"
"$MCPWARDEN" status --socket "$SOCK" >/dev/null || fail "first daemon's socket was removed"

# A raw SOCK_SEQPACKET peer, as the shim will be: one JSON request, one JSON reply.
mkfifo "$TMP/go"
sh -c 'read x <"$1"; /bin/true "tracked-by-request"' root "$TMP/go" &
root=$!

rep=$(request "{\"op\":\"track\",\"pid\":$root,\"server_id\":42,\"id\":7}")
assert_contains "$rep" '"op":"ack"' "track acked"
assert_contains "$rep" '"server_id":42' "track keeps the requested server id"
assert_contains "$rep" '"id":7' "reply echoes the request id"
rep=$(request '{"op":"track","pid":2147483647}')
assert_contains "$rep" '"ok":false' "track of a missing pid fails"
assert_contains "$rep" 'no such process' "track error says why"
rep=$(request '{"op":"track","pid":"x"}')
assert_contains "$rep" "field 'pid'" "track error names the field"
rep=$(request '{"op":"bogus"}')
assert_contains "$rep" "unknown 'op'" "unknown op refused"
rep=$(request '{"op":"call_start","server_id":4242,"call":1}')
assert_contains "$rep" 'unknown server_id' "call_start on an unknown server refused"
rep=$(request "{\"op\":\"register\",\"name\":\"x\",\"pid\":$root}")
assert_contains "$rep" 'not a child of the caller' "register of another's process refused"
rep=$(request 'not json')
assert_contains "$rep" '"op":"error"' "garbage refused"

# A process inside a policed tree may read but not steer (register a rule-free server, kill, ...).
mkfifo "$TMP/go2"
sh -c 'read x <"$1"; python3 - "$2" <<"PY" >"$3"
import socket, sys
for req in (b"{\"op\":\"register\",\"name\":\"escape\"}", b"{\"op\":\"status\"}"):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(sys.argv[1])
    s.send(req)
    print(s.recv(65536).decode())
PY' inner "$TMP/go2" "$SOCK" "$TMP/inner.out" &
inner=$!
request "{\"op\":\"track\",\"pid\":$inner}" >/dev/null
echo go >"$TMP/go2"
wait "$inner"
assert_contains "$(head -n 1 "$TMP/inner.out")" "policed processes may not steer the daemon" "a tracked process may not register"
assert_contains "$(tail -n 1 "$TMP/inner.out")" '"op":"ack"' "but may ask for status"

echo go >"$TMP/go"
wait "$root"
sleep 0.3

# events without --follow: recent events, then the end marker and exit 0.
out=$(timeout 10 "$MCPWARDEN" events --json --socket "$SOCK") || fail "events without --follow failed"
line=$(printf '%s\n' "$out" | grep '"tracked-by-request"' | grep '"type":"exec"')
assert_contains "$line" '"server_id":42' "child exec carries the tracked server id"
assert_contains "$line" '"argv":["/bin/true","tracked-by-request"]' "argv reported"
text=$(timeout 10 "$MCPWARDEN" events --socket "$SOCK" | grep 'tracked-by-request' | head -n 1)
assert_contains "$text" "type=exec" "human output is key=value"

st=$("$MCPWARDEN" status --json --socket "$SOCK") || fail "status --json failed"
python3 - "$st" <<'PY' || fail "status --json content: $st"
import json, sys
s = json.loads(sys.argv[1])
types = {"exec", "fork", "exit", "net", "sock_state", "mcp_stdout", "deny"}
assert set(s["drops"]) == types, s["drops"]
assert all(isinstance(v, int) and v >= 0 for v in s["drops"].values()), s["drops"]
assert set(s["counters"]["events"]) == types
assert s["counters"]["events"]["exec"] >= 1 and s["counters"]["events"]["fork"] >= 1
assert s["counters"]["processes"] > 1
assert s["counters"]["lineage_lost"] == 0
assert s["counters"]["net_records_lost"] == 0
assert s["counters"]["call_ids_unreported"] == 0
assert isinstance(s["features"]["lsm"], bool) and s["features"]["lsm_probe"]
assert s["features"]["exec_enforcement"] in ("lsm", "signal")
assert s["features"]["network_enforcement"] is True and s["features"]["process_limits"] in ("lsm", "signal")
assert s["mode"] == "enforce" and s["scope"] == "tracked"
PY
pass "status --json reports mode, features, counters and drops"

# ps: a shim-registered server and its processes, as JSON and as text.
mkfifo "$TMP/ps_in"
"$MCPWARDEN" run --socket "$SOCK" --name ps-probe -- sh -c 'sleep 30 & wait' < "$TMP/ps_in" > /dev/null 2>&1 &
ps_shim=$!
exec 7> "$TMP/ps_in"
for _ in $(seq 50); do "$MCPWARDEN" ps --json --socket "$SOCK" | grep -q '"comm":"sleep"' && break; sleep 0.1; done
psj=$("$MCPWARDEN" ps --json --socket "$SOCK")
echo "$psj"
python3 - "$psj" <<'PY' || fail "ps --json does not list the server and its processes"
import json, sys
ps = json.loads(sys.argv[1])
srv = [s for s in ps["servers"] if s["name"] == "ps-probe"]
assert srv and srv[0]["root"] > 0 and srv[0]["cgroup"], ps["servers"]
procs = [p for p in ps["processes"] if p["server_id"] == srv[0]["server_id"]]
assert {p["comm"] for p in procs} >= {"sh", "sleep"}, procs
PY
pass "ps --json lists the server and its processes"
assert_contains "$("$MCPWARDEN" ps --socket "$SOCK")" "ps-probe root" "ps prints the server"
exec 7>&-	# EOF: the shim ends the server (SIGTERM after its grace), then exits 143
wait "$ps_shim"
assert_eq "$?" 143 "the shim ended its server when the client left"
