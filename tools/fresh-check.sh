#!/usr/bin/env bash
# fresh-check.sh: runs the README's two commands, as root, on a fresh Debian 12 root (debootstrap
# minbase) in a chroot that shares this kernel, and prints each one's exit code and time.
#
#   tools/fresh-check.sh [--keep]      (as root; downloads about 400 MB; see docs/ARCHITECTURE.md §9)
#
# The root gets only what a bare machine has (minbase plus make, git and ca-certificates). The
# checkout's HEAD is cloned into it, and /proc, /sys (with its cgroup, bpffs and tracefs mounts)
# and /dev are shared, inside a private mount namespace so the host's mounts stay as they are.
# Everything lives in a new root-only directory (mktemp -d under /var/lib): no other user can plant
# a file or a symlink where root writes. Its logs stay there; --keep keeps the chroot too.
# Exits 0 only when `make run` and then `make test` (with CI=true) both succeed the first time.
# FRESH_TEST_LOCK=FILE runs each command under flock(1) on FILE, so BPF tests of another checkout on
# this host (which share the kernel's hooks) don't run at the same time.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
mirror=${FRESH_MIRROR:-http://deb.debian.org/debian}
cache=/var/cache/mcpwarden-fresh
keep=0
[ "${1:-}" = --keep ] && keep=1

[ "$(id -u)" -eq 0 ] || { echo "fresh-check: needs root (debootstrap, chroot, mounts)" >&2; exit 2; }
bash "$top/tools/install-deps.sh" fresh-check
work=$(mktemp -d /var/lib/mcpwarden-fresh.XXXXXX)	# 0700, root's
root=$work/root
install -d -m 0700 -o root -g root "$cache"
[ "$(stat -c %u "$cache")" = 0 ] || { echo "fresh-check: $cache is not root's" >&2; exit 1; }

# Processes still running from the chroot (a test's daemon) would keep its mounts alive.
kill_inside() {
	local p r
	for p in /proc/[0-9]*; do
		r=$(readlink "$p/root" 2>/dev/null) || continue
		[ "$r" = "$root" ] && kill -9 "${p#/proc/}" 2>/dev/null
	done
	return 0
}
cleanup() {
	kill_inside
	[ $keep -eq 1 ] || rm -rf --one-file-system "$root"
}
trap cleanup EXIT

echo "fresh-check: debootstrap bookworm (minbase) into $root"
debootstrap --variant=minbase --include=make,git,ca-certificates \
	--cache-dir="$cache" bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 ||
	{ tail -n 20 "$work/debootstrap.log" >&2; echo "fresh-check: debootstrap failed" >&2; exit 1; }
# The sources a Debian 12 install has, and this host's resolver.
cat >"$root/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb ${mirror%/debian}/debian-security bookworm-security main
EOF
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
# This network's own trust and proxy settings come along (a machine here needs them to reach the
# registries at all): the site's CA certificates, and the proxy and CA variables, when the host has them.
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
	cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
	chroot "$root" update-ca-certificates >/dev/null 2>&1 || { echo "fresh-check: update-ca-certificates failed" >&2; exit 1; }
fi
site_env=()
for v in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY NODE_EXTRA_CA_CERTS; do
	if [ -n "${!v:-}" ]; then site_env+=("$v=${!v}"); fi
done
git clone -q "$top" "$root/root/mcpwarden"

# One command inside the chroot, with a clean environment; its output goes to a log beside the root.
run_inside() { # NAME COMMAND
	local log="$work/$1.log" start=$SECONDS rc=0 lock=()
	if [ -n "${FRESH_TEST_LOCK:-}" ]; then lock=(flock "$FRESH_TEST_LOCK"); fi
	"${lock[@]}" unshare -m --propagation private bash -c '
		set -e
		root=$1; shift	# then the command, then the site variables
		# On a booted machine / is a mount point (unshare --propagation needs one): make the chroot root one too.
		mount --bind "$root" "$root"
		mount -t proc proc "$root/proc"
		mount --rbind /sys "$root/sys"
		mount --rbind /dev "$root/dev"
		mount -t tmpfs tmpfs "$root/run"
		exec chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb CI=true \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			"${@:2}" bash -c "cd /root/mcpwarden && $1"' _ "$root" "$2" "${site_env[@]+"${site_env[@]}"}" >"$log" 2>&1 || rc=$?
	kill_inside
	printf 'fresh-check: %-10s exit %d in %d s (log %s)\n' "$1" "$rc" $((SECONDS - start)) "$log"
	[ $rc -eq 0 ] || tail -n 40 "$log" | sed 's/^/    /'
	return $rc
}

status=0
run_inside make-run "make run" || status=1
run_inside make-test "make test" || status=1
grep -E '^[0-9]+ passed, [0-9]+ failed' "$work/make-test.log" || true
echo "fresh-check: logs in $work"
exit $status
