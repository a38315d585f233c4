# daemon.sh: sourced by integration tests: starts `mcpwarden daemon` on a temp socket and always stops it.
# A test may define test_cleanup (kill its processes, remove its cgroups): it runs first on exit.
SOCK=$TMP/control.sock
HELPERS=$TOP/build/tests/helpers
export PYTHONPATH=$TOP/tests/integration	# evlib.py for the event checks
CGROUP2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
DAEMON_LOG=$TMP/daemon.log
# Each test's daemons pin under a root of their own (the host's daemon keeps /sys/fs/bpf/mcpwarden), which
# on_exit removes: a stopped daemon leaves its programs enforcing otherwise.
PIN_DIR=/sys/fs/bpf/mcpwarden-test-${TMP##*.}	# bpffs takes no dots in names
daemon_pid=
follower_pid=

# stop_daemon: SIGTERM, then fails the test unless the daemon exits 0 (sanitizer reports make it fail).
stop_daemon() {
	local rc=0
	[ -n "$follower_pid" ] && kill "$follower_pid" 2>/dev/null
	if [ -n "$daemon_pid" ] && kill -TERM "$daemon_pid" 2>/dev/null; then
		wait "$daemon_pid"
		rc=$?
	fi
	daemon_pid=
	return $rc
}
on_exit() {
	local rc=$? drc=0
	declare -F test_cleanup >/dev/null && test_cleanup
	stop_daemon || drc=$?
	if [ -d "$PIN_DIR" ] && ! "$MCPWARDEN" daemon --stop-enforcement --pin-dir "$PIN_DIR" >/dev/null; then
		echo "FAIL: daemon --stop-enforcement --pin-dir $PIN_DIR" >&2
		drc=1
	fi
	[ -f "$DAEMON_LOG" ] && sed "s/^/daemon: /" "$DAEMON_LOG" >&2
	rm -rf "$TMP"
	if [ $drc -ne 0 ]; then
		echo "FAIL: daemon exited with status $drc" >&2
		exit 1
	fi
	exit $rc
}
trap on_exit EXIT

# start_daemon [ARG...]: runs the daemon in the background and waits (10 s max, times MCPWARDEN_SLOW) until its socket answers.
start_daemon() {
	# MCPWARDEN_DAEMON_ARGS: options every test's daemon gets, e.g. --without signal-task to run a suite on
	# the fallbacks older kernels use (word-split on purpose).
	# shellcheck disable=SC2086
	"$MCPWARDEN" daemon --socket "$SOCK" --pin-dir "$PIN_DIR" ${MCPWARDEN_DAEMON_ARGS:-} "$@" >"$DAEMON_LOG" 2>&1 &
	daemon_pid=$!
	for _ in $(seq "$(slow 100)"); do
		[ -S "$SOCK" ] && "$MCPWARDEN" status --socket "$SOCK" >/dev/null 2>&1 && return 0
		kill -0 "$daemon_pid" 2>/dev/null || fail "daemon exited early"
		sleep 0.1
	done
	fail "daemon socket $SOCK did not come up"
}

# start_daemon_unshared SETUP: runs the daemon in a private mount namespace after the shell commands SETUP
# (which may unmount what the daemon must do without; a failing SETUP stops it), and waits for its socket.
start_daemon_unshared() {
	unshare -m --propagation private sh -c "$1"'
exec "$0" daemon --socket "$1" --pin-dir "$2"' "$MCPWARDEN" "$SOCK" "$PIN_DIR" >"$DAEMON_LOG" 2>&1 &
	daemon_pid=$!
	for _ in $(seq "$(slow 100)"); do
		[ -S "$SOCK" ] && "$MCPWARDEN" status --socket "$SOCK" >/dev/null 2>&1 && return 0
		kill -0 "$daemon_pid" 2>/dev/null || fail "daemon exited early: $(cat "$DAEMON_LOG")"
		sleep 0.1
	done
	fail "daemon socket $SOCK did not come up"
}

# daemon_map NAME: the id of the daemon's BPF map NAME, found among its descriptors (needs bpftool).
daemon_map() {
	for f in /proc/"$daemon_pid"/fdinfo/*; do
		awk '/^map_id:/ { print $2 }' "$f"
	done | sort -u | while read -r id; do
		bpftool -j map show id "$id" | python3 -c 'import json, sys; m = json.load(sys.stdin); print(m["id"] if m.get("name") == sys.argv[1] else "")' "$1"
	done | grep . | head -1
}

# request JSON: sends one control request to the daemon and prints its reply.
request() {
	python3 - "$SOCK" "$1" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
s.send(sys.argv[2].encode())
print(s.recv(65536).decode())
PY
}

# follow_events FILE: streams `events --follow --json` into FILE; returns once the daemon counts the subscriber.
follow_events() {
	local before
	before=$(clients)
	"$MCPWARDEN" events --follow --json --socket "$SOCK" >"$1" 2>"$1.err" &
	follower_pid=$!
	for _ in $(seq "$(slow 50)"); do
		# status is a client too: the follower makes one more than before, plus status.
		[ "$(clients)" -ge $((before + 1)) ] && return 0
		sleep 0.1
	done
	fail "events --follow did not subscribe"
}

# clients: how many control connections the daemon has besides the asking one.
clients() {
	"$MCPWARDEN" status --json --socket "$SOCK" | python3 -c 'import json,sys; print(json.load(sys.stdin)["counters"]["clients"] - 1)'
}

# stop_follow: lets in-flight events arrive, then ends the follower.
stop_follow() {
	sleep "$(slow 0.5)"
	kill "$follower_pid" 2>/dev/null
	wait "$follower_pid" 2>/dev/null
	follower_pid=
}

# call_ids SHIM_LOG: "SERVER_ID CALL" of the first allowed call in a shim's decision log (--audit FILE).
call_ids() {
	python3 -c 'import json,sys
d = [json.loads(l) for l in open(sys.argv[1]) if "\"decision\":\"allow\"" in l][0]; print(d["server_id"], d["call"])' "$1"
}
