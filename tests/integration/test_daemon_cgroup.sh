#!/usr/bin/env bash
# test_daemon_cgroup.sh: register passes the server's cgroup fd; a child cloned into it is the server's from its first exec; a non-root shim's blocked child is moved in by attach; forged attach refused; cgroups removed once empty and adopted across daemon restarts.
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"

[ -n "$CGROUP2" ] || fail "no cgroup2 mount in /proc/self/mounts"
[ -x "$HELPERS/cg_spawn" ] || fail "missing $HELPERS/cg_spawn (make all)"
ADOPT=$CGROUP2/mcpwarden/77-adopted
sleeper=
test_cleanup() {
	[ -n "$sleeper" ] && kill -9 "$sleeper" 2>/dev/null && wait "$sleeper" 2>/dev/null
	[ -d "$ADOPT" ] && rmdir "$ADOPT" 2>/dev/null
	return 0
}
# wait_gone DIR: the daemon removes an emptied cgroup within a few ticks.
wait_gone() {
	for _ in $(seq 40); do [ -d "$1" ] || return 0; sleep 0.1; done
	fail "cgroup $1 still there"
}

start_daemon
follow_events "$TMP/events"
# The forged attach names this shell: not a child of cg_spawn. The child lives a second: a process that
# exited before its attach is refused (an entry for it would outlive it).
"$HELPERS/cg_spawn" "$SOCK" "cg test/1" $$ sh -c 'cat /proc/$$/cgroup >"$0"; id -u; sleep 1' "$TMP/cg" \
	>"$TMP/spawn.out" 2>"$TMP/spawn.err" || fail "cg_spawn failed: $(tr "\n" " " <"$TMP/spawn.err")"
read -r sid pid cg mode < <(sed 's/[a-z_]*=//g' "$TMP/spawn.out")
assert_eq "$mode" clone3 "root starts the child with clone3 into the cgroup"
assert_contains "$(cat "$TMP/spawn.err")" "not a child of the caller" "forged attach refused with a reason"
assert_eq "$cg" "$CGROUP2/mcpwarden/$sid-cg_test_1" "cgroup path has the id and the sanitised name"
assert_contains "$(cat "$TMP/cg")" "0::/mcpwarden/$sid-cg_test_1" "/proc/PID/cgroup of the child shows the server's cgroup"
wait_gone "$cg"
pass "the cgroup is removed once the owner left and it emptied"
stop_follow

python3 - "$TMP/events" "$sid" "$pid" <<'PY' || fail "events of the cgroup server (see above)"
import sys
from evlib import Checks
c = Checks(sys.argv[1])
expect = c.expect
sid, pid = int(sys.argv[2]), int(sys.argv[3])
expect("clone into the cgroup is the server's at fork", lambda e: e["type"] == "fork" and e["pid"] == pid and e["server_id"] == sid)
expect("first exec of the child carries server_id", lambda e: e["type"] == "exec" and e["pid"] == pid and e["server_id"] == sid)
expect("grandchild exec of id carries server_id", lambda e: e["type"] == "exec" and e["argv"] == ["id", "-u"] and e["server_id"] == sid)
c.done()
PY
pass "events carry the registered server_id from the first instruction"

# A non-root shim may not clone3 into the daemon's cgroup: its child waits, and attach moves it in.
chmod 0711 "$TMP" && chmod 0666 "$SOCK" || fail "open the test socket to nobody"
setpriv --reuid=65534 --regid=65534 --clear-groups "$HELPERS/cg_spawn" "$SOCK" unprivileged 1 \
	sh -c 'cat /proc/$$/cgroup' >"$TMP/nobody.out" 2>"$TMP/nobody.err" ||
	fail "cg_spawn as nobody failed: $(cat "$TMP/nobody.err")"
line=$(grep '^server_id=' "$TMP/nobody.out")
assert_contains "$line" "mode=moved" "nobody's clone3 refused, child started blocked"
sid2=$(sed 's/^server_id=\([0-9]*\).*/\1/' <<<"$line")
assert_contains "$(cat "$TMP/nobody.out")" "0::/mcpwarden/$sid2-unprivileged" "attach moved nobody's child into the cgroup before it ran"

# A cgroup left by a previous daemon, with a live process in it, is adopted: not removed, still attributed.
# The process was there before the daemon: its first act is a UDP send, before any fork or exec that
# would show the kernel its cgroup, so only the daemon's start can have given it its lineage.
stop_daemon || fail "daemon exited with an error"
mkdir -p "$ADOPT" || fail "mkdir $ADOPT"
mkfifo "$TMP/go"
/usr/bin/python3 -c '
import os, socket, sys
open(sys.argv[1]).read()
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("127.0.0.1", 9))
os.execv("/bin/true", ["/bin/true", "adopted-exec"])' "$TMP/go" &
sleeper=$!
echo "$sleeper" >"$ADOPT/cgroup.procs" || fail "move pid $sleeper into $ADOPT"
# Python runs (its exec is done) before the daemon starts: its next exec comes after the send.
for _ in $(seq 100); do
	case "$(readlink "/proc/$sleeper/exe")" in */python3*) break ;; esac
	sleep 0.1
done
case "$(readlink "/proc/$sleeper/exe")" in */python3*) ;; *) fail "pid $sleeper is not running python yet" ;; esac
start_daemon
[ -d "$ADOPT" ] || fail "the daemon removed an adopted cgroup with a live process"
pass "adopted cgroup with a live process kept"
follow_events "$TMP/adopted.events"
echo go >"$TMP/go"
wait "$sleeper"
sleeper=
wait_gone "$ADOPT"
pass "adopted cgroup removed once empty"
stop_follow
line=$(grep '"adopted-exec"' "$TMP/adopted.events")
assert_contains "$line" '"server_id":77' "exec in the adopted cgroup attributed to its server id"
line=$(grep '"op":"sendto"' "$TMP/adopted.events" | grep '"port":9}')
assert_contains "$line" '"server_id":77' "a send by a process already in the adopted cgroup attributed to its server id"
grep -q "adopted cgroup $ADOPT" "$DAEMON_LOG" || fail "daemon log does not mention the adoption"
pass "adoption logged"
