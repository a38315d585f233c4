#!/usr/bin/env bash
# test_daemon_trace_all.sh: with --trace-all, network events of untracked processes are reported (server_id 0).
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"

start_daemon --trace-all
st=$("$MCPWARDEN" status --json --socket "$SOCK")
assert_contains "$st" '"scope":"all"' "status reports the trace-all scope"
follow_events "$TMP/events"
python3 -c '
import socket
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("127.0.0.1", 9))' || fail "sender failed"
stop_follow
grep '"op":"sendto"' "$TMP/events" | grep -q '"server_id":0' || fail "untracked sendto not reported in trace-all mode"
pass "untracked sendto reported with server_id 0"
