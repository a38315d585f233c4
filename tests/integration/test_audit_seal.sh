#!/usr/bin/env bash
# Audit sealing with a real daemon: keygen, a daemon that seals (--seal-key) and stops cleanly, verify --key on its
# trail, a restart that seals on from the key file's epoch, an edit the key catches, and a key file the daemon
# can't read refusing the start.
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"
A=$TMP/audit KEY=$TMP/seal.key
"$MCPWARDEN" audit keygen --seal-key "$KEY" > "$TMP/vkey" 2> "$TMP/keygen.err" || fail "keygen failed"
assert_contains "$(cat "$TMP/keygen.err")" "store it off this host" "keygen says where the verification key goes"
[ "$(stat -c %a "$KEY")" = 600 ] || fail "the key file is not mode 0600"
"$MCPWARDEN" audit keygen --seal-key "$KEY" > /dev/null 2>&1 && fail "keygen overwrote a key file"
pass "keygen writes a 0600 key file once and prints the verification key"

start_daemon --audit-dir "$A" --audit-fsync-ms 50 --seal-key "$KEY"
for _ in 1 2 3; do "$MCPWARDEN" status --socket "$SOCK" > /dev/null; sleep 0.2; done
stop_daemon || fail "daemon exited badly"
out=$("$MCPWARDEN" audit verify --key @"$TMP/vkey" "$A")
echo "$out"
assert_contains "$out" "every seal holds" "a stopped daemon's trail verifies with the key"
tail -n 1 "$(ls "$A"/seg-*.jsonl | tail -n 1)" | grep -q '"kind":"seal"' || fail "the trail does not end with a seal"
grep -q 'epoch 00000000000000000000' "$KEY" && fail "the key file did not move on"
pass "the stop seals the trail's end; the key file moved on"

start_daemon --audit-dir "$A" --audit-fsync-ms 50 --seal-key "$KEY"
sleep 0.3
stop_daemon || fail "daemon exited badly on restart"
out=$("$MCPWARDEN" audit verify --key "$(cat "$TMP/vkey")" "$A")
echo "$out"
assert_contains "$out" "every seal holds" "a restart seals on from the key file's epoch"

# An edit: the first record's pid changed and the whole chain and head recomputed, as a forger would.
python3 - "$A" <<'PY'
import glob, gzip, hashlib, json, sys
d = sys.argv[1]
prev, last = "0" * 64, 0
for f in sorted(glob.glob(d + "/seg-*.jsonl*")):
    op = gzip.open if f.endswith(".gz") else open
    out = []
    for l in op(f, "rt"):
        r = json.loads(l)
        if r["seq"] == 1:
            r["pid"] += 1
        r["prev"] = prev
        if r["kind"] == "seal":
            r["sealed_seq"] = r["seq"] - 1
        line = json.dumps(r, separators=(",", ":"))
        prev, last = hashlib.sha256(line.encode()).hexdigest(), r["seq"]
        out.append(line + "\n")
    op(f, "wt").writelines(out)
open(d + "/head.json", "w").write(json.dumps({"seq": last, "hash": prev}) + "\n")
PY
"$MCPWARDEN" audit verify "$A" || fail "the forger's chain does not verify without the key"
out=$("$MCPWARDEN" audit verify --key @"$TMP/vkey" "$A") && fail "verify --key passed an edited trail"
echo "$out"
assert_contains "$out" "first bad seq 1" "verify --key names the first bad seq"

"$MCPWARDEN" daemon --socket "$SOCK" --pin-dir "$PIN_DIR" --audit-dir "$A" --seal-key "$TMP/none.key" \
	> "$TMP/refused.log" 2>&1 && fail "a daemon started without its key file"
assert_contains "$(cat "$TMP/refused.log")" "$TMP/none.key" "the refusal names the key file"
