#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Gradescope runs this once, as root, in /autograder/source (the zip
# unpacked), to make the image every submission is graded in: the
# packages the grader needs, and the guest's programs and helper modules
# built against the kernel the zip carries (cache/, KVER). Ubuntu's glibc
# must be 2.36 or newer (Ubuntu 24.04): the kernel headers' tools are
# Debian 12's.
set -euo pipefail
cd "$(dirname "$0")"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends gcc make libc6-dev kmod \
	qemu-system-x86 busybox-static cpio util-linux jq libxml2-utils \
	libelf-dev ca-certificates
glibc=$(ldd --version | sed -n '1s/.* //p')
if [ "$(printf '%s\n' 2.36 "$glibc" | sort -V | head -n 1)" != 2.36 ]; then
	echo "setup.sh: glibc $glibc: the kernel headers' tools need 2.36 or newer" \
		"(choose Ubuntu 24.04 as the autograder's base image)" >&2
	exit 1
fi
kver=$(cat KVER)
# The headers' Makefile includes the common headers by the path of the
# cache they were fetched into: here, from now on.
sed -i "s|^include .*/\(linux-headers-[^/]*-common/Makefile\)\$|include $PWD/cache/kernels/$kver/headers/usr/src/\1|" \
	"cache/kernels/$kver/headers/usr/src/linux-headers-$kver/Makefile"
COUNTER_CACHE=$PWD/cache KVER=$kver GUEST_ARCH=amd64 run/boot.sh build check
