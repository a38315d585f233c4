#!/usr/bin/env bash
# A restart onto another layout of the maps (here the lineage map's size, from --max-tracked: another generation)
# replaces the pinned generation without a moment unenforced: the new daemon carries the old maps' lineage, rule
# sets and counts into its own before its programs attach, and removes the old ones only after. A sandboxed call
# running across it (restart_call.sh) gets no denied exec or connect through; the shim resumes its server in
# the new generation; the audit log records the upgrade and verifies. A generation it can't carry over is
# refused, and stays in force.
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"
source "$(dirname "$0")/restart_call.sh"

gen() { "$MCPWARDEN" status --json --socket "$SOCK" | python3 -c 'import json,sys; print(json.load(sys.stdin)["features"]["pinning"]["generation"])'; }
start_daemon --audit-dir "$TMP/audit" --audit-fsync-ms 0
old=$(gen)
start_call
t_stop=$(date +%s.%N)
stop_daemon || fail "the first daemon did not stop cleanly"
sleep 1
start_daemon --audit-dir "$TMP/audit" --audit-fsync-ms 0 --max-tracked 40000
t_back=$(date +%s.%N)
new=$(gen)
[ "$new" != "$old" ] || fail "a lineage map of another size kept generation $old"
finish_call
"$MCPWARDEN" status --json --socket "$SOCK" >"$TMP/status.json" || fail "status"
check_attempts "$t_stop" "$t_back"
python3 - "$TMP/status.json" "$old" <<'PY' || fail "status does not tell the upgrade"
import json, sys
pin = json.load(open(sys.argv[1]))["features"]["pinning"]
print("pinning:", pin)
sys.exit(0 if pin["replaced"] == [sys.argv[2]] and not pin["adopted"] and pin["pinned"] else 1)
PY
assert_eq "$(ls "$PIN_DIR")" "$new" "only the new generation is pinned"
pass "an upgrade to another map layout holds the running call's rules throughout"

stop_daemon || fail "the second daemon did not stop cleanly"
out=$("$MCPWARDEN" audit verify "$TMP/audit") || fail "audit verify: $out"
audit_records "$TMP/audit" >"$TMP/records"
python3 - "$TMP/records" "$old" "$new" <<'PY' || fail "audit (see above)"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
up = [r for r in recs if r["kind"] == "upgrade"]
print("upgrade:", up)
ok = len(up) == 1 and up[0]["from"] == sys.argv[2] and up[0]["to"] == sys.argv[3] and up[0]["state_carried"] and up[0]["removed"]
res = [r for r in recs if r["kind"] == "server_resume"]
ok = ok and len(res) == 1 and len(res[0]["calls"]) == 1
sys.exit(0 if ok else 1)
PY
pass "the audit log records the upgrade, and verifies"

# A pinned generation whose maps this build can't carry (a lineage map of another value layout) is not replaced:
# the daemon refuses to start and says why, and that generation's pins stay.
"$MCPWARDEN" daemon --stop-enforcement --pin-dir "$PIN_DIR" >/dev/null || fail "--stop-enforcement"
mkdir -m 0700 "$PIN_DIR" && mkdir -p "$PIN_DIR/gfeedfacefeedface/maps" || fail "mkdir $PIN_DIR"
bpftool map create "$PIN_DIR/gfeedfacefeedface/maps/tracked" type hash key 4 value 24 entries 64 name tracked ||
	fail "bpftool map create"
bpftool map create "$PIN_DIR/gfeedfacefeedface/owners" type hash key 4 value 16 entries 4 name owners || fail "owners"
bpftool map create "$PIN_DIR/gfeedfacefeedface/meta" type array key 4 value 32 entries 1 name meta || fail "meta"
timeout "$(slow 30)" "$MCPWARDEN" daemon --socket "$SOCK" --pin-dir "$PIN_DIR" >"$TMP/refused.log" 2>&1
assert_eq "$?" 1 "the daemon refuses a generation it can't carry over"
assert_contains "$(cat "$TMP/refused.log")" "upgrade from the pinned generation gfeedfacefeedface refused" "and says so"
[ -e "$PIN_DIR/gfeedfacefeedface/maps/tracked" ] || fail "the refused generation's pins were removed"
assert_eq "$(ls "$PIN_DIR")" "gfeedfacefeedface" "nothing of the refused daemon stays pinned"
pass "a generation that can't be carried over stays in force, and the daemon says why"
