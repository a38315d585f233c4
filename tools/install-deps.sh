#!/usr/bin/env bash
# Installs every build and test dependency of mcpwarden: Debian packages, then pinned npm packages.
#   tools/install-deps.sh [fresh-check] [kernels]
#   (fresh-check: also what tools/fresh-check.sh needs; kernels: what tools/kernels/ needs, make test-kernels)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

debs=(
	build-essential pkg-config clang llvm libclang-rt-14-dev
	libbpf-dev libelf-dev zlib1g-dev bpftool
	libcjson-dev libyaml-dev libssl-dev libcmocka-dev libseccomp-dev libcap-dev
	python3 python-is-python3 nodejs npm iproute2 procps strace
	rsyslog
)
for group in "$@"; do
	case "$group" in
	fresh-check) debs+=(debootstrap util-linux git) ;;
	kernels) debs+=(qemu-system-x86 busybox-static xz-utils file) ;;
	*) echo "install-deps.sh: unknown group '$group' (known: fresh-check, kernels)" >&2; exit 2 ;;
	esac
done

missing=()
for p in "${debs[@]}"; do
	dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
# npm may come with nodejs from another source; skip the Debian one then.
if command -v npm >/dev/null 2>&1; then
	filtered=()
	for p in "${missing[@]}"; do [ "$p" = npm ] || filtered+=("$p"); done
	missing=("${filtered[@]+"${filtered[@]}"}")
fi
if [ "${#missing[@]}" -gt 0 ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# npm packages for the end-to-end tests, pinned in tests/e2e/package.json.
cd "$here/tests/e2e"
if [ ! -d node_modules ] || [ package.json -nt node_modules ]; then
	npm install --no-audit --no-fund --loglevel=error
	touch node_modules
fi
