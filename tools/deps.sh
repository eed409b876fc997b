#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Installs the Debian packages a target needs, when any is missing.
# Usage: deps.sh TARGET   (check, mutants, verdict, matrix, debug, bench,
#                          deb, lint)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

pkgs=(gcc make libc6-dev kmod linux-headers-amd64 linux-image-amd64
      qemu-system-x86 busybox-static cpio)
case "${1:-check}" in
check|demo) ;;
mutants) pkgs+=(patch) ;;
verdict) pkgs+=(perl) ;;
bench) pkgs+=(gnuplot-nox) ;;
matrix) pkgs+=(debootstrap xz-utils dwarves) ;;
debug) pkgs+=("$LINUX_SOURCE_PKG" xz-utils bc bison flex libelf-dev libssl-dev openssl) ;;
lint) pkgs+=("$LINUX_SOURCE_PKG" xz-utils sparse clang-format cppcheck groff dpkg-dev
	    patch) ;;
deb) pkgs+=(dpkg-dev debhelper dh-dkms dkms groff man-db fakeroot) ;;
*) echo "deps.sh: unknown target $1" >&2; exit 2 ;;
esac

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

line="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "Missing packages. As root, run:" >&2
	echo "  apt-get update && $line" >&2
	exit 1
fi
echo "Installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
$line -q >/dev/null
