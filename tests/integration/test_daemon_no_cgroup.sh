#!/usr/bin/env bash
# test_daemon_no_cgroup.sh: without a cgroup v2 mount nothing attaches the cgroup connect and send hooks, so
# network rules would be installed and never enforced. The daemon (in a private mount namespace without
# cgroup2) says so in status and refuses them: a call_start whose sandbox has network rules, from a peer that
# registered its server by pid (the path without cgroup v2), is refused with the reason, and one with exec
# rules only goes in. (The shim's own path needs cgroup v2 and refuses to start a server without it.)
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"

start_daemon_unshared '
awk "\$3 == \"cgroup2\" { print \$2 }" /proc/self/mounts | while read -r m; do umount -l "$m"; done
if awk "\$3 == \"cgroup2\"" /proc/self/mounts | grep -q .; then echo "cgroup2 still mounted" >&2; exit 3; fi'
st=$("$MCPWARDEN" status --json --socket "$SOCK") || fail "daemon did not come up"
python3 -c 'import json,sys; f = json.loads(sys.argv[1])["features"]
assert f["network_enforcement"] is False and f["cgroup2"] is None, f' "$st" || fail "status: $st"
pass "status: no cgroup2, no network enforcement"

# A peer without cgroup v2 registers its server by pid (the older path); its calls' rules go in at call_start.
python3 - "$SOCK" >"$TMP/replies" <<'PY' || fail "control requests failed: $(cat "$TMP/replies")"
import json, socket, subprocess, sys
child = subprocess.Popen(["sleep", "30"])
def req(o):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(sys.argv[1])
    s.send(json.dumps(o).encode())
    r = json.loads(s.recv(65536).decode())
    print(json.dumps(r))
    return r, s
r, keep = req({"op": "register", "name": "nocg", "pid": child.pid})
sid = r["server_id"]
def call(c, sandbox):
    keep.send(json.dumps({"op": "call_start", "server_id": sid, "call": c, "tool": "t", "sandbox": sandbox}).encode())
    r = json.loads(keep.recv(65536).decode())
    print(json.dumps(r))
    return r
net = call(1, {"network": {"egress": "deny"}})
ex = call(2, {"exec": {"deny": ["/usr/bin/id"]}})
child.kill()
assert not net.get("ok") and "no cgroup v2 mount" in net.get("error", ""), net
assert ex.get("ok"), ex
PY
pass "a call whose network rules nothing would enforce is refused, saying why; exec rules still go in"
