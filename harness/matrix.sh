#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs the guest suite on each of Debian's current kernels: a row per
# kernel, then "N passed, N failed" over all. The table also goes to
# build/matrix.md.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/harness/kernel.sh"

# label, suite, flavour ("-" for the installed linux-image-amd64)
entries=(
	"5.10 bullseye amd64"
	"6.1 - amd64"
	"6.12 bookworm-backports amd64"
	"6.12-rt bookworm-backports rt-amd64"
	"sid sid amd64"
)

passed=0 failed=0
table=$top/build/matrix.md
mkdir -p "$top/build"
{
	echo "| kernel | release | flavour | built | tests | guest seconds |"
	echo "|---|---|---|---|---|---|"
} >"$table"

for entry in "${entries[@]}"; do
	read -r label suite flavour <<<"$entry"
	if [ "$suite" = - ]; then
		release=$(default_kver)
	else
		release=$("$top/harness/fetch-kernel.sh" "$suite" "$flavour")
	fi
	if [ -z "$release" ]; then
		echo "| $label | (fetch failed) | $flavour | no | 0 passed, 1 failed | - |" >>"$table"
		failed=$((failed + 1))
		continue
	fi
	log=$top/build/$release/matrix.log
	mkdir -p "$top/build/$release"
	rm -f "$top/build/$release/counter.ko"
	echo "=== $label: $release"
	start=$(date +%s)
	KVER=$release KCC= "$top/harness/guest.sh" check >"$log" 2>&1
	seconds=$(($(date +%s) - start))
	summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	grep -E '^(not ok|# console|# .*:[0-9]+: )' "$log"
	built=no
	[ -f "$top/build/$release/counter.ko" ] && built=yes
	read -r p _ f _ <<<"${summary//,/}"
	[ -n "$summary" ] || { p=0; f=1; summary="no verdict"; }
	passed=$((passed + p))
	failed=$((failed + f))
	echo "| $label | $release | $flavour | $built | $summary | $seconds |" >>"$table"
done

cat "$table"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
