#!/usr/bin/env bash
# Audit sealing with a real daemon: keygen; key files the daemon refuses (mode, owner, symbolic link, missing, held
# by another daemon); idle seals; verify --key [--key-file] on the trail of clean stops, of the three forgeries (the
# chain and head recomputed), of a tail cut back to a seal, of a kill -9 and restart, and of a lost newest segment
# (with and without head.json).
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"
A=$TMP/audit KEY=$TMP/seal.key VKEY=$TMP/vkey
PIN_B=$PIN_DIR-b	# the second daemon's, refused: it must not take the first one's pins
test_cleanup() {
	if [ -d "$PIN_B" ]; then "$MCPWARDEN" daemon --stop-enforcement --pin-dir "$PIN_B" > /dev/null; fi
}

# check ARGS...: audit verify --key - (the verification key on stdin) ARGS; its output in $out, its status in $rc.
check() {
	out=$("$MCPWARDEN" audit verify --key - "$@" < "$VKEY")
	rc=$?
	echo "$out"
	return $rc
}
# records PROG [ARG]: runs the python PROG with `recs` (every record of $A, in order), `seals` (theirs) and ARG as
# sys.argv[3], and prints what it prints.
records() {
	python3 - "$A" "$@" <<'PY'
import glob, gzip, json, os, sys
recs = []
for f in sorted(glob.glob(sys.argv[1] + "/seg-*.jsonl") + glob.glob(sys.argv[1] + "/seg-*.jsonl.gz")):
    recs += [json.loads(l) for l in (gzip.open if f.endswith(".gz") else open)(f, "rt")]
seals = [r for r in recs if r["kind"] == "seal"]
exec(sys.argv[2])
PY
}
# make_records: a tracked server whose processes make exec, fork and exit records.
make_records() {
	"$MCPWARDEN" run --socket "$SOCK" -- sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do /bin/true; done' \
		< /dev/null > /dev/null 2>&1 || fail "the tracked run failed"
	sleep "$(slow 0.3)"	# its last events reach the daemon
}

"$MCPWARDEN" audit keygen --seal-key "$KEY" > "$VKEY" 2> "$TMP/keygen.err" || fail "keygen failed"
assert_contains "$(cat "$TMP/keygen.err")" "store it off this host" "keygen says where the verification key goes"
[ "$(stat -c %a "$KEY")" = 600 ] || fail "the key file is not mode 0600"
grep -Eq '^mcpwarden-seal-key v1 epoch 0{19}1 key [0-9a-f]{64}$' "$KEY" || fail "the key file is not at epoch 1"
grep -q "$(cat "$VKEY")" "$KEY" && fail "the key file holds the verification key"
"$MCPWARDEN" audit keygen --seal-key "$KEY" > /dev/null 2>&1 && fail "keygen overwrote a key file"
pass "keygen writes k1 to a 0600 key file once and prints k0"

# refused KEYFILE WANT WHAT: a daemon given KEYFILE fails to start (one that starts is stopped by the timeout),
# and says WANT.
refused() {
	timeout "$(slow 20)" "$MCPWARDEN" daemon --socket "$SOCK" --pin-dir "$PIN_DIR" --audit-dir "$A" --seal-key "$1" \
		> "$TMP/refused.log" 2>&1
	[ $? = 1 ] || fail "$3: the daemon did not fail to start"
	assert_contains "$(cat "$TMP/refused.log")" "$2" "$3"
}
cp -p "$KEY" "$TMP/loose.key" && chmod 644 "$TMP/loose.key"
refused "$TMP/loose.key" "seal key $TMP/loose.key: mode 0644 lets group or others read or write it" \
	"a key file others may read is refused"
cp -p "$KEY" "$TMP/other.key" && chown 65534 "$TMP/other.key"
refused "$TMP/other.key" "seal key $TMP/other.key: owned by uid 65534, not by this daemon's (0)" \
	"another user's key file is refused"
ln -s "$KEY" "$TMP/link.key"
refused "$TMP/link.key" "seal key $TMP/link.key: a symbolic link" "a symbolic link to the key file is refused"
refused "$TMP/none.key" "seal key $TMP/none.key: open" "a missing key file is refused"

start_daemon --audit-dir "$A" --audit-fsync-ms 50 --seal-key "$KEY" --seal-interval-ms 1000
"$MCPWARDEN" status --json --socket "$SOCK" | python3 -c 'import json, sys
a = json.load(sys.stdin)["audit"]; print(a); sys.exit(a["sealing"] != "on" or a["seal_epoch"] < 1)' ||
	fail "status does not say the daemon seals"
# (timeout: a second daemon that does start would run on.)
timeout "$(slow 20)" "$MCPWARDEN" daemon --socket "$TMP/b.sock" --pin-dir "$PIN_B" --audit-dir "$TMP/b" \
	--seal-key "$KEY" > "$TMP/b.log" 2>&1
[ $? = 1 ] || fail "a second daemon on the same key file did not fail to start"
assert_contains "$(cat "$TMP/b.log")" "seal key $KEY: another process holds its lock" \
	"a second daemon on the same key file is refused"
# Idle seals: with no record between them, a second apart.
for _ in $(seq "$(slow 60)"); do
	idle=$(records 'from datetime import datetime as D
t = lambda r: D.strptime(r["ts"], "%Y-%m-%dT%H:%M:%S.%fZ")
print(sum(1 for a, b in zip(recs, recs[1:]) if a["kind"] == b["kind"] == "seal" and (t(b) - t(a)).total_seconds() >= 0.9))')
	[ "$idle" -ge 2 ] && break
	sleep 0.1
done
[ "$idle" -ge 2 ] || fail "no idle seals a second apart in 6 s"
pass "with nothing to record, the daemon seals every --seal-interval-ms"
make_records
stop_daemon || fail "daemon exited badly"
check "$A"
assert_contains "$out" "chain intact, sealed through seq" "a stopped daemon's trail verifies with the key (stdin)"
read -r lseq lkind lepoch < <(records 'print(recs[-1]["seq"], recs[-1]["kind"], seals[-1]["epoch"])')
[ "$lkind" = seal ] || fail "the stop did not seal the trail's end: its last record is a $lkind"
assert_contains "$out" "sealed through seq $lseq, epoch $lepoch, at 20" "verify says which seal is the last, and when"
check --key-file "$KEY" "$A"
assert_contains "$out" "the key file follows it" "the live key file follows the trail's last seal"
"$MCPWARDEN" audit verify --key @"$VKEY" "$A" > /dev/null || fail "verify --key @FILE failed"

# The three forgeries, each on a copy, as an attacker who recomputes every hash and head.json would make them.
cat > "$TMP/forge.py" <<'PY'
# forge.py DIR OP SEQ: delete record SEQ, edit its argv, or cut the records after SEQ; every seq, prev and
# sealed_seq after it recomputed (the lines before kept as written), segments renamed, head.json rewritten.
import glob, gzip, hashlib, json, os, sys
d, op, at = sys.argv[1], sys.argv[2], int(sys.argv[3])
prev, seq = "0" * 64, 0
for f in sorted(glob.glob(d + "/seg-*.jsonl*")):
    gz = f.endswith(".gz")
    lines = list((gzip.open if gz else open)(f, "rt"))
    os.unlink(f)
    out = []
    for l in lines:
        r = json.loads(l)
        if (op == "delete" and r["seq"] == at) or (op == "cut" and r["seq"] > at):
            continue
        if op == "edit" and r["seq"] == at:
            r["argv"] = ["sh", "-c", "echo harmless"]
        if r["seq"] != seq + 1 or r["prev"] != prev or (op == "edit" and r["seq"] == at):
            r["seq"], r["prev"] = seq + 1, prev
            if r["kind"] == "seal":
                r["sealed_seq"] = seq
            l = json.dumps(r, separators=(",", ":")) + "\n"
        seq += 1
        prev = hashlib.sha256(l.rstrip("\n").encode()).hexdigest()
        out.append(l)
    if out:
        first = json.loads(out[0])["seq"]
        name = "%s/seg-%020d.jsonl%s" % (d, first, ".gz" if gz else "")
        (gzip.open if gz else open)(name, "wt").writelines(out)
open(d + "/head.json", "w").write(json.dumps({"seq": seq, "hash": prev}) + "\n")
PY
read -r target first_bad < <(records 'x = [r["seq"] for r in recs if r["kind"] == "exec"][2]
print(x, 1 + max([s["seq"] for s in seals if s["seq"] < x] + [0]))')
read -r cut cut_bad < <(records 'print(recs[-1]["seq"] - 1, seals[-2]["seq"] + 1)')
for f in "delete $target $first_bad" "edit $target $first_bad" "cut $cut $cut_bad"; do
	set -- $f
	rm -rf "$TMP/forged" && cp -a "$A" "$TMP/forged"
	python3 "$TMP/forge.py" "$TMP/forged" "$1" "$2"
	"$MCPWARDEN" audit verify "$TMP/forged" > /dev/null || fail "$1: the forger's chain does not verify without the key"
	check "$TMP/forged" && fail "$1: verify --key passed the forged trail"
	assert_contains "$out" "first bad seq $3" "$1 of seq $2 (chain and head recomputed): verify --key names seq $3"
done

# A tail cut back to just after an older seal, head.json rewritten: only the key file shows it.
rm -rf "$TMP/forged" && cp -a "$A" "$TMP/forged"
read -r back back_epoch file_epoch < <(records 'print(seals[-3]["seq"], seals[-3]["epoch"], seals[-1]["epoch"] + 1)')
set -- "$back" "$back_epoch" "$file_epoch"
python3 "$TMP/forge.py" "$TMP/forged" cut "$1"
check "$TMP/forged"
assert_contains "$out" "sealed through seq $1, epoch $2" "a trail cut back to a seal verifies with the key alone, but ends at that seal"
check --key-file "$KEY" "$TMP/forged" && fail "verify --key-file passed a trail cut back to a seal"
assert_contains "$out" "trail ends at seal epoch $2 but the key file is at epoch $3: seals $(($2 + 1))..$(($3 - 1)) missing (tail cut)" \
	"verify --key-file catches the tail cut back to a seal"

# kill -9 with records after the last seal (past the first tick's, no sync, so no seal, is due for a minute): the
# restart seals on from the next epoch, and verify flags exactly the records the killed daemon left unsealed.
start_daemon --audit-dir "$A" --audit-fsync-ms 60000 --seal-key "$KEY"
make_records
kill -KILL "$daemon_pid"
wait "$daemon_pid" 2>/dev/null
daemon_pid=
read -r before killed < <(records 'print(seals[-1]["seq"], recs[-1]["seq"])')
[ "$killed" -gt "$before" ] || fail "no record between the last seal and the kill"
start_daemon --audit-dir "$A" --audit-fsync-ms 50 --seal-key "$KEY"
stop_daemon || fail "daemon exited badly after the kill"
check --key-file "$KEY" "$A" && fail "verify --key passed records a killed daemon left unsealed"
assert_contains "$out" "records $((before + 1))..$killed came after the last seal and before a daemon's start at seq $((killed + 1)): the daemon that wrote them did not seal them" \
	"verify flags the records the killed daemon left unsealed"
assert_contains "$out" ": 1 problem(s)" "...and nothing else: no forgery, and the key file follows the trail"
records 'e = [s["epoch"] for s in seals]; sys.exit(e != list(range(1, len(e) + 1)))' ||
	fail "the seals' epochs are not 1, 2, 3... (an epoch sealed twice?)"
pass "after kill -9 the restart reuses no epoch"

# The newest segment deleted, head.json kept and then gone too: the restart records it, verify --key flags the gap.
start_daemon --audit-dir "$A" --audit-fsync-ms 50 --seal-key "$KEY" --audit-segment-bytes 4096
make_records
stop_daemon || fail "daemon exited badly"
for head in ahead missing; do
	# The newest segment that holds records (a rotation made by the stop's last record leaves an empty one after it).
	newest=$(records 'import re
segs = sorted(f for f in glob.glob(sys.argv[1] + "/seg-*") if re.search(r"seg-[0-9]{20}\.jsonl(\.gz)?$", f))
print([f for f in segs if (gzip.open if f.endswith(".gz") else open)(f, "rt").read()][-1])')
	rm "$newest"
	[ "$head" = missing ] && rm "$A/head.json"
	start_daemon --audit-dir "$A" --audit-fsync-ms 50 --seal-key "$KEY"
	stop_daemon || fail "daemon exited badly"
	records 'sys.exit(not any(r["kind"] == "recovered" and r.get("head") == sys.argv[3] for r in recs))' "$head" ||
		fail "no recovered record saying the head file was $head"
	check "$A" && fail "verify --key passed a trail whose newest segment was deleted"
	assert_contains "$out" "a restart found the head file $head" "newest segment deleted, head.json $head: the restart's recovered record is flagged"
	assert_contains "$out" "are missing (records or a segment deleted, or lost): first bad seq" \
		"...and the seals missing with it"
done
