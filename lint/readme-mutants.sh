#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The README's mutant table against mutants/: one row per patch and no
# other, each row's promise the patch's "Promise:" (or that less a
# parenthesis that ends it), and its "killed by" the patch's "Killed-by:" as
# the table renders it:
#   Killed-by: TEST                  `TEST` (a test of the suite)
#   Killed-by: lint: lint/symbols.sh  `make lint` (the symbol check)
#   Killed-by: lint: SCRIPT          `make lint` (`SCRIPT`)
#   Killed-by: build: ARCH           the ARCH build, then an optional note
#                                    in parentheses
#   Killed-by: debug: TEST           `TEST` (debug kernel)
#   Killed-by: kcsan: TEST           `TEST` (KCSAN kernel)
#   Killed-by: ARCH: TEST            `TEST` (ARCH): the suite's test in an
#                                    ARCH guest
# Names each difference.
# Usage: readme-mutants.sh [--list FILE] [--mutants DIR] [README]
#   FILE holds the suite's tests (as lint/suite-list.sh --kcsan prints
#   them); without it the list comes from the binary.
set -uo pipefail
. "$(dirname "$0")/../rig/lib.sh"

list='' mutants=$COUNTER_TOP/mutants
while [ $# -gt 0 ]; do
	case $1 in
	--list) list=$2; shift 2 ;;
	--mutants) mutants=$2; shift 2 ;;
	*) break ;;
	esac
done
readme=${1:-$COUNTER_TOP/README.md}

if [ -z "$list" ]; then
	scratch=$(mktemp -d)
	trap 'rm -rf "$scratch"' EXIT
	list=$scratch/list
	"$COUNTER_TOP/lint/suite-list.sh" --kcsan >"$list" || exit 1
fi
declare -A in_suite=()
while read -r t; do in_suite[$t]=1; done <"$list"

rows=$("$COUNTER_TOP/lint/readme-table.sh" "$readme" "The suite checks itself" mutant) ||
	exit 1

# The killed-by cell a Killed-by header renders as; a build's is a prefix.
render() {
	case $1 in
	"lint: lint/symbols.sh") echo "\`make lint\` (the symbol check)" ;;
	lint:\ *) echo "\`make lint\` (\`${1#lint: }\`)" ;;
	build:\ *) echo "the ${1#build: } build" ;;
	debug:\ *) echo "\`${1#debug: }\` (debug kernel)" ;;
	kcsan:\ *) echo "\`${1#kcsan: }\` (KCSAN kernel)" ;;
	*:\ *) echo "\`${1#*: }\` (${1%%: *})" ;;
	*) echo "\`$1\`" ;;
	esac
}

status=0
fail() {
	echo "$*"
	status=1
}

declare -A rowed=()
n=0
while IFS=$'\t' read -r name_cell promise_cell killer_cell extra; do
	[ -n "$name_cell" ] || continue
	n=$((n + 1))
	if [ -n "$extra" ] || [ -z "$killer_cell" ]; then
		fail "row $n: not three cells: $name_cell"
		continue
	fi
	if ! [[ $name_cell =~ ^\[\`([a-z0-9-]+)\`\]\(mutants/([a-z0-9-]+)\.patch\)$ ]] ||
		[ "${BASH_REMATCH[1]}" != "${BASH_REMATCH[2]}" ]; then
		fail "row $n: not [\`NAME\`](mutants/NAME.patch): $name_cell"
		continue
	fi
	name=${BASH_REMATCH[1]}
	patch=$mutants/$name.patch
	if [ -n "${rowed[$name]:-}" ]; then
		fail "$name: a second row (rows ${rowed[$name]} and $n)"
		continue
	fi
	rowed[$name]=$n
	if [ ! -f "$patch" ]; then
		fail "$name: a row, but no mutants/$name.patch"
		continue
	fi
	promise=$(sed -n 's/^Promise: //p' "$patch")
	killer=$(sed -n 's/^Killed-by: //p' "$patch")
	[ "$promise_cell" = "$promise" ] || [[ $promise == "$promise_cell ("*")" ]] ||
		fail "$name: the table's promise \"$promise_cell\", the patch's \"$promise\""
	want=$(render "$killer")
	case $killer in
	build:\ *)
		[ "$killer_cell" = "$want" ] || [[ $killer_cell == "$want ("*")" ]] ||
			fail "$name: killed by \"$killer_cell\" in the table, \"$want\" by its Killed-by: $killer" ;;
	*)
		[ "$killer_cell" = "$want" ] ||
			fail "$name: killed by \"$killer_cell\" in the table, \"$want\" by its Killed-by: $killer" ;;
	esac
	case $killer in
	lint:* | build:*) ;;
	*) [ -n "${in_suite[${killer#*: }]:-}" ] ||
		fail "$name: Killed-by: $killer is not a test of counter_test --list" ;;
	esac
done <<<"$rows"

for patch in "$mutants"/*.patch; do
	name=$(basename "$patch" .patch)
	[ -n "${rowed[$name]:-}" ] || fail "$name: mutants/$name.patch has no row"
done
[ "$status" -eq 0 ] && echo "README's mutant table: $n rows, one per mutants/*.patch, as their headers say"
exit "$status"
