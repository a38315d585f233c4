#!/usr/bin/env bash
# E2E: a server killed outright mid-call (as the daemon's timeout kill does) is restarted by
# the shim: the in-flight call gets an error, the handshake is replayed, and the client's
# next call works on the same session, without a new initialize.
source "$(dirname "$0")/../lib.sh"
{
	echo "$INIT"; echo "#wait 0"; echo "$INITIALIZED"
	echo '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"fixture_sleep","arguments":{"seconds":30}}}'
	echo "#sleep 0.5"
	echo "#sh pkill -KILL -f '^python3 $FIXTURES/shibing624_server.py --tag $$'"
	echo "#wait 1"
	echo '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"run_python_code","arguments":{"code":"import os; print(os.getpid())"}}}'
	echo "#wait 2"
	echo "#sh pkill -TERM -f '^python3 $FIXTURES/shibing624_server.py --tag $$'"	# a clean exit is not restarted
	echo "#sleep 0.5"
} > "$TMP/script"
raw "$TMP/script" "$MCPWARDEN" run --no-daemon --audit "$TMP/audit.jsonl" -- python3 "$FIXTURES/shibing624_server.py" --tag $$
cat "$TMP/out"; cat "$TMP/err"
assert_contains "$(reply 1)" "was killed; mcpwarden restarted it" "in-flight call answered with an error"
assert_contains "$(reply 2)" '"isError": false' "the next call works on the same session"
assert_eq "$(grep -c '"method":"initialize"\|"protocolVersion"' "$TMP/out")" 1 "the client saw one initialize only"
assert_contains "$(cat "$TMP/audit.jsonl")" '"kind":"server_respawn"' "restart audited"
assert_contains "$(tail -n 1 "$TMP/out")" "EXIT 143" "a server ended by SIGTERM is not restarted: its status propagates"
