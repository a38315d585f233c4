#!/usr/bin/env bash
# Kernel sandbox, network: a tool's `sandbox.network` holds in the kernel. Python run by the real
# mcp-server-code-runner (SDK client, shim, daemon) may reach the allowlisted loopback port only:
# TCP, UDP, IPv6 and an IPv4-mapped address elsewhere fail with EPERM (io_uring is refused to every
# server the shim starts, by its seccomp baseline; an io_uring connect from a tree the daemon
# tracks with rules, started without a shim, gets -EPERM in its completion). The
# call's result names the rule, and the daemon's events and audit log attribute each denial to
# the call. A second server without a sandbox, running at the same time, is not affected. A
# server-level rule holds while the server answers initialize.
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"

listen() {	# listen VAR: a TCP listener on 127.0.0.1; its port in VAR
	python3 -c 'import socket
s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(64); print(s.getsockname()[1], flush=True)
while True: s.accept()[0].close()' >"$TMP/$1" &
	pids+=($!)
	for _ in $(seq "$(slow 50)"); do [ -s "$TMP/$1" ] && break; sleep 0.1; done
	printf -v "$1" '%s' "$(cat "$TMP/$1")"
}
pids=()
test_cleanup() { kill "${pids[@]}" 2>/dev/null; }
listen A
listen B

cat >"$TMP/sandboxed.yaml" <<EOF
version: "1"
default: allow
tools:
  run-code:
    sandbox:
      network:
        egress: deny
        allow: ["127.0.0.1:$A"]
EOF
cat >"$TMP/open.yaml" <<EOF
version: "1"
default: allow
EOF

code="import errno, json, socket, subprocess
def err(e): return errno.errorcode.get(e.errno, str(e))
def tcp(host, port, fam=socket.AF_INET):
    s = socket.socket(fam)
    try:
        s.connect((host, port)); return 'ok'
    except OSError as e:
        return err(e)
    finally:
        s.close()
def udp(port):
    try:
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', ('127.0.0.1', port)); return 'ok'
    except OSError as e:
        return err(e)
r = {'tcp_allowed': tcp('127.0.0.1', $A), 'tcp_other': tcp('127.0.0.1', $B), 'udp_allowed': udp($A),
     'udp_other': udp($B), 'v6_other': tcp('::1', $B, socket.AF_INET6),
     'mapped_other': tcp('::ffff:127.0.0.1', $B, socket.AF_INET6),
     'uring': (lambda p: (p.stdout + p.stderr).strip())(subprocess.run(['$HELPERS/uring_op', 'connect'], capture_output=True, text=True))}
print('NET ' + json.dumps(r))"
args=$(python3 -c 'import json,sys; print(json.dumps({"code": sys.argv[1], "languageId": "python"}))' "$code")

start_daemon --audit-dir "$TMP/audit"
follow_events "$TMP/events"
run_code() {	# run_code POLICY OUT [SERVER...]: one run-code call under the shim
	local policy=$1 out=$2
	shift 2
	[ $# -gt 0 ] || set -- node node_modules/mcp-server-code-runner/dist/cli.js
	(cd "$NODE_DIR" && TOOL=run-code ARGS=$args timeout "$(slow 60)" node client.mjs call -- "$MCPWARDEN" run --socket "$SOCK" \
		--policy "$policy" --audit "$out.log" -- "$@" >"$out" 2>&1)
}
# Two servers with different policies at once.
run_code "$TMP/sandboxed.yaml" "$TMP/sandboxed.out" &
c1=$!
run_code "$TMP/open.yaml" "$TMP/open.out" &
c2=$!
wait $c1 || { cat "$TMP/sandboxed.out"; fail "sandboxed call failed"; }
wait $c2 || { cat "$TMP/open.out"; fail "open call failed"; }
cat "$TMP/sandboxed.out" "$TMP/open.out"
# Launched through a wrapper (as npx, uvx or `sh -c` do), the real server is the root's child: its
# tool rules hold all the same.
run_code "$TMP/sandboxed.yaml" "$TMP/wrapped.out" sh -c 'node node_modules/mcp-server-code-runner/dist/cli.js; :' ||
	{ cat "$TMP/wrapped.out"; fail "wrapped call failed"; }
cat "$TMP/wrapped.out"

# Server-level rules hold during initialize: the fixture connects while it answers initialize.
cat >"$TMP/server.yaml" <<EOF
version: "1"
default: allow
sandbox:
  network:
    egress: deny
EOF
(cd "$NODE_DIR" && CALLS='[]' timeout "$(slow 60)" node client.mjs calls -- "$MCPWARDEN" run \
	--socket "$SOCK" --policy "$TMP/server.yaml" -- env FIXTURE_CONNECT=127.0.0.1:$B python3 "$FIXTURES/shibing624_server.py" >"$TMP/init.out" 2>&1) ||
	{ cat "$TMP/init.out"; fail "initialize under a server-level sandbox failed"; }
cat "$TMP/init.out"
assert_contains "$(cat "$TMP/init.out")" "at initialize: EPERM" "server-level egress deny holds during initialize"
stop_follow

python3 - "$TMP/sandboxed.out" "$TMP/open.out" "$TMP/events" "$TMP/wrapped.out" <<'PY' || fail "network enforcement (see above)"
import json, re, sys
ok = True
def check(what, cond, detail=""):
    global ok
    print(("ok: " if cond else "BAD: ") + what, detail)
    ok &= bool(cond)
def net(path):
    m = re.search(r"NET (\{.*?\})", open(path).read().replace('\\"', '"'))
    return json.loads(m.group(1)) if m else {}
s, o = net(sys.argv[1]), net(sys.argv[2])
print("sandboxed:", s, "\nopen:", o)
check("allowlisted TCP port connects", s.get("tcp_allowed") == "ok")
check("another loopback TCP port: EPERM", s.get("tcp_other") == "EPERM")
check("UDP to the allowlisted port goes", s.get("udp_allowed") == "ok")
check("UDP elsewhere: EPERM", s.get("udp_other") == "EPERM")
check("IPv6 connect elsewhere: EPERM", s.get("v6_other") == "EPERM")
check("IPv4-mapped IPv6 connect elsewhere: EPERM", s.get("mapped_other") == "EPERM")
check("io_uring is refused to the sandboxed server's code (seccomp)", "io_uring_setup: Operation not permitted" in s.get("uring", ""), s.get("uring"))
w = net(sys.argv[4])
print("wrapped:", w)
check("behind a wrapper, the tool's rules hold: allowed port ok, other port EPERM", w.get("tcp_allowed") == "ok"
      and w.get("tcp_other") == "EPERM" and w.get("udp_other") == "EPERM", w)
check("the open server, at the same time, reaches every port", o.get("tcp_other") == "ok" and o.get("udp_other") == "ok", o)
check("io_uring is refused to the open server's code too: the baseline holds for every server", "io_uring_setup: Operation not permitted" in o.get("uring", ""), o.get("uring"))
res = json.loads(re.search(r"result: (.*)", open(sys.argv[1]).read()).group(1))
meta = res.get("_meta", {}).get("io.mcpwarden/policy", {})
check("the call's result is an error naming the rule", res.get("isError") is True and
      meta.get("rule") == "tools.run-code.sandbox.network.egress" and "refused (EPERM)" in res["content"][0]["text"], meta)
evs = [json.loads(l) for l in open(sys.argv[3]) if l.strip()]
denies = [e for e in evs if e["type"] == "deny"]
for e in denies:
    print("deny:", e["rule"], e["what"], "calls", e["calls"])
kinds = {(e["op"], e["protocol"], e["family"]) for e in denies if e["rule"] == "tools.run-code.sandbox.network.egress"}
check("deny events for tcp, udp and inet6, each attributed to a call", {("connect", "tcp", "inet"), ("sendmsg", "udp", "inet"),
      ("connect", "tcp", "inet6")} <= kinds and all(e["calls"] for e in denies if e.get("tool") == "run-code"), kinds)
check("the server-level denial during initialize", any(e["rule"] == "sandbox.network.egress" and e["comm"].startswith("python")
      for e in denies))
sys.exit(0 if ok else 1)
PY
"$MCPWARDEN" audit verify "$TMP/audit" >/dev/null || fail "audit chain does not verify"
read -r sid call < <(call_ids "$TMP/sandboxed.out.log")
tree=$("$MCPWARDEN" audit show --call "$call" --server "$sid" "$TMP/audit")
echo "$tree"
assert_contains "$tree" "denied: connect to 127.0.0.1 port $B (tcp) refused (EPERM)" "audit show --call lists the call's denials"
assert_contains "$tree" "sendto 127.0.0.1:$A -> ok" "a UDP send that went through shows as ok"
assert_contains "$tree" "sendto 127.0.0.1:$B -> failed" "the refused one as failed"
recs=$(zcat -f "$TMP"/audit/* 2>/dev/null | grep '"kind":"deny"' | head -n 3)
assert_contains "$recs" '"rule":"tools.run-code.sandbox.network.egress"' "denials are in the audit log with their rule"
pass "network sandbox: EPERM in the kernel, per tool, per server, during initialize"

# io_uring from a tree the daemon tracks with rules but no shim started (so no seccomp baseline):
# the cgroup hook refuses IORING_OP_CONNECT too, and the denial is attributed to that server.
follow_events "$TMP/uring-events"
python3 - "$SOCK" "$HELPERS/uring_op" "$TMP/uring-events" <<'PY' || fail "io_uring connect in a tracked tree with egress deny"
import json, socket, subprocess, sys, time
p = subprocess.Popen(["sh", "-c", 'read x; exec "$0" connect', sys.argv[2]], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                     stderr=subprocess.STDOUT, text=True)
c = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
c.connect(sys.argv[1])
c.send(json.dumps({"op": "track", "pid": p.pid, "sandbox": {"network": {"egress": "deny"}}}).encode())
ack = json.loads(c.recv(65536))
assert ack.get("ok") is True, ack
out = p.communicate("go\n")[0].strip()
print("tracked uring_op connect:", out)
assert out.endswith("res=-1"), "the io_uring connect was not refused with -EPERM"
for _ in range(50):
    evs = [json.loads(l) for l in open(sys.argv[3]) if l.strip()]
    if any(e["type"] == "deny" and e["comm"] == "uring_op" and e["server_id"] == ack["server_id"] for e in evs):
        break
    time.sleep(0.1)
else:
    sys.exit("no deny event for the io_uring connect")
PY
stop_follow
pass "an io_uring connect is refused by the cgroup hook (-EPERM in its completion) and attributed"
