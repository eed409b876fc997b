#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Installs the counter-dkms package on this machine, checks that DKMS built
# the module for Debian's packaged kernel (nothing is loaded into the
# machine's own kernel), runs the guest suite on that build, purges the
# package and checks that nothing is left. Needs root.
# Usage: deb.sh PATH/TO/counter-dkms_VERSION_all.deb
set -uo pipefail

deb=$(realpath "${1:?usage: deb.sh DEB}")
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/harness/kernel.sh"
resolve_kernel || exit 1
version=$(dpkg-deb -f "$deb" Version)
ko=/var/lib/dkms/counter/$version/$KVER/x86_64/module/counter.ko

passed=0 failed=0 n=0
check() {
	local name=$1
	shift
	n=$((n + 1))
	if "$@"; then
		passed=$((passed + 1))
		echo "ok $n - $name"
	else
		failed=$((failed + 1))
		echo "not ok $n - $name"
	fi
}

leftovers() {
	local found
	found=$(ls -d /usr/src/counter-* /var/lib/dkms/counter \
		/lib/modules/*/updates/dkms/counter.ko* 2>/dev/null)
	[ -z "$found" ] || { echo "# left behind: $found"; return 1; }
}

modinfo_matches() {
	local field
	for field in license author description version srcversion; do
		[ -n "$(modinfo -F "$field" "$ko")" ] ||
			{ echo "# modinfo: no $field"; return 1; }
	done
	modinfo "$ko" | grep -E '^(license|author|description|version|srcversion|vermagic):' |
		sed 's/^/# /'
	[ "$(modinfo -F version "$ko")" = "$version" ] &&
		[ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" = "$KVER" ]
}

if [ "$(id -u)" -ne 0 ]; then
	echo "deb.sh: installing a package needs root" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive

echo "TAP version 13"
check "nothing of counter is installed before" leftovers
check "apt-get installs $(basename "$deb")" \
	apt-get install -y -q "$deb" >/dev/null 2>&1
# The package builds for the running kernel; Debian's packaged kernel is
# the one the guest runs, so ask DKMS for it by name.
check "DKMS builds the module for $KVER" \
	dkms install "counter/$version" -k "$KVER" >/dev/null 2>&1
dkms status counter | sed 's/^/# /'
check "dkms status shows counter/$version installed for $KVER" \
	bash -c "dkms status counter/$version -k $KVER | grep -q installed"
check "modinfo shows license, author, description, version $version, srcversion" \
	modinfo_matches
check "the man page is installed where man finds it" \
	bash -c 'man -w 4 counter >/dev/null && [ -f /usr/share/man/man4/counter.4.gz ]'

summary=$(COUNTER_KO=$ko "$top/harness/guest.sh" check | tee /dev/stderr | tail -n 1)
read -r p _ f _ <<<"${summary//,/}"
passed=$((passed + ${p:-0}))
failed=$((failed + ${f:-1}))

check "apt-get purges counter-dkms" \
	apt-get purge -y -q counter-dkms >/dev/null 2>&1
check "nothing of counter is left after purge" leftovers
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
