#!/usr/bin/env bash
# test_shim_slice.sh: the shim asks for the kernel's shortest slice (sched_slice.h), so that on a busy host it
# relays soon after each wake; the MCP server it starts gets the default slice back, not the shim's.
source "$(dirname "$0")/../lib.sh"

grep -q '^se.slice' /proc/self/sched 2>/dev/null || { echo "this kernel shows no se.slice in /proc/PID/sched: skipped"; exit 77; }
default=$(awk '/^se.slice/ {print $3}' /proc/self/sched)
"$MCPWARDEN" run --socket "$TMP/none.sock" -- sh -c 'awk "/^se.slice/ {print \"server\", \$3}" /proc/$$/sched >&2
awk "/^se.slice/ {print \"shim\", \$3}" /proc/$PPID/sched >&2' </dev/null 2>"$TMP/err" >/dev/null ||
	fail "the shim failed: $(cat "$TMP/err")"
shim=$(awk '$1 == "shim" {print $2}' "$TMP/err")
server=$(awk '$1 == "server" {print $2}' "$TMP/err")
if [ "$(uname -r | awk -F. '{print ($1 > 6 || ($1 == 6 && $2 >= 12))}')" = 1 ]; then
	assert_eq "$shim" 100000 "the shim runs with 0.1 ms slices"
else
	pass "before Linux 6.12 the slice stays the default ($shim)"
fi
assert_eq "$server" "$default" "the server it starts has the default slice"
