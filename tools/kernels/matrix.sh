#!/usr/bin/env bash
# Runs the kernel matrix (make test-kernels): tests/kernels/smoke.sh on each kernel row, a build of the BPF
# objects against each guest kernel's BTF, then a table (kernel x feature -> mechanism, pass/fail), printed and
# written to build/kernels/matrix.md.
#   tools/kernels/matrix.sh [ROW...]     (default: every row; as root; after `make all`)
# Rows: host (this machine's kernel, no VM), deb12 (Debian 12's 6.1, stock: BPF LSM active), deb12-signal
# (the same with bpf left out of lsm=, so exec denies fall back to signals), deb13 (Debian 13's 6.12).
# MCPWARDEN_KERNELS_SLOW (default 10) is MCPWARDEN_SLOW in the guests; MCPWARDEN_KERNELS_TIMEOUT (default 3600)
# bounds each guest row in seconds. Exits 0 when every row passed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cd "$top"
out=build/kernels
slow=${MCPWARDEN_KERNELS_SLOW:-10}
limit=${MCPWARDEN_KERNELS_TIMEOUT:-3600}
declare -A KERNEL=([host]=host [deb12]=deb12 [deb12-signal]=deb12 [deb13]=deb13)
declare -A APPEND=([deb12-signal]="lsm=lockdown,capability,landlock,yama,apparmor,tomoyo")
ALL=(host deb12 deb12-signal deb13)

rows=("$@")
[ ${#rows[@]} -gt 0 ] || rows=("${ALL[@]}")
for r in "${rows[@]}"; do
	[ -n "${KERNEL[$r]:-}" ] || { echo "matrix.sh: unknown row '$r' (known: ${ALL[*]})" >&2; exit 2; }
done
[ -x build/mcpwarden ] || { echo "matrix.sh: build/mcpwarden: not built (make all)" >&2; exit 2; }

failed=0
args=()
for r in "${rows[@]}"; do
	res=$out/results/$r
	rm -rf "$res"
	mkdir -p "$res"
	id=${KERNEL[$r]}
	boot=(tools/kernels/boot.sh "$id" --results "$res" --timeout "$limit")
	[ -n "${APPEND[$r]:-}" ] && boot+=(--append "${APPEND[$r]}")
	f=$slow
	[ "$id" = host ] && f=1
	echo "== $r: $id${APPEND[$r]:+ (${APPEND[$r]})}, MCPWARDEN_SLOW=$f"
	start=$(date +%s)
	MCPWARDEN_SLOW=$f "${boot[@]}" -- bash tests/kernels/smoke.sh 2> >(tee "$res/boot.log" >&2)
	rc=$?
	echo "== $r: exit $rc after $(($(date +%s) - start)) s"
	[ $rc -eq 0 ] || failed=1
	# The BPF objects, compiled against the guest kernel's BTF: the build a user of that kernel makes.
	if [ "$id" = host ]; then
		echo "PASS (make all)" > "$res/btf-build"
	elif [ -s "$res/vmlinux.h" ]; then
		b=$out/k-$id
		mkdir -p "$b"
		cp "$res/vmlinux.h" "$b/vmlinux.h"
		if make -s BUILD="$b" $(ls bpf/*.bpf.c | sed "s|^bpf/\(.*\)\.c$|$b/\1.o|") > "$res/btf-build.log" 2>&1; then
			echo PASS > "$res/btf-build"
		else
			echo FAIL > "$res/btf-build"; failed=1
			sed 's/^/    /' "$res/btf-build.log" | tail -n 20
		fi
	fi
	args+=("$r=$res")
done

{
	echo "Kernel matrix, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'), on $(uname -r) ($(nproc) cores, qemu TCG for the guests, MCPWARDEN_SLOW=$slow there)."
	echo
	python3 "$here/table.py" "${args[@]}"
} > "$out/matrix.md"
echo
cat "$out/matrix.md"
exit $failed
