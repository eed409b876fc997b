#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Builds the debug kernel from Debian's kernel source: tinyconfig plus
# the fragments in configs/. Cached by source version and fragments;
# prints the build directory (bzImage in arch/x86/boot, and a tree to build
# modules against).
# Usage: debug-build.sh [debug|kcsan]   kcsan: the race detector's kernel,
#   with kcsan.config in place of debug.config (KCSAN excludes KASAN).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../rig/lib.sh"
flavour=${1:-debug}
case $flavour in
debug | kcsan) ;;
*) echo "usage: debug-build.sh [debug|kcsan]" >&2; exit 2 ;;
esac
src=$("$here/linux-source.sh")
fragments=("$here"/configs/{qemu,$flavour,modsign}.config)
key=$(cat "${fragments[@]}" | sha256sum | cut -c1-12)
out=$COUNTER_CACHE/$flavour-kernel/${src##*/linux-source-}-$key

if [ -f "$out/.built" ]; then
	echo "$out"
	exit 0
fi

echo "$flavour kernel: configuring $out" >&2
rm -rf "$out"
mkdir -p "$out"
# The kernel's own ARCH, whatever Debian name the caller exported.
kmake() { make -s -C "$src" O="$out" ARCH=x86 "$@"; }
kmake tinyconfig >/dev/null
"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" \
	"${fragments[@]}" >/dev/null
kmake olddefconfig >/dev/null

# Kconfig drops what it cannot satisfy without a word: say which. An
# option is judged by the last fragment that sets it, as merge_config.sh
# takes it.
dropped=0
declare -A last=()
while read -r line; do
	case $line in
	CONFIG_*=*) opt=${line%%=*} ;;
	"# CONFIG_"*" is not set") opt=${line#\# } opt=${opt%% *} ;;
	*) continue ;;
	esac
	last[$opt]=$line
done < <(cat "${fragments[@]}")
for opt in "${!last[@]}"; do
	line=${last[$opt]}
	case $line in
	CONFIG_*=*) grep -qxF "$line" "$out/.config" && continue ;;
	*) ! grep -q "^$opt=" "$out/.config" && continue ;;
	esac
	echo "$flavour kernel: $line was dropped by Kconfig" >&2
	dropped=1
done
[ "$dropped" -eq 0 ] || exit 1

echo "$flavour kernel: building (several minutes on 2 cores)" >&2
kmake -j"$(nproc)" bzImage modules >&2
touch "$out/.built"
echo "$out"
