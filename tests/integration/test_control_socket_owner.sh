#!/usr/bin/env bash
# test_control_socket_owner.sh: the control socket can't be faked or hijacked through its path. The daemon
# refuses a socket directory others can write to (one could put a symlink, or their own socket, where
# root's goes). A socket served by a non-root process is no daemon to the shim: a sandboxed tool's
# call is refused instead of running under a fake daemon's empty acks.
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"

mkdir -m 0777 "$TMP/open"
"$MCPWARDEN" daemon --socket "$TMP/open/control.sock" --pin-dir "$PIN_DIR" >"$TMP/open.log" 2>&1 &
pid=$!
for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && { kill "$pid"; fail "the daemon started on a socket in a world-writable directory"; }
assert_contains "$(cat "$TMP/open.log")" "no one else can write to" "the daemon says why it refuses the directory"
[ ! -e "$TMP/open/control.sock" ] || fail "a socket was made in the world-writable directory"
pass "no control socket in a directory others can write to"

# A fake daemon: nobody listens at the path and acks everything.
chmod 0755 "$TMP"
mkdir -m 0777 "$TMP/fake"
setpriv --reuid=nobody --regid=nogroup --clear-groups /usr/bin/python3 - "$TMP/fake/control.sock" <<'PY' &
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.bind(sys.argv[1]); s.listen(8)
import os; os.chmod(sys.argv[1], 0o777)
while True:
    c, _ = s.accept()
    while True:
        m = c.recv(65536)
        if not m:
            break
        req = json.loads(m)
        c.send(json.dumps({"op": "ack", "ok": True, "id": req.get("id"), "server_id": 1}).encode())
PY
fake=$!
test_cleanup() { kill "$fake" 2>/dev/null; }
for _ in $(seq 50); do [ -S "$TMP/fake/control.sock" ] && break; sleep 0.1; done
cat >"$TMP/policy.yaml" <<'EOF2'
version: "1"
default: allow
tools:
  run_python_code:
    sandbox:
      exec: {deny: ["*"]}
EOF2
{ echo "$INIT"; echo "#wait 0"; echo "$INITIALIZED"
  echo '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"run_python_code","arguments":{"code":"print(6*7)"}}}'
  echo "#wait 1"; } >"$TMP/script"
raw "$TMP/script" "$MCPWARDEN" run --socket "$TMP/fake/control.sock" --policy "$TMP/policy.yaml" \
	-- python3 "$FIXTURES/shibing624_server.py"
assert_contains "$(cat "$TMP/err")" "not served by root" "the shim says the socket's server is not root"
r=$(reply 1)
assert_contains "$r" '"isError": true' "the sandboxed call is refused, not run under the fake daemon"
assert_contains "$r" "no daemon enforces the tool's sandbox" "and says why"
