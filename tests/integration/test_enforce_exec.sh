#!/usr/bin/env bash
# Kernel sandbox, exec: `sandbox.exec` holds in the kernel. With BPF LSM a denied exec fails with EPERM; without
# (this machine's kernel) it is killed with SIGKILL before the new image runs: each target here would have created a file, and
# none does. 1) The shipped shibing624 policy lets the server run python3 and nothing else: os.system()
# inside run_python_code (reached past the policy's import regex) is stopped. 2) An allowlist on
# mcp-server-code-runner lets sh and python3 run and kills touch; a deny entry kills /usr/bin/id.
# 3) A deny list naming bash holds against `ld.so /bin/bash`: the dynamic loader is denied with it.
# Each call's result is an error naming the rule; events show the kill.
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"

start_daemon --audit-dir "$TMP/audit"
follow_events "$TMP/events"
read -r mode unix_rules < <("$MCPWARDEN" status --json --socket "$SOCK" | python3 -c 'import json,sys
f = json.load(sys.stdin)["features"]; print(f["exec_enforcement"], f["unix_enforcement"] is not False)')
# What a denied exec looks like, by mode: with BPF LSM it fails with EPERM; without, the new image is killed.
if [ "$mode" = lsm ]; then stopped="refused (EPERM)" died="errno 1" how="EPERM"; else stopped="killed before it ran" died="returncode -9" how="SIGKILL"; fi
# Snippet code: run(argv) prints "ARGV0 returncode N", or "ARGV0 errno N" when the exec itself failed.
RUN="import subprocess
def run(argv, **kw):
    try:
        r = subprocess.run(argv, **kw)
        print(argv[0], 'returncode', r.returncode, (r.stdout or '').strip())
    except OSError as e:
        print(argv[0], 'errno', e.errno)"

# 1) In-process code; importlib slips past the policy's regex, the kernel does not let sh run. The server
# starts as the system's python3, the one the policy's server-level allow list names.
code="import importlib
importlib.import_module('o' + 's').system('touch $TMP/ran-shell; id')
print('after os.system')"
args=$(python3 -c 'import json,sys; print(json.dumps({"code": sys.argv[1]}))' "$code")
out=$(cd "$NODE_DIR" && TOOL=run_python_code ARGS=$args timeout "$(slow 60)" node client.mjs call -- "$MCPWARDEN" run --socket "$SOCK" \
	--policy "$TOP/policies/shibing624-run-python-code.yaml" -- /usr/bin/python3 "$FIXTURES/shibing624_server.py" 2>&1)
echo "$out"
[ ! -e "$TMP/ran-shell" ] || fail "the shell ran despite the server's exec.allow"
if [ "$unix_rules" = False ]; then
	# The shipped policy denies unix sockets too, which this kernel can't enforce: it is refused, not run without.
	assert_contains "$out" "network.unix: this kernel has neither the cgroup connect_unix and sendmsg_unix hooks" \
		"without unix socket hooks or BPF LSM, the shipped policy is refused, saying why"
	assert_not_contains "$out" "after os.system" "and its code never runs"
else
	assert_contains "$out" '"rule":"sandbox.exec.allow"' "the result names the rule"
	assert_contains "$out" "exec of /bin/sh $stopped" "the result says what was stopped"
	assert_contains "$out" '"isError":true' "the call is an error"
	assert_contains "$out" "after os.system" "the server itself lives on: only the exec died"
fi

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
code="$RUN
for argv in (['touch', '$TMP/ran-touch'], ['/usr/bin/id'], ['/usr/bin/python3', '-c', 'print(\"child python ran\")']):
    run(argv, capture_output=True, text=True)"
args=$(python3 -c 'import json,sys; print(json.dumps({"code": sys.argv[1], "languageId": "python"}))' "$code")
# PATH without pyenv's shims: python is /usr/bin/python, as on a plain Debian host.
out=$(cd "$NODE_DIR" && TOOL=run-code ARGS=$args timeout "$(slow 60)" node client.mjs call -- "$MCPWARDEN" run --socket "$SOCK" \
	--policy "$TMP/allow.yaml" -- env PATH=/usr/bin:/bin node node_modules/mcp-server-code-runner/dist/cli.js 2>&1)
echo "$out"
[ ! -e "$TMP/ran-touch" ] || fail "touch ran although exec.allow does not list it"
assert_contains "$out" "child python ran" "an allowlisted program runs"
assert_contains "$out" "touch $died" "touch was stopped ($how)"
assert_contains "$out" "/usr/bin/id $died" "id was stopped ($how)"
assert_contains "$out" "[rule 'tools.run-code.sandbox.exec.allow'] exec of" "the result names the allowlist rule"
assert_contains "$out" "[rule 'tools.run-code.sandbox.exec.deny'] exec of /usr/bin/id $stopped" "and the deny rule"
# 3) The dynamic loader: `ld.so /bin/bash -c ...` execs ld.so, which maps bash itself. Under a deny list naming
# bash, the loaders are denied too; an allow list that names the loader lets it run, and whatever it is handed.
ldso=$(readelf -l /bin/sh | sed -n 's/.*program interpreter: \(.*\)]$/\1/p')
[ -x "$ldso" ] || fail "no dynamic loader found for /bin/sh"
loader_call() { # POLICY MARK: a snippet runs bash, then bash through the loader; each would make $TMP/MARK-*
	local code args	# (with a redirection, which bash makes itself: no exec an allow list could stop)
	code="$RUN
for argv in (['bash', '-c', ': > $TMP/$2-bash'], ['$ldso', '/bin/bash', '-c', ': > $TMP/$2-ldso']):
    run(argv)"
	args=$(python3 -c 'import json,sys; print(json.dumps({"code": sys.argv[1], "languageId": "python"}))' "$code")
	(cd "$NODE_DIR" && TOOL=run-code ARGS=$args timeout "$(slow 60)" node client.mjs call -- "$MCPWARDEN" run --socket "$SOCK" \
		--policy "$1" -- env PATH=/usr/bin:/bin node node_modules/mcp-server-code-runner/dist/cli.js 2>&1)
}
printf 'version: "1"\ndefault: allow\ntools:\n  run-code:\n    sandbox:\n      exec:\n        deny: [bash]\n' >"$TMP/deny.yaml"
out=$(loader_call "$TMP/deny.yaml" deny)
echo "$out"
[ ! -e "$TMP/deny-bash" ] || fail "bash ran under a deny list that names it"
[ ! -e "$TMP/deny-ldso" ] || fail "bash ran through $ldso under a deny list that names bash"
assert_contains "$out" "$ldso $died" "the loader was stopped ($how)"
assert_contains "$out" "[rule 'tools.run-code.sandbox.exec.deny'] exec of $ldso $stopped" "the deny rule names the loader"
printf 'version: "1"\ndefault: allow\ntools:\n  run-code:\n    sandbox:\n      exec:\n        allow: [sh, python, "python3*", %s]\n        deny: [bash]\n' "$ldso" >"$TMP/allow-ldso.yaml"
out=$(loader_call "$TMP/allow-ldso.yaml" allowed)
echo "$out"
[ ! -e "$TMP/allowed-bash" ] || fail "bash ran although denied"
[ -e "$TMP/allowed-ldso" ] || fail "the loader did not run although the allow list names it"
pass "an allow list that names the loader lets it run (and what it is handed)"
stop_follow

python3 - "$TMP/events" "$mode" "$unix_rules" <<'PY' || fail "exec events (see above)"
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
ok &= {d["exe"].split("/")[-1] for d in denies} >= {"touch", "id"} | ({"sh"} if sys.argv[3] == "True" else set())
sys.exit(0 if ok else 1)
PY
pass "exec sandbox: denied programs never run; allowed ones do; results name the rule"
