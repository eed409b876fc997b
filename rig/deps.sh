#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Installs the Debian packages a target needs, when any is missing: the
# only step that needs root. As another user it prints the apt-get line.
# Usage: deps.sh TARGET   (check, demo, mutants, verdict, matrix, debug,
#                          grade, bench, deb, lint, install, user)
# No kernel is among them: guest kernels, their headers and the kernel
# source are fetched into the cache. A guest of another architecture
# (GUEST_ARCH, a record in kernels/arch/) needs its QEMU, cross compiler and C
# library; the matrix needs every one's.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

pkgs=(gcc make libc6-dev kmod debian-archive-keyring qemu-system-x86
      busybox-static cpio)
# The packages that build for and boot a guest of architecture $1.
arch_pkgs() {
	local cross
	cross=$(arch_get "$1" CROSS)
	arch_get "$1" QEMU_PACKAGE
	[ "$1" = amd64 ] && return
	echo "gcc-${cross%-}" "libc6-dev-$1-cross"
	# trixie's and sid's kernels build in a chroot of their suite.
	case $(arch_get "$1" DEBIAN_SUITE) in trixie|sid) echo debootstrap ;; esac
}

arch_get "${GUEST_ARCH:-amd64}" LINUX_ARCH >/dev/null || {
	echo "deps.sh: no architecture ${GUEST_ARCH:-} in kernels/arch/" >&2
	exit 2
}
# shellcheck disable=SC2207 # package names are single words: split on purpose
pkgs+=($(arch_pkgs "${GUEST_ARCH:-amd64}"))
# shellcheck disable=SC2207 # package names are single words: split on purpose
case "${1:-check}" in
check|demo) ;;
# One mutant runs on the debug kernel, which it builds when not cached.
mutants) pkgs+=(patch $(arch_pkgs i386) xz-utils bc bison flex libelf-dev libssl-dev openssl) ;;
verdict) pkgs+=(perl) ;;
bench) pkgs+=(gnuplot-nox) ;;
matrix)
	pkgs+=(debootstrap xz-utils dwarves)
	for a in $(arch_names); do
		pkgs+=($(arch_pkgs "$a"))
	done ;;
debug) pkgs+=(xz-utils bc bison flex libelf-dev libssl-dev openssl) ;;
# The memory-safety section's debug kernel; the zip and its checks.
grade) pkgs+=(xz-utils bc bison flex libelf-dev libssl-dev openssl zip unzip jq
	      libxml2-utils) ;;
lint) pkgs+=(git xz-utils sparse clang-format cppcheck groff dpkg-dev patch
	    shellcheck) ;;
deb) pkgs+=(git dpkg-dev debhelper dh-dkms dkms groff man-db fakeroot) ;;
# 6.12's module build makes BTF with pahole; its modules_install, xz.
install) pkgs+=(dwarves xz-utils) ;;
user) pkgs+=(debootstrap) ;;
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
