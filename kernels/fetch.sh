#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fetches one of Debian's kernels into the cache, without installing it,
# and prints its release.
#
# Usage: fetch.sh SUITE FLAVOUR [ARCH]   e.g. bullseye amd64,
#                    bookworm-backports rt-amd64, bookworm armmp armhf
#
# Packages come through a private apt configuration (apt.sh), from the
# archive the machine's own apt sources name; the machine's apt setup is
# never changed, and any user can fetch. The image and headers are unpacked
# with dpkg -x into
#   $COUNTER_CACHE/kernels/RELEASE/{image,headers}
# and the headers' hard-coded /usr/src paths are pointed into the cache.
# Another architecture's headers build with the machine's own (amd64)
# linux-kbuild of the same version and a cross compiler; its static
# busybox comes too, as $COUNTER_CACHE/kernels/RELEASE/busybox.
# For trixie and sid, whose kbuild and compilers need a newer C library
# than Debian 12's, the headers live in a minimal chroot of that suite,
# made with debootstrap (as root), instead:
#   $COUNTER_CACHE/kernels/RELEASE/chroot
# A second run downloads nothing.
set -euo pipefail

suite=${1:?usage: fetch.sh SUITE FLAVOUR}
flavour=${2:?usage: fetch.sh SUITE FLAVOUR}
arch=${3:-amd64}
. "$(dirname "$0")/../rig/lib.sh"
. "$(dirname "$0")/apt.sh"
cross=$(arch_get "$arch" CROSS)
log() { echo "fetch: $*" >&2; }

# linux-image-FLAVOUR is a metapackage naming the release's package.
release_of() {
	apt-cache "${apt_opts[@]}" depends "linux-image-$flavour:$arch" |
		sed -n 's/^ *Depends: linux-image-\([0-9][^ :]*\).*/\1/p' |
		sort -V | tail -n 1
}

# In sid the kernel itself is in linux-binary-*, which the image needs, at
# /usr/lib/modules/RELEASE/vmlinuz rather than /boot/vmlinuz-RELEASE.
unpack_image() {
	local dir=$1 release=$2 deb found
	for deb in "$dir"/debs/linux-image-*.deb "$dir"/debs/linux-binary-*.deb; do
		[ -f "$deb" ] && dpkg -x "$deb" "$dir/image"
	done
	# ppc64el and riscv64 boot the uncompressed vmlinux.
	found=$(find "$dir/image" -name "vmlinuz-$release" -o \
		-name "vmlinux-$release" -o \
		-path "*/modules/$release/vmlinuz" | head -n 1)
	[ -n "$found" ] || { log "no vmlinuz-$release in the image packages"; return 1; }
	mkdir -p "$dir/image/boot"
	[ -f "$dir/image/boot/vmlinuz-$release" ] ||
		ln -s "$found" "$dir/image/boot/vmlinuz-$release"
}

unpack_headers() {
	local dir=$1 release=$2 deb
	for deb in "$dir"/debs/linux-headers-*.deb "$dir"/debs/linux-kbuild-*.deb; do
		[ -f "$deb" ] && dpkg -x "$deb" "$dir/headers"
	done
	# The packages name /usr/src/... and /usr/lib/... absolutely.
	grep -rlsE '/usr/(src|lib)/linux-' "$dir/headers/usr/src"/*/Makefile |
		xargs -r sed -i -E "s#(^|[ \"=])/usr/(src|lib)/linux-#\1$dir/headers/usr/\2/linux-#g"
	find "$dir/headers" -type l -lname '/usr/*' | while read -r link; do
		ln -sfn "$dir/headers$(readlink "$link")" "$link"
	done
	[ -f "$dir/headers/usr/src/linux-headers-$release/Makefile" ]
}

# A minimal system of the suite with gcc, make and the headers, to build
# modules in. Another architecture's headers are unpacked into it, beside
# its own linux-kbuild and the cross compiler.
make_chroot() {
	local dir=$1 release=$2 root=$1/chroot deb kbuild
	[ -f "$root/usr/src/linux-headers-$release/Makefile" ] && return 0
	rm -rf "$root"
	log "debootstrap $suite into $root (a few minutes)"
	debootstrap --variant=minbase --keyring="$keyring" "$suite" "$root" "$apt_uri" >&2
	if [ "$arch" = amd64 ]; then
		log "installing gcc, make and linux-headers-$release in the chroot"
		chroot "$root" env DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -q --no-install-recommends \
			make "linux-headers-$release" >/dev/null
	else
		download "linux-headers-$release" "$dir/debs" "^linux-(headers|kbuild)-"
		# shellcheck disable=SC2012 # a Debian package's file name: no spaces or newlines
		kbuild=$(cd "$dir/debs" && ls linux-kbuild-*.deb | sed 's/_.*//')
		log "installing make, gcc-${cross%-} and $kbuild in the chroot"
		chroot "$root" env DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -q --no-install-recommends \
			make "gcc-${cross%-}" "$kbuild" >/dev/null
		for deb in "$dir"/debs/linux-headers-*.deb; do
			dpkg -x "$deb" "$root"
		done
	fi
	chroot "$root" apt-get clean
}

# The architecture's static busybox, for its initramfs.
fetch_busybox() {
	local dir=$1
	download busybox-static "$dir/debs" '^$'
	dpkg -x "$dir"/debs/busybox-static_*.deb "$dir/busybox-static"
	mv "$(find "$dir/busybox-static" -type f -path "*bin/busybox")" "$dir/busybox"
	rm -rf "$dir/busybox-static"
}

apt_use "$suite" "$arch"
release=$(release_of)
[ -n "$release" ] || { log "no linux-image-$flavour in $suite"; exit 1; }
dir=$COUNTER_CACHE/kernels/$release
if [ ! -f "$dir/.fetched" ]; then
	log "fetching $release from $suite"
	mkdir -p "$dir/debs"
	download "linux-image-$release" "$dir/debs" "^linux-binary-"
	[ -f "$dir/image/boot/vmlinuz-$release" ] || unpack_image "$dir" "$release"
	[ "$arch" = amd64 ] || fetch_busybox "$dir"
	if [ "$suite" = sid ] || [ "$suite" = trixie ]; then
		make_chroot "$dir" "$release"
		echo "chroot" >"$dir/build-in"
	else
		download "linux-headers-$release" "$dir/debs" "^linux-(headers|kbuild)-"
		unpack_headers "$dir" "$release"
		echo "host" >"$dir/build-in"
	fi
	rm -rf "$dir/debs"
	touch "$dir/.fetched"
fi
echo "$release"
