# code_call.sh: sourced by integration tests: a loopback listener, and one code-runner call
# through the shim whose snippet runs `id` through a shell and connects to that listener.

# start_listener: a TCP listener on 127.0.0.1; sets $port and $listener (its pid).
start_listener() {
	python3 -c 'import socket
s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(8); print(s.getsockname()[1], flush=True)
while True: s.accept()[0].close()' > "$TMP/port" &
	listener=$!
	for _ in $(seq "$(slow 50)"); do [ -s "$TMP/port" ] && break; sleep 0.1; done
	port=$(cat "$TMP/port")
}

# code_runner_call AUDIT_FILE: the SDK client calls run-code on mcp-server-code-runner under
# the shim (daemon at $SOCK); prints the client's output.
code_runner_call() {
	local code args
	code="import subprocess, socket
subprocess.run(['sh', '-c', 'id'])
socket.create_connection(('127.0.0.1', $port)).close()
print('done')"
	args=$(python3 -c 'import json,sys; print(json.dumps({"code": sys.argv[1], "languageId": "python"}))' "$code")
	(cd "$NODE_DIR" && TOOL=run-code ARGS=$args node client.mjs call -- "$MCPWARDEN" run --socket "$SOCK" \
		--audit "$1" -- node node_modules/mcp-server-code-runner/dist/cli.js 2>&1)
}
