#!/usr/bin/env bash
# test_unpoliced.sh: the daemon spots MCP servers running without mcpwarden: the real server-everything
# started bare through npx (by its initialize reply, within 1 s), not under `mcpwarden run` (registered, or
# without a daemon: known by its executable), but below a parent whose argv merely reads "mcpwarden run --"; not a
# program that merely listens and prints JSON, unless its argv names MCP; one started from an injected mcp.json entry, with its parents;
# and with --unpoliced=kill, a bare server is killed after its reply.
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"
command -v node >/dev/null || fail "node is not installed"
EVERYTHING=$NODE_DIR/node_modules/@modelcontextprotocol/server-everything/dist/index.js
[ -f "$EVERYTHING" ] || fail "missing $EVERYTHING (npm ci in tests/e2e)"
test_cleanup() { :; }	# the driver kills its server's session itself

# drive NAME HOLD CMD...: runs CMD as a bare MCP server under mcp_drive.py; the result is $TMP/NAME.json.
drive() {
	local name=$1 hold=$2; shift 2
	(cd "$NODE_DIR" && timeout 40 python3 "$TOP/tests/integration/mcp_drive.py" "$MCPWARDEN" "$SOCK" "$hold" \
		"$TMP/$name.json" -- "$@") || fail "$name: the driver failed"
}
# check NAME PYTHON: evaluates PYTHON with r (the driver's result) and evs (its unpoliced events).
check() {
	python3 - "$TMP/$1.json" "$2" <<'PY' || fail "$1: unexpected result (see above)"
import json, sys
r = json.load(open(sys.argv[1]))
evs = [x["ev"] for x in r["events"]]
# Not the reply itself: printed to a pipe, MCP replies make this checker look like a server.
print(json.dumps({k: v for k, v in r.items() if k != "reply"}))
sys.exit(0 if eval(sys.argv[2]) else 1)
PY
}

start_daemon --audit-dir "$TMP/audit"

drive bare 1 npx --no-install @modelcontextprotocol/server-everything stdio
check bare 'r["reply"] and "serverInfo" in r["reply"]["result"]'
pass "bare server answered initialize"
check bare 'any(e["signal"] == "protocol" and e["pid"] != r["root"] and e["comm"] == "node" and e["action"] == "alert" for e in evs)'
pass "bare server flagged by its initialize reply"
check bare 'all(x["mono"] - r["reply_mono"] < 1.0 for x in r["events"] if x["ev"]["signal"] == "protocol")'
pass "flagged within 1 s of the reply"
check bare 'any(e["signal"] == "argv" and e["pid"] == r["root"] and "@modelcontextprotocol/server-everything" in e["argv"] for e in evs)'
pass "npx with an MCP package flagged by its argv"

drive policed 1 "$MCPWARDEN" run --socket "$SOCK" -- npx --no-install @modelcontextprotocol/server-everything stdio
check policed 'r["reply"] and "serverInfo" in r["reply"]["result"]'
pass "policed server answered initialize"
check policed 'not evs'
pass "server under mcpwarden run not flagged"
drive unlinked 1 "$MCPWARDEN" run --no-daemon -- npx --no-install @modelcontextprotocol/server-everything stdio
check unlinked 'r["reply"] and "serverInfo" in r["reply"]["result"] and not evs'
pass "server under mcpwarden run --no-daemon (the mcpwarden executable, by device and inode) not flagged"

# A parent that only says it is a shim: its argv reads "mcpwarden run -- node ..." (exec -a), it runs python.
cat >"$TMP/run" <<'PY'
import subprocess, sys
open(sys.argv[0] + ".cmdline", "wb").write(open("/proc/self/cmdline", "rb").read())
sys.exit(subprocess.call(sys.argv[sys.argv.index("--") + 1:]))
PY
drive fake 1 bash -c 'cd "$1" && exec -a mcpwarden python3 run -- node "$2" stdio' fake "$TMP" "$EVERYTHING"
assert_eq "$(tr '\0' ' ' <"$TMP/run.cmdline")" "mcpwarden run -- node $EVERYTHING stdio " "the fake parent's argv reads mcpwarden run"
check fake 'r["reply"] and any(e["signal"] == "protocol" and e["comm"] == "node" and e["parents"][0]["pid"] == r["root"] and e["action"] == "alert" for e in evs)'
pass "a server below a parent whose argv says 'mcpwarden run --' flagged"

# Listens on TCP and answers JSON-RPC, but is no MCP server; its argv may say otherwise.
cat > "$TMP/jsonsrv.py" <<'PY'
import json, socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen()
sys.stdin.readline()
for i in range(4):
    print(json.dumps({"jsonrpc": "2.0", "id": i, "result": {"hello": 1, "tools": []}}), flush=True)
sys.stdin.readline()
PY
drive json 1 python3 "$TMP/jsonsrv.py"
check json 'r["reply"] == {"jsonrpc": "2.0", "id": 0, "result": {"hello": 1, "tools": []}}'
check json 'not evs'
pass "a program listening and printing JSON-RPC results is not flagged"
drive listen 1 python3 "$TMP/jsonsrv.py" --name my-mcp-http
check listen 'any(e["signal"] == "listen" and e["pid"] == r["root"] for e in evs)'
pass "the same program with MCP in its argv flagged by its listen()"

# A tools/list result written with writev(2): the object in the first buffer, its newline in a second.
drive writev 1 python3 -c 'import os, sys
sys.stdin.readline()
os.writev(1, [b"{\"jsonrpc\":\"2.0\",\"id\":0,\"result\":{\"tools\":[{\"name\":\"t\",\"inputSchema\":{}}]}}", b"\n"])
sys.stdin.readline()'
check writev 'r["reply"] and any(e["signal"] == "protocol" and e["pid"] == r["root"] for e in evs)'
pass "a tools/list result written with writev flagged"

# A Python server that moves its stdout to another fd and points fd 1 at stderr.
drive dup 1 python3 "$FIXTURES/shibing624_server.py"
check dup 'r["reply"] and any(e["signal"] == "protocol" and e["pid"] == r["root"] for e in evs)'
pass "a server that dup'd its stdout away from fd 1 flagged"

# A client config an attacker edited: the entry runs the server through a shell, with no shim.
cat > "$TMP/mcp.json" <<JSON
{"mcpServers": {"injected": {"command": "sh", "args": ["-c", "exec node $EVERYTHING stdio"]}}}
JSON
mapfile -t injected < <(python3 -c 'import json, sys
e = json.load(open(sys.argv[1]))["mcpServers"]["injected"]
print("\n".join([e["command"]] + e["args"]))' "$TMP/mcp.json")
drive injected 1 "${injected[@]}"
check injected 'any(e["signal"] == "protocol" and e["pid"] == r["root"] and e["argv"][1:] == ["'"$EVERYTHING"'", "stdio"] for e in evs)'
pass "server from an injected mcp.json entry flagged"
check injected '[e for e in evs if e["signal"] == "protocol"][0]["parents"][0]["pid"] == r["driver"] and [e for e in evs if e["signal"] == "protocol"][0]["parents"][0]["comm"] == "python3"'
pass "its parent chain starts at the client that launched it"

stop_daemon || fail "daemon exited with an error"
grep -h '"unpoliced_server"' "$TMP"/audit/* | grep -q '"signal":"protocol"' || fail "no unpoliced_server audit record"
pass "unpoliced_server audit record written"

start_daemon --unpoliced=kill
drive kill 1 node "$EVERYTHING" stdio
check kill 'r["reply"] and any(e["signal"] == "protocol" and e["pid"] == r["root"] and e["action"] == "killed" for e in evs)'
pass "--unpoliced=kill reports the kill"
check kill 'not r["alive_after_hold"]'
pass "--unpoliced=kill killed the bare server after its reply"
