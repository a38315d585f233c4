#!/usr/bin/env bash
# E2E: policy reload on SIGHUP and on a file change; an invalid file keeps the old policy.
source "$(dirname "$0")/../lib.sh"
mkdir -p "$TMP/watched" "$TMP/elsewhere"
pol=$TMP/watched/policy.yaml
printf 'version: "1"\ndefault: allow\n' > "$TMP/elsewhere/policy.yaml"
# Through a symlink, edits in elsewhere/ are invisible to inotify: only SIGHUP can see them.
ln -s "$TMP/elsewhere/policy.yaml" "$pol"
printf 'version: "1"\ntools:\n  run_python_code:\n    rules:\n      - {name: frozen, action: deny, on_deny: "frozen by the operator"}\n' > "$TMP/deny.yaml"
printf 'version: "1"\ntools:\n  x:\n    rules:\n      - {op: nope}\n' > "$TMP/bad.yaml"
call() { echo '{"jsonrpc":"2.0","id":'"$1"',"method":"tools/call","params":{"name":"run_python_code","arguments":{"code":"print('"$1"')"}}}'; echo "#wait $1"; }
{
	echo "$INIT"; echo "#wait 0"; echo "$INITIALIZED"
	call 1
	echo "#sh cp $TMP/deny.yaml $TMP/elsewhere/policy.yaml"
	echo "#sleep 0.5"
	call 2			# no reload yet: the change was not seen
	echo "#signal HUP"
	echo "#sleep 0.5"
	call 3			# SIGHUP reloaded it
	echo "#sh cp $TMP/bad.yaml $TMP/new && mv $TMP/new $pol"
	echo "#sleep 0.5"
	call 4			# invalid file by rename: old policy kept
	echo "#sh printf 'version: \"1\"\\n' > $pol"
	echo "#sleep 0.5"
	call 5			# rewritten in place: reloaded
} > "$TMP/script"
raw "$TMP/script" "$MCPWARDEN" run --policy "$pol" --audit "$TMP/audit.jsonl" -- python3 "$FIXTURES/shibing624_server.py"
cat "$TMP/out"; cat "$TMP/err"
assert_contains "$(reply 1)" '1\n' "allowed under the first policy"
assert_contains "$(reply 2)" '2\n' "an unseen edit changes nothing"
assert_contains "$(reply 3)" '"rule": "frozen"' "SIGHUP reloaded the policy"
assert_contains "$(reply 4)" '"rule": "frozen"' "invalid file: old policy kept"
assert_contains "$(cat "$TMP/err")" "keeping the old policy" "invalid reload logged"
assert_contains "$(cat "$TMP/err")" "rules[0].op: unknown key" "the reason names the field"
assert_contains "$(reply 5)" '5\n' "a rewrite in place is picked up"
assert_contains "$(cat "$TMP/audit.jsonl")" '"trigger":"SIGHUP"' "SIGHUP reload audited"
assert_contains "$(cat "$TMP/audit.jsonl")" '"ok":false' "failed reload audited"
