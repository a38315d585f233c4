#!/usr/bin/env bash
# test_enforce_any_addr.sh: the unspecified address is loopback. The kernel turns a connect to 0.0.0.0, :: or
# ::ffff:0.0.0.0 into one to loopback after the cgroup hook has run, so a deny list of the loopback nets must
# stop them all. Python run by the real mcp-server-code-runner (SDK client, shim, daemon) tries each against
# loopback listeners; an address outside the deny list still connects, and the denials record the address
# as the caller gave it.
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"

start_daemon
follow_events "$TMP/events"
python3 -c 'import socket, sys, threading
a = socket.socket(); a.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); a.bind(("0.0.0.0", 0)); a.listen(64)
port = a.getsockname()[1]
b = socket.socket(socket.AF_INET6); b.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1); b.bind(("::", port)); b.listen(64)
print(port, flush=True)
for s in (a, b):
    threading.Thread(target=lambda s=s: [s.accept()[0].close() for _ in iter(int, 1)], daemon=True).start()
threading.Event().wait()' >"$TMP/port" &
listener=$!
test_cleanup() { kill "$listener" 2>/dev/null; }
for _ in $(seq 50); do [ -s "$TMP/port" ] && break; sleep 0.1; done
port=$(cat "$TMP/port")
[ -n "$port" ] || fail "no listener"
cat >"$TMP/policy.yaml" <<EOF2
version: "1"
default: allow
tools:
  run-code:
    sandbox:
      network:
        egress: allow
        deny: ["127.0.0.0/8", "::1/128"]
EOF2
code="import errno, json, socket
def tcp(host, fam):
    s = socket.socket(fam)
    try:
        s.connect((host, $port)); return 'ok'
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e))
    finally:
        s.close()
print('RESULT ' + json.dumps({'any4': tcp('0.0.0.0', socket.AF_INET), 'any6': tcp('::', socket.AF_INET6),
    'mapped_any': tcp('::ffff:0.0.0.0', socket.AF_INET6), 'lo4': tcp('127.0.0.1', socket.AF_INET),
    'eth': tcp('$(hostname -I | awk '{print $1}')', socket.AF_INET)}))"
args=$(python3 -c 'import json,sys; print(json.dumps({"code": sys.argv[1], "languageId": "python"}))' "$code")
out=$(cd "$NODE_DIR" && TOOL=run-code ARGS=$args timeout 90 node client.mjs call -- "$MCPWARDEN" run --socket "$SOCK" \
	--policy "$TMP/policy.yaml" -- node node_modules/mcp-server-code-runner/dist/cli.js 2>&1)
echo "$out"
got() { python3 -c 'import json,sys
for l in sys.argv[1].splitlines():
    if l.startswith("result: "):
        for c in json.loads(l[8:])["content"]:
            if c["text"].startswith("RESULT "): print(json.loads(c["text"][7:])[sys.argv[2]])' "$out" "$1"; }
assert_eq "$(got lo4)" EPERM "127.0.0.1 is denied"
assert_eq "$(got any4)" EPERM "0.0.0.0, which reaches 127.0.0.1, is denied"
assert_eq "$(got any6)" EPERM ":: , which reaches ::1, is denied"
assert_eq "$(got mapped_any)" EPERM "::ffff:0.0.0.0 is denied"
assert_eq "$(got eth)" ok "an address outside the deny list connects"
stop_follow
grep '"type":"deny"' "$TMP/events" | grep -q '"addr":"0.0.0.0"' || fail "no deny record gives 0.0.0.0 as the caller did"
pass "the deny record gives the address as the caller gave it"
