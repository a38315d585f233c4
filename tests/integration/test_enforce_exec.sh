#!/usr/bin/env bash
# Kernel sandbox, exec: `sandbox.exec` holds in the kernel. Without BPF LSM (this kernel) a denied exec is
# killed with SIGKILL before the new image runs: each target here would have created a file, and
# none does. 1) The shipped shibing624 policy lets the server run python3 and nothing else: os.system()
# inside run_python_code (reached past the policy's import regex) is stopped. 2) An allowlist on
# mcp-server-code-runner lets sh and python3 run and kills touch; a deny entry kills /usr/bin/id.
# Each call's result is an error naming the rule; events show the kill.
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"

start_daemon --audit-dir "$TMP/audit"
follow_events "$TMP/events"
mode=$("$MCPWARDEN" status --json --socket "$SOCK" | python3 -c 'import json,sys; print(json.load(sys.stdin)["features"]["exec_enforcement"])')

# 1) In-process code; importlib slips past the policy's regex, the kernel does not let sh run. The server
# starts as the system's python3, the one the policy's server-level allow list names.
code="import importlib
importlib.import_module('o' + 's').system('touch $TMP/ran-shell; id')
print('after os.system')"
args=$(python3 -c 'import json,sys; print(json.dumps({"code": sys.argv[1]}))' "$code")
out=$(cd "$NODE_DIR" && TOOL=run_python_code ARGS=$args timeout 60 node client.mjs call -- "$MCPWARDEN" run --socket "$SOCK" \
	--policy "$TOP/policies/shibing624-run-python-code.yaml" -- /usr/bin/python3 "$FIXTURES/shibing624_server.py" 2>&1)
echo "$out"
[ ! -e "$TMP/ran-shell" ] || fail "the shell ran despite the server's exec.allow"
assert_contains "$out" '"rule":"sandbox.exec.allow"' "the result names the rule"
assert_contains "$out" "exec of /bin/sh killed before it ran" "the result says what was stopped"
assert_contains "$out" '"isError":true' "the call is an error"
assert_contains "$out" "after os.system" "the server itself lives on: only the exec died"

# 2) Code runner with an allowlist: sh (code-runner's exec) and python3 only; /usr/bin/id denied by name.
cat >"$TMP/allow.yaml" <<EOF
version: "1"
default: allow
tools:
  run-code:
    sandbox:
      exec:
        allow: [sh, "python3*", python]
        deny: [/usr/bin/id]
EOF
code="import subprocess, sys
for argv in (['touch', '$TMP/ran-touch'], ['/usr/bin/id'], ['/usr/bin/python3', '-c', 'print(\"child python ran\")']):
    r = subprocess.run(argv, capture_output=True, text=True)
    print(argv[0], 'returncode', r.returncode, r.stdout.strip())"
args=$(python3 -c 'import json,sys; print(json.dumps({"code": sys.argv[1], "languageId": "python"}))' "$code")
# PATH without pyenv's shims: python is /usr/bin/python, as on a plain Debian host.
out=$(cd "$NODE_DIR" && TOOL=run-code ARGS=$args timeout 60 node client.mjs call -- "$MCPWARDEN" run --socket "$SOCK" \
	--policy "$TMP/allow.yaml" -- env PATH=/usr/bin:/bin node node_modules/mcp-server-code-runner/dist/cli.js 2>&1)
echo "$out"
[ ! -e "$TMP/ran-touch" ] || fail "touch ran although exec.allow does not list it"
assert_contains "$out" "child python ran" "an allowlisted program runs"
assert_contains "$out" "touch returncode -9" "touch died by SIGKILL"
assert_contains "$out" "/usr/bin/id returncode -9" "id died by SIGKILL"
assert_contains "$out" "[rule 'tools.run-code.sandbox.exec.allow'] exec of" "the result names the allowlist rule"
assert_contains "$out" "[rule 'tools.run-code.sandbox.exec.deny'] exec of /usr/bin/id killed" "and the deny rule"
stop_follow

python3 - "$TMP/events" "$mode" <<'PY' || fail "exec events (see above)"
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
denies = [e for e in evs if e["type"] == "deny" and e["op"] == "exec"]
ok = True
for d in denies:
    print("deny:", d["pid"], d["rule"], d["what"], "calls", d["calls"])
    want = "refused" if sys.argv[2] == "lsm" else "killed"
    if d["action"] != want or not d["calls"]:
        print("BAD: action or attribution", d)
        ok = False
    if want == "killed":
        ex = [e for e in evs if e["type"] == "exit" and e["pid"] == d["pid"]]
        print("  its exit:", ex[0] if ex else None)
        ok &= bool(ex) and ex[0]["signal"] == 9
print("exec denials:", len(denies))
ok &= {d["exe"].split("/")[-1] for d in denies} >= {"sh", "touch", "id"}
sys.exit(0 if ok else 1)
PY
pass "exec sandbox: denied programs never run; allowed ones do; results name the rule"
