#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Grades other implementations of the module by the rubric (grade/rubric):
# builds each submission with a Kbuild of the grader's own, never the
# submission's Makefile or Kbuild, boots guests that run the rubric's
# tests on it as a contract (guest/grade.sh), and writes each one's
# report, TAP, results.json and junit.xml (run/grade.c) in
# build/grade/NAME/.
#
# Usage: grade.sh SUBMISSION...
#   A SUBMISSION is a directory of .c and .h files (its subdirectories'
#   too) or one .c file. Several are graded in shared guests, one after
#   another: one that leaves the kernel changed, or that the guest dies in,
#   costs a boot for those after it, and it goes on from its next test.
# Environment: GRADE_RUBRIC (default grade/rubric), GRADE_OUT (default
#   build/grade), GRADE_MAX_BOOTS (boots one submission may cost on a
#   kernel, default 4: after them its tests left are not run),
#   GRADE_HALF_CPU=1 (the guest on one core, half of it taken by a
#   spinner: the slowest machine the bounds allow).
set -uo pipefail
. "$(dirname "$0")/../rig/lib.sh"
. "$COUNTER_TOP/kernels/resolve.sh"

rubric=${GRADE_RUBRIC:-$COUNTER_TOP/grade/rubric}
out=${GRADE_OUT:-$COUNTER_BUILD/grade}
max_boots=${GRADE_MAX_BOOTS:-4}
grader=$COUNTER_BUILD/host/grade
verdict=$COUNTER_BUILD/host/verdict
[ $# -gt 0 ] || { echo "usage: grade.sh SUBMISSION..." >&2; exit 2; }
for s; do
	[ -d "$s" ] || [[ -f $s && $s == *.c ]] ||
		{ echo "grade.sh: $s is neither a directory nor a .c file" >&2; exit 2; }
done
mkdir -p "$out"
kver=$(GUEST_ARCH=amd64 resolve_kernel && echo "$KVER") || exit 1

# prepare NAME PATH: the submission's sources, flat, in NAME/src, and the
# grader's Kbuild for them: counter.ko, whatever its files are called.
# Only plain names are taken: a name is written into the Kbuild, which
# make reads, and make would expand a "$(shell ...)" in it. Build
# leftovers (*.mod.c) and programs (a main()) are not the module's.
prepare() {
	local name=$1 from=$2 src=$out/$1/src files=() f base objs=()
	rm -rf "${out:?}/$name"
	mkdir -p "$src"
	: >"$out/$name/build.log"
	if [ -f "$from" ]; then
		cp -- "$from" "$src/counter.c"
	else
		while IFS= read -r -d '' f; do
			base=${f##*/}
			if [[ ! $base =~ ^[A-Za-z0-9_][A-Za-z0-9_-]*\.[ch]$ ]] || [[ $base == *.mod.c ]] ||
			   { [[ $base == *.c ]] && grep -qE '^[[:space:]]*int[[:space:]]+main[[:space:]]*\(' "$f"; }; then
				echo "grade: left out: ${f#"$from"/}" >>"$out/$name/build.log"
				continue
			fi
			if [ -e "$src/$base" ]; then
				echo "grade: two files named $base" >>"$out/$name/build.log"
				return 1
			fi
			cp -- "$f" "$src/$base"
		done < <(find "$from" -type f \( -name '*.c' -o -name '*.h' \) -print0)
	fi
	mapfile -t files < <(cd "$src" && ls -- *.c 2>/dev/null)
	if [ ${#files[@]} -eq 0 ]; then
		echo "grade: no .c file in $from" >>"$out/$name/build.log"
		return 1
	fi
	if [ ${#files[@]} -eq 1 ] && [ "${files[0]}" != counter.c ]; then
		mv "$src/${files[0]}" "$src/counter.c"
	elif [ ${#files[@]} -gt 1 ]; then
		# A module of several files: none may share the module's name.
		if [ -e "$src/counter.c" ]; then
			[ ! -e "$src/counter_main.c" ] || {
				echo "grade: counter.c and counter_main.c: one must be renamed" \
					>>"$out/$name/build.log"
				return 1
			}
			mv "$src/counter.c" "$src/counter_main.c"
		fi
		for f in "$src"/*.c; do
			base=${f##*/}
			objs+=("${base%.c}.o")
		done
		echo "counter-y := ${objs[*]}" >"$src/Kbuild"
	fi
	echo "obj-m := counter.o" >>"$src/Kbuild"
}

# build NAME: counter.ko against each kernel's headers (or build tree) the
# rubric runs on, in a sandbox, into NAME/src.KERNEL/. One that fails
# leaves NAME/build-failed-KERNEL, and its log in NAME/build.log.
build() {
	local name=$1 dir=$out/$1 kernel mode built=0
	for kernel in "${kernels[@]}"; do
		mode=grade
		[ "$kernel" = debug ] && mode=grade-debug
		GUEST_ARCH=amd64 KVER=$kver COUNTER_SOURCES=$dir/src timeout 600 \
			"$COUNTER_TOP/run/boot.sh" build "$mode" >>"$dir/build.log" 2>&1
		if [ -f "$dir/src.$kernel/counter.ko" ]; then
			built=$((built + 1))
		else
			: >"$dir/build-failed-$kernel"
		fi
	done
	[ "$built" -gt 0 ]
}

# run_kernel KERNEL NAME...: the rubric's tests on KERNEL for each, in as
# few boots as they allow.
run_kernel() {
	local kernel=$1 mode=grade boot=0 dead=0 list log status name rest line started
	shift
	[ "$kernel" = debug ] && mode=grade-debug
	declare -A left boots
	for name; do
		left[$name]=$("$grader" tests "$rubric" "$kernel" | paste -sd,)
		boots[$name]=0
		: >"$out/$name/$kernel.tap"
	done
	local pending=("$@")
	while [ ${#pending[@]} -gt 0 ]; do
		boot=$((boot + 1))
		list=$out/boots/$kernel-$boot
		mkdir -p "$list"
		: >"$list/list"
		: >"$list/names"
		for name in "${pending[@]}"; do
			mkdir -p "$list/$name"
			cp "$out/$name/src.$kernel/counter.ko" "$list/$name/"
			tr , '\n' <<<"${left[$name]}" >"$list/$name/selection"
			echo "$name $list/$name" >>"$list/list"
			echo "$name" >>"$list/names"
		done
		log=$list/boot.log
		GUEST_ARCH=amd64 KVER=$kver COUNTER_GRADE=$list/list COUNTER_LOGS=$list \
			COUNTER_TIMEOUT=$((120 + 300 * ${#pending[@]})) \
			"${half[@]}" "$COUNTER_TOP/run/boot.sh" "$mode" >"$log" 2>&1
		status=$?
		echo "# $kernel kernel, boot $boot: ${#pending[@]} submission(s), $(sed -n \
			's/^# guest: ran //p' "$log" | tail -n 1) (QEMU status $status)"
		"$verdict" --reports "$list/$mode-output.log" "$list/$mode-console.log" \
			>"$list/reports" || :
		# Those not reached first, then those that ended the boot: one
		# that ends every boot it is in delays no other.
		rest=() again=() started=0
		while read -r line; do
			read -r name status tests <<<"$line"
			case $status in
			done) [ "$tests" != - ] || { started=1; continue; } ;;
			absent) rest+=("$name"); continue ;;
			esac
			started=1
			left[$name]=$tests boots[$name]=$((boots[$name] + 1))
			[ "$tests" != - ] || continue
			if [ "${boots[$name]}" -ge "$max_boots" ]; then
				printf '# %s: %s boots on the %s kernel; not run: %s\n' "$name" \
					"${boots[$name]}" "$kernel" "$tests" |
					tee -a "$out/$name/$kernel.tap"
				continue
			fi
			again+=("$name")
		done < <("$grader" split "$kernel" "$list/names" "$list/$mode-output.log" \
			"$list/$mode-console.log" "$list/reports" "$out")
		# A boot in which no submission even began: the guest did not
		# start. Twice, and the rest are not run.
		if [ "$started" = 0 ]; then
			dead=$((dead + 1))
			if [ "$dead" -ge 2 ]; then
				for name in "${rest[@]}"; do
					printf '# %s: %s boots on the %s kernel; not run: %s\n' "$name" \
						"$boot" "$kernel" "the guest did not start" |
						tee -a "$out/$name/$kernel.tap"
				done
				rest=()
			fi
		fi
		pending=("${rest[@]}" "${again[@]}")
	done
}

# The kernels the rubric runs on, each made ready once, before any build
# (the debug kernel's first build takes about 20 minutes).
mapfile -t kernels < <("$grader" kernels "$rubric")
for kernel in "${kernels[@]}"; do
	[ "$kernel" != debug ] || "$COUNTER_TOP/kernels/debug-build.sh" debug >/dev/null || exit 1
done

names=()
built=()
declare -A seen
for s; do
	name=$(basename -- "${s%/}" .c | tr -c 'A-Za-z0-9_.\n-' _)
	[[ ! $name =~ ^\.*$|^boots$ ]] || name=submission$name
	while [ -n "${seen[$name]:-}" ]; do name=${name}_; done
	seen[$name]=1
	names+=("$name")
	start=$SECONDS
	if prepare "$name" "$s" || { : >"$out/$name/build-failed-all"; false; } &&
	   build "$name"; then
		built+=("$name")
		echo "# $name: built ($((SECONDS - start)) s)"
	else
		echo "# $name: did not build ($((SECONDS - start)) s)"
	fi
done
# At half a core: QEMU on CPU 0 beside a spinner there, at the same
# priority, for as long as the guests run, and no longer than this script.
half=()
if [ -n "${GRADE_HALF_CPU:-}" ]; then
	# shellcheck disable=SC2016 # the inner shell's $1
	taskset -c 0 sh -c 'while kill -0 "$1" 2>/dev/null; do :; done' sh $$ &
	spinner=$!
	trap 'kill "$spinner" 2>/dev/null' EXIT
	half=(taskset -c 0)
	echo "# at half a core: the guests on CPU 0, beside a spinner"
fi
start=$SECONDS
if [ ${#built[@]} -gt 0 ]; then
	for kernel in "${kernels[@]}"; do
		ready=()
		for name in "${built[@]}"; do
			[ -e "$out/$name/build-failed-$kernel" ] || ready+=("$name")
		done
		[ ${#ready[@]} -eq 0 ] || run_kernel "$kernel" "${ready[@]}"
	done
fi
echo "# guests: $((SECONDS - start)) s for ${#built[@]} submission(s)," \
	"$(((SECONDS - start) / (${#built[@]} > 0 ? ${#built[@]} : 1))) s a submission"
for name in "${names[@]}"; do
	"$grader" report "$rubric" "$out" "$name" "$COUNTER_TOP/docs/tests.md" \
		"$COUNTER_TOP/mutants"
done
