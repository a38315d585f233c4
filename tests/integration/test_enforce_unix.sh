#!/usr/bin/env bash
# test_enforce_unix.sh: network.unix holds in the kernel (cgroup connect_unix and sendmsg_unix). Python run by
# the real mcp-server-code-runner (SDK client, shim, daemon) tries unix sockets the test listens on: stream
# connects by path, a datagram send, an abstract name, and the tricks an attacker would try against a match
# by address: a relative path, "//", "..", bytes after the NUL. Under a deny list the denied ones fail with
# EPERM and the others work, and a symlink to a denied socket is found by its file once connected: the
# process is killed before connect returns. Under an allow list only the listed socket and what is below a
# listed directory are reached, so a symlink to another socket is refused outright. The call's result names the rule,
# the events name the path, and `status` says which mechanism is in force.
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"

start_daemon
follow_events "$TMP/events"	# from the start: the recent-events buffer may lose them to the host's own events
feat=$("$MCPWARDEN" status --json --socket "$SOCK" | python3 -c 'import json,sys; f = json.load(sys.stdin)["features"]
print(f["unix_enforcement"], f["unix_probe"])')
case "$feat" in
"cgroup/connect_unix ok") pass "status: unix rules by cgroup/connect_unix" ;;
"lsm/socket_connect ok:"*) pass "status: unix rules by BPF LSM socket_connect (no cgroup unix hooks here)" ;;
"False "*) skip "this kernel has no cgroup unix socket hooks ($feat)" ;;
*) fail "status says $feat" ;;
esac

D=$TMP/socks
mkdir -p "$D/dir"
abstract="mcpw-test-$$"
python3 - "$D" "$abstract" >"$TMP/listeners.log" 2>&1 <<'PY' &
import os, socket, sys, threading
d, name = sys.argv[1], sys.argv[2]
def serve(addr, kind=socket.SOCK_STREAM):
    s = socket.socket(socket.AF_UNIX, kind)
    s.bind(addr)
    if kind == socket.SOCK_STREAM:
        s.listen(64)
        threading.Thread(target=lambda: [s.accept()[0].close() for _ in iter(int, 1)], daemon=True).start()
    return s
keep = [serve(d + "/allowed.sock"), serve(d + "/denied.sock"), serve(d + "/dir/inner.sock"),
        serve("\0" + name), serve("\0" + name + "-denied"), serve(d + "/dgram.sock", socket.SOCK_DGRAM)]
os.symlink(d + "/denied.sock", d + "/link.sock")
os.symlink(d + "/denied.sock", d + "/dir/evil.sock")	# names under a listed directory that lead out of it
os.link(d + "/denied.sock", d + "/dir/hard.sock")
open(d + "/ready", "w").close()
threading.Event().wait()
PY
listener=$!
test_cleanup() { kill "$listener" 2>/dev/null; }
for _ in $(seq 50); do [ -e "$D/ready" ] && break; sleep 0.1; done
[ -e "$D/ready" ] || fail "listeners did not start: $(cat "$TMP/listeners.log")"

code="import errno, json, os, socket, subprocess, sys
def err(e): return errno.errorcode.get(e.errno, str(e))
def child(addr):
    r = subprocess.run([sys.executable, '-c', 'import socket; socket.socket(socket.AF_UNIX).connect(%r); print(\"connected\")' % addr],
                       capture_output=True, text=True)
    return 'killed' if r.returncode == -9 else 'ok' if 'connected' in r.stdout else 'EPERM' if 'PermissionError' in r.stderr else r.stderr[-80:]
def stream(addr):
    s = socket.socket(socket.AF_UNIX)
    try:
        s.connect(addr); return 'ok'
    except OSError as e:
        return err(e)
    finally:
        s.close()
def dgram(addr):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        s.sendto(b'x', addr); return 'ok'
    except OSError as e:
        return err(e)
    finally:
        s.close()
os.chdir('$D')
r = {'allowed': stream('$D/allowed.sock'), 'denied': stream('$D/denied.sock'),
     'inner': stream('$D/dir/inner.sock'), 'relative': stream('denied.sock'),
     'double_slash': stream('$D//denied.sock'), 'dotdot': stream('$D/dir/../denied.sock'),
     'after_nul': stream(b'$D/denied.sock\\0junk'), 'link': child('$D/link.sock'),
     'abstract': stream('\\0$abstract'), 'abstract_denied': stream('\\0$abstract-denied'),
     'abstract_nul': stream('\\0$abstract\\0'), 'proc': stream('/proc/self/root$D/denied.sock'),
     'evil': child('$D/dir/evil.sock'), 'hard': child('$D/dir/hard.sock'),
     'dgram': dgram('$D/dgram.sock')}
print('RESULT ' + json.dumps(r, sort_keys=True))"
args=$(python3 -c 'import json,sys; print(json.dumps({"code": sys.argv[1], "languageId": "python"}))' "$code")

# run POLICY: one call under POLICY; prints the client's output.
run() {
	(cd "$NODE_DIR" && TOOL=run-code ARGS=$args timeout 90 node client.mjs call -- "$MCPWARDEN" run \
		--socket "$SOCK" --policy "$1" -- node node_modules/mcp-server-code-runner/dist/cli.js 2>&1)
}
# got OUT KEY: the outcome of one attempt.
got() { python3 -c 'import json,sys
for l in sys.argv[1].splitlines():
    if l.startswith("result: "):
        for c in json.loads(l[8:])["content"]:
            if c["text"].startswith("RESULT "): print(json.loads(c["text"][7:])[sys.argv[2]])' "$1" "$2"; }

# 1. A deny list, in the tool's sandbox.
cat >"$TMP/deny.yaml" <<EOF
version: "1"
default: allow
tools:
  run-code:
    sandbox:
      network:
        unix:
          deny: ["$D/denied.sock", "@$abstract-denied", "$D/dgram.sock"]
EOF
out=$(run "$TMP/deny.yaml")
echo "$out"
assert_eq "$(got "$out" allowed)" ok "deny list: an unlisted socket is reached"
assert_eq "$(got "$out" inner)" ok "deny list: another unlisted socket is reached"
assert_eq "$(got "$out" abstract)" ok "deny list: an unlisted abstract name is reached"
assert_eq "$(got "$out" denied)" EPERM "deny list: the listed socket is refused"
assert_eq "$(got "$out" abstract_denied)" EPERM "deny list: the listed abstract name is refused"
assert_eq "$(got "$out" dgram)" EPERM "deny list: a datagram sent to a listed socket is refused"
assert_eq "$(got "$out" relative)" EPERM "a relative address is refused under any unix rule"
assert_eq "$(got "$out" double_slash)" EPERM "an address with // is refused"
assert_eq "$(got "$out" dotdot)" EPERM "an address with .. is refused"
assert_eq "$(got "$out" after_nul)" EPERM "bytes after the NUL do not hide the listed path"
assert_eq "$(got "$out" link)" killed "deny list: a symlink to the listed socket is caught by its file: killed at connect"
assert_eq "$(got "$out" hard)" killed "deny list: a hard link to the listed socket is caught too"
assert_eq "$(got "$out" proc)" EPERM "an address under /proc (whose links lead anywhere) is refused"
assert_contains "$out" "tools.run-code.sandbox.network.unix.deny" "the call's result names the rule"
assert_contains "$out" "connect to unix socket $D/denied.sock refused" "the call's result names the socket"

# 2. An allow list (a socket and a directory), in the server-level sandbox.
cat >"$TMP/allow.yaml" <<EOF
version: "1"
default: allow
sandbox:
  network:
    unix:
      allow: ["$D/allowed.sock", "$D/dir/", "@$abstract"]
EOF
out=$(run "$TMP/allow.yaml")
echo "$out"
assert_eq "$(got "$out" allowed)" ok "allow list: the listed socket is reached"
assert_eq "$(got "$out" inner)" ok "allow list: a socket under the listed directory is reached"
assert_eq "$(got "$out" abstract)" ok "allow list: the listed abstract name is reached"
assert_eq "$(got "$out" denied)" EPERM "allow list: an unlisted socket is refused"
assert_eq "$(got "$out" link)" EPERM "allow list: a symlink to an unlisted socket is refused"
assert_eq "$(got "$out" evil)" killed "allow list: a symlink under a listed directory to an unlisted socket is killed at connect"
assert_eq "$(got "$out" hard)" killed "allow list: a hard link under a listed directory is killed at connect"
assert_eq "$(got "$out" abstract_nul)" EPERM "allow list: the listed abstract name with a NUL after it is another name, refused"
assert_eq "$(got "$out" dotdot)" EPERM "allow list: .. out of the listed directory is refused"
assert_eq "$(got "$out" abstract_denied)" EPERM "allow list: an unlisted abstract name is refused"
assert_eq "$(got "$out" dgram)" EPERM "allow list: a datagram to an unlisted socket is refused"
assert_contains "$out" "sandbox.network.unix.allow" "the call's result names the allow list"

# 3. Deny wins over allow: a listed directory with one of its sockets denied.
cat >"$TMP/both.yaml" <<EOF
version: "1"
default: allow
sandbox:
  network:
    unix:
      allow: ["$D/"]
      deny: ["$D/denied.sock"]
EOF
out=$(run "$TMP/both.yaml")
assert_eq "$(got "$out" allowed)" ok "allow and deny: a socket under the listed directory is reached"
assert_eq "$(got "$out" denied)" EPERM "allow and deny: the denied socket under it is refused: deny wins"

stop_follow
python3 - "$TMP/events" "$D" <<'PY' || fail "the deny events do not name the unix paths"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
d = [e for e in ev if e.get("type") == "deny" and e.get("family") == "unix"]
paths = {e.get("path") for e in d}
assert sys.argv[2] + "/denied.sock" in paths and sys.argv[2] + "/dgram.sock" in paths, paths
assert {e["rule_kind"] for e in d} >= {"network.unix.allow", "network.unix"}, d
PY
pass "deny events name the path and the rule"

# 3. Bad entries are refused with the field, by the policy loader.
cat >"$TMP/bad.yaml" <<EOF
version: "1"
sandbox:
  network:
    unix:
      deny: ["run/docker.sock"]
EOF
bad=$("$MCPWARDEN" policy check "$TMP/bad.yaml" 2>&1) && fail "a relative entry was accepted"
assert_contains "$bad" "sandbox.network.unix.deny[0]" "a relative entry is refused with its field"
