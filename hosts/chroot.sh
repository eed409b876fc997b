#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Makes a minimal system of a Debian suite (trixie, sid, ...) with
# debootstrap, from the archive the machine's apt sources name, into
# $COUNTER_CACHE/hosts/SUITE, once; prints its directory. It stands for a
# machine that runs that Debian release (hosts/user-test.sh). Needs root.
# Usage: chroot.sh SUITE
set -euo pipefail

suite=${1:?usage: chroot.sh SUITE}
. "$(dirname "$0")/../rig/lib.sh"
. "$COUNTER_TOP/kernels/apt.sh"
root=$COUNTER_CACHE/hosts/$suite

if [ ! -f "$root/.made" ]; then
	uri=$(archive_uri)
	[ -n "$uri" ] || { echo "chroot.sh: no Debian archive in the machine's apt sources" >&2; exit 1; }
	echo "chroot: debootstrap $suite into $root" >&2
	rm -rf "$root"
	mkdir -p "$root"
	debootstrap --variant=minbase --keyring="$keyring" "$suite" "$root" "$uri" \
		>"$root.log" 2>&1 || { tail -n 20 "$root.log" >&2; exit 1; }
	# sid's Release is valid for a week, and sid's apt refuses one that
	# a mirror lagging behind (or a snapshot) still serves after that:
	# the system stands in for a machine, the mirror is not under test.
	echo 'Acquire::Check-Valid-Until "false";' \
		>"$root/etc/apt/apt.conf.d/99counter-valid-until"
	touch "$root/.made"
fi
echo "$root"
