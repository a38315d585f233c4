#!/usr/bin/env bash
# E2E: what one file, and one home, may make `mcpwarden scan` do (an attacker's review, M5 and L5). Twin
# server names are found by sorting, so a file with the most servers allowed beside 600,000 other keys is
# read in seconds (before: one search of every key per server, past the child's 60 s); a file with more
# servers than that is refused with FILE:LINE. The root parent takes at most SCAN_MAX_LINES lines and
# SCAN_MAX_BYTES from one home's child, each line at most 1 MiB: what is over is counted, named on stderr,
# never kept, and scan exits 1.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/scan_home.sh"
H=$TMP/home
mkdir -p "$H/.cursor" "$H/.gemini" "$H/.config/Code/User"
# servers FILE KEY N [JUNK [ARGBYTES]]: N servers s0.. under KEY, JUNK other members beside them, each server's
# one argument ARGBYTES long.
servers() {
	python3 - "$@" <<'PY'
import sys
path, key, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
junk = int(sys.argv[4]) if len(sys.argv) > 4 else 0
arg = "a" * (int(sys.argv[5]) if len(sys.argv) > 5 else 1)
members = ['"s%d": {"command": "x", "args": ["%s"]}' % (i, arg) for i in range(n)]
members += ['"j%d": 0' % i for i in range(junk)]
open(path, "w").write('{"%s": {%s}}\n' % (key, ", ".join(members)))
PY
}

# 1. The most servers allowed, beside 600,000 other keys: read well within the child's time.
servers "$H/.cursor/mcp.json" mcpServers 4096 600000
start=$SECONDS
mcpw_scan --json --home "$H" > "$TMP/out" 2> "$TMP/err"
assert_eq "$(grep -c '"client":"cursor"' "$TMP/out")" 4096 "all 4096 servers listed (the child has 60 s)"
pass "read in $((SECONDS - start)) s, the root parent's join included"

# 2. One more server: the file is refused, with its line.
servers "$H/.cursor/mcp.json" mcpServers 4097
mcpw_scan --home "$H" > "$TMP/out" 2> "$TMP/err"
assert_contains "$(cat "$TMP/err")" "$H/.cursor/mcp.json:1: more than 4096 servers in one file" "a file with 4097 servers is refused"

# 3. Two files of 3000 servers: the parent takes 4096 lines from the home, counts the rest, and says so.
servers "$H/.cursor/mcp.json" mcpServers 3000
servers "$H/.gemini/settings.json" mcpServers 3000
rc=0
mcpw_scan --json --home "$H" > "$TMP/out" 2> "$TMP/err" || rc=$?
assert_eq "$rc" 1 "a listing cut short exits 1"
assert_eq "$(wc -l < "$TMP/out")" 4096 "4096 entries listed"
assert_contains "$(cat "$TMP/err")" "$H: 1904 more server entries or problems not listed" "the 1904 left out are counted and named"

# 4. Bytes: 24 servers of 900 KB each in two files (21 MB) and one of 2 MB (a line over 1 MiB, cut): 16 MiB are taken.
servers "$H/.cursor/mcp.json" mcpServers 12 0 900000
servers "$H/.gemini/settings.json" mcpServers 12 0 900000
servers "$H/.config/Code/User/mcp.json" servers 1 0 2000000
rc=0
mcpw_scan --json --home "$H" > "$TMP/out" 2> "$TMP/err" || rc=$?
assert_eq "$rc" 1 "a listing cut short by its bytes exits 1"
listed=$(wc -l < "$TMP/out")
[ "$listed" -ge 17 ] && [ "$listed" -le 18 ] || fail "$listed entries listed, where 16 MiB holds 18 of 900 KB"
assert_contains "$(cat "$TMP/err")" "$H: $((25 - listed)) more server entries or problems not listed" "the entries over 16 MiB, and the cut line, are counted"
[ "$(stat -c %s "$TMP/out")" -le $((16 << 20)) ] || fail "more than 16 MiB listed"
pass "the parent keeps at most 16 MiB from one home"
