# bench_lib.sh: sourced by the daemon benchmarks: a temp dir, the daemon, the admin "track" request, pinned loadgen runs.
# The load runs pinned to the last CPU: unpinned, the scheduler's placement swings results by 30%.
PIN=()
[ "$(nproc)" -gt 1 ] && command -v taskset >/dev/null && PIN=(taskset -c "$(($(nproc) - 1))")
tmp=$(mktemp -d /tmp/mcpwarden-bench.XXXXXX)
sock=$tmp/control.sock
pins=/sys/fs/bpf/mcpwarden-bench-${tmp##*.}	# bpffs takes no dots in names
daemon_pid=
children_pid=
stats_was=
cleanup() {
	[ -n "$stats_was" ] && sysctl -qw kernel.bpf_stats_enabled="$stats_was"
	[ -n "$children_pid" ] && kill "$children_pid" 2>/dev/null && wait "$children_pid" 2>/dev/null
	[ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
	[ -d "$pins" ] && "$MCPWARDEN" daemon --stop-enforcement --pin-dir "$pins" >/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# start_daemon [ARG...]: the daemon on $sock, with ARGs; waits until it answers.
start_daemon() {
	"$MCPWARDEN" daemon --socket "$sock" --pin-dir "$pins" "$@" >"$tmp/daemon.log" 2>&1 &
	daemon_pid=$!
	for _ in $(seq 100); do
		"$MCPWARDEN" status --socket "$sock" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "daemon did not start:" >&2; cat "$tmp/daemon.log" >&2; exit 1
}
# Each stop takes the programs out of the kernel too, so "off" rounds measure a host without them.
stop_daemon() {
	kill "$daemon_pid"; wait "$daemon_pid" || true; daemon_pid=
	"$MCPWARDEN" daemon --stop-enforcement --pin-dir "$pins" >/dev/null
}
status() { "$MCPWARDEN" status --json --socket "$sock"; }
drops() { status | python3 -c 'import json,sys; print(sum(json.load(sys.stdin)["drops"].values()))'; }
received() { status | python3 -c 'import json,sys; print(sum(json.load(sys.stdin)["counters"]["events"].values()))'; }
# track PID [SANDBOX-JSON]: makes PID a server root through the admin "track" request, under a sandbox if given.
track() {
	python3 - "$sock" "$1" "${2:-}" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
req = {"op": "track", "pid": int(sys.argv[2])}
if sys.argv[3]:
    req["sandbox"] = json.loads(sys.argv[3])
s.send(json.dumps(req).encode())
r = json.loads(s.recv(65536))
assert r["ok"], r
PY
}
# run on|off|SANDBOX-JSON LOADGEN-ARGS...: runs loadgen, tracked by the daemon (under the sandbox) unless off;
# prints its output.
run() {
	local tracked=$1; shift
	mkfifo "$tmp/go"
	sh -c 'read x <"$0"; exec "$@"' "$tmp/go" ${PIN[@]+"${PIN[@]}"} "$LOADGEN" "$@" >"$tmp/out" &
	local pid=$!
	case "$tracked" in off) ;; on) track "$pid" ;; *) track "$pid" "$tracked" ;; esac
	echo go >"$tmp/go"
	wait "$pid"
	rm -f "$tmp/go"
	cat "$tmp/out"
}
# ops MODE N on|off|SANDBOX-JSON: ops/s of one loadgen run.
ops() { run "$3" "$1" "$2" | awk '/ops\/s/ { print $2 }'; }
max() { [ "$1" -gt "$2" ] && echo "$1" || echo "$2"; }
ratio() { python3 -c "import sys; off, on = float(sys.argv[1]), float(sys.argv[2]); print(f'{on / off:.3f} (slowdown {100 * (1 - on / off):.1f}%)')" "$1" "$2"; }
