#!/usr/bin/env bash
# `make install` (staged with DESTDIR): the binary, the systemd unit whose ExecStart is that binary,
# and shipped policies that the installed binary accepts.
source "$(dirname "$0")/../lib.sh"
make -s -C "$TOP" install DESTDIR="$TMP/root" >"$TMP/make.log" 2>&1 || { cat "$TMP/make.log"; fail "make install failed"; }
bin=$TMP/root/usr/local/bin/mcpwarden
unit=$TMP/root/etc/systemd/system/mcpwarden.service
[ -x "$bin" ] || fail "no installed binary"
exec_start=$(sed -n 's/^ExecStart=\([^ ]*\) daemon.*/\1/p' "$unit")
assert_eq "$exec_start" /usr/local/bin/mcpwarden "the unit runs the installed binary's daemon"
"$bin" policy check "$TMP"/root/usr/local/share/mcpwarden/policies/*.yaml >"$TMP/check.log" 2>&1 ||
	{ cat "$TMP/check.log"; fail "installed policies do not check"; }
assert_eq "$(ls "$TMP"/root/usr/local/share/mcpwarden/policies/*.yaml | wc -l)" "$(ls "$TOP"/policies/*.yaml | wc -l)" \
	"every shipped policy is installed"
pass "make install stages the binary, the systemd unit and the policies"
