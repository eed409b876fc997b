#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs the guest suite on every mutant in mutants/: counter.c broken for
# one promise. Each must be killed by the test its patch names under
# "Killed-by:": a guest that runs that test alone (T=TEST) sees it fail.
# Each test sets up what it needs, so alone it judges as it does in the
# suite, and a boot per mutant costs seconds. A mutant killed by a host check
# ("Killed-by: lint: ...") is left to make lint. One killed by a build
# ("Killed-by: build: ARCH") must fail to build for that architecture,
# with modpost naming a symbol the kernel does not export. One killed on
# the debug kernel ("Killed-by: debug: TEST") runs that test there, one
# killed on an architecture ("Killed-by: ARCH: TEST", e.g. i386 for a
# 32-bit unsigned long) runs it in that architecture's guest.
# Usage: mutants.sh [NAME...]
set -uo pipefail
. "$(dirname "$0")/../tools/lib.sh"

dir=$COUNTER_BUILD/mutants
# A good run takes under a minute; a mutant that hangs is cut short.
export COUNTER_TIMEOUT=${COUNTER_TIMEOUT:-180} COUNTER_FAIL_FAST=1
mkdir -p "$dir"
if [ $# -gt 0 ]; then
	patches=("${@/#/$COUNTER_TOP/mutants/}")
	patches=("${patches[@]/%/.patch}")
else
	patches=("$COUNTER_TOP"/mutants/*.patch)
fi

ktap_print_header
for patch in "${patches[@]}"; do
	name=$(basename "$patch" .patch)
	killer=$(sed -n 's/^Killed-by: //p' "$patch")
	case $killer in lint:*) continue ;; esac
	mkdir -p "$dir/$name"
	if ! patch -s -o "$dir/$name/counter.c" "$COUNTER_TOP/counter.c" <"$patch"; then
		ktap_result fail "$name applies to counter.c"
		continue
	fi
	log=$dir/$name/check.log
	if [[ $killer == build:* ]]; then
		arch=${killer#build: }
		ARCH=$arch COUNTER_C=$dir/$name/counter.c COUNTER_LOGS=$dir/$name \
			"$COUNTER_TOP/run/boot.sh" check >"$log" 2>&1
		undefined=$(grep -o 'modpost: "[^"]*" \[.*counter.ko\] undefined' "$log")
		echo "# $name: ${undefined:-built} for $arch"
		if ! grep -q '^# guest: ' "$log" && [ -n "$undefined" ]; then
			ktap_result ok "$name is killed by the $arch build"
		else
			ktap_result fail "$name is killed by the $arch build" "it built"
		fi
		continue
	fi
	mode=check guest=amd64
	case $killer in
	debug:\ *) killer=${killer#debug: } mode=check-debug ;;
	*:\ *) guest=${killer%%: *} killer=${killer#*: } ;;
	esac
	start=$(date +%s)
	ARCH=$guest COUNTER_C=$dir/$name/counter.c COUNTER_LOGS=$dir/$name T=$killer \
		"$COUNTER_TOP/run/boot.sh" "$mode" >"$log" 2>&1
	seconds=$(($(date +%s) - start))
	# The guest's own failures carry no directive; the verdict's do.
	first=$(sed -n 's/^not ok [0-9]* - \([a-z0-9_]*\)$/\1/p' "$log" | head -n 1)
	echo "# $name: first failure ${first:-none} (${seconds} s)"
	if ktap_parse_summary <"$log" && [ "$SUMMARY_FAILED" -eq 0 ]; then
		ktap_result fail "$name is killed by $killer" "it survived"
	elif [ "$first" = "$killer" ]; then
		ktap_result ok "$name is killed by $killer"
	else
		ktap_result fail "$name is killed by $killer" "first failure: ${first:-none}"
	fi
done

# Not a mutant: the suite with one early test forced to fail right after
# its fixture loaded the module. Teardown unloads it, so that test, and
# no other, fails.
if [ $# -eq 0 ]; then
	forced=reads_zero_right_after_load
	log=$dir/forced-failure.log
	COUNTER_FAIL_FAST='' COUNTER_FORCE_FAIL=$forced COUNTER_LOGS=$dir/forced \
		"$COUNTER_TOP/run/boot.sh" check >"$log" 2>&1
	failed=$(sed -n 's/^not ok [0-9]* - \([a-z0-9_]*\)$/\1/p' "$log" | tr '\n' ' ')
	echo "# forced failure in $forced: guest tests failed: ${failed:-none}"
	if [ "$failed" = "$forced " ]; then
		ktap_result ok "a failure forced in $forced fails no other test"
	else
		ktap_result fail "a failure forced in $forced fails no other test"
	fi
fi
ktap_set_plan "$KTAP_NUM"
ktap_finished
