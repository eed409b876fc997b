#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The module's own build and install, as on a real machine without DKMS,
# one TAP line each, then "N passed, N failed". For a kernel from before
# Linux 6.3 (Debian 12's 6.1: Kbuild installs into extra/) and one from
# after (bookworm-backports' 6.12: into updates/, compressed with xz), from
# their headers in the cache: make builds counter.ko, make install puts it
# into a staging tree (INSTALL_MOD_PATH) for that kernel's release and
# depmod indexes it there, make uninstall takes it away again. Then what
# make says with no kernel build tree, and what it passes Kbuild for
# ARCH. As any user: nothing is written outside build/ and the cache.
set -uo pipefail
. "$(dirname "$0")/../rig/lib.sh"

# The makes below start as from a shell, not with the test target's GUEST_ARCH;
# kmod's tools are in sbin, which a user's PATH may lack.
unset ARCH GUEST_ARCH MAKEFLAGS
PATH=$PATH:/usr/sbin:/sbin
# suite, flavour, the directory Kbuild installs external modules into
kernels=("bookworm amd64 extra" "bookworm-backports amd64 updates")
scratch=$COUNTER_BUILD/install
before=$(kernel_state)

# make in the copy of the module's sources for one kernel.
kmake() {
	make -C "$src" --no-print-directory KDIR="$kdir" CC=gcc "$@"
}

# Where the staged counter.ko* are, relative to the stage.
staged() {
	(cd "$stage" && find . -name 'counter.ko*' | sed 's#^\./##')
}

built_for_release() {
	kmake >"$log" 2>&1 || { tail -n 20 "$log"; return 1; }
	echo "vermagic: $(modinfo -F vermagic "$src/counter.ko")"
	[ "$(modinfo -F vermagic "$src/counter.ko" | cut -d' ' -f1)" = "$release" ]
}

# installs_into DIR [MAKE ARGUMENTS]: make install puts counter.ko (or
# counter.ko.xz) into lib/modules/RELEASE/DIR of the stage, and depmod
# has indexed it there for RELEASE.
installs_into() {
	local dir=$1 found
	shift
	kmake install INSTALL_MOD_PATH="$stage" "$@" >"$log" 2>&1 ||
		{ tail -n 20 "$log"; return 1; }
	found=$(staged)
	echo "installed: $found"
	[[ $found =~ ^lib/modules/"$release/$dir"/counter\.ko(\.xz)?$ ]] &&
		modprobe -d "$stage" -S "$release" --show-depends counter |
		grep -F "$stage/$found"
}

# uninstalls [MAKE ARGUMENTS]: make uninstall leaves no counter.ko*, no
# directory it emptied, and depmod's index no longer names the module.
uninstalls() {
	local left
	kmake uninstall INSTALL_MOD_PATH="$stage" "$@" >"$log" 2>&1 ||
		{ tail -n 20 "$log"; return 1; }
	left=$(staged; cd "$stage/lib/modules/$release" &&
		find . -mindepth 1 -type d -empty)
	[ -z "$left" ] || { echo "left: $left"; return 1; }
	if modprobe -d "$stage" -S "$release" --show-depends counter 2>/dev/null; then
		echo "depmod still indexes counter"
		return 1
	fi
}

# make with a KDIR that holds no kernel: an error that names it.
stops_without_a_tree() {
	local out
	out=$(make -C "$COUNTER_TOP" --no-print-directory KDIR="$scratch/none" 2>&1) &&
		return 1
	echo "$out" && grep -q "KDIR=$scratch/none is no kernel build tree" <<<"$out"
}

# make for the running kernel, when its headers are missing: an error
# that says what to install.
stops_without_headers() {
	local out
	out=$(make -C "$COUNTER_TOP" --no-print-directory 2>&1) && return 1
	echo "$out" &&
		grep -q "install them (apt-get install linux-headers-$(uname -r))" <<<"$out"
}

# What the module build passes Kbuild for ARCH: a tree whose Makefile
# prints it stands in for the kernel's.
kbuild_arch() {
	mkdir -p "$scratch/echo"
	# shellcheck disable=SC2016 # make expands them, in the Makefile written
	printf 'modules:\n\t@echo ARCH=$(ARCH) CROSS_COMPILE=$(CROSS_COMPILE)\n' \
		>"$scratch/echo/Makefile"
	make -s -C "$COUNTER_TOP" --no-print-directory KDIR="$scratch/echo" "$@" 2>&1
}

# The module's own files, as the package ships them, without the rig.
no_rig_targets() {
	local out
	out=$(make -C "$src" --no-print-directory check 2>&1) && return 1
	echo "$out"
	grep -q "No rule to make target 'check'" <<<"$out" &&
		! make -C "$src" --no-print-directory help | grep -q 'make check'
}

passes_arch() {
	local want=$1 got
	shift
	got=$(kbuild_arch "$@")
	echo "$*: $got"
	[ "$got" = "$want" ]
}

ktap_print_header
ktap_set_plan $((${#kernels[@]} * 5 + 7))
rm -rf "$scratch"
mkdir -p "$scratch"
for k in "${kernels[@]}"; do
	read -r suite flavour dir <<<"$k"
	release=$("$COUNTER_TOP/kernels/fetch.sh" "$suite" "$flavour") || release=
	kdir=$COUNTER_CACHE/kernels/$release/headers/usr/src/linux-headers-$release
	src=$scratch/$release/src
	stage=$scratch/$release/stage
	log=$scratch/$release/make.log
	mkdir -p "$src" "$stage"
	cp "$COUNTER_TOP"/{counter.c,Kbuild,Makefile,dkms.conf} "$src/"
	ktap_check "make builds counter.ko for ${release:-a kernel of $suite}" built_for_release
	ktap_check "make install puts it into $dir/ for $release" installs_into "$dir"
	ktap_check "make uninstall takes it out of $dir/ again" uninstalls
	ktap_check "make install INSTALL_MOD_DIR=misc puts it into misc/" \
		installs_into misc INSTALL_MOD_DIR=misc
	ktap_check "make uninstall INSTALL_MOD_DIR=misc takes it out again" \
		uninstalls INSTALL_MOD_DIR=misc
done

ktap_check "make with KDIR naming no kernel stops, naming it" stops_without_a_tree
if [ -e "/lib/modules/$(uname -r)/build/Makefile" ]; then
	ktap_skip "make without the running kernel's headers says what to install" \
		"this machine has them"
else
	ktap_check "make without the running kernel's headers says what to install" \
		stops_without_headers
fi
ktap_check "make ARCH=arm CROSS_COMPILE=arm-linux-gnueabihf- passes both to Kbuild" \
	passes_arch "ARCH=arm CROSS_COMPILE=arm-linux-gnueabihf-" ARCH=arm \
	CROSS_COMPILE=arm-linux-gnueabihf-
ktap_check "make ARCH=x86_64 passes Kbuild's own name through" \
	passes_arch "ARCH=x86_64 CROSS_COMPILE=" ARCH=x86_64
ktap_check "make with CROSS_COMPILE keeps it" \
	passes_arch "ARCH=arm64 CROSS_COMPILE=my-" ARCH=arm64 CROSS_COMPILE=my-
ktap_check "the packaged files' Makefile has no test target: the rig is not there" \
	no_rig_targets
ktap_check "nothing changed in /boot, /lib/modules or the kernel packages" \
	diff <(echo "$before") <(kernel_state)
ktap_finished
