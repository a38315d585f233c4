#!/usr/bin/env bash
# Enforcement outlives its daemon: a sandboxed call tries a denied exec and a denied connect every 200 ms
# (restart_call.sh) while the daemon is SIGKILLed and started again 2.5 s later. Before, during and after the gap
# none goes through, since the programs and maps stay pinned; the shim takes its server back with the call
# running (server_resume); every denied exec reaches the audit trail (the gap's are read from the ring buffer by
# the new daemon) or is counted as dropped; the trail verifies; status says how long the gap was. Then
# `--stop-enforcement` takes every program out of the kernel.
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"
source "$(dirname "$0")/restart_call.sh"

start_daemon --audit-dir "$TMP/audit" --audit-fsync-ms 0
start_call
kill -KILL "$daemon_pid"
wait "$daemon_pid" 2>/dev/null
daemon_pid=
t_kill=$(date +%s.%N)
sleep 2.5
t_back=$(date +%s.%N)
start_daemon --audit-dir "$TMP/audit" --audit-fsync-ms 0
finish_call
"$MCPWARDEN" status --json --socket "$SOCK" >"$TMP/status.json" || fail "status"
out=$("$MCPWARDEN" daemon --stop-enforcement --pin-dir "$PIN_DIR" 2>&1) && fail "--stop-enforcement under a running daemon"
assert_contains "$out" "another mcpwarden daemon holds it" "--stop-enforcement waits for the daemon to stop"
stop_daemon || fail "the second daemon did not stop cleanly"
check_attempts "$t_kill" "$t_back"
python3 - "$TMP/status.json" <<'PY' || fail "status does not tell the gap"
import json, sys
pin = json.load(open(sys.argv[1]))["features"]["pinning"]
print("pinning:", pin)
sys.exit(0 if pin["adopted"] and pin["gap_ms"] >= 2000 and pin["records_in_gap"] >= 1 and
         not pin["previous_stopped_cleanly"] and pin["replaced"] == [] else 1)
PY
pass "no denied exec or connect went through before, during or after the daemon's restart"

out=$("$MCPWARDEN" audit verify "$TMP/audit") || fail "audit verify: $out"
pass "the audit trail verifies across the restart"
audit_records "$TMP/audit" >"$TMP/records"
python3 - "$TMP/records" "$(attempts)" "$TMP/status.json" <<'PY' || fail "audit (see above)"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
kinds = [r["kind"] for r in recs]
ok = True
for k in ("adopted", "server_resume"):
    if k not in kinds:
        print("FAIL: no", k, "record"); ok = False
resume = [r for r in recs if r["kind"] == "server_resume"]
if resume and len(resume[0].get("calls", [])) != 1:
    print("FAIL: the resume names", resume[0].get("calls"), "not the one running call"); ok = False
execs = [r for r in recs if r["kind"] == "deny" and r.get("op") == "exec" and "/usr/bin/id" in json.dumps(r)]
drops = json.load(open(sys.argv[3]))["features"]["pinning"]["drops_in_gap"]
attempts = int(sys.argv[2])
print(f"exec denies audited: {len(execs)}, dropped in the gap: {drops}, attempts: {attempts}")
if len(execs) + drops < attempts:
    print("FAIL: denied execs neither audited nor counted as dropped"); ok = False
sys.exit(0 if ok else 1)
PY
pass "the gap's denies are in the audit trail, or counted as dropped"

# Stopped: the programs stay in the kernel until --stop-enforcement.
[ -d "$PIN_DIR" ] || fail "nothing left pinned after a plain stop"
progs=$(for l in "$PIN_DIR"/g*/links/*; do bpftool -j link show pinned "$l"; done |
	python3 -c 'import json,sys; print(" ".join(str(json.loads(l)["prog_id"]) for l in sys.stdin if l.strip()))')
[ "$(wc -w <<<"$progs")" -ge 10 ] || fail "programs behind the pinned links: '$progs'"
out=$("$MCPWARDEN" daemon --stop-enforcement --pin-dir "$PIN_DIR") || fail "--stop-enforcement: $out"
assert_contains "$out" "removed $PIN_DIR" "--stop-enforcement says what it removed"
[ ! -e "$PIN_DIR" ] || fail "$PIN_DIR is still there"
loaded() { for p in $progs; do bpftool prog show id "$p" >/dev/null 2>&1 && echo "$p"; done; }
for _ in $(seq 50); do [ -z "$(loaded)" ] && break; sleep 0.1; done
[ -z "$(loaded)" ] || fail "programs $(loaded) are still loaded after --stop-enforcement"
pass "--stop-enforcement takes mcpwarden's programs out of the kernel"
