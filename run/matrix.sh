#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs the guest suite on each architecture of kernels/arch/, on each
# kernel its record's KERNELS names (or its own): a row per kernel, then
# "N passed, N failed" over all. The table, and what each row skipped
# and why, also go to build/matrix.md. MATRIX_SKIP names rows to leave out,
# separated by spaces: amd64's by kernel (amd64:6.1, amd64:sid), the
# others' by architecture (arm64). With --fetch, it only fetches the rows'
# kernels into the cache (kernels/fetch.sh), and boots nothing.
set -uo pipefail

fetch_only=
[ "${1:-}" = --fetch ] && fetch_only=1

here=$(dirname "$0")
. "$here/../rig/lib.sh"

# arch, label (or "-": the release's version), suite, flavour: a row for
# each of an architecture's KERNELS, or one for its own suite and flavour.
entries=()
for arch in $(arch_names); do
	kernels=$(arch_get "$arch" KERNELS)
	if [ -z "$kernels" ]; then
		entries+=("$arch - $(arch_get "$arch" DEBIAN_SUITE) $(arch_get "$arch" FLAVOUR)")
		continue
	fi
	for k in $kernels; do
		entries+=("$arch ${k//:/ }")
	done
done

# unstated_skips ARCH LABEL LOG: the tests the row skipped that its
# architecture's record does not say it skips (SKIP_TEST, or SKIP_TEST@LABEL
# for that row alone). Debian's kernels trust only Debian's keys: no row
# has a signed counter.ko to tamper with.
unstated_skips() {
	local test
	while read -r test; do
		[ "$test" = tampered_module_is_refused ] && continue
		grep -q -e "^SKIP_$test=" -e "^SKIP_$test@$2=" "$(arch_record "$1")" ||
			printf '%s ' "$test"
	done < <(sed -n 's/^ok [0-9]* - \([^ ]*\) # SKIP .*/\1/p' "$3")
}

# A row's name in MATRIX_SKIP: ARCH:LABEL, or ARCH where there is no label.
row_name() {
	if [ "$2" = - ]; then echo "$1"; else echo "$1:$2"; fi
}

# A row named to be left out must exist: a misspelt one would leave none.
skipped=()
for name in ${MATRIX_SKIP:-}; do
	found=0
	for entry in "${entries[@]}"; do
		read -r arch label _ <<<"$entry"
		[ "$name" = "$(row_name "$arch" "$label")" ] && found=1
	done
	[ "$found" = 1 ] || { echo "matrix.sh: MATRIX_SKIP names no row: $name" >&2; exit 2; }
done

table=$COUNTER_BUILD/matrix.md
skips=$COUNTER_BUILD/matrix-skips.md
if [ -z "$fetch_only" ]; then
	mkdir -p "$COUNTER_BUILD"
	{
		echo "| arch | kernel | release | flavour | built | tests | guest seconds |"
		echo "|---|---|---|---|---|---|---|"
	} >"$table"
	: >"$skips"
fi

for entry in "${entries[@]}"; do
	read -r arch label suite flavour <<<"$entry"
	name=$(row_name "$arch" "$label")
	case " ${MATRIX_SKIP:-} " in *" $name "*)
		echo "=== $name: left out (MATRIX_SKIP)"
		skipped+=("$name")
		continue ;;
	esac
	release=$("$COUNTER_TOP/kernels/fetch.sh" "$suite" "$flavour" "$arch")
	if [ -n "$fetch_only" ]; then
		echo "$name: ${release:-fetch failed}"
		[ -n "$release" ] || KTAP_FAILED=$((KTAP_FAILED + 1))
		continue
	fi
	if [ -z "$release" ]; then
		echo "| $arch | $label | (fetch failed) | $flavour | no | 0 passed, 1 failed | - |" >>"$table"
		KTAP_FAILED=$((KTAP_FAILED + 1))
		continue
	fi
	[ "$label" = - ] && label=$(echo "$release" | cut -d. -f1,2)
	log=$COUNTER_BUILD/$release/matrix.log
	mkdir -p "$COUNTER_BUILD/$release"
	rm -f "$COUNTER_BUILD/$release/counter.ko"
	echo "=== $arch $label: $release"
	start=$(date +%s)
	GUEST_ARCH=$arch KVER=$release KCC='' "$COUNTER_TOP/run/boot.sh" check >"$log" 2>&1
	seconds=$(($(date +%s) - start))
	grep -E '^(not ok|# console|# kernel log|# .*:[0-9]+: )' "$log"
	built=no
	[ -f "$COUNTER_BUILD/$release/counter.ko" ] && built=yes
	ktap_count_suite "$log"
	summary=$(ktap_summary_line "$SUMMARY_PASSED" "$SUMMARY_FAILED" "$SUMMARY_SKIPPED")
	echo "| $arch | $label | $release | $flavour | $built | $summary | $seconds |" >>"$table"
	sed -n "s/^ok [0-9]* - \(.*\) # SKIP \(.*\)/- $arch $label: \1: \2/p" "$log" >>"$skips"
	unstated=$(unstated_skips "$arch" "$label" "$log")
	if [ -n "$unstated" ]; then
		echo "not ok - $name: skips its record does not state: $unstated"
		KTAP_FAILED=$((KTAP_FAILED + 1))
	fi
done

[ -z "$fetch_only" ] || exit $((KTAP_FAILED > 0))
{
	[ ${#skipped[@]} -eq 0 ] || printf '\nLeft out (MATRIX_SKIP): %s\n' "${skipped[*]}"
	echo
	echo "Skipped, and why:"
	echo
	cat "$skips"
} >>"$table"
rm -f "$skips"
cat "$table"
ktap_finished
