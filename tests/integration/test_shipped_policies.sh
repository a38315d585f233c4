#!/usr/bin/env bash
# Kernel sandbox, the shipped policies: each policy in policies/ runs its real server (mcp-server-code-runner,
# mcp-server-commands, server-everything) or its fixture (tests/fixtures) through the shim and the daemon, driven
# by the real SDK client. A normal snippet works. A shell-out and a connection to a host the policy does not
# allow, spelled so that its regexes let them through, reach the server (decision "sandbox", not "deny") and
# are stopped by the kernel: the result names the sandbox rule, the file the shell-out would have made is not
# there, the connect fails with EPERM. Servers start with the system's interpreters, which the allow lists name.
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"
source "$(dirname "$0")/code_call.sh"
test_cleanup() { kill ${listener:-} ${unix_listener:-} 2>/dev/null; }

start_daemon
start_listener	# $port: a loopback host no shipped policy allows
# A unix socket outside every sandbox (a docker.sock, a D-Bus): egress deny alone would let code reach it.
python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(8)
while True: s.accept()[0].close()' "$TMP/outside.sock" &
unix_listener=$!
for _ in $(seq 50); do [ -S "$TMP/outside.sock" ] && break; sleep 0.1; done
chmod 0711 "$TMP"
sys=(env PATH=/usr/bin:/bin)

# call TOOL KEY CODE [ARGS_JSON]: one tools/call as JSON, with CODE as argument KEY beside ARGS_JSON.
call() {
	python3 -c 'import json, sys
args = json.loads(sys.argv[4]) if len(sys.argv) > 4 else {}
args[sys.argv[2]] = sys.argv[3]
print(json.dumps({"name": sys.argv[1], "arguments": args}))' "$@"
}
# session NAME POLICY CALLS SERVER...: CALLS (a JSON list) on one session under POLICY; output in $TMP/NAME.out.
session() {
	local name=$1 policy=$2 calls=$3
	shift 3
	(cd "$NODE_DIR" && CALLS=$calls timeout 120 node client.mjs calls -- "$MCPWARDEN" run --socket "$SOCK" \
		--policy "$policy" -- "$@") >"$TMP/$name.out" 2>&1 || { cat "$TMP/$name.out"; fail "$name: the client failed"; }
	sed "s/^/$name: /" "$TMP/$name.out"
}
result() { grep "^result $2: " "$TMP/$1.out"; }
# works NAME I TEXT: call I answered TEXT, not as an error.
works() {
	assert_contains "$(result "$1" "$2")" "$3" "$1: call $2 works"
	assert_not_contains "$(result "$1" "$2")" '"isError":true' "$1: call $2 is no error"
}
# stopped NAME I RULE WHAT: call I got past the policy's rules to the server, and the kernel stopped WHAT by RULE.
stopped() {
	assert_contains "$(result "$1" "$2")" '"decision":"sandbox"' "$1: call $2 reached the server"
	assert_contains "$(result "$1" "$2")" "[rule '$3'] $4" "$1: call $2 stopped by $3"
}
# refused NAME I RULE: the shim refused call I by RULE before the server saw it.
refused() {
	assert_contains "$(result "$1" "$2")" '"decision":"deny"' "$1: call $2 refused"
	assert_contains "$(result "$1" "$2")" "\"rule\":\"$3\"" "$1: call $2 refused by $3"
}
# not_made FILE...: no shell-out got as far as making its file.
not_made() {
	for f in "$@"; do [ ! -e "$f" ] || fail "$(basename "$f"): a stopped shell-out ran"; done
	pass "no stopped shell-out ran"
}
killed="killed before it ran"
refused_conn="connect to 127.0.0.1 port $port (tcp) refused (EPERM)"
# Python spellings that pass every shipped regex (no "os.", "subprocess", "import os", "import socket").
py_shell() { echo "import importlib; importlib.import_module('o' + 's').system('touch $TMP/ran-$1')"; }
py_connect="import importlib; importlib.import_module('soc' + 'ket').create_connection(('127.0.0.1', $port), timeout=3)"
py_unix="import importlib; m = importlib.import_module('soc' + 'ket'); m.socket(m.AF_UNIX).connect('$TMP/outside.sock')"
refused_unix="connect to unix socket $TMP/outside.sock refused (EPERM)"

# Fixture servers whose snippets run in a child python3: policy | fixture | tool | code argument | other arguments
for c in "code-execution-sandbox|pwno_server.py|execute_python_code|code|{}" \
	"pwno-execute-python-code|pwno_server.py|execute_python_code|code|{}" \
	"dumpling-run-python-code|dumpling_server.py|run-python-code|python_code|{}" \
	"mcp-sandbox-execute-python-code|sandbox_server.py|execute_python_code|code|{\"sandbox_id\": \"s1\"}" \
	"stellify-run-code|stellify_server.py|run_code|code|{\"language\": \"python\"}"; do
	IFS='|' read -r name fixture tool key args <<<"$c"
	calls="[$(call "$tool" "$key" "print(6*7)" "$args"), $(call "$tool" "$key" "$(py_shell "$name")" "$args"),
		$(call "$tool" "$key" "$py_connect" "$args"), $(call "$tool" "$key" "$py_unix" "$args")]"
	session "$name" "$TOP/policies/$name.yaml" "$calls" /usr/bin/python3 "$FIXTURES/$fixture"
	works "$name" 0 42
	stopped "$name" 1 "tools.$tool.sandbox.exec.allow" "exec of /bin/sh $killed"
	stopped "$name" 2 "tools.$tool.sandbox.network.egress" "$refused_conn"
	stopped "$name" 3 "tools.$tool.sandbox.network.unix.deny" "$refused_unix"
	not_made "$TMP/ran-$name"
done

# shibing624 runs code inside the server: its sandbox is the server's. A signal handler the code leaves
# behind runs after the call, outside the call's rules, and is stopped all the same.
name=shibing624-run-python-code
later="import importlib, signal
def later(*a):
    importlib.import_module('pathlib').Path('$TMP/later-ran').touch()
    importlib.import_module('o' + 's').system('touch $TMP/ran-later')
signal.signal(signal.SIGALRM, later)
signal.alarm(1)
print('armed')"
calls="[$(call run_python_code code "print(6*7)"), $(call run_python_code code "$(py_shell "$name")"),
	$(call run_python_code code "$py_connect"), $(call run_python_code code "$later"), {\"sleep_ms\": 2500},
	$(call run_python_code code "print('still here')"), $(call run_python_code code "$py_unix")]"
session "$name" "$TOP/policies/$name.yaml" "$calls" /usr/bin/python3 "$FIXTURES/shibing624_server.py"
works "$name" 0 42
stopped "$name" 1 "sandbox.exec.allow" "exec of /bin/sh $killed"
stopped "$name" 2 "sandbox.network.egress" "$refused_conn"
works "$name" 3 armed
works "$name" 5 "still here"
stopped "$name" 6 "sandbox.network.unix.deny" "$refused_unix"
[ -e "$TMP/later-ran" ] || fail "$name: the signal handler did not run after the call"
not_made "$TMP/ran-$name" "$TMP/ran-later"

# default.yaml refuses the usual code tools outright, and lets the rest through.
name=default
calls="[$(call fixture_secret x x), $(call run_python_code code "$(py_shell "$name")"), $(call run_python_code code "$py_connect")]"
session "$name" "$TOP/policies/default.yaml" "$calls" /usr/bin/python3 "$FIXTURES/shibing624_server.py"
works "$name" 0 secret
refused "$name" 1 code-execution
refused "$name" 2 code-execution
not_made "$TMP/ran-$name"

# mcp-server-code-runner, the real one: its snippets run as sh -c 'python -u FILE' or 'node FILE', so sh
# may run and a shell-out is stopped at the program it runs. The spellings are the issue's own.
name=mcp-server-code-runner
calls="[$(call run-code code "print(6*7)" '{"languageId": "python"}'),
	$(call run-code code "from os import system; system('touch $TMP/ran-$name-py')" '{"languageId": "python"}'),
	$(call run-code code "from socket import create_connection; create_connection(('127.0.0.1', $port), timeout=3)" '{"languageId": "python"}'),
	$(call run-code code "require('child' + '_process').execSync('touch $TMP/ran-$name-js')" '{"languageId": "javascript"}'),
	$(call run-code code "require('net').connect($port, '127.0.0.1').on('error', (e) => console.log('connect:', e.code))" '{"languageId": "javascript"}'),
	$(call run-code code "$py_unix" '{"languageId": "python"}')]"
session "$name" "$TOP/policies/$name.yaml" "$calls" "${sys[@]}" node "$NODE_DIR/node_modules/mcp-server-code-runner/dist/cli.js"
works "$name" 0 42
stopped "$name" 1 "tools.run-code.sandbox.exec.allow" "exec of /usr/bin/touch $killed"
stopped "$name" 2 "tools.run-code.sandbox.network.egress" "$refused_conn"
stopped "$name" 3 "tools.run-code.sandbox.exec.allow" "exec of /usr/bin/touch $killed"
stopped "$name" 4 "tools.run-code.sandbox.network.egress" "$refused_conn"
assert_contains "$(result "$name" 4)" "connect: EPERM" "$name: the snippet saw EPERM"
stopped "$name" 5 "tools.run-code.sandbox.network.unix.deny" "$refused_unix"
not_made "$TMP/ran-$name-py" "$TMP/ran-$name-js"

# mcp-server-commands, the real one. Its regex now refuses a second line; with the class as it was before
# (no \n or \r excluded; `policy check` warns about it), the second line reaches the shell, and the kernel
# stops its program. No program the allow list names can connect: a connection needs one it does not.
# `date -s` sets the host's clock (a root server keeps CAP_SYS_TIME): the regex refuses date, and the
# allow list does not name it. (The test sets the clock to "now", so a policy that let it run would not
# move the clock by more than the call takes.)
name=mcp-server-commands
server=("${sys[@]}" node "$NODE_DIR/node_modules/mcp-server-commands/build/index.js")
calls="[$(call run_command command "uname -s"), $(call run_command command "ls /
touch $TMP/ran-$name"), $(call run_command command "date -s now")]"
session "$name" "$TOP/policies/$name.yaml" "$calls" "${server[@]}"
works "$name" 0 Linux
refused "$name" 1 read-only-commands
refused "$name" 2 read-only-commands
sed 's/<>\\n\\r\]/<>]/' "$TOP/policies/$name.yaml" >"$TMP/old-class.yaml"
"$MCPWARDEN" policy check "$TMP/old-class.yaml" 2>&1 | grep -q "matches a line break in an anchored pattern" ||
	fail "could not restore the old class for the test"
calls="[$(call run_command command "ls /
touch $TMP/ran-$name"), $(call run_command command "ls /
python3 -c '__import__(\"socket\").create_connection((\"127.0.0.1\", $port))'"), $(call run_command command "ls /
date -s now")]"
session "$name-old-class" "$TMP/old-class.yaml" "$calls" "${server[@]}"
stopped "$name-old-class" 0 "tools.run_command.sandbox.exec.allow" "exec of /usr/bin/touch $killed"
stopped "$name-old-class" 1 "tools.run_command.sandbox.exec.allow" "exec of /usr/bin/python3 $killed"
stopped "$name-old-class" 2 "tools.run_command.sandbox.exec.allow" "exec of /usr/bin/date $killed"
not_made "$TMP/ran-$name"

# server-everything runs no code: through the shim and the daemon its tools work, and get-env stays hidden.
name=server-everything
calls="[$(call echo message "through the shim and the daemon"), $(call get-env x x)]"
session "$name" "$TOP/policies/$name.yaml" "$calls" node "$NODE_DIR/node_modules/@modelcontextprotocol/server-everything/dist/index.js" stdio
works "$name" 0 "through the shim and the daemon"
refused "$name" 1 "(hidden)"

# Every shipped policy ran here.
for p in "$TOP"/policies/*.yaml; do
	[ -f "$TMP/$(basename "$p" .yaml).out" ] || fail "policies/$(basename "$p") has no session in this test"
done
pass "every shipped policy held against its server"
