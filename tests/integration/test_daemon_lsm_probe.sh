#!/usr/bin/env bash
# test_daemon_lsm_probe.sh: BPF LSM counts only when the kernel itself lists bpf among its active LSMs. An
# attacker who is root on the host before the daemon starts mounts a file saying "...,bpf" over
# /sys/kernel/security/lsm: the daemon reads the file, sees it is not on securityfs, and says so (it would
# otherwise claim exec and fork denies by LSM where none runs). Without securityfs mounted, the daemon mounts
# it and reads the real list. Both in a private mount namespace.
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"

probe() { "$MCPWARDEN" status --json --socket "$SOCK" | python3 -c 'import json,sys; f = json.load(sys.stdin)["features"]
print(f["lsm"], f["mounted_securityfs"], f["exec_enforcement"], f["process_limits"], f["lsm_probe"])'; }

echo "lockdown,capability,landlock,yama,bpf" >"$TMP/lsm"
start_daemon_unshared "
grep -q ' /sys/kernel/security securityfs ' /proc/self/mounts || mount -t securityfs securityfs /sys/kernel/security || exit 3
mount --bind '$TMP/lsm' /sys/kernel/security/lsm || exit 3"
out=$(probe)
echo "$out"
assert_contains "$out" "False False signal" "a list mounted over securityfs's lsm file does not count as BPF LSM"
assert_contains "$out" "/sys/kernel/security/lsm: not on securityfs" "and status says why"
stop_daemon || fail "daemon exited with an error"

start_daemon_unshared "
awk '\$3 == \"securityfs\" { print \$2 }' /proc/self/mounts | while read -r m; do umount -l \"\$m\"; done
if awk '\$3 == \"securityfs\"' /proc/self/mounts | grep -q .; then echo 'securityfs still mounted' >&2; exit 3; fi"
out=$(probe)
echo "$out"
assert_contains "$out" " True " "without securityfs the daemon mounts it"
assert_not_contains "$out" "not on securityfs" "and reads the kernel's own list"
assert_not_contains "$out" "/sys/kernel/security/lsm: No such file" "which it finds"
