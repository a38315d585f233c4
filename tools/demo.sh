#!/usr/bin/env bash
# `make run`: starts mcp-server-code-runner under `mcpwarden run` with its shipped policy and
# drives it with the real MCP SDK client: one allowed call, two refused ones. As root, the daemon
# runs too, and the demo ends with what the allowed call's code did, as the kernel saw it.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
mcpwarden=$top/build/mcpwarden
dir=$(mktemp -d /tmp/mcpwarden-demo.XXXXXX)
daemon= follower=
cleanup() {
	[ -n "$follower" ] && kill "$follower" 2>/dev/null
	[ -n "$daemon" ] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
	[ -n "$pins" ] && [ -d "$pins" ] && "$mcpwarden" daemon --stop-enforcement --pin-dir "$pins" >/dev/null
	return 0
}
trap cleanup EXIT
link=(--no-daemon --allow-unsandboxed)	# not root: no daemon, so the policy's sandbox is not enforced (said, and logged)
if [ "$(id -u)" -eq 0 ]; then
	# The demo's own pin root, removed with the daemon: a daemon's programs outlive it otherwise.
	pins=/sys/fs/bpf/mcpwarden-demo-$$
	"$mcpwarden" daemon --socket "$dir/control.sock" --audit-dir "$dir/audit" --pin-dir "$pins" >"$dir/daemon.log" 2>&1 &
	daemon=$!
	for _ in $(seq 100); do
		"$mcpwarden" status --socket "$dir/control.sock" >/dev/null 2>&1 && break
		sleep 0.1
	done
	"$mcpwarden" status --socket "$dir/control.sock" >/dev/null || { cat "$dir/daemon.log" >&2; exit 1; }
	"$mcpwarden" events --follow --json --socket "$dir/control.sock" >"$dir/events" &
	follower=$!
	link=(--socket "$dir/control.sock")
	echo "mcpwarden demo: daemon up (BPF sensor; $dir/daemon.log)"
else
	echo "mcpwarden demo: not root, so no daemon: tool-call policy only"
fi
# The server gets the system's PATH: the policy's exec allow list names the system's sh, python and node.
echo "mcpwarden demo: mcp-server-code-runner under policies/mcp-server-code-runner.yaml"
echo "  client --stdio--> mcpwarden run --policy ... -- mcp-server-code-runner"
echo
(cd "$top/tests/e2e" && node client.mjs coderunner -- "$mcpwarden" run "${link[@]}" \
	--name mcp-server-code-runner --policy "$top/policies/mcp-server-code-runner.yaml" --audit "$dir/decisions.log" \
	-- env PATH=/usr/local/bin:/usr/bin:/bin node node_modules/mcp-server-code-runner/dist/cli.js 2>&1 | sed 's/^/  /')
echo
echo "decision log ($dir/decisions.log):"
sed 's/^/  /' "$dir/decisions.log"
[ -n "$daemon" ] || exit 0
sleep 0.5	# the last events reach the follower
echo
echo "what the tool calls' code did, from the kernel (execs, connections and denials carrying a call id):"
python3 - "$dir/events" <<'PY'
import json, sys
evs = [e for e in map(json.loads, open(sys.argv[1])) if e.get("calls")]
for e in evs:
    what = {"exec": lambda: " ".join(e["argv"]),
            "net": lambda: f"{e['op']} {e.get('addr', e.get('path', ''))}:{e.get('port', '')} -> {e['result']}",
            "deny": lambda: e.get("rule", "")}.get(e["type"])
    if what:
        print(f"  call {','.join(map(str, e['calls']))}  {e['type']:<5} pid {e['pid']:<7} {e['comm']:<16} {what()}")
print(f"  ({len(evs)} events in all, with forks and exits; mcpwarden events --json shows them)")
PY
