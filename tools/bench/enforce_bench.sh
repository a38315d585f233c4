#!/usr/bin/env bash
# enforce_bench.sh: kernel enforcement: deadline to the death of a call's tree, whether denied execs ran any code, connect cost with network rules loaded.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
MCPWARDEN=${MCPWARDEN:-$top/build/mcpwarden}
LOADGEN=${LOADGEN:-$top/build/loadgen}
CONNECTS=${CONNECTS:-20000}
DENIED=${DENIED:-200}
KILL_ROUNDS=${KILL_ROUNDS:-9}
[ "$(id -u)" -eq 0 ] || { echo "enforcement benchmark: needs root (BPF); skipped"; exit 0; }
source "$top/tools/bench/bench_lib.sh"
start_daemon

echo "== deadline -> death of the call's whole tree (code runner, 1.5 s timeout, $KILL_ROUNDS rounds) =="
python3 "$top/tools/bench/kill_bench.py" "$MCPWARDEN" "$sock" "$top/tests/e2e" "$KILL_ROUNDS" 1500 | tail -n 1

echo "== denied execs: did any run user code? =="
# Each denied program would create its own file at its first instruction (touch does nothing else).
deny='{"exec": {"deny": ["/usr/bin/touch"]}}'
mkfifo "$tmp/go"
sh -c 'read x <"$0"; i=0; while [ $i -lt "$1" ]; do i=$((i + 1)); /usr/bin/touch "$2/ran.$i"; done' \
	"$tmp/go" "$DENIED" "$tmp" 2>/dev/null &
pid=$!
track "$pid" "$deny"
echo go >"$tmp/go"
wait "$pid" || true
rm -f "$tmp/go"
ran=$(find "$tmp" -name 'ran.*' | wc -l)
echo "denied execs of touch: $DENIED, files created (user code that ran): $ran (target 0)"

echo "== connect loop with network rules loaded vs none (daemon on both sides, best of 3 alternating rounds) =="
# 15 entries that do not match, then the one that does: the kernel scans the whole table per connect.
rules=$(python3 -c 'import json
deny = [{"family": 4, "addr": "10.%d.0.1" % i, "prefix": 32, "port": 0} for i in range(15)]
allow = [{"family": 4, "addr": "127.0.0.0", "prefix": 8, "port": 0}]
print(json.dumps({"network": {"egress": "deny", "deny": deny, "allow": allow}}))')
plain=0 ruled=0
for round in 1 2 3; do
	plain=$(max "$plain" "$(ops connect "$CONNECTS" on)")
	ruled=$(max "$ruled" "$(ops connect "$CONNECTS" "$rules")")
done
echo "connect loop ($CONNECTS loopback TCP, 16 rules): none $plain/s rules $ruled/s ratio $(ratio "$plain" "$ruled")"
stop_daemon
