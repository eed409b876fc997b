#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The README's two test tables against the suite itself: the table under
# "How it is proven" must name every test that counter_test --list prints,
# in its order, and no other; the one under "The debug kernel" the tests
# that only the debug run has (in counter_test --list --debug, not in
# --list), in their order; the one under "The race detector" those that
# only the KCSAN run adds to the debug run's (--list --kcsan). Names the
# first difference.
# Usage: readme-tests.sh [--list FILE --debug-list FILE --kcsan-list FILE]
#                        [README]
#   FILEs hold the two lists (as lint/suite-list.sh prints them); without
#   them the lists come from the binary.
set -uo pipefail
. "$(dirname "$0")/../rig/lib.sh"

list='' debug_list='' kcsan_list=''
while [ $# -gt 0 ]; do
	case $1 in
	--list) list=$2; shift 2 ;;
	--debug-list) debug_list=$2; shift 2 ;;
	--kcsan-list) kcsan_list=$2; shift 2 ;;
	*) break ;;
	esac
done
readme=${1:-$COUNTER_TOP/README.md}

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
if [ -z "$list" ]; then
	list=$scratch/list debug_list=$scratch/debug-list
	kcsan_list=$scratch/kcsan-list
	"$COUNTER_TOP/lint/suite-list.sh" >"$list" &&
		"$COUNTER_TOP/lint/suite-list.sh" --debug >"$debug_list" &&
		"$COUNTER_TOP/lint/suite-list.sh" --kcsan >"$kcsan_list" || exit 1
fi
mapfile -t suite <"$list"
mapfile -t debug_all <"$debug_list"
declare -A in_suite=()
for t in "${suite[@]}"; do in_suite[$t]=1; done
debug_only=()
for t in "${debug_all[@]}"; do
	[ -n "${in_suite[$t]:-}" ] || debug_only+=("$t")
done
declare -A in_debug=()
for t in "${debug_all[@]}"; do in_debug[$t]=1; done
kcsan_only=()
while read -r t; do
	[ -n "${in_debug[$t]:-}" ] || kcsan_only+=("$t")
done <"$kcsan_list"

# The test names in the first column of a table, without their backticks.
table_names() {
	local rows
	rows=$("$COUNTER_TOP/lint/readme-table.sh" "$readme" "$1" test) || return 1
	[ -n "$rows" ] || return 0
	cut -f1 <<<"$rows" | while read -r cell; do
		if [[ $cell =~ ^\`([a-z0-9_]+)\`$ ]]; then
			echo "${BASH_REMATCH[1]}"
		else
			echo "a row whose first cell is not one test name: $cell" >&2
			echo "?"
		fi
	done
}

# compare WHAT WHERE NAME...: the README's names (in $doc) against the
# suite's (the arguments), position by position.
compare() {
	local what=$1 where=$2 i want have prev=
	shift 2
	local -a want_all=("$@")
	local -A in_want=() in_doc=()
	for want in "${want_all[@]}"; do in_want[$want]=1; done
	for have in "${doc[@]}"; do in_doc[$have]=1; done
	for ((i = 0; i < ${#want_all[@]} || i < ${#doc[@]}; i++)); do
		want=${want_all[i]:-} have=${doc[i]:-}
		if [ "$want" = "$have" ]; then
			prev=$want
			continue
		fi
		echo -n "$what, row $((i + 1)): "
		if [ -z "$want" ]; then
			echo "\`$have\` is one row too many: $where has no more tests"
		elif [ -z "$have" ]; then
			echo "\`$want\` is missing at the end${prev:+ (after \`$prev\`)}"
		elif [ -z "${in_want[$have]:-}" ]; then
			echo "\`$have\` is not a test of $where (\`$want\` is next there)"
		elif [ -z "${in_doc[$want]:-}" ]; then
			echo "\`$want\` is missing${prev:+ (after \`$prev\`)}; the table has \`$have\` there"
		else
			echo "\`$have\` is out of order: $where runs \`$want\` there${prev:+, after \`$prev\`}"
		fi
		return 1
	done
	echo "$what: ${#doc[@]} tests, as $where lists them"
}

# check WHAT HEADING WHERE NAME...
check() {
	local what=$1 heading=$2 names
	shift 2
	names=$(table_names "$heading") || return 1
	mapfile -t doc <<<"$names"
	[ -n "$names" ] || doc=()
	compare "$what" "$@"
}

status=0
check "README's test table" "How it is proven" \
	"counter_test --list" "${suite[@]}" || status=1
check "README's debug kernel table" "The debug kernel" \
	"the debug run (--list --debug) alone" "${debug_only[@]}" || status=1
check "README's race detector table" "The race detector" \
	"the KCSAN run (--list --kcsan) alone" "${kcsan_only[@]}" || status=1
exit "$status"
