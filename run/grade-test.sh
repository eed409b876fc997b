#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check-grade: grades a class of submissions whose grades are known,
# and checks each. The class: counter.c itself (full marks); the example
# submissions in grade/examples/ and the mutants that carry a "Loses:"
# header, each a patch on counter.c. Each must lose exactly the results
# of grade/rubric its "Loses:" header names, as SECTION/RESULT ("none" for
# none, "all" for every one), besides any of those its "May-lose:" header
# names (where timing decides: where a use-after-free crashes the guest,
# how far a drifting count lags), and its report must hold the text of
# each "Shows:" header (the hint it should get). Every results.json must
# hold Gradescope's fields with their types, every junit.xml be well
# formed. Nothing outside the build directory may change while a
# submission whose Makefile and Kbuild write there is graded. Then
# counter.c alone at half a core (GRADE_HALF_CPU), which must score full
# marks too, and the Gradescope zip against a stand-in /autograder.
# Usage: grade-test.sh [NAME...]   (by default every one; "counter" is
#                                   counter.c, "half" the run at half a
#                                   core, "gradescope" the zip's)
set -uo pipefail
. "$(dirname "$0")/../rig/lib.sh"

dir=$COUNTER_BUILD/grade-test
out=$dir/grades
names=("$@")
# selected NAME: whether this run does NAME (every one when none is named).
selected() {
	local want
	[ ${#names[@]} -eq 0 ] && return 0
	for want in "${names[@]}"; do [ "$want" = "$1" ] && return 0; done
	return 1
}
# What a run of part of it leaves of the others' stays.
! selected half || rm -rf "$dir/half" "$dir/half-grades"
! selected gradescope || rm -rf "$dir/autograder"
rm -rf "$dir/class" "$out"
mkdir -p "$dir/class" "$out"
patches=("$COUNTER_TOP"/grade/examples/*.patch)
mapfile -t -O ${#patches[@]} patches < <(grep -l '^Loses: ' "$COUNTER_TOP"/mutants/*.patch)

# hostile_name DIR: a source file whose name is make syntax that runs a
# command, were it written into a make file.
hostile_name() {
	# shellcheck disable=SC2016 # the name itself holds the $(...)
	: >"$1"/'x$(shell cd;touch counter-grade-pwned-by-name).c'
}

# The class, each submission a directory as a student would hand it in.
class=()
if selected counter; then
	mkdir -p "$dir/class/counter"
	cp "$COUNTER_TOP/counter.c" "$dir/class/counter/"
	class+=("$dir/class/counter")
fi
for p in "${patches[@]}"; do
	name=$(basename "$p" .patch)
	selected "$name" || continue
	mkdir -p "$dir/class/$name"
	cp "$COUNTER_TOP/counter.c" "$dir/class/$name/"
	patch -s -F0 -p1 -d "$dir/class/$name" <"$p" || exit 1
	[ "$name" != touches-the-host ] || hostile_name "$dir/class/$name"
	class+=("$dir/class/$name")
done

# What lies outside the build directory that a submission's make files
# could write: the files they name, and the home directory's listing.
sentinels=(/tmp/counter-grade-pwned-by-makefile /tmp/counter-grade-pwned-by-kbuild
	   "$HOME/counter-grade-pwned-by-name" "$HOME/.bashrc-counter-grade")
rm -f "${sentinels[@]}"
find "$HOME" -maxdepth 1 -printf '%p %s %T@\n' | sort >"$dir/home.before"

ktap_print_header
start=$SECONDS
if [ ${#class[@]} -gt 0 ]; then
	GRADE_OUT=$out "$COUNTER_TOP/run/grade.sh" "${class[@]}" >"$dir/grade.log" 2>&1
	grep '^# ' "$dir/grade.log" | grep -v '^# [a-z0-9_-]*: built' 
fi
echo "# the class of ${#class[@]}: $((SECONDS - start)) s"

# lost NAME: the rubric's results it lost, as SECTION/RESULT, sorted, one line.
lost() {
	sed -n 's/^not ok [0-9]* - \([a-z]*\/[a-z0-9_]*\) # .*/\1/p' "$out/$1/grade.tap" |
		sort | tr '\n' ' ' | sed 's/ $//'
}

# results.json: Gradescope's fields, of their types.
json_ok() {
	jq -e '(.score | type == "number") and (.execution_time | type == "number") and
		(.output | type == "string") and (.tests | type == "array") and
		(.tests | length > 0) and
		all(.tests[]; (.name | type == "string") and (.score | type == "number") and
			(.max_score | type == "number") and
			(.status == "passed" or .status == "failed") and
			(.output | type == "string") and
			(.visibility == "visible" or .visibility == "hidden" or
			 .visibility == "after_due_date" or .visibility == "after_published")) and
		(.score == ([.tests[].score] | add))' "$1" >/dev/null
}

# check_one NAME WANT SHOWS [MAY]: MAY, results it may lose or not.
check_one() {
	local name=$1 want=$2 shows=$3 may=${4:-} got line
	got=$(lost "$name")
	echo "# $name: $(tail -n 1 "$out/$name/report.txt"), lost: ${got:-none}"
	got=$(tr ' ' '\n' <<<"$got" | grep -vxF -f <(tr ' ' '\n' <<<"$may" | grep .) |
		tr '\n' ' ' | sed 's/ $//')
	if [ "${got:-none}" = "$want" ]; then
		ktap_result ok "$name loses what it should"
	else
		ktap_result fail "$name loses what it should" \
			"expected: $want${may:+ (and any of: $may)}"
	fi
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		if grep -qF -- "$line" "$out/$name/report.txt"; then
			ktap_result ok "$name's report shows: $line"
		else
			ktap_result fail "$name's report shows: $line"
		fi
	done <<<"$shows"
	if json_ok "$out/$name/results.json" && xmllint --noout "$out/$name/junit.xml" 2>/dev/null; then
		ktap_result ok "$name's results.json and junit.xml are well formed"
	else
		ktap_result fail "$name's results.json and junit.xml are well formed"
	fi
}

# untouched WHAT: nothing outside the build directory changed.
untouched() {
	local changed found
	changed=$(find "$HOME" -maxdepth 1 -printf '%p %s %T@\n' | sort |
		diff "$dir/home.before" - | grep -c '^[<>]')
	found=$(ls "${sentinels[@]}" 2>/dev/null)
	if [ -z "$found" ] && [ "$changed" -eq 0 ]; then
		ktap_result ok "$1's make files ran nowhere"
	else
		ktap_result fail "$1's make files ran nowhere" "${found:-home changed}"
	fi
}

# expected PATCH NAME: its Loses: header ("all": every result), within
# GRADE_SECTIONS if set.
expected() {
	local want
	want=$(sed -n 's/^Loses: //p' "$1")
	[ "$want" != all ] ||
		want=$(sed -n 's/^\(not \)\{0,1\}ok [0-9]* - \([a-z]*\/[a-z0-9_]*\) .*/\2/p' \
			"$out/$2/grade.tap")
	want=$(tr ' ' '\n' <<<"$want" | grep -v '^none$' |
		grep -E "^(${sections:-[a-z]*})/" | sort | tr '\n' ' ')
	want=${want% }
	echo "${want:-none}"
}
sections=$(tr ', ' '||' <<<"${GRADE_SECTIONS:-}" | sed 's/|*$//')

selected counter && check_one counter none ""
for p in "${patches[@]}"; do
	name=$(basename "$p" .patch)
	selected "$name" || continue
	check_one "$name" "$(expected "$p" "$name")" "$(sed -n 's/^Shows: //p' "$p")" \
		"$(sed -n 's/^May-lose: //p' "$p")"
	[ "$name" != touches-the-host ] || untouched "$name"
done

if selected half; then
	mkdir -p "$dir/half/counter"
	cp "$COUNTER_TOP/counter.c" "$dir/half/counter/"
	start=$SECONDS
	GRADE_HALF_CPU=1 GRADE_OUT=$dir/half-grades env -u GRADE_SECTIONS "$COUNTER_TOP/run/grade.sh" \
		"$dir/half/counter" >"$dir/half.log" 2>&1
	echo "# counter.c at half a core: $(tail -n 1 "$dir/half-grades/counter/report.txt") ($((SECONDS - start)) s)"
	if tail -n 1 "$dir/half-grades/counter/report.txt" | grep -qE '^Score: ([0-9]+)/\1$'; then
		ktap_result ok "counter.c scores full marks at half a core"
	else
		grep -E 'FAIL|seen:' "$dir/half-grades/counter/report.txt" | head -n 20 | sed 's/^/# /'
		ktap_result fail "counter.c scores full marks at half a core"
	fi
fi
# The zip against a stand-in /autograder: setup.sh (as root) and
# run_autograder on touches-the-host (counter.c, its make files never
# run), the guest's QEMU's memory sampled.
if selected gradescope; then
	root=$dir/autograder
	mkdir -p "$root/source" "$root/submission"
	"$COUNTER_TOP/run/gradescope.sh" >"$dir/zip.log" 2>&1 || cat "$dir/zip.log"
	sed -n 's/^# //p' "$dir/zip.log" | sed 's/^/# /'
	unzip -q "$COUNTER_BUILD/gradescope/autograder.zip" -d "$root/source"
	cp "$COUNTER_TOP/counter.c" "$root/submission/"
	patch -s -F0 -p1 -d "$root/submission" <"$COUNTER_TOP/grade/examples/touches-the-host.patch"
	hostile_name "$root/submission"
	start=$SECONDS
	if [ "$(id -u)" -eq 0 ]; then
		(cd "$root/source" && bash setup.sh) >"$dir/setup.log" 2>&1 ||
			tail -n 20 "$dir/setup.log" | sed 's/^/# /'
	else
		echo "# not root: setup.sh's packages are taken as installed"
		COUNTER_CACHE=$root/source/cache KVER=$(cat "$root/source/KVER") \
			"$root/source/run/boot.sh" build check >"$dir/setup.log" 2>&1
	fi
	echo "# setup.sh: $((SECONDS - start)) s"
	start=$SECONDS
	AUTOGRADER_ROOT=$root env -u GRADE_SECTIONS -u GRADE_MAX_BOOTS \
		"$root/source/run_autograder" >"$dir/autograder.log" 2>&1 &
	grader=$!
	peak=0
	while kill -0 "$grader" 2>/dev/null; do
		rss=$(ps -C qemu-system-x86_64 -o rss= | sort -n | tail -n 1)
		[ "${rss:-0}" -le "$peak" ] || peak=$rss
		sleep 1
	done
	wait "$grader"
	echo "# run_autograder: $((SECONDS - start)) s, QEMU's resident memory at most $((peak / 1024)) MB"
	results=$root/results/results.json
	total=$(awk '/^section / { seen = 1 } seen && !/^section / && !/^#/ && NF { sum += $2 }
		END { print sum }' "$root/source/grade/rubric.gradescope")
	if json_ok "$results" && [ "$(jq .score "$results")" = "$total" ]; then
		ktap_result ok "run_autograder grades touches-the-host $total/$total into a valid results.json"
	else
		tail -n 20 "$dir/autograder.log" | sed 's/^/# /'
		ktap_result fail "run_autograder grades touches-the-host $total/$total into a valid results.json" \
			"score $(jq .score "$results" 2>/dev/null)"
	fi
	untouched "the autograder's submission"
	if [ "$peak" -gt 0 ] && [ "$peak" -lt $((768 * 1024)) ]; then
		ktap_result ok "the guest fits Gradescope's 768 MB"
	else
		ktap_result fail "the guest fits Gradescope's 768 MB" "$((peak / 1024)) MB"
	fi
fi
ktap_set_plan "$KTAP_NUM"
ktap_finished
