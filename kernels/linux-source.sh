#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Prints the directory of Debian's kernel source unpacked in the cache
# (checkpatch.pl, the debug kernel), unpacking it on first use.
set -euo pipefail

. "$(dirname "$0")/../tools/lib.sh"
tarball=/usr/src/$LINUX_SOURCE_PKG.tar.xz
src=$COUNTER_CACHE/linux-source-$(linux_source_version)

if [ ! -f "$src/Makefile" ]; then
	echo "unpacking $tarball into $src" >&2
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	tar -xf "$tarball" -C "$src.tmp" --strip-components=1
	mv "$src.tmp" "$src"
fi
echo "$src"
