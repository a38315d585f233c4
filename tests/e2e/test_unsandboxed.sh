#!/usr/bin/env bash
# E2E: sandbox rules never go silently unenforced. With no daemon to enforce them (none at the
# socket, or --no-daemon): a policy with a server-level sandbox does not start the server (exit 1,
# saying why and how to fix it); a tool with its own sandbox is refused, with an isError result
# naming the reason, and its code never runs. --allow-unsandboxed is the one way to run anyway,
# and the decision log records it.
source "$(dirname "$0")/../lib.sh"

cat >"$TMP/server.yaml" <<'EOF'
version: "1"
default: allow
sandbox:
  network: {egress: deny}
EOF
cat >"$TMP/tool.yaml" <<'EOF'
version: "1"
default: allow
tools:
  run_python_code:
    sandbox:
      exec: {deny: ["*"]}
EOF
mark=$TMP/ran
call='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"run_python_code","arguments":{"code":"open(\"'"$mark"'\",\"w\").write(\"x\"); print(6*7)"}}}'
{ echo "$INIT"; echo "#wait 0"; echo "$INITIALIZED"; echo "$call"; echo "#wait 1"; } >"$TMP/script"
server=(sh -c 'touch "$0.started"; exec python3 "$1"' "$mark" "$FIXTURES/shibing624_server.py")

# 1) A server-level sandbox and no daemon: the server is not started.
for how in "--socket $TMP/absent.sock" "--no-daemon"; do
	rm -f "$mark.started"
	# shellcheck disable=SC2086
	raw "$TMP/script" "$MCPWARDEN" run $how --policy "$TMP/server.yaml" -- "${server[@]}"
	assert_contains "$(tail -n 1 "$TMP/out")" "EXIT 1" "server-level sandbox, $how: the shim exits 1"
	err=$(cat "$TMP/err")
	assert_contains "$err" "server-level sandbox can't be enforced" "$how: it says why"
	assert_contains "$err" "--allow-unsandboxed" "$how: and how to run anyway"
	[ ! -e "$mark.started" ] || fail "$how: the server was started without its sandbox"
	pass "$how: the server never started"
done
assert_contains "$(cat "$TMP/err")" "--no-daemon" "the reason names --no-daemon"

# 2) A tool-level sandbox and no daemon: that tool's calls are refused; its code never runs.
raw "$TMP/script" "$MCPWARDEN" run --socket "$TMP/absent.sock" --audit "$TMP/d1.jsonl" --policy "$TMP/tool.yaml" \
	-- "${server[@]}"
r=$(reply 1)
assert_contains "$r" '"isError": true' "tool-level sandbox without a daemon: the call is an error"
assert_contains "$r" "no daemon enforces the tool's sandbox (no daemon at $TMP/absent.sock" "the result says why"
assert_contains "$r" '"rule": "tools.run_python_code.sandbox"' "and names the rule"
[ ! -e "$mark" ] || fail "the tool's code ran without its sandbox"
[ -e "$mark.started" ] || fail "the server itself should run: only sandboxed calls are refused"
grep -q '"kind":"unsandboxed"' "$TMP/d1.jsonl" && fail "an unsandboxed record without --allow-unsandboxed"
pass "the sandboxed tool's code never ran"

# 3) --allow-unsandboxed: both run, and the decision log says the rules were not enforced.
for pol in server tool; do
	rm -f "$mark" "$TMP/d2.jsonl"
	raw "$TMP/script" "$MCPWARDEN" run --allow-unsandboxed --socket "$TMP/absent.sock" --audit "$TMP/d2.jsonl" \
		--policy "$TMP/$pol.yaml" -- "${server[@]}"
	assert_contains "$(reply 1)" "42" "$pol-level sandbox with --allow-unsandboxed: the call runs"
	rec=$(grep '"kind":"unsandboxed"' "$TMP/d2.jsonl")
	assert_contains "$rec" '"reason":"no daemon at' "$pol: the decision log records the unenforced rules and why"
	assert_contains "$(cat "$TMP/err")" "NOT enforced" "$pol: and stderr says so"
done
