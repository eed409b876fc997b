#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Checks the symbols each counter.ko imports (modpost's view: nm -u) against
# lint/kernel-exports.tsv: every one must be there, and the minimum kernel
# counter(4) states must be the newest "since" of the api
# symbols imported, over every build checked.
# Usage: symbols.sh [--matrix] [COUNTER_KO...]
#   --matrix, the default when no COUNTER_KO is named, adds the builds of
#   the last make matrix: build/RELEASE/counter.ko for every row of
#   build/matrix.md, each architecture and kernel. It fails when there is
#   no build/matrix.md, or a row's build is absent: nothing to check is
#   no pass.
set -uo pipefail
. "$(dirname "$0")/../rig/lib.sh"

table=$COUNTER_TOP/lint/kernel-exports.tsv
matrix=$COUNTER_BUILD/matrix.md
status=0 min=0 checked=0
kos=() labels=()

[ $# -eq 0 ] && set -- --matrix
for arg; do
	case $arg in
	--matrix) use_matrix=1 ;;
	-*) echo "usage: symbols.sh [--matrix] [COUNTER_KO...]" >&2; exit 2 ;;
	*) kos+=("$arg"); labels+=("") ;;
	esac
done

# The rows of build/matrix.md: "arch | kernel | release | flavour | ...".
if [ -n "${use_matrix:-}" ] && [ ! -f "$matrix" ]; then
	echo "no ${matrix#"$COUNTER_TOP"/}: make matrix writes it, and builds build/RELEASE/counter.ko for each row"
	status=1
elif [ -n "${use_matrix:-}" ]; then
	while IFS=$'\t' read -r arch label release; do
		case $release in
		release|-*|"") continue ;;
		"(fetch failed)")
			echo "$arch $label: its kernel was not fetched (build/matrix.md)"
			status=1
			continue ;;
		esac
		kos+=("$COUNTER_BUILD/$release/counter.ko")
		labels+=("$arch $label")
	done < <(awk -F' *[|] *' '/^[|]/ { print $2 "\t" $3 "\t" $4 }' "$matrix")
fi

# check KO LABEL: one line for the build, one for each symbol not dated.
check() {
	local ko=$1 label=$2 name syms sym row since kind n=0 build_min=0
	name=${ko#"$COUNTER_TOP"/}${label:+ ($label)}
	if [ ! -f "$ko" ]; then
		if [ -n "$label" ]; then
			echo "$name: not built"
		else
			echo "$name: no such file"
		fi
		status=1
		return
	fi
	if ! syms=$(nm -u "$ko" | awk '{ print $2 }') || [ -z "$syms" ]; then
		echo "$name: nm -u lists no imports"
		status=1
		return
	fi
	checked=$((checked + 1))
	while read -r sym; do
		n=$((n + 1))
		row=$(awk -F'\t' -v s="$sym" '$1 == s' "$table")
		if [ -z "$row" ]; then
			echo "$name: $sym: not in lint/kernel-exports.tsv"
			status=1
			continue
		fi
		IFS=$'\t' read -r _ since kind _ <<<"$row"
		[ "$kind" = api ] &&
			build_min=$(printf '%s\n%s\n' "$build_min" "$since" | sort -V | tail -n 1)
	done <<<"$syms"
	echo "$name: $n imports; the api ones need Linux $build_min"
	min=$(printf '%s\n%s\n' "$min" "$build_min" | sort -V | tail -n 1)
}

for i in "${!kos[@]}"; do
	check "${kos[$i]}" "${labels[$i]}"
done
if [ "$checked" -eq 0 ]; then
	echo "no build of counter.ko was checked"
	exit 1
fi

echo "minimum kernel: $min"
grep -q "Linux $min or later" "$COUNTER_TOP/docs/counter.4" || {
	echo "docs/counter.4 does not say \"Linux $min or later\""
	status=1
}
exit "$status"
