#!/usr/bin/env bash
# Runs every test: cmocka units (ASan/UBSan build), end-to-end and integration scripts, fuzz smoke.
# Each script exits 0 (pass), 77 (skip) or anything else (fail). Ends with "N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export MCPWARDEN="${MCPWARDEN:-$top/build/san/mcpwarden}"
export MCPWARDEN_TOP="$top"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
logdir="$top/build/test-logs"
mkdir -p "$logdir"
pass=0 fail=0 skip=0 failed=()

run_one() {
	local name=$1; shift
	local log="$logdir/$(echo "$name" | tr '/' '_').log"
	local start=$SECONDS rc
	"$@" >"$log" 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then
		pass=$((pass + 1)); echo "PASS $name ($((SECONDS - start))s)"
	elif [ $rc -eq 77 ]; then
		skip=$((skip + 1)); echo "SKIP $name: $(tail -n 1 "$log")"
	else
		fail=$((fail + 1)); failed+=("$name"); echo "FAIL $name (rc=$rc), log: $log"
		tail -n 30 "$log" | sed 's/^/    /'
	fi
}

filter=${1:-}
for t in build/san/tests/test_*; do
	[ -x "$t" ] || continue
	case "$t" in *"$filter"*) ;; *) continue ;; esac
	run_one "unit/$(basename "$t")" "$t"
done
for t in tests/build/test_*.sh tests/e2e/test_*.sh tests/integration/test_*.sh tests/fuzz/test_*.sh; do
	[ -f "$t" ] || continue
	case "$t" in *"$filter"*) ;; *) continue ;; esac
	run_one "${t#tests/}" bash "$t"
done

echo
for f in "${failed[@]+"${failed[@]}"}"; do echo "failed: $f"; done
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
