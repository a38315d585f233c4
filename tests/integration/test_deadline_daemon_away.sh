#!/usr/bin/env bash
# A call's deadline passes while the daemon is away (killed mid-call): no daemon can kill the call's processes,
# so the shim kills the whole server through its cgroup (cgroup.kill, which the daemon gives a non-root shim's
# uid at register), a setsid escapee included, says so, and audits it; the client gets its timeout, and the
# next sandboxed call is refused until a daemon is back. Once with a root shim and the real
# mcp-server-code-runner, once with a shim run as nobody (group mcpwarden) and a fixture code server.
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"
source "$(dirname "$0")/escapee_tree.sh"

# nobody's round needs the group mcpwarden; the kernel guests share the host's root read-only, and can't add it.
made_group= nobody_round=1
if ! getent group mcpwarden >/dev/null; then
	if [ ! -w /etc/group ] && grep -qw ro <(findmnt -no OPTIONS -T /etc); then
		echo "note: /etc is read-only here: no group mcpwarden, so no round with nobody's shim"
		nobody_round=
	else
		groupadd --system mcpwarden || fail "groupadd mcpwarden"
		made_group=1
	fi
fi
test_cleanup() {
	pkill -f "sleep $secs"
	[ -n "$made_group" ] && groupdel mcpwarden
	# The servers' cgroups, emptied with no daemon left to remove them.
	for cg in "$CGROUP2"/mcpwarden/*/; do [ -s "$cg/cgroup.procs" ] || rmdir "$cg" 2>/dev/null; done
	return 0
}
# What nobody's shim and server read, run or write (the checkout may sit where nobody can't reach it).
chmod 0711 "$TMP" || fail "chmod $TMP"
mkdir -m 0777 "$TMP/w" || fail "mkdir $TMP/w"
mkdir -m 0755 "$TMP/bin" || fail "mkdir $TMP/bin"
cp "$MCPWARDEN" "$FIXTURES/pwno_server.py" "$FIXTURES/mcp_stdio.py" "$TMP/bin/" || fail "copy to $TMP/bin"
chmod a+rX "$TMP/bin"/* || fail "chmod $TMP/bin"
cat >"$TMP/policy.yaml" <<EOF
version: "1"
default: allow
tools:
  run-code:
    timeout: $(slow 6)s
    sandbox:
      exec: {deny: [/usr/bin/id]}
  execute_python_code:
    timeout: $(slow 6)s
    sandbox:
      exec: {deny: [/usr/bin/id]}
EOF
chmod 0644 "$TMP/policy.yaml"
tree=$(escapee_tree "$TMP/w/tree.pid")
call() { python3 -c 'import json,sys; print(json.dumps({"name": sys.argv[1], "arguments": {"code": sys.argv[2], "languageId": "python"}}))' "$1" "$2"; }

# deadline_round WHAT TOOL CMD...: two calls of TOOL through CMD (the shim and its server); the daemon is killed
# once the first one's tree runs.
deadline_round() {
	local what=$1 tool=$2 out left
	shift 2
	rm -f "$TMP/w/tree.pid" "$TMP/w/decisions"
	start_daemon
	(cd "$NODE_DIR" && CALLS="[$(call "$tool" "$tree"), $(call "$tool" "print('after')")]" timeout "$(slow 90)" \
		node client.mjs calls -- "$@" >"$TMP/out" 2>&1) &
	client=$!
	for _ in $(seq "$(slow 200)"); do [ -s "$TMP/w/tree.pid" ] && break; sleep 0.1; done
	[ -s "$TMP/w/tree.pid" ] || { cat "$TMP/out"; fail "$what: the call's tree did not start"; }
	[ -n "$(pgrep -f "sleep $secs")" ] || fail "$what: the call's sleeps are not running"
	kill -KILL "$daemon_pid"
	wait "$daemon_pid" 2>/dev/null
	daemon_pid=
	wait "$client" || { cat "$TMP/out"; fail "$what: client session failed"; }
	out=$(cat "$TMP/out")
	echo "$out"
	assert_contains "$out" "timed out after" "$what: the call timed out"
	assert_contains "$out" "a call's deadline passed while no daemon could kill its processes: killing server" \
		"$what: the shim says it kills the server itself"
	assert_contains "$out" "(its cgroup)" "$what: through its cgroup"
	assert_contains "$out" "no daemon enforces the tool's sandbox" "$what: the next sandboxed call waits for a daemon"
	assert_contains "$(cat "$TMP/w/decisions")" '"kind":"server_kill"' "$what: the kill is in the decision log"
	# Respawned into the cgroup it killed, the server would be killed at once, again and again (6.18). One
	# respawn at most: none when the client has left before the shim reaped the killed server.
	[ "$(grep -c 'was killed; restarted as pid' <<<"$out")" -le 1 ] ||
		fail "$what: the respawned server was killed again (cloned into the killed cgroup?)"
	sleep "$(slow 0.3)"
	left=$(pgrep -f "sleep $secs" || true)
	[ -z "$left" ] || { ps -o pid,ppid,sid,cmd -p $left; fail "$what: processes of the timed-out call are alive: $left"; }
	pass "$what: a deadline with the daemon away kills the call's whole tree, a setsid escapee included"
}

deadline_round "root's shim" run-code "$MCPWARDEN" run --socket "$SOCK" --policy "$TMP/policy.yaml" \
	--audit "$TMP/w/decisions" -- node node_modules/mcp-server-code-runner/dist/cli.js
if [ -n "$nobody_round" ]; then
	deadline_round "nobody's shim" execute_python_code setpriv --reuid=nobody --regid=nogroup --groups=mcpwarden \
		"$TMP/bin/mcpwarden" run --socket "$SOCK" --policy "$TMP/policy.yaml" --audit "$TMP/w/decisions" \
		-- env PATH=/usr/bin:/bin TMPDIR="$TMP/w" python3 "$TMP/bin/pwno_server.py"
fi
