#!/usr/bin/env bash
# test_daemon_mounts.sh: a daemon on a host without tracefs or bpffs mounted mounts them itself, says so in status, and its sensor works (run in a private mount namespace, so the host's mounts stay).
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"

command -v unshare >/dev/null || fail "unshare (util-linux) is missing"
# In the daemon's own mount namespace, neither is mounted when it starts.
start_daemon_unshared '
umount /sys/kernel/tracing 2>/dev/null
umount /sys/fs/bpf 2>/dev/null
if grep -qE " /sys/kernel/tracing | /sys/fs/bpf " /proc/self/mounts; then
	echo "tracefs or bpffs still mounted" >&2
	exit 3
fi'
st=$("$MCPWARDEN" status --json --socket "$SOCK") || fail "daemon did not come up"
python3 - "$st" <<'PY' || fail "status after mounting: $st"
import json, sys
f = json.loads(sys.argv[1])["features"]
assert f["mounted_tracefs"] is True and f["mounted_bpffs"] is True, f
PY
pass "status says the daemon mounted tracefs and bpffs"
grep -qE " /sys/kernel/tracing tracefs " "/proc/$daemon_pid/mounts" || fail "no tracefs in the daemon's namespace"
grep -qE " /sys/fs/bpf bpf " "/proc/$daemon_pid/mounts" || fail "no bpffs in the daemon's namespace"
pass "tracefs and bpffs are mounted where the daemon looks"

follow_events "$TMP/events"
/bin/true "mounts-$$"
stop_follow
grep '"type":"exec"' "$TMP/events" | grep -q "\"mounts-$$\"" || fail "no exec event from the sensor"
pass "the sensor attached through the tracefs it mounted: the exec was seen"
