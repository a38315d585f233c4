#!/usr/bin/env bash
# test_control_group.sh: the control socket's group. With a group mcpwarden on the host the daemon makes its
# socket root:mcpwarden, mode 0660, and says so in its log and in status. A shim run as user nobody in that
# group registers, and its tool's sandbox holds in the kernel (a denied exec is killed); the same shim
# without the group gets EACCES, says to add the user to group mcpwarden, and refuses the sandboxed tool's
# call, whose code never runs. Without the group (only checked when this test made it), root:root 0660.
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"

made_group=
if ! getent group mcpwarden >/dev/null; then
	groupadd --system mcpwarden || fail "groupadd mcpwarden"
	made_group=1
fi
test_cleanup() {
	[ -n "${client:-}" ] && kill "$client" 2>/dev/null
	[ -n "$made_group" ] && groupdel mcpwarden
}

start_daemon
assert_eq "$(stat -c '%U:%G %a' "$SOCK")" "root:mcpwarden 660" "the socket is root:mcpwarden, mode 0660"
grep -q "root:mcpwarden, mode 0660" "$DAEMON_LOG" || fail "the daemon's log does not name the socket's group"
group=$("$MCPWARDEN" status --json --socket "$SOCK" | python3 -c 'import json,sys; print(json.load(sys.stdin)["features"]["socket_group"])')
assert_eq "$group" mcpwarden "status features name the socket's group"

# Everything nobody's shim and server read, run or write: the socket's directory, the policy, a scratch
# directory, and copies of the binary and of a fixture code server. The checkout may sit where nobody can't
# reach it (a fresh root's clone under /root, mode 0700).
chmod 0711 "$TMP" || fail "chmod $TMP"
mkdir -m 0777 "$TMP/w" || fail "mkdir $TMP/w"
mkdir -m 0755 "$TMP/bin" || fail "mkdir $TMP/bin"
cp "$MCPWARDEN" "$TMP/bin/mcpwarden" || fail "copy $MCPWARDEN to $TMP/bin"
cp "$FIXTURES/pwno_server.py" "$FIXTURES/mcp_stdio.py" "$TMP/bin/" || fail "copy the fixture server to $TMP/bin"
chmod a+rX "$TMP/bin"/* || fail "chmod $TMP/bin"
cat >"$TMP/policy.yaml" <<EOF
version: "1"
default: allow
tools:
  execute_python_code:
    sandbox:
      exec:
        deny: [touch]
EOF
chmod 0644 "$TMP/policy.yaml"
code="import os, subprocess, time
print('uid', os.getuid())
for argv in (['touch', '$TMP/w/ran-touch'], ['/usr/bin/python3', '-c', 'print(\"child python ran\")']):
    r = subprocess.run(argv, capture_output=True, text=True)
    print(argv[0], 'returncode', r.returncode, r.stdout.strip())
time.sleep(1)  # the session stays up while the test looks for it in ps"
args=$(python3 -c 'import json,sys; print(json.dumps({"code": sys.argv[1]}))' "$code")
# as_nobody OUT SETPRIV_GROUPS: one execute_python_code call through a shim run as nobody; the client's output in OUT.
as_nobody() {
	(cd "$NODE_DIR" && TOOL=execute_python_code ARGS=$args timeout 60 node client.mjs call -- \
		setpriv --reuid=nobody --regid=nogroup "$2" "$TMP/bin/mcpwarden" run --socket "$SOCK" --policy "$TMP/policy.yaml" \
		-- env PATH=/usr/bin:/bin TMPDIR="$TMP/w" python3 "$TMP/bin/pwno_server.py" >"$1" 2>&1)
}

# In the group: registered, and the tool's rule holds.
as_nobody "$TMP/in.out" --groups=mcpwarden &
client=$!
sid=
for _ in $(seq 100); do
	sid=$("$MCPWARDEN" ps --json --socket "$SOCK" | python3 -c 'import json,sys
print(" ".join(str(s["server_id"]) for s in json.load(sys.stdin)["servers"] if s["owner_uid"] == 65534))')
	[ -n "$sid" ] && break
	sleep 0.1
done
wait "$client" || { cat "$TMP/in.out"; fail "nobody's session in the group failed"; }
client=
out=$(cat "$TMP/in.out")
echo "$out"
[ -n "$sid" ] || fail "nobody's shim in group mcpwarden did not register (no server owned by uid 65534 in ps)"
pass "nobody's shim in group mcpwarden registered server $sid"
assert_contains "$out" "uid 65534" "the tool's code ran as nobody"
assert_contains "$out" "touch returncode -9" "the tool's sandbox holds: the denied exec is killed"
assert_contains "$out" "child python ran" "what the sandbox allows runs"
[ ! -e "$TMP/w/ran-touch" ] || fail "touch ran"

# Not in the group: EACCES, the fix named, the sandboxed call refused and never run.
as_nobody "$TMP/out.out" --clear-groups || { cat "$TMP/out.out"; fail "nobody's session outside the group failed"; }
out=$(cat "$TMP/out.out")
echo "$out"
assert_contains "$out" "Permission denied" "outside the group the shim's connect gets EACCES"
assert_contains "$out" "group mcpwarden: add this user to the group" "and it says to add the user to group mcpwarden"
assert_contains "$out" '"isError":true' "the sandboxed tool's call is refused"
assert_contains "$out" "tools.execute_python_code.sandbox" "naming the tool's sandbox"
assert_not_contains "$out" "uid 65534" "the tool's code never ran unsandboxed"

# Without the group: root:root. Only when this test made the group: a group the host had stays.
if [ -n "$made_group" ]; then
	stop_daemon || fail "daemon exited with an error"
	groupdel mcpwarden || fail "groupdel mcpwarden"
	made_group=
	start_daemon
	assert_eq "$(stat -c '%U:%G %a' "$SOCK")" "root:root 660" "without a group mcpwarden the socket is root:root, mode 0660"
	grep -q "no group mcpwarden on this host: only root's peers may connect" "$DAEMON_LOG" ||
		fail "the daemon's log does not say the group is missing"
	group=$("$MCPWARDEN" status --json --socket "$SOCK" | python3 -c 'import json,sys; print(json.load(sys.stdin)["features"]["socket_group"])')
	assert_eq "$group" root "status features say root"
fi
