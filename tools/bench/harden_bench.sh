#!/usr/bin/env bash
# harden_bench.sh: what the hardened start (seccomp baseline, no_new_privs, capability drop) costs the code it
# runs: fork+exec and loopback connect loops, plain against hardened, no daemon (target: <= 1% each).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
LOADGEN=${LOADGEN:-$top/build/loadgen}
HARDENED=${HARDENED:-$top/build/hardened}
EXECS=${EXECS:-1000}
CONNECTS=${CONNECTS:-20000}
ROUNDS=${ROUNDS:-15}
PIN=()
[ "$(nproc)" -gt 1 ] && command -v taskset >/dev/null && PIN=(taskset -c "$(($(nproc) - 1))")

# ops WRAP MODE N: ops/s of one loadgen run, under WRAP ("" or the hardened runner).
ops() { ${PIN[@]+"${PIN[@]}"} $1 "$LOADGEN" "$2" "$3" | awk '/ops\/s/ { print $2 }'; }
echo "== hardened start (median of $ROUNDS rounds, each plain, hardened, plain) =="
for load in "exec $EXECS" "connect $CONNECTS"; do
	ratios=
	for _ in $(seq "$ROUNDS"); do
		# shellcheck disable=SC2086
		b=$(ops "" $load) h=$(ops "$HARDENED" $load) a=$(ops "" $load)
		ratios+=" $(python3 -c "import sys; b, h, a = map(float, sys.argv[1:]); print(f'{2 * h / (b + a):.4f}')" "$b" "$h" "$a")"
	done
	python3 -c 'import statistics, sys
r = sorted(map(float, sys.argv[2].split()))
m = statistics.median(r)
print(f"{sys.argv[1]}: ratio {m:.3f} (slowdown {100 * (1 - m):.1f}%; rounds {100 * (1 - r[-1]):.1f}% to {100 * (1 - r[0]):.1f}%) (target slowdown <= 1%)")' \
		"${load%% *} loop under the seccomp baseline and capability drop" "$ratios"
done
