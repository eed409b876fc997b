#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs the guest suite on each of Debian's current kernels: a row per
# kernel, then "N passed, N failed" over all. The table also goes to
# build/matrix.md.
set -uo pipefail

here=$(dirname "$0")
. "$here/resolve.sh"

# label, suite, flavour ("-" for the installed linux-image-amd64)
entries=(
	"5.10 bullseye amd64"
	"6.1 - amd64"
	"6.12 bookworm-backports amd64"
	"6.12-rt bookworm-backports rt-amd64"
	"sid sid amd64"
)

table=$COUNTER_BUILD/matrix.md
mkdir -p "$COUNTER_BUILD"
{
	echo "| kernel | release | flavour | built | tests | guest seconds |"
	echo "|---|---|---|---|---|---|"
} >"$table"

for entry in "${entries[@]}"; do
	read -r label suite flavour <<<"$entry"
	if [ "$suite" = - ]; then
		release=$(default_kver)
	else
		release=$("$here/fetch.sh" "$suite" "$flavour")
	fi
	if [ -z "$release" ]; then
		echo "| $label | (fetch failed) | $flavour | no | 0 passed, 1 failed | - |" >>"$table"
		KTAP_FAILED=$((KTAP_FAILED + 1))
		continue
	fi
	log=$COUNTER_BUILD/$release/matrix.log
	mkdir -p "$COUNTER_BUILD/$release"
	rm -f "$COUNTER_BUILD/$release/counter.ko"
	echo "=== $label: $release"
	start=$(date +%s)
	KVER=$release KCC= "$COUNTER_TOP/run/boot.sh" check >"$log" 2>&1
	seconds=$(($(date +%s) - start))
	grep -E '^(not ok|# console|# kernel log|# .*:[0-9]+: )' "$log"
	built=no
	[ -f "$COUNTER_BUILD/$release/counter.ko" ] && built=yes
	ktap_count_suite "$log"
	summary=$(ktap_summary_line "$SUMMARY_PASSED" "$SUMMARY_FAILED" "$SUMMARY_SKIPPED")
	echo "| $label | $release | $flavour | $built | $summary | $seconds |" >>"$table"
done

cat "$table"
ktap_finished
