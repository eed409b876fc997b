#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Prints the directory of Debian's linux-source-6.1 unpacked in the cache
# (checkpatch.pl, the debug kernel), unpacking it on first use.
set -euo pipefail

cache=${COUNTER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/counter}
tarball=/usr/src/linux-source-6.1.tar.xz
version=$(dpkg-query -W -f='${Version}' linux-source-6.1)
src=$cache/linux-source-$version

if [ ! -f "$src/Makefile" ]; then
	echo "unpacking $tarball into $src" >&2
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	tar -xf "$tarball" -C "$src.tmp" --strip-components=1
	mv "$src.tmp" "$src"
fi
echo "$src"
