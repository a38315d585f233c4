#!/usr/bin/env bash
# test_make_order.sh: `make run`, `make test` and `make bench` install the dependencies before
# anything asks pkg-config or runs a compiler or bpftool (a fresh machine has none of them yet).
source "$(dirname "$0")/../lib.sh"

# 1. What make would do, in order: the install line comes before every build step.
for target in run test bench; do
	make -n -C "$TOP" "$target" BUILD="$TMP/dry-$target" >"$TMP/dry.log" 2>&1 ||
		{ cat "$TMP/dry.log"; fail "make -n $target failed"; }
	python3 - "$TMP/dry.log" "$target" <<'PY' || fail "make -n $target: a build step comes before the dependency install"
import re, sys
lines = open(sys.argv[1]).read().splitlines()
deps = next((i for i, l in enumerate(lines) if "install-deps.sh" in l), None)
build = next((i for i, l in enumerate(lines)
              if re.match(r"\s*(cc|clang|bpftool|gcc)\b", l) or " gen skeleton " in l), None)
assert deps is not None, "no install-deps.sh line"
assert build is not None, "no build step listed"
assert deps < build, (lines[deps], lines[build])
PY
	pass "make -n $target lists the dependency install before the first build step"
done

# 2. What make really does on a machine without the tools: stand-ins log each call, and the build
#    tools fail at once. The install must be logged first, and nothing may ask pkg-config while
#    make reads the Makefile (the build flags would be empty, as on a fresh Debian 12).
mkdir -p "$TMP/bin"
for tool in pkg-config bpftool clang cc gcc; do
	printf '#!/bin/sh\necho %s >> "%s"\nexit 1\n' "$tool" "$TMP/calls" >"$TMP/bin/$tool"
	chmod +x "$TMP/bin/$tool"
done
printf '#!/bin/sh\necho deps >> "%s"\n' "$TMP/calls" >"$TMP/fake-deps.sh"
for target in run test; do
	: >"$TMP/calls"
	PATH="$TMP/bin:$PATH" make -C "$TOP" "$target" DEPS="$TMP/fake-deps.sh" \
		BUILD="$TMP/real-$target" >"$TMP/real.log" 2>&1 && fail "make $target succeeded with failing stand-in tools"
	first=$(head -n 1 "$TMP/calls")
	assert_eq "$first" deps "make $target: the dependency install is the first thing it runs"
	[ "$(wc -l <"$TMP/calls")" -ge 2 ] || fail "make $target: no build tool was called after the install: $(cat "$TMP/calls")"
	pass "make $target: build tools ran only after the install ($(tr '\n' ' ' <"$TMP/calls"))"
done

# 3. The environment can't name another install script for `make test` to run as root.
DEPS="$TMP/fake-deps.sh" make -n -C "$TOP" run BUILD="$TMP/env" >"$TMP/env.log" 2>&1
grep -q "fake-deps" "$TMP/env.log" && fail "DEPS from the environment replaced tools/install-deps.sh"
grep -q "bash tools/install-deps.sh" "$TMP/env.log" || fail "make -n run with DEPS in the environment: no install-deps.sh line"
pass "DEPS in the environment does not replace tools/install-deps.sh"
