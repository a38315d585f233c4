#!/usr/bin/env bash
# Fuzz smoke run: each libFuzzer harness for FUZZ_SECONDS (default 20) from its seed corpus.
source "$(dirname "$0")/../lib.sh"
secs=${FUZZ_SECONDS:-20}
for h in framer policy sandbox_wire config_text audit_verify syslog; do
	bin=$TOP/build/fuzz/fuzz_$h
	[ -x "$bin" ] || fail "$bin is not built (make test builds it)"
	mkdir -p "$TMP/corpus-$h" "$TMP/art-$h"
	cp "$TOP/tests/fuzz/seeds/$h/"* "$TMP/corpus-$h/"
	if ! "$bin" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$TMP/art-$h/" "$TMP/corpus-$h" > "$TMP/log-$h" 2>&1; then
		tail -n 40 "$TMP/log-$h"
		mkdir -p "$TOP/build/fuzz-artifacts"
		for a in "$TMP/art-$h"/*; do
			[ -f "$a" ] && cp "$a" "$TOP/build/fuzz-artifacts/" && echo "reproducer kept: build/fuzz-artifacts/$(basename "$a")"
		done
		fail "fuzz_$h found a crash"
	fi
	runs=$(grep -o 'Done [0-9]* runs' "$TMP/log-$h" | grep -o '[0-9]*')
	[ "${runs:-0}" -gt 100 ] || fail "fuzz_$h ran only ${runs:-0} inputs"
	pass "fuzz_$h: $runs inputs in ${secs}s, no crash"
done
