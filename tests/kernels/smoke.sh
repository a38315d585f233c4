#!/usr/bin/env bash
# smoke.sh: the kernel matrix's suite (tools/kernels/matrix.sh runs it on each kernel, as root): what the daemon
# reports on this kernel, the kernel's BTF as C, and the integration tests that prove each mode end to end.
#   MCPWARDEN_RESULTS=DIR tests/kernels/smoke.sh     (DIR writable; the checkout may be read-only)
# Writes to DIR: kernel, lsm, vmlinux.h, daemon.log, status.json (when the daemon started), NAME.log per test,
# and smoke.txt, one "PASS|FAIL|SKIP NAME SECONDS" line per test. Exits 0 when every test passed.
# The tests run the plain build (build/mcpwarden, the binary users run): under qemu without KVM the sanitizer
# build is several times slower again. MCPWARDEN_SLOW stretches their waits (tests/lib.sh).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
R=${MCPWARDEN_RESULTS:?smoke.sh: set MCPWARDEN_RESULTS to a writable directory (tools/kernels/boot.sh does)}
export MCPWARDEN=${MCPWARDEN:-$top/build/mcpwarden}
export MCPWARDEN_TOP=$top
# Which test proves what: each mechanism status names, in the mode it is in (kernel_modes: exec deny, process
# limits, the kill before a child's first run, exit records of threaded processes); exec, connect and UDP events
# carry the call (shim_correlation, and enforce_net's deny events); exec deny; connect and UDP deny; the kill of a
# timed-out call's tree with a setsid escapee and max_processes (enforce_runaway); every program within the
# verifier budget on this kernel; unix socket rules against links, /proc, abstract names and datagrams, by
# whichever hook this kernel has (skipped where it has none); kills the kernel would not send, taken over by the
# daemon, in each unborn-kill mode the kernel has (signal_failure); the lineage map's room per server, refused by
# lsm/task_alloc or at the fork (lineage_budget); io_uring sends recorded at the cgroup hook, and the other
# evasions (daemon_evasion); a call's code kept out of its server's memory under BPF LSM (call_isolation); the
# rules of a running call held by the pinned programs through the daemon's SIGKILL and restart, and the shim's
# resume (daemon_restart).
# kernel_modes, the budget and the last four drive tracked trees through the
# control socket; the rest drive a sandboxed code tool through the real shim and SDK client.
TESTS=(test_kernel_modes test_verifier_budget test_shim_correlation test_enforce_exec test_enforce_net test_enforce_runaway
       test_enforce_unix test_signal_failure test_lineage_budget test_daemon_evasion test_call_isolation
       test_daemon_restart)
# SMOKE_TESTS="NAME..." runs those alone (an ad hoc run: tools/kernels/boot.sh deb12 -- env SMOKE_TESTS=... bash $0).
[ -n "${SMOKE_TESTS:-}" ] && read -ra TESTS <<< "$SMOKE_TESTS"

[ -x "$MCPWARDEN" ] || { echo "smoke.sh: $MCPWARDEN: not built (make all)" >&2; exit 2; }
uname -r > "$R/kernel"
lsm=$(cat /sys/kernel/security/lsm) && echo "$lsm" > "$R/lsm" || echo "smoke.sh: /sys/kernel/security/lsm: not readable" >&2
# Dumped to /tmp first: DIR may be a 9p share, where many small writes are slow.
btf=$(mktemp /tmp/vmlinux.XXXXXX.h)
if bpftool btf dump file /sys/kernel/btf/vmlinux format c > "$btf"; then
	cp "$btf" "$R/vmlinux.h"
else
	echo "smoke.sh: bpftool btf dump file /sys/kernel/btf/vmlinux format c: failed" >&2
fi
rm -f "$btf"

# The daemon on its own: its features, or why it does not start.
rm -f "$R/status.json"
sock=$(mktemp -u /tmp/mcpwarden-smoke.XXXXXX)
pins=/sys/fs/bpf/mcpwarden-smoke
"$MCPWARDEN" daemon --socket "$sock" --pin-dir "$pins" > "$R/daemon.log" 2>&1 &
daemon=$!
for _ in $(seq "$(awk -v f="${MCPWARDEN_SLOW:-1}" 'BEGIN { print 100 * f }')"); do
	if "$MCPWARDEN" status --json --socket "$sock" > "$R/status.json.tmp" 2>/dev/null; then
		mv "$R/status.json.tmp" "$R/status.json"
		break
	fi
	kill -0 "$daemon" 2>/dev/null || break
	sleep 0.1
done
rm -f "$R/status.json.tmp"
kill -TERM "$daemon" 2>/dev/null
wait "$daemon"
[ -d "$pins" ] && "$MCPWARDEN" daemon --stop-enforcement --pin-dir "$pins" >/dev/null
echo "daemon: $([ -f "$R/status.json" ] && echo started || echo "did not start: $(tail -n 1 "$R/daemon.log")")"

: > "$R/smoke.txt"
failed=0
for t in "${TESTS[@]}"; do
	start=$(date +%s)
	bash "tests/integration/$t.sh" > "$R/$t.log" 2>&1
	rc=$?
	case $rc in 0) verdict=PASS ;; 77) verdict=SKIP ;; *) verdict=FAIL failed=1 ;; esac
	echo "$verdict $t $(($(date +%s) - start))" | tee -a "$R/smoke.txt"
done
exit $failed
