# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced: resolves the guest kernel for KVER and ARCH into
#   KVER     release, e.g. 6.1.0-56-amd64
#   KIMAGE   its vmlinuz
#   KBUILD   a headers tree to build modules against
#   KCHROOT  a chroot to run the module build in (KBUILD is inside it), or ""
#   KMODULES the image's own modules
#   KBUSYBOX a static busybox of the guest's architecture
# An empty KVER means the release of the architecture's record in
# kernels/arch/ (amd64: Debian 12's 6.1, from bookworm), fetched into the
# cache on first use: never a kernel installed on the machine, and the same
# whatever Debian release the machine runs.

. "$(dirname "${BASH_SOURCE[0]}")/../rig/lib.sh"

# shellcheck disable=SC2034 # the K* variables are for the scripts that source this
resolve_kernel() {
	local arch=${GUEST_ARCH:-amd64} cached
	if [ -z "${KVER:-}" ]; then
		KVER=$("$COUNTER_TOP/kernels/fetch.sh" "$(arch_get "$arch" DEBIAN_SUITE)" \
			"$(arch_get "$arch" FLAVOUR)" "$arch") || return 1
	fi
	cached=$COUNTER_CACHE/kernels/$KVER
	if [ ! -f "$cached/.fetched" ]; then
		echo "resolve.sh: no kernel $KVER in $COUNTER_CACHE/kernels" >&2
		return 1
	fi
	KCHROOT=
	KBUSYBOX=/bin/busybox
	KIMAGE=$cached/image/boot/vmlinuz-$KVER
	KMODULES=$(find "$cached/image" -maxdepth 4 -type d \
		-path "*/modules/$KVER" | head -n 1)
	[ -f "$cached/busybox" ] && KBUSYBOX=$cached/busybox
	if [ "$(cat "$cached/build-in")" = chroot ]; then
		KCHROOT=$cached/chroot
		KBUILD=/usr/src/linux-headers-$KVER
	else
		KBUILD=$cached/headers/usr/src/linux-headers-$KVER
		# Their Makefile names the gcc they were built with (gcc-10
		# for 5.10, gcc-12 for 6.1); the machine's own gcc builds
		# them. Another architecture's headers name its cross gcc.
		if [ "$arch" = amd64 ]; then
			KCC=${KCC:-gcc}
		fi
	fi
}
