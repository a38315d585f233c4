# restart_call.sh: sourced by the restart tests: a sandboxed call of the real mcp-server-code-runner that tries a
# denied exec (/usr/bin/id) and a denied connect every 200 ms, each from a new process, one line per attempt in
# $TMP/attempts, until $TMP/stop exists; and the checks that none went through.
source "$(dirname "$0")/code_call.sh"

test_cleanup() { [ -n "${listener:-}" ] && kill "$listener" 2>/dev/null; [ -n "${client:-}" ] && kill "$client" 2>/dev/null; }
start_listener
cat >"$TMP/policy.yaml" <<'EOF'
version: "1"
default: allow
tools:
  run-code:
    sandbox:
      exec: {deny: [/usr/bin/id]}
      network: {egress: deny}
EOF
code="import os, subprocess, sys, time
out = open('$TMP/attempts', 'a')
end = time.time() + $(slow 40)
while time.time() < end and not os.path.exists('$TMP/stop'):
    t = time.time()
    try:
        rc = subprocess.run(['/usr/bin/id'], capture_output=True).returncode
        ex = 'ok' if rc == 0 else 'rc%d' % rc
    except OSError as e:
        ex = 'errno%d' % e.errno
    c = subprocess.run([sys.executable, '-c', '''import socket
try:
    socket.create_connection((\"127.0.0.1\", $port), timeout=2).close(); print(\"ok\")
except OSError as e:
    print(\"errno%d\" % e.errno)'''], capture_output=True, text=True).stdout.strip()
    out.write('%.3f exec=%s connect=%s\n' % (t, ex, c)); out.flush()
    time.sleep(0.2)
print('done')"
args=$(python3 -c 'import json,sys; print(json.dumps({"code": sys.argv[1], "languageId": "python"}))' "$code")

# start_call: the client's call in the background ($client), once its first five attempts are made.
start_call() {
	(cd "$NODE_DIR" && TOOL=run-code ARGS=$args timeout "$(slow 120)" node client.mjs call -- "$MCPWARDEN" run \
		--socket "$SOCK" --policy "$TMP/policy.yaml" -- node node_modules/mcp-server-code-runner/dist/cli.js \
		>"$TMP/client.out" 2>&1) &
	client=$!
	for _ in $(seq "$(slow 300)"); do [ "$(attempts)" -ge 5 ] && break; sleep 0.1; done
	[ "$(attempts)" -ge 5 ] || { cat "$TMP/client.out"; fail "the call did not start its attempts"; }
}
attempts() { [ -f "$TMP/attempts" ] && wc -l <"$TMP/attempts" || echo 0; }

# finish_call: once the shim resumed its server and eight more attempts were made: ends the call, checks it.
finish_call() {
	local n
	for _ in $(seq "$(slow 100)"); do grep -q 'is back: server resumed' "$TMP/client.out" && break; sleep 0.1; done
	assert_contains "$(cat "$TMP/client.out")" "is back: server resumed" "the shim takes its server back"
	n=$(attempts)
	for _ in $(seq "$(slow 300)"); do [ "$(attempts)" -ge $((n + 8)) ] && break; sleep 0.1; done
	touch "$TMP/stop"
	wait "$client" || { cat "$TMP/client.out"; fail "the client's call failed"; }
	client=
	assert_contains "$(cat "$TMP/client.out")" 'done' "the call ran to its end"
}

# check_attempts T_FROM T_TO: no attempt went through before T_FROM, in the gap up to T_TO, or after; at least
# 3 in each.
check_attempts() {
	python3 - "$TMP/attempts" "$1" "$2" <<'PY' || fail "attempts (see above)"
import sys
t_from, t_to = float(sys.argv[2]), float(sys.argv[3])
ok, phase = True, {"before": 0, "during": 0, "after": 0}
for t, ex, co in (l.split() for l in open(sys.argv[1])):
    p = "before" if float(t) < t_from else "during" if float(t) < t_to else "after"
    phase[p] += 1
    if ex == "exec=ok" or co == "connect=ok":
        print(f"FAIL: {p} the gap, at {t}: {ex} {co} went through"); ok = False
print("attempts:", phase)
for p, n in phase.items():
    if n < 3:
        print(f"FAIL: only {n} attempts {p} the gap"); ok = False
sys.exit(0 if ok else 1)
PY
}

# audit_records DIR: every record of the audit log in DIR, one JSON object per line.
audit_records() {
	python3 - "$1" <<'PY'
import glob, gzip, sys
for f in sorted(glob.glob(sys.argv[1] + "/seg-*")):
    op = gzip.open if f.endswith(".gz") else open
    sys.stdout.writelines(l for l in op(f, "rt") if l.strip())
PY
}
