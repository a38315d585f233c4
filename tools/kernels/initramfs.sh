#!/usr/bin/env bash
# Builds a busybox-static initramfs for an unpacked Debian kernel: busybox, the virtio and 9p modules, tools/kernels/init.
#   tools/kernels/initramfs.sh KERNEL_TREE OUT.cpio.gz    (KERNEL_TREE: what fetch.sh printed)
# Modules the kernel has built in are simply absent from the package; .ko.xz ones are decompressed, since
# busybox's insmod loads plain .ko files. busybox depmod writes modules.dep, so init's modprobe loads each
# module after what it needs (on 6.12, 9pnet needs netfs).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tree=${1:?usage: initramfs.sh KERNEL_TREE OUT.cpio.gz}
out=${2:?usage: initramfs.sh KERNEL_TREE OUT.cpio.gz}
MODULES=(virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci netfs fscache 9pnet 9pnet_virtio 9p)

die() { echo "initramfs.sh: $*" >&2; exit 1; }
busybox=$(command -v busybox) || die "busybox not found (apt-get install busybox-static)"
file -L "$busybox" | grep -q 'statically linked' || die "$busybox is not statically linked (apt-get install busybox-static)"

moddir=
for d in "$tree"/lib/modules/* "$tree"/usr/lib/modules/*; do
	[ -d "$d" ] && moddir=$d && break
done
[ -n "$moddir" ] || die "$tree: no lib/modules/VERSION or usr/lib/modules/VERSION"
ver=$(basename "$moddir")

stage=$(mktemp -d /tmp/mcpwarden-initramfs.XXXXXX)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,dev,proc,sys,newroot,lib/modules/"$ver"}
cp "$busybox" "$stage/bin/busybox"
ln -s busybox "$stage/bin/sh"
# The kernel opens /dev/console for init's stdio before init runs, so it must be in the archive.
mknod -m 0600 "$stage/dev/console" c 5 1
install -m 0755 "$here/init" "$stage/init"

found=()
for m in "${MODULES[@]}"; do
	f=$(find "$moddir/kernel" -name "$m.ko" -o -name "$m.ko.xz" | head -n 1)
	[ -n "$f" ] || continue	# built in
	rel=${f#"$moddir/"}
	mkdir -p "$stage/lib/modules/$ver/$(dirname "$rel")"
	case "$f" in
	*.xz) xz -dc "$f" > "$stage/lib/modules/$ver/${rel%.xz}" || die "xz -dc $f: failed" ;;
	*) cp "$f" "$stage/lib/modules/$ver/$rel" ;;
	esac
	found+=("$m")
done
"$busybox" depmod -b "$stage" "$ver" || die "busybox depmod -b $stage $ver: failed"
echo "${found[*]}" > "$stage/modules"

mkdir -p "$(dirname "$out")"
(cd "$stage" && find . | "$busybox" cpio -o -H newc 2>/dev/null | gzip -1) > "$out.tmp" ||
	die "busybox cpio -H newc ($stage): failed"
mv "$out.tmp" "$out"
echo "initramfs.sh: $out: kernel $ver, modules: ${found[*]:-none (all built in)}" >&2
