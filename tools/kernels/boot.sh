#!/usr/bin/env bash
# Runs a command as root on a kernel: a Debian kernel package booted under qemu (TCG), or this host's own.
#   tools/kernels/boot.sh KERNEL_ID [--append 'ARGS'] [--timeout SECS] [--results DIR] -- COMMAND...
# KERNEL_ID: deb12, deb13 (fetched by fetch.sh) or host (no VM: COMMAND runs here).
# In the guest the host's / is mounted read-only over 9p, with tmpfs on /tmp, /run and /var/tmp (HOME is
# /run/home), and COMMAND runs in the current directory (the same path there, so not under those three). DIR (default: a new temporary
# directory) is shared writable, at $MCPWARDEN_RESULTS in the guest and on the host alike; COMMAND's
# stdout, stderr and status go there (stdout, stderr, rc), with the guest's console (console.log) and
# the seconds from kernel start to the command (boot-seconds). Variables named MCPWARDEN_* and CI pass
# into the guest. COMMAND's stdout is printed as it comes, its stderr after it; the exit status is
# COMMAND's, 124 on timeout, 125 when the guest did not run it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
usage() { echo "usage: boot.sh deb12|deb13|host [--append 'ARGS'] [--timeout SECS] [--results DIR] -- COMMAND..." >&2; exit 2; }
die() { echo "boot.sh: $*" >&2; exit 125; }

[ $# -ge 1 ] || usage
id=$1; shift
append= timeout=1800 results=
while [ $# -gt 0 ]; do
	case "$1" in
	--append) append=${2:?--append needs an argument}; shift 2 ;;
	--timeout) timeout=${2:?--timeout needs an argument}; shift 2 ;;
	--results) results=${2:?--results needs an argument}; shift 2 ;;
	--) shift; break ;;
	*) usage ;;
	esac
done
[ $# -ge 1 ] || usage
[ "$(id -u)" -eq 0 ] || die "must run as root (the command runs as root in the guest; qemu reads all of /)"
if [ -z "$results" ]; then
	results=$(mktemp -d /tmp/mcpwarden-boot.XXXXXX)
else
	mkdir -p "$results"
fi
results=$(cd "$results" && pwd)
rm -f "$results"/{stdout,stderr,rc,console.log,boot-seconds,job.sh}

if [ "$id" = host ]; then
	[ -z "$append" ] || die "--append needs a VM: the host's kernel command line is what it is"
	set +e
	MCPWARDEN_RESULTS=$results timeout -k 10 "$timeout" "$@" 2> "$results/stderr" | tee "$results/stdout"
	rc=${PIPESTATUS[0]}
	set -e
	echo "$rc" > "$results/rc"
	cat "$results/stderr" >&2
	exit "$rc"
fi

for d in "$PWD" "$here"; do
	case "$d/" in
	/tmp/*|/run/*|/var/tmp/*) die "$d: the guest mounts tmpfs over /tmp, /run and /var/tmp, so it would not see this directory; run from a checkout and directory elsewhere" ;;
	esac
done
tree=$("$here/fetch.sh" "$id") || exit 125
vmlinuz=$(find "$tree/boot" -name 'vmlinuz-*' | head -n 1)
[ -n "$vmlinuz" ] || die "$tree/boot: no vmlinuz-*"
initrd=$top/build/kernels/$id/initramfs.cpio.gz
if [ ! -f "$initrd" ] || [ -n "$(find "$here/init" "$here/initramfs.sh" "$tree/.unpacked" -newer "$initrd")" ]; then
	"$here/initramfs.sh" "$tree" "$initrd" || exit 125
fi

{
	echo "export MCPWARDEN_RESULTS=/run/mcpwarden-results"
	while IFS='=' read -r name _; do
		case "$name" in MCPWARDEN_*|CI) printf 'export %s=%q\n' "$name" "${!name}" ;; esac
	done < <(env)
	printf 'cd %q || exit 125\n' "$PWD"
	printf 'exec'; printf ' %q' "$@"; echo
} > "$results/job.sh"

qemu_pid= tail_pid=
cleanup() {
	[ -n "$qemu_pid" ] && kill "$qemu_pid" 2>/dev/null && wait "$qemu_pid" 2>/dev/null
	[ -n "$tail_pid" ] && kill "$tail_pid" 2>/dev/null && wait "$tail_pid" 2>/dev/null
	return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

touch "$results/stdout"
start=$(date +%s.%N)
# panic=-1 with -no-reboot: a guest that panics ends qemu instead of hanging until the timeout.
# -nic none: no network device, so no iPXE option ROM to wait for.
timeout -k 10 "$timeout" qemu-system-x86_64 -accel tcg -cpu max -m 2G -smp 2 -nographic -no-reboot -nic none \
	-kernel "$vmlinuz" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 loglevel=4 mcpwarden.guest=$here/guest.sh $append" \
	-fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap \
	-device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
	-fsdev local,id=results,path="$results",security_model=none,multidevs=remap \
	-device virtio-9p-pci,fsdev=results,mount_tag=results \
	< /dev/null > "$results/console.log" 2>&1 &
qemu_pid=$!
tail -n +1 -f --pid="$qemu_pid" "$results/stdout" &
tail_pid=$!
set +e
wait "$qemu_pid"
qrc=$?
set -e
qemu_pid=
wait "$tail_pid" 2>/dev/null || true
tail_pid=
end=$(date +%s.%N)

[ -f "$results/stderr" ] && cat "$results/stderr" >&2
echo "boot.sh: $id: qemu ran $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }') s; kernel to command $(cat "$results/boot-seconds" 2>/dev/null || echo '?') s (guest clock)" >&2
if [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
	echo "boot.sh: $id: timed out after $timeout s; qemu killed; console: $results/console.log" >&2
	exit 124
fi
if [ ! -f "$results/rc" ]; then
	echo "boot.sh: $id: the guest did not run the command (qemu exit $qrc); from its console ($results/console.log):" >&2
	# What init and guest.sh said (lines without the kernel's timestamp), and the kernel's panic or oops if any.
	grep -a -v '^\[ *[0-9]' "$results/console.log" | tail -n 10 >&2
	grep -a -E '^\[ *[0-9.]+\] (Kernel panic|Oops|BUG)' "$results/console.log" >&2
	exit 125
fi
exit "$(cat "$results/rc")"
