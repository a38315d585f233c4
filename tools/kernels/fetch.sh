#!/usr/bin/env bash
# Fetches a Debian kernel package into the cache and unpacks it there (never into /boot); prints its directory.
#   tools/kernels/fetch.sh deb12|deb13
# deb12: bookworm's newest linux-image-6.1.0-*-amd64-unsigned, through the host's apt.
# deb13: trixie's newest linux-image-6.12.*-amd64-unsigned, through a private apt configuration
#        (its own sources, lists and cache under the cache dir); the host's apt is left as it is.
# Prints the unpacked tree's path on stdout; it holds boot/vmlinuz-* and (usr/)lib/modules/VERSION.
set -euo pipefail
CACHE=${MCPWARDEN_KERNEL_CACHE:-/var/cache/mcpwarden-kernels}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
id=${1:?usage: fetch.sh deb12|deb13}

die() { echo "fetch.sh: $*" >&2; exit 1; }

apt_opts=()
case "$id" in
deb12)
	pattern='^linux-image-6\.1\.0-[0-9]+-amd64-unsigned$'
	lists="the host's apt lists (apt-get update refreshes them)"
	;;
deb13)
	pattern='^linux-image-6\.12\.[0-9]+\+deb13-amd64-unsigned$'
	apt=$CACHE/apt-trixie
	lists="the private lists under $apt"
	mkdir -p "$apt/lists/partial" "$apt/archives/partial" "$apt/etc/sources.list.d" "$apt/etc/preferences.d"
	echo "deb [signed-by=$KEYRING] http://deb.debian.org/debian trixie main" > "$apt/etc/sources.list"
	apt_opts=(-o "Dir::Etc::sourcelist=$apt/etc/sources.list" -o "Dir::Etc::sourceparts=$apt/etc/sources.list.d"
		-o "Dir::Etc::preferences=$apt/etc/preferences" -o "Dir::Etc::preferencesparts=$apt/etc/preferences.d" -o "Dir::State=$apt" -o "Dir::State::lists=$apt/lists"
		-o "Dir::State::status=$apt/status" -o "Dir::Cache=$apt" -o "Dir::Cache::archives=$apt/archives"
		-o "APT::Get::List-Cleanup=0")
	touch "$apt/status"
	# The lists are refreshed once a day at most (a stamp: apt dates list files by the server's clock).
	if [ -z "$(find "$apt/updated" -mmin -1440 2>/dev/null)" ]; then
		apt-get "${apt_opts[@]}" update -qq >&2 || die "apt-get update (trixie, private lists under $apt): failed"
		touch "$apt/updated"
	fi
	;;
*) die "unknown kernel id '$id' (known: deb12, deb13)" ;;
esac

pkg=$(apt-cache "${apt_opts[@]}" search --names-only "$pattern" | awk '{ print $1 }' | sort -V | tail -n 1)
[ -n "$pkg" ] || die "apt-cache search '$pattern' ($id): no package found, in $lists"
ver=$(apt-cache "${apt_opts[@]}" show --no-all-versions "$pkg" | awk '/^Version:/ { print $2; exit }')
[ -n "$ver" ] || die "apt-cache show $pkg: no Version field"
dir=$CACHE/$id/${pkg}_$ver
if [ ! -f "$dir/.unpacked" ]; then
	mkdir -p "$CACHE/$id/debs"
	deb=$(find "$CACHE/$id/debs" -maxdepth 1 -name "${pkg}_${ver//:/%3a}_*.deb" | head -n 1)
	if [ -z "$deb" ]; then
		echo "fetch.sh: downloading $pkg $ver ($id)" >&2
		# The cache dir is root's: apt's _apt sandbox user could not write to it.
		(cd "$CACHE/$id/debs" && apt-get "${apt_opts[@]}" -o APT::Sandbox::User=root download -q "$pkg=$ver" >&2) ||
			die "apt-get download $pkg=$ver: failed"
		deb=$(find "$CACHE/$id/debs" -maxdepth 1 -name "${pkg}_${ver//:/%3a}_*.deb" | head -n 1)
		[ -n "$deb" ] || die "apt-get download $pkg=$ver: no .deb in $CACHE/$id/debs"
	fi
	rm -rf "$dir"
	dpkg -x "$deb" "$dir" || die "dpkg -x $deb $dir: failed"
	touch "$dir/.unpacked"
fi
echo "$dir"
