#!/usr/bin/env bash
# E2E: process hygiene: byte-identical relay, stderr, exit codes and signals, process group,
# PR_SET_PDEATHSIG, the EOF -> SIGTERM -> SIGKILL sequence, and a server that crashes mid-call.
source "$(dirname "$0")/../lib.sh"

# Byte-identical both ways: a server that records its stdin and replays a canned stdout.
printf '%s\n' '{"jsonrpc":"2.0","id":1,"result":{"b":"ünï\u00e9 \/ \"q\"","a":[1,2.50,-0e0]}}' \
	'{ "jsonrpc" : "2.0" , "method":"notifications/message","params":{"level":"info"} }' > "$TMP/canned"
printf '%s\r\n' '{"jsonrpc":"2.0","id":1,"method":"ping","params":{ "x" : 1.0 }}' > "$TMP/sent"
printf '%s\n' '{"jsonrpc":"2.0","method":"notifications/initialized"}' >> "$TMP/sent"
cat > "$TMP/echo_server.sh" <<SH
cat "$TMP/canned"; echo "to stderr" >&2; cat > "$TMP/got"
SH
"$MCPWARDEN" run -- sh "$TMP/echo_server.sh" < "$TMP/sent" > "$TMP/client_got" 2> "$TMP/stderr"
cmp "$TMP/sent" "$TMP/got" || fail "client->server bytes changed"
pass "client->server relay is byte-identical (CRLF kept)"
cmp "$TMP/canned" "$TMP/client_got" || fail "server->client bytes changed"
pass "server->client relay is byte-identical"
assert_contains "$(cat "$TMP/stderr")" "to stderr" "server stderr passes through"

# Exit status propagates; a server that cannot start exits 127.
"$MCPWARDEN" run -- sh -c 'exit 7' < /dev/null
assert_eq "$?" 7 "exit status propagates"
"$MCPWARDEN" run -- /nonexistent/server < /dev/null 2> "$TMP/stderr"
assert_eq "$?" 127 "missing server binary exits 127"
assert_contains "$(cat "$TMP/stderr")" "cannot run /nonexistent/server" "missing binary named"

# Process group, PDEATHSIG and signal forwarding, seen from /proc.
mkfifo "$TMP/in"
"$MCPWARDEN" run -- sh -c 'echo $$ > '"$TMP/pid"'; trap "exit 42" USR1; while :; do sleep 0.05; done' \
	< "$TMP/in" > /dev/null 2>&1 &
shim=$!
exec 3> "$TMP/in"
for _ in $(seq 100); do [ -s "$TMP/pid" ] && break; sleep 0.05; done
srv=$(cat "$TMP/pid")
assert_eq "$(ps -o pgid= -p "$srv" | tr -d ' ')" "$srv" "server leads its own process group"
grep -q "^PPid:	$shim$" "/proc/$srv/status" || fail "server is not the shim's child"
kill -USR1 "$shim"
wait "$shim"
assert_eq "$?" 42 "SIGUSR1 forwarded to the server; its exit code propagates"
exec 3>&-

rm -f "$TMP/pid"
"$MCPWARDEN" run -- sh -c 'echo $$ > '"$TMP/pid"'; exec sleep 1000' < /dev/zero > /dev/null 2>&1 &
shim=$!
for _ in $(seq 100); do [ -s "$TMP/pid" ] && break; sleep 0.05; done
srv=$(cat "$TMP/pid")
kill -9 "$shim"
for _ in $(seq 100); do kill -0 "$srv" 2>/dev/null || break; sleep 0.05; done
kill -0 "$srv" 2>/dev/null && fail "server outlived a SIGKILLed shim"
pass "PR_SET_PDEATHSIG: the server dies with the shim"

# Client EOF: stdin closed, then SIGTERM, then SIGKILL for a server that ignores both.
start=$(date +%s%N)
"$MCPWARDEN" run -- sh -c 'trap "" TERM; exec 0<&-; while :; do sleep 0.1; done' < /dev/null > /dev/null 2>&1
rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
assert_eq "$rc" 137 "stubborn server ends by SIGKILL (128+9)"
[ "$ms" -ge 3500 ] && [ "$ms" -lt 8000 ] || fail "EOF->SIGTERM->SIGKILL took ${ms} ms, want ~4000"
pass "EOF, then SIGTERM after 2 s, then SIGKILL after 2 s more (${ms} ms)"
"$MCPWARDEN" run -- sh -c 'exec sleep 100' < /dev/null > /dev/null 2>&1
assert_eq "$?" 143 "a server that ignores EOF ends by SIGTERM (128+15)"

# A server that dies mid-call: every in-flight request gets an error.
{
	echo "$INIT"; echo "#wait 0"; echo "$INITIALIZED"
	echo '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"fixture_sleep","arguments":{"seconds":5}}}'
	echo '{"jsonrpc":"2.0","id":2,"method":"ping"}'
	echo '#sleep 0.3'
	echo '#wait 2'
} > "$TMP/script"
cat > "$TMP/crash.sh" <<SH
exec 3<&0
python3 "$FIXTURES/shibing624_server.py" <&3 &
sleep 1; kill -9 \$!; exit 3
SH
raw "$TMP/script" "$MCPWARDEN" run -- sh "$TMP/crash.sh"
cat "$TMP/out"
assert_contains "$(reply 1)" "exited before answering" "in-flight call answered when the server dies"
assert_contains "$(reply 2)" "exited before answering" "in-flight ping answered too"
assert_contains "$(tail -n 1 "$TMP/out")" "EXIT 3" "the server's exit code propagates"

# A reply cJSON cannot parse (a lone surrogate, as JavaScript leaves when it cuts an emoji)
# still reaches the client, with --audit on (the path that parses replies).
cat > "$TMP/surrogate.py" <<'PY'
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if "id" in m:
        sys.stdout.write('{"jsonrpc":"2.0","id":%s,"result":{"content":[{"type":"text","text":"cut \\ud83d"}]}}\n' % json.dumps(m["id"]))
        sys.stdout.flush()
PY
{
	echo '{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"t","arguments":{}}}'
	echo "#wait 5"
} > "$TMP/script"
raw "$TMP/script" "$MCPWARDEN" run --no-daemon --audit "$TMP/a.jsonl" -- python3 "$TMP/surrogate.py"
assert_contains "$(cat "$TMP/out")" 'cut \ud83d' "a reply that is not strict JSON is relayed, not dropped"
