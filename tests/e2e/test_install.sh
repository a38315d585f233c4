#!/usr/bin/env bash
# `make install` (staged with DESTDIR): the binary, the systemd unit whose ExecStart is that binary,
# and shipped policies that the installed binary accepts. The group mcpwarden (the control socket's) is
# the host's: an install to / creates it, a staged one leaves the host's groups alone.
source "$(dirname "$0")/../lib.sh"
groups_before=$(getent group mcpwarden)
make -s -C "$TOP" install DESTDIR="$TMP/root" >"$TMP/make.log" 2>&1 || { cat "$TMP/make.log"; fail "make install failed"; }
assert_eq "$(getent group mcpwarden)" "$groups_before" "a staged install leaves the host's groups alone"
assert_contains "$(make -n -s -C "$TOP" install DESTDIR=)" "groupadd --system mcpwarden" \
	"an install to / creates the group mcpwarden"
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
