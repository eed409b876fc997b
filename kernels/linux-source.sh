#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Prints the directory of Debian's kernel source (LINUX_SOURCE_PKG from
# LINUX_SOURCE_SUITE, in rig/lib.sh) unpacked in the cache, for
# checkpatch.pl and the debug kernel. On first use its package is
# downloaded, as fetch.sh downloads kernels, and unpacked there: nothing is
# installed, and no root is needed.
set -euo pipefail

here=$(dirname "$0")
. "$here/../rig/lib.sh"
. "$here/apt.sh"
apt_use "$LINUX_SOURCE_SUITE"
version=$(apt-cache "${apt_opts[@]}" show --no-all-versions "$LINUX_SOURCE_PKG" |
	sed -n 's/^Version: //p')
[ -n "$version" ] || {
	echo "linux-source.sh: no $LINUX_SOURCE_PKG in $LINUX_SOURCE_SUITE" >&2
	exit 1
}
src=$COUNTER_CACHE/linux-source-$version

if [ ! -f "$src/Makefile" ]; then
	echo "linux-source: fetching $LINUX_SOURCE_PKG $version into $src" >&2
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp/debs" "$src.tmp/tree"
	download "$LINUX_SOURCE_PKG" "$src.tmp/debs"
	dpkg -x "$src.tmp/debs/${LINUX_SOURCE_PKG}_"*.deb "$src.tmp/pkg"
	tar -xf "$src.tmp/pkg/usr/src/$LINUX_SOURCE_PKG.tar.xz" -C "$src.tmp/tree" \
		--strip-components=1
	mv "$src.tmp/tree" "$src"
	rm -rf "$src.tmp"
fi
echo "$src"
