#!/usr/bin/env bash
# test_verifier_budget.sh: every BPF program the daemon loads stays far below the verifier's limit of 1M
# instructions walked, here, so that a kernel whose verifier walks a little more (6.1, 6.12) still loads it:
# a program the verifier rejects stops the daemon. Budget: a quarter of the limit each.
source "$(dirname "$0")/../lib.sh"
require_root
BUDGET=250000
HELPER=$TOP/build/tests/helpers/verifier_budget
for obj in proc net stdout enforce; do
	out=$("$HELPER" "$TOP/build/$obj.bpf.o") || fail "$obj.bpf.o did not load: $out"
	[ -n "$out" ] || fail "$obj.bpf.o: no programs loaded"
	while read -r name insns; do
		echo "$obj.bpf.o $name: $insns instructions walked"
		[ "$insns" -le "$BUDGET" ] || fail "$obj.bpf.o $name: $insns instructions walked, over the budget of $BUDGET"
	done <<<"$out"
done
pass "every program within $BUDGET instructions walked"
