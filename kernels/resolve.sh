# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced: resolves the guest kernel for KVER and ARCH into
#   KVER     release, e.g. 6.1.0-56-amd64
#   KIMAGE   its vmlinuz
#   KBUILD   a headers tree to build modules against
#   KCHROOT  a chroot to run the module build in (KBUILD is inside it), or ""
#   KMODULES the image's own modules, or "" for the machine's
#   KBUSYBOX a static busybox of the guest's architecture
# An empty KVER means the release Debian's linux-headers-amd64 points at,
# which is not necessarily the machine's own running kernel; for another
# ARCH (Debian's name: arm64, armhf, ...) it means the release its row in
# kernels/arches names, fetched on first use.

. "$(dirname "${BASH_SOURCE[0]}")/../tools/lib.sh"

default_kver() {
	dpkg-query -W -f='${Depends}' linux-headers-amd64 2>/dev/null |
		sed -n 's/^linux-headers-\([^ ,]*\).*/\1/p'
}

# shellcheck disable=SC2034 # the K* variables are for the scripts that source this
resolve_kernel() {
	local arch=${ARCH:-amd64}
	if [ -z "${KVER:-}" ] && [ "$arch" != amd64 ]; then
		KVER=$("$COUNTER_TOP/kernels/fetch.sh" "$(arch_field "$arch" 4)" \
			"$(arch_field "$arch" 5)" "$arch") || return 1
	fi
	KVER=${KVER:-$(default_kver)}
	if [ -z "$KVER" ]; then
		echo "resolve.sh: linux-headers-amd64 is not installed" >&2
		return 1
	fi
	local cached=$COUNTER_CACHE/kernels/$KVER
	KCHROOT=
	KMODULES=
	KBUSYBOX=/bin/busybox
	if [ -f "/boot/vmlinuz-$KVER" ] && [ -d "/usr/src/linux-headers-$KVER" ]; then
		KIMAGE=/boot/vmlinuz-$KVER
		KBUILD=/usr/src/linux-headers-$KVER
	elif [ -f "$cached/.fetched" ]; then
		KIMAGE=$cached/image/boot/vmlinuz-$KVER
		KMODULES=$(find "$cached/image" -maxdepth 4 -type d \
			-path "*/modules/$KVER" | head -n 1)
		[ -f "$cached/busybox" ] && KBUSYBOX=$cached/busybox
		if [ "$(cat "$cached/build-in")" = chroot ]; then
			KCHROOT=$cached/chroot
			KBUILD=/usr/src/linux-headers-$KVER
		else
			KBUILD=$cached/headers/usr/src/linux-headers-$KVER
			# Their Makefile names the gcc they were built with
			# (gcc-10 for 5.10); Debian 12's own gcc builds them.
			# Another architecture's headers name its cross gcc-12.
			if [ "$arch" = amd64 ]; then
				KCC=${KCC:-gcc}
			fi
		fi
	else
		echo "resolve.sh: no kernel $KVER in /boot or $cached" >&2
		return 1
	fi
}
