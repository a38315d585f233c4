#!/usr/bin/env bash
# E2E: the root process's join of entries to processes is not quadratic (an attacker's review, item 3). 4096
# servers with args ["xyz"] beside 600 processes with xyz in their argv took 92 s: each entry searched every
# process, and each match walked its ancestors with a linear look-up. Now processes are sorted by pid, each
# one's `mcpwarden run` ancestor is found once, and each distinct argument is joined once.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/scan_home.sh"
H=$TMP/home
mkdir -p "$H/.cursor"
python3 - "$H/.cursor/mcp.json" <<'PY'
import sys
members = ['"s%d": {"command": "x", "args": ["xyz"]}' % i for i in range(4096)]
open(sys.argv[1], "w").write('{"mcpServers": {%s}}\n' % ", ".join(members))
PY
# The 600 processes sit below a chain of 60 shells, so each one's ancestors are many (the old walk looked each
# one up by a linear search).
cat > "$TMP/chain.sh" <<'SH'
if [ "$1" -gt 0 ]; then bash "$0" $(($1 - 1)); exit; fi
for _ in $(seq 600); do (exec -a xyz sleep 300) & done
wait
SH
setsid bash "$TMP/chain.sh" 60 &
chain=$!
trap 'kill -- -$chain 2>/dev/null; rm -rf "$TMP"' EXIT
for _ in $(seq 100); do
	[ "$(pgrep -c -s "$chain" -x sleep)" = 600 ] && break
	sleep 0.1
done
assert_eq "$(pgrep -c -s "$chain" -x sleep)" 600 "600 processes with xyz in their argv"
start=$SECONDS
mcpw_scan --json --home "$H" > "$TMP/out" 2> "$TMP/err" || fail "scan failed: $(tail -3 "$TMP/err")"
took=$((SECONDS - start))
assert_eq "$(grep -c '"state":"running"' "$TMP/out")" 4096 "every entry is joined to the xyz processes"
[ "$took" -le "$(slow 8)" ] || fail "the join took $took s (before: 19 s here, 92 s in the review)"
pass "4096 entries joined to 600 processes in $took s"
