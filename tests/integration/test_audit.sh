#!/usr/bin/env bash
# Audit log end to end: the daemon's audit log for a real code-runner call (show --call rebuilds
# its process tree and connection), rotation into gzip segments readable by zcat, verify, and
# a SIGKILL during a write storm that loses no record that was fsynced.
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"
source "$(dirname "$0")/code_call.sh"
A=$TMP/audit
start_daemon --audit-dir "$A" --audit-fsync-ms 50 --audit-segment-bytes 65536
start_listener
out=$(code_runner_call "$TMP/shim.jsonl")
kill "$listener"
assert_contains "$out" "done" "the call ran"
read -r sid call < <(call_ids "$TMP/shim.jsonl")
sleep 0.3	# the last events reach the daemon

tree=$("$MCPWARDEN" audit show --call "$call" --server "$sid" "$A")
echo "$tree"
assert_contains "$tree" "tool run-code, decision allow, outcome result" "show names the tool, decision and outcome"
assert_contains "$tree" "sh -c id" "show has the shell the snippet started"
assert_contains "$tree" " id" "show has id"
assert_contains "$tree" "connect 127.0.0.1:$port -> ok" "show has the connection"
json=$("$MCPWARDEN" audit show --json --call "$call" --server "$sid" "$A")
python3 - "$json" <<'PY' || fail "the JSON tree does not nest id under sh under python"
import json, os, sys
t = json.loads(sys.argv[1])
def walk(n, path):
    name = os.path.basename(n.get("exe", "?"))
    here = path + [name]
    if name == "id":
        print("path to id:", here)
        return "sh" in here[:-1] and any(p.startswith("python") for p in here)
    return any(walk(c, here) for c in n.get("children", []))
sys.exit(0 if any(walk(r, []) for r in t["processes"]) and t["call"]["args_sha256"] else 1)
PY
pass "show --json nests the process tree"

# What only the shim knows reaches the log too: a refused call and a policy reload.
printf 'version: "1"\ntools:\n  run_python_code:\n    rules:\n      - {name: never, action: deny}\n' > "$TMP/deny.yaml"
{
	echo "$INIT"; echo "#wait 0"; echo "$INITIALIZED"
	echo '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"run_python_code","arguments":{"code":"print(1)"}}}'
	echo "#wait 1"
	echo "#signal HUP"
	echo "#sleep 0.5"
} > "$TMP/script"
raw "$TMP/script" "$MCPWARDEN" run --socket "$SOCK" --policy "$TMP/deny.yaml" -- python3 "$FIXTURES/shibing624_server.py"
assert_contains "$(reply 1)" '"rule": "never"' "the call was refused"
sleep 0.2
recs=$("$MCPWARDEN" audit tail -n 200 "$A")
assert_contains "$(echo "$recs" | grep '"kind":"call_denied"')" '"rule":"never"' "call_denied audited with its rule"
assert_contains "$(echo "$recs" | grep '"kind":"policy_reload"')" '"trigger":"SIGHUP"' "policy_reload audited"
assert_contains "$(echo "$recs" | grep '"kind":"server_start"')" '"name":"python3"' "server_start audited"

# A write storm: a tracked server forking thousands of processes; SIGKILL the daemon in it.
"$MCPWARDEN" run --socket "$SOCK" -- sh -c 'i=0; while [ $i -lt 20000 ]; do /bin/true; i=$((i+1)); done' \
	< /dev/null > /dev/null 2>&1 &
storm=$!
sleep 1.5
synced=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["seq"])' "$A/head.json")
kill -KILL "$daemon_pid"; wait "$daemon_pid" 2>/dev/null; daemon_pid=
kill "$storm" 2>/dev/null; wait "$storm" 2>/dev/null
ls "$A" | grep -q 'jsonl.gz$' || fail "no rotated segment"
zcat "$A"/seg-*.jsonl.gz | head -n 1 | grep -q '"prev":"0000000000000000' || fail "first segment unreadable with zcat"
pass "rotated segments are gzip, readable with zcat"
# SIGKILL does not tear a write(); a power cut can: leave a torn line as one would.
live=$(ls "$A"/seg-*.jsonl | tail -n 1)
printf '{"seq":999999999,"ts":"torn' >> "$live"
start_daemon --audit-dir "$A" --audit-fsync-ms 50
stop_daemon || fail "daemon exited badly"
python3 - "$A" "$synced" <<'PY' || fail "records fsynced before the kill are missing"
import glob, gzip, json, sys
seqs = set()
# Segments only: a compression the kill cut short leaves a .gz.tmp, which is no segment (segments.c).
for f in sorted(glob.glob(sys.argv[1] + "/seg-*.jsonl") + glob.glob(sys.argv[1] + "/seg-*.jsonl.gz")):
    op = gzip.open if f.endswith(".gz") else open
    for l in op(f, "rt"):
        seqs.add(json.loads(l)["seq"])
synced = int(sys.argv[2])
missing = [s for s in range(1, synced + 1) if s not in seqs]
print(f"{synced} records synced before the kill; {len(missing)} missing; {len(seqs)} in all")
sys.exit(1 if missing or synced < 100 else 0)
PY
pass "every record fsynced before the kill is still there"
rec=$("$MCPWARDEN" audit tail -n 400 "$A" | grep '"kind":"recovered"')
assert_contains "$rec" '"truncated_bytes":' "the torn tail was truncated and recorded"
out=$("$MCPWARDEN" audit verify "$A")
echo "$out"
assert_contains "$out" "chain intact" "the log verifies after the crash"
