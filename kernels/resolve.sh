# SPDX-License-Identifier: GPL-2.0
# Sourced: resolves the guest kernel for KVER into
#   KVER     release, e.g. 6.1.0-56-amd64
#   KIMAGE   its vmlinuz
#   KBUILD   a headers tree to build modules against
#   KCHROOT  a chroot to run the module build in (KBUILD is inside it), or ""
# An empty KVER means the release Debian's linux-headers-amd64 points at,
# which is not necessarily the machine's own running kernel.

. "$(dirname "${BASH_SOURCE[0]}")/../tools/lib.sh"

default_kver() {
	dpkg-query -W -f='${Depends}' linux-headers-amd64 2>/dev/null |
		sed -n 's/^linux-headers-\([^ ,]*\).*/\1/p'
}

resolve_kernel() {
	KVER=${KVER:-$(default_kver)}
	if [ -z "$KVER" ]; then
		echo "resolve.sh: linux-headers-amd64 is not installed" >&2
		return 1
	fi
	local cached=$COUNTER_CACHE/kernels/$KVER
	KCHROOT=
	if [ -f "/boot/vmlinuz-$KVER" ] && [ -d "/usr/src/linux-headers-$KVER" ]; then
		KIMAGE=/boot/vmlinuz-$KVER
		KBUILD=/usr/src/linux-headers-$KVER
	elif [ -f "$cached/.fetched" ]; then
		KIMAGE=$cached/image/boot/vmlinuz-$KVER
		if [ "$(cat "$cached/build-in")" = chroot ]; then
			KCHROOT=$cached/chroot
			KBUILD=/usr/src/linux-headers-$KVER
		else
			KBUILD=$cached/headers/usr/src/linux-headers-$KVER
			# Their Makefile names the gcc they were built with
			# (gcc-10 for 5.10); Debian 12's own gcc builds them.
			KCC=${KCC:-gcc}
		fi
	else
		echo "resolve.sh: no kernel $KVER in /boot or $cached" >&2
		return 1
	fi
}
