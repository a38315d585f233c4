#!/usr/bin/env bash
# Kernel sandbox, the README example: the README's example policy (policies/code-execution-sandbox.yaml, quoted there
# verbatim) on a Pwno-style server through the SDK client: python3 runs, any other program is
# killed, connections other than the API host fail with EPERM, and a 40-process fan-out stops at
# 32. Each result carries the text the README shows.
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"

policy=$TOP/policies/code-execution-sandbox.yaml
python3 - "$policy" "$TOP/README.md" <<'PY' || fail "the README does not quote the policy file verbatim"
import sys
body = "".join(l for l in open(sys.argv[1]) if not l.startswith("#"))
sys.exit(0 if body.strip() in open(sys.argv[2]).read() else 1)
PY

start_daemon
call() { python3 -c 'import json,sys; print(json.dumps({"name": "execute_python_code", "arguments": {"code": sys.argv[1]}}))' "$1"; }
list="[$(call "print('python3 runs')"),
 $(call "import subprocess; print(subprocess.run(['id']).returncode)"),
 $(call "import socket; socket.create_connection(('127.0.0.1', 9), timeout=2)"),
 $(call "import os, time
kids = []
for i in range(40):
    pid = os.fork()
    if pid == 0:
        open('$TMP/ran-%d' % i, 'w').close(); time.sleep(30); os._exit(0)
    kids.append(pid)
print('forked', len(kids))")]"
out=$(cd "$NODE_DIR" && CALLS=$list timeout 90 node client.mjs calls -- "$MCPWARDEN" run --socket "$SOCK" \
	--policy "$policy" -- /usr/bin/python3 "$FIXTURES/pwno_server.py" 2>&1)
echo "$out"
assert_contains "$(grep '^result 0' <<<"$out")" "python3 runs" "python3 may run"
assert_contains "$(grep '^result 1' <<<"$out")" "[rule 'tools.execute_python_code.sandbox.exec.allow'] exec of /usr/bin/id killed before it ran" "any other program is killed"
assert_contains "$(grep '^result 2' <<<"$out")" "[rule 'tools.execute_python_code.sandbox.network.egress'] connect to 127.0.0.1 port 9 (tcp) refused (EPERM)" "other hosts: EPERM"
assert_contains "$(grep '^result 2' <<<"$out")" "PermissionError" "the snippet sees EPERM"
assert_contains "$(grep '^result 3' <<<"$out")" "[rule 'tools.execute_python_code.sandbox.max_processes'] more than 32 processes" "the fan-out stops at 32"
# fork() returns a pid even for a child killed before it ran, and the snippet may print before the daemon's
# kill of the call reaches it: count the children that ran.
ran=$(find "$TMP" -maxdepth 1 -name 'ran-*' | wc -l)
[ "$ran" -le 32 ] || fail "$ran of the 40 children ran, over max_processes 32"
pass "at most 32 of the snippet's 40 children ran ($ran)"
pass "README policy: each rule fires as the README says"
