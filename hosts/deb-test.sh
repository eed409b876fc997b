#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Installs the counter-dkms package on this machine, checks that DKMS built
# the module for Debian's packaged kernel (nothing is loaded into the
# machine's own kernel), runs the guest suite on that build, purges the
# package and checks that nothing is left. Needs root.
# The guest's kernel is not installed here: for the test, its headers in
# the cache are linked where an installed linux-headers package puts them,
# /lib/modules/RELEASE/build, and what the test added there goes with the
# package.
# Usage: deb.sh PATH/TO/counter-dkms_VERSION_all.deb
set -uo pipefail

deb=$(realpath "${1:?usage: deb.sh DEB}")
. "$(dirname "$0")/../kernels/resolve.sh"
# The package is amd64's, whatever GUEST_ARCH the guests take.
GUEST_ARCH=amd64
resolve_kernel || exit 1
version=$(dpkg-deb -f "$deb" Version)
ko=/var/lib/dkms/counter/$version/$KVER/x86_64/module/counter.ko

# Runs a command whose output is noise; its status is what counts.
quietly() {
	"$@" >/dev/null 2>&1
}

leftovers() {
	local found
	found=$(ls -d /usr/src/counter-* /var/lib/dkms/counter \
		/lib/modules/*/updates/dkms/counter.ko* 2>/dev/null)
	[ -z "$found" ] || { echo "left behind: $found"; return 1; }
}

modinfo_matches() {
	local field
	for field in license author description version srcversion; do
		[ -n "$(modinfo -F "$field" "$ko")" ] ||
			{ echo "modinfo: no $field"; return 1; }
	done
	modinfo "$ko" | grep -E '^(license|author|description|version|srcversion|vermagic):'
	[ "$(modinfo -F version "$ko")" = "$version" ] &&
		[ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" = "$KVER" ]
}

# Links the cached headers where DKMS looks for them, unless the
# machine has that kernel's own.
link_headers() {
	[ -z "$linked" ] || { mkdir -p "$moddir" && ln -s "$KBUILD" "$moddir/build"; }
}

# kernel_state's listing without the files' times.
without_times() {
	awk 'NF == 6 { $4 = "-" } 1'
}

unlink_headers() {
	[ -n "$linked" ] && rm -f "$moddir/build"
	[ -n "$made_moddir" ] && rm -rf "$moddir"
	# A machine with no module tree at all (a container's) gets none back.
	[ -n "$made_modules" ] && rmdir /lib/modules
	return 0
}

if [ "$(id -u)" -ne 0 ]; then
	echo "deb.sh: installing a package needs root" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
moddir=/lib/modules/$KVER
linked=
made_moddir=
made_modules=
[ -e "$moddir/build" ] || linked=1
[ -e "$moddir" ] || made_moddir=1
[ -e /lib/modules ] || made_modules=1
before=$(kernel_state)

ktap_print_header
ktap_check "nothing of counter is installed before" leftovers
ktap_check "$KVER's headers are where DKMS looks" link_headers
ktap_check "apt-get installs $(basename "$deb")" \
	quietly apt-get install -y -q "$deb"
# The package builds for the running kernel; Debian's packaged kernel is
# the one the guest runs, so ask DKMS for it by name.
ktap_check "DKMS builds the module for $KVER" \
	quietly dkms install "counter/$version" -k "$KVER"
ktap_check "dkms status shows counter/$version installed for $KVER" \
	bash -c "dkms status counter/$version -k $KVER | grep -q installed"
ktap_check "modinfo shows license, author, description, version $version, srcversion" \
	modinfo_matches
# DKMS signs what it builds for a kernel with module signing, with its
# own key (/var/lib/dkms/mok.key), which make sign uses by default too.
ktap_check "DKMS signed the module with its MOK key" \
	bash -c "modinfo -F signer '$ko' | grep -q . && modinfo '$ko' | grep -E '^(signer|sig_key|sig_hashalgo):'"
ktap_check "the man page is installed where man finds it" \
	bash -c 'man -w 4 counter >/dev/null && [ -f /usr/share/man/man4/counter.4.gz ]'

# The guest run is a subtest: its lines indented, its tests counted.
guest_log=$COUNTER_BUILD/$KVER/deb-check.log
COUNTER_KO=$ko "$COUNTER_TOP/run/boot.sh" check >"$guest_log" 2>&1
sed 's/^/    /' "$guest_log"
KTAP_NUM=$((KTAP_NUM + 1))
name="the guest suite passes on the DKMS build"
if ktap_count_suite "$guest_log"; then
	echo "ok $KTAP_NUM - $name"
else
	echo "not ok $KTAP_NUM - $name"
fi

ktap_check "apt-get purges counter-dkms" \
	quietly apt-get purge -y -q counter-dkms
ktap_check "nothing of counter is left after purge" leftovers
unlink_headers
# Installing the package has DKMS build for every kernel whose headers
# are installed, and the purge has depmod write their indexes again:
# their times change, not what they hold.
ktap_check "/boot, /lib/modules and the kernel packages hold what they held" \
	diff <(without_times <<<"$before") <(kernel_state | without_times)
ktap_set_plan "$KTAP_NUM"
ktap_finished
