#!/usr/bin/env bash
# E2E: a batch's allowed elements reach the server as the client's own bytes: a number past 2^53
# and 1.10 arrive as written (cJSON would print 9.00719925474099e+15 and 1.1), spacing and key order
# kept; refused elements are left out and answered by the shim.
source "$(dirname "$0")/../lib.sh"
cat >"$TMP/policy.yaml" <<'EOF2'
version: "1"
default: allow
tools:
  evil:
    rules:
      - {name: never, action: deny}
EOF2
ok='{"jsonrpc":"2.0", "id":1, "method":"tools/call","params":{"name":"calc","arguments":{"n":9007199254740993,"x":1.10,"s":"\u00e9"}}}'
bad='{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"evil","arguments":{}}}'
note='{"method":"notifications/progress","jsonrpc":"2.0","params":{"progressToken":7,"progress":0.50}}'
{ echo "[$ok , $bad,$note]"; echo "#wait 2"; echo "#sleep 0.3"; } >"$TMP/script"
raw "$TMP/script" "$MCPWARDEN" run --no-daemon --policy "$TMP/policy.yaml" -- sh -c 'exec cat >"$0"' "$TMP/received"
got=$(cat "$TMP/received")
assert_eq "$got" "[$ok,$note]" "the server got the allowed elements' own bytes, in order, as one batch"
assert_contains "$(reply 2)" '"rule": "never"' "the refused element is answered by the shim"

# A batch behind a UTF-8 byte order mark (which the parser skips) is split the same way, not dropped.
{ printf '\xEF\xBB\xBF[%s]\n' "$ok"; echo "#sleep 0.5"; } >"$TMP/script"
raw "$TMP/script" "$MCPWARDEN" run --no-daemon --policy "$TMP/policy.yaml" -- sh -c 'exec cat >"$0"' "$TMP/received"
assert_eq "$(cat "$TMP/received")" "[$ok]" "a batch after a byte order mark reaches the server"
