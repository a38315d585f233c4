#!/usr/bin/env bash
# daemon_bench.sh: daemon overhead on a tracked tree (fork+exec and connect loops, off vs on), on untracked pipe writers, events/s without drops, RSS with 10k tracked processes.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
MCPWARDEN=${MCPWARDEN:-$top/build/mcpwarden}
LOADGEN=${LOADGEN:-$top/build/loadgen}
EXECS=${EXECS:-1000}
CONNECTS=${CONNECTS:-20000}
WRITES=${WRITES:-200}
CHILDREN=${CHILDREN:-10000}
[ "$(id -u)" -eq 0 ] || { echo "daemon benchmark: needs root (BPF); skipped"; exit 0; }
source "$top/tools/bench/bench_lib.sh"

# Rounds alternate off and on, so that drift in the host's load hits both sides; each side keeps its best.
echo "== daemon overhead on a tracked process tree (best of 3 alternating rounds) =="
exec_off=0 exec_on=0 conn_off=0 conn_on=0 writes_off=0 writes_on=0
for round in 1 2 3; do
	exec_off=$(max "$exec_off" "$(ops exec "$EXECS" off)")
	conn_off=$(max "$conn_off" "$(ops connect "$CONNECTS" off)")
	writes_off=$(max "$writes_off" "$(ops writes "$WRITES" off)")
	start_daemon
	exec_on=$(max "$exec_on" "$(ops exec "$EXECS" on)")
	conn_on=$(max "$conn_on" "$(ops connect "$CONNECTS" on)")
	# Untracked: the stdout scan for unpoliced servers covers every new program.
	writes_on=$(max "$writes_on" "$(ops writes "$WRITES" off)")
	[ $round -lt 3 ] && stop_daemon
done
echo "fork+exec loop ($EXECS x /bin/true): off $exec_off/s on $exec_on/s ratio $(ratio "$exec_off" "$exec_on") (target slowdown <= 5%)"
echo "connect loop ($CONNECTS loopback TCP): off $conn_off/s on $conn_on/s ratio $(ratio "$conn_off" "$conn_on") (target slowdown <= 5%)"
echo "pipe writers ($WRITES x fork+exec, 1 MiB in 4 KiB writes, untracked): off $writes_off/s on $writes_on/s ratio $(ratio "$writes_off" "$writes_on")"
# The scan's own cost, which a busy host's noise cannot blur: kernel run time of the program (the
# newest one of that name is this daemon's), with BPF stats on only for one more writers run.
stats_was=$(sysctl -n kernel.bpf_stats_enabled)
sysctl -qw kernel.bpf_stats_enabled=1
run off writes "$WRITES" >/dev/null
sysctl -qw kernel.bpf_stats_enabled="$stats_was"
stats_was=
bpftool -j prog show | python3 -c 'import json, sys
p = max((p for p in json.load(sys.stdin) if p["name"] == "enter_write"), key=lambda p: p["id"])
n, ns = p.get("run_cnt", 0), p.get("run_time_ns", 0)
print(f"stdout scan (enter_write): {ns / max(n, 1):.0f} ns per write(2) over {n} calls, scanning 4 per program")'

echo "== tracked event storm (UDP sendto, 1 event each, 2 s per rate, until drops or the sender saturates) =="
highest=0
for rate in 10000 25000 50000 100000 200000 400000 800000; do
	before=$(drops) got=$(received)
	sent=$(run on storm "$rate" 2 | awk '/sent/ { print $2 }')
	sleep 0.5
	lost=$(( $(drops) - before )) got=$(( $(received) - got ))
	echo "asked $rate/s: sent $((sent / 2))/s, daemon received $got events (all types), dropped $lost"
	[ "$lost" -gt 0 ] && break
	highest=$(max "$highest" $((sent / 2)))
	[ $((sent / 2)) -lt $((rate * 95 / 100)) ] && break	# the sender is the limit now, not the daemon
done
echo "highest rate with 0 drops: $highest events/s (target >= 50000)"

echo "== daemon RSS with $CHILDREN tracked processes =="
rss_before=$(awk '/VmRSS/ { print $2 }' "/proc/$daemon_pid/status")
mkfifo "$tmp/hold" "$tmp/go"
sh -c 'read x <"$0"; h=$1; shift; exec "$@" <"$h"' "$tmp/go" "$tmp/hold" "$LOADGEN" children "$CHILDREN" \
	>"$tmp/children.out" &
children_pid=$!
track "$children_pid"
echo go >"$tmp/go"
exec 9>"$tmp/hold"	# keeps loadgen's stdin open until we are done
for _ in $(seq 600); do
	grep -q ready "$tmp/children.out" && break
	kill -0 "$children_pid" 2>/dev/null || break
	sleep 0.1
done
grep -q ready "$tmp/children.out" || { echo "loadgen children did not get ready" >&2; exit 1; }
sleep 1	# the daemon drains the fork records
tracked=$(status | python3 -c 'import json,sys; print(json.load(sys.stdin)["counters"]["tracked"])')
rss=$(awk '/VmRSS/ { print $2 }' "/proc/$daemon_pid/status")
exec 9>&-
wait "$children_pid"
children_pid=
echo "daemon VmRSS: $((rss_before / 1024)) MiB idle, $((rss / 1024)) MiB with $tracked tracked processes (target <= 32 MiB at 10k)"
stop_daemon
