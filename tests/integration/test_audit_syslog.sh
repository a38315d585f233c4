#!/usr/bin/env bash
# --syslog end to end, with Debian's rsyslogd as the collector, started here: over TCP (octet-counted) the copy
# matches the trail record for record (seq, chain hash, line byte for byte) across a real code-runner call and a
# collector restart in the middle; over UDP and the local datagram socket (imuxsock) too, with the daemon sealing
# (its seals go out like every record); a target that is not there stops the start, naming it.
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"
source "$(dirname "$0")/code_call.sh"
command -v rsyslogd >/dev/null || fail "rsyslogd is missing: tools/install-deps.sh installs rsyslog"
RS=$TMP/rs
mkdir -p "$RS"
rsyslog_pid=
test_cleanup() {
	[ -n "$rsyslog_pid" ] && kill "$rsyslog_pid" 2>/dev/null
	[ -n "${listener:-}" ] && kill "$listener" 2>/dev/null
	return 0
}
tport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
uport=$(python3 -c 'import socket; s=socket.socket(type=socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# Every message as received (%rawmsg%), one per line, written as it comes.
cat >"$RS/rsyslog.conf" <<EOF
global(workDirectory="$RS" maxMessageSize="256k")
module(load="imtcp")
module(load="imudp")
module(load="imuxsock" SysSock.Use="off")
input(type="imtcp" address="127.0.0.1" port="$tport")
input(type="imudp" address="127.0.0.1" port="$uport")
input(type="imuxsock" Socket="$RS/log.sock" RateLimit.Interval="0")
template(name="raw" type="string" string="%rawmsg%\n")
action(type="omfile" file="$RS/out" template="raw" asyncWriting="off" flushOnTXEnd="on")
EOF
rsyslogd -N1 -f "$RS/rsyslog.conf" >"$RS/check" 2>&1 || { cat "$RS/check"; fail "rsyslog.conf is not valid"; }
start_rsyslog() {
	rsyslogd -n -f "$RS/rsyslog.conf" -i "$RS/pid" >>"$RS/log" 2>&1 &
	rsyslog_pid=$!
	for _ in $(seq "$(slow 100)"); do
		[ -S "$RS/log.sock" ] && ss -ltn "sport = :$tport" | grep -q LISTEN && return 0
		sleep 0.1
	done
	cat "$RS/log"
	fail "rsyslogd did not come up"
}
stop_rsyslog() {
	kill "$rsyslog_pid"; wait "$rsyslog_pid" 2>/dev/null; rsyslog_pid=
	rm -f "$RS/log.sock"
}
# collected N: waits until the collector's file holds the message of seq N.
collected() {
	for _ in $(seq "$(slow 100)"); do grep -q "seq=\"$1\"" "$RS/out" 2>/dev/null && return 0; sleep 0.1; done
	fail "the collector never got seq $1"
}
last_seq() { "$MCPWARDEN" audit tail -n 1 "$1" | python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["seq"])'; }
# same DIR WHAT: every record of the trail in DIR reached the collector once, in order, whole and with its hash.
same() {
	python3 - "$1" "$RS/out" <<'PY' || fail "$2: the collector's copy differs from the trail"
import gzip, hashlib, os, re, sys
trail = []
for name in sorted(os.listdir(sys.argv[1])):
    if not name.startswith("seg-") or name.endswith(".tmp"):
        continue
    path = os.path.join(sys.argv[1], name)
    data = (gzip.open if name.endswith(".gz") else open)(path, "rb").read()
    trail += [l for l in data.split(b"\n") if l]
head = re.compile(rb'^<85>1 \S+ \S+ mcpwarden \d+ (\S+) \[mcpwarden@32473 seq="(\d+)" hash="([0-9a-f]{64})"\] ')
got = []
for raw in open(sys.argv[2], "rb").read().split(b"\n"):
    m = head.match(raw)
    if m:
        got.append((int(m.group(2)), m.group(3).decode(), m.group(1), raw[m.end():]))
if len(got) != len(trail):
    print(f"{len(trail)} records in the trail, {len(got)} messages"); sys.exit(1)
for line, (seq, h, kind, msg) in zip(trail, got):
    if msg != line or hashlib.sha256(line).hexdigest() != h or f'"seq":{seq},'.encode() not in line \
            or f'"kind":"{kind.decode()}"'.encode() not in line:
        print("differs at seq", seq, line[:200], msg[:200]); sys.exit(1)
print(len(trail), "records, the same")
PY
}

# 1. TCP, through a code-runner call and a collector restart.
start_rsyslog
A=$TMP/audit
start_daemon --audit-dir "$A" --audit-fsync-ms 50 --syslog "tcp://127.0.0.1:$tport"
start_listener
out=$(code_runner_call "$TMP/shim1.jsonl")
assert_contains "$out" "done" "the first call ran"
collected "$(last_seq "$A")"
st=$("$MCPWARDEN" status --socket "$SOCK" --json)
python3 -c 'import json,sys; s=json.loads(sys.argv[1])["audit"]["syslog"]; print(s)
sys.exit(0 if s["connected"] and s["sent"] > 0 and s["lost"] == 0 else 1)' "$st" || fail "status shows the syslog copy"
stop_rsyslog
out=$(code_runner_call "$TMP/shim2.jsonl")	# its records wait for the collector
assert_contains "$out" "done" "a call runs while the collector is down"
start_rsyslog
for _ in $(seq "$(slow 400)"); do grep -q "connected again" "$DAEMON_LOG" && break; sleep 0.1; done
assert_contains "$(cat "$DAEMON_LOG")" "syslog tcp://127.0.0.1:$tport: connected again" "the daemon reconnected"
out=$(code_runner_call "$TMP/shim3.jsonl")
assert_contains "$out" "done" "the third call ran"
stop_daemon || fail "the daemon's exit status"
collected "$(last_seq "$A")"
[ "$(grep -c ' exec \[mcpwarden@32473 ' "$RS/out")" -ge 2 ] || fail "the calls' exec records reached the collector"
same "$A" "tcp"
assert_contains "$(tail -n 1 "$RS/out")" '"kind":"daemon_stop"' "the stop record went out last"
pass "tcp: the collector's copy matches the trail record for record, across its restart"

# 2. UDP and the local socket: a daemon's start and stop, each record once; sealing, so its seals go out too.
for target in "udp://127.0.0.1:$uport" "unix:$RS/log.sock"; do
	: >"$RS/out"
	A=$TMP/audit-${target%%:*}
	"$MCPWARDEN" audit keygen --seal-key "$A.key" > /dev/null 2>&1 || fail "audit keygen"
	start_daemon --audit-dir "$A" --syslog "$target" --seal-key "$A.key"
	stop_daemon || fail "the daemon's exit status"
	collected "$(last_seq "$A")"
	same "$A" "$target"
	grep -q ' seal \[mcpwarden@32473 ' "$RS/out" || fail "${target%%:*}: no seal reached the collector"
	pass "${target%%:*}: the collector's copy matches the trail, seals included"
done
stop_rsyslog

# 3. Fail closed: a collector that is not there, or a target that is not one, stops the start.
"$MCPWARDEN" daemon --socket "$TMP/x.sock" --pin-dir "$PIN_DIR" --audit-dir "$TMP/a3" \
	--syslog "tcp://127.0.0.1:$tport" >"$TMP/err3" 2>&1 && fail "a daemon started with its collector down"
assert_contains "$(cat "$TMP/err3")" "syslog tcp://127.0.0.1:$tport: Connection refused" "the refusal names the target"
"$MCPWARDEN" daemon --socket "$TMP/x.sock" --audit-dir "$TMP/a3" --syslog "udp://host" >"$TMP/err3" 2>&1
assert_eq "$?" 2 "a malformed target is a usage error"
assert_contains "$(cat "$TMP/err3")" "--syslog 'udp://host': no :PORT after the host" "it says what is wrong"
"$MCPWARDEN" daemon --socket "$TMP/x.sock" --syslog local >"$TMP/err3" 2>&1
assert_contains "$(cat "$TMP/err3")" "it needs --audit-dir" "--syslog without --audit-dir is refused"
pass "a syslog copy that can't be made stops the start, saying why"
