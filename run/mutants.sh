#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs every mutant in mutants/, counter.c broken for one promise. Each
# must be killed by the test its patch names under "Killed-by:": the guest
# runs load_succeeds and that test (T=load_succeeds,TEST, stopping at the
# first failure), and the first to fail must be that test. The amd64 ones
# share guests, one after another (guest/mutants.sh): one that leaves the
# kernel changed ends its guest, and the rest boot again; one the guest
# dies in runs again alone, judged by the verdict, as does every other
# mutant, and the one whose test reads the whole boot's kernel log. load_succeeds first shows the mutant loads and
# leaves a log; a failure anywhere else, a mutant the KUnit suite cannot
# build, or none at all is not a kill. Then, once, the same tests on
# counter.c itself must pass: no test kills for the sake of running alone.
# A mutant killed by a host check
# ("Killed-by: lint: ...") is left to make lint. One killed by a build
# ("Killed-by: build: ARCH") must fail to build for that architecture,
# with modpost naming a symbol the kernel does not export. One killed on
# the debug kernel ("Killed-by: debug: TEST") runs there, one killed by
# KCSAN ("Killed-by: kcsan: TEST") on the KCSAN kernel, one killed on an
# architecture ("Killed-by: ARCH: TEST", e.g. i386 for a 32-bit unsigned
# long) in that architecture's guest.
# Usage: mutants.sh [NAME...]
set -uo pipefail
. "$(dirname "$0")/../rig/lib.sh"

dir=$COUNTER_BUILD/mutants
# A good run takes under a minute, on the debug kernel under five; a
# mutant that hangs is cut short.
export COUNTER_FAIL_FAST=1
mkdir -p "$dir"
if [ $# -gt 0 ]; then
	patches=("${@/#/$COUNTER_TOP/mutants/}")
	patches=("${patches[@]/%/.patch}")
else
	patches=("$COUNTER_TOP"/mutants/*.patch)
fi

# amd64's guest kernel, resolved once (each resolution asks apt): the
# release every amd64 mutant's build and guest use.
. "$COUNTER_TOP/kernels/resolve.sh"
kver=$(GUEST_ARCH=amd64 resolve_kernel && echo "$KVER") || exit 1

# Every mutant's counter.c first. Those that run on amd64's kernel are
# built ahead, one after another under SCHED_IDLE, while the guests run:
# each guest then finds its modules built.
ahead=()
for patch in "${patches[@]}"; do
	name=$(basename "$patch" .patch)
	killer=$(sed -n 's/^Killed-by: //p' "$patch")
	mkdir -p "$dir/$name"
	rm -f "$dir/$name/counter.c" "$dir/$name/.built-ahead"
	case $killer in
	lint:* | build:* | *:\ *) touch "$dir/$name/.built-ahead" ;;
	*) ahead+=("$name $killer") ;;
	esac
	patch -s -F0 -o "$dir/$name/counter.c" "$COUNTER_TOP/counter.c" <"$patch" \
		>"$dir/$name/patch.log" 2>&1 || rm -f "$dir/$name/counter.c"
done
# The guest programs and helper modules first, which every build shares.
GUEST_ARCH=amd64 KVER=$kver "$COUNTER_TOP/run/boot.sh" build check >"$dir/build.log" 2>&1 ||
	{ cat "$dir/build.log"; exit 1; }
# shellcheck disable=SC2016 # the inner shell's variables
chrt --idle 0 bash -c 'top=$1 dir=$2 kver=$3; shift 3
	for m; do
		read -r name killer <<<"$m"
		[ -f "$dir/$name/counter.c" ] &&
			GUEST_ARCH=amd64 KVER=$kver COUNTER_C=$dir/$name/counter.c \
			T=load_succeeds,$killer "$top/run/boot.sh" build check \
			>"$dir/$name/build.log" 2>&1
		touch "$dir/$name/.built-ahead"
	done' bash "$COUNTER_TOP" "$dir" "$kver" "${ahead[@]}" &
builder=$!
trap 'kill "$builder" 2>/dev/null' EXIT

# run_alone NAME KILLER: the mutant in a guest of its own, judged by the
# verdict's stream: its killer must be the first test to fail.
run_alone() {
	local name=$1 killer=$2 log=$dir/$1/check.log undefined mode guest release tmo
	local start seconds first
	if [[ $killer == build:* ]]; then
		arch=${killer#build: }
		GUEST_ARCH=$arch KVER='' COUNTER_C=$dir/$name/counter.c COUNTER_LOGS=$dir/$name \
			"$COUNTER_TOP/run/boot.sh" check >"$log" 2>&1
		undefined=$(grep -o 'modpost: "[^"]*" \[.*counter.ko\] undefined' "$log")
		echo "# $name: ${undefined:-built} for $arch"
		if ! grep -q '^# guest: ' "$log" && [ -n "$undefined" ]; then
			ktap_result ok "$name is killed by the $arch build"
		else
			ktap_result fail "$name is killed by the $arch build" "it built"
		fi
		return
	fi
	mode=check guest=amd64 release=$kver tmo=${COUNTER_TIMEOUT:-180}
	case $killer in
	debug:\ *) killer=${killer#debug: } mode=check-debug tmo=${COUNTER_TIMEOUT:-600} ;;
	kcsan:\ *) killer=${killer#kcsan: } mode=check-kcsan tmo=${COUNTER_TIMEOUT:-600} ;;
	*:\ *) guest=${killer%%: *} killer=${killer#*: } release= ;;
	esac
	start=$(date +%s)
	GUEST_ARCH=$guest KVER=$release COUNTER_C=$dir/$name/counter.c COUNTER_LOGS=$dir/$name \
		COUNTER_TIMEOUT=$tmo T=load_succeeds,$killer \
		"$COUNTER_TOP/run/boot.sh" "$mode" >"$log" 2>&1
	seconds=$(($(date +%s) - start))
	# The guest's own failures carry no directive; the verdict's do, but
	# for the test a guest died in, which the guest could not report.
	first=$(sed -n -e 's/^not ok [0-9]* - \([a-z0-9_]*\)$/\1/p' \
		-e 's/^not ok [0-9]* - \([a-z0-9_]*\) # the guest stopped during this test$/\1/p' \
		"$log" | head -n 1)
	echo "# $name: first failure ${first:-none} (${seconds} s, alone)"
	if ktap_parse_summary <"$log" && [ "$SUMMARY_FAILED" -eq 0 ]; then
		ktap_result fail "$name is killed by $killer" "it survived"
	elif grep -q '^boot.sh: counter_kunit.ko did not build' "$log"; then
		ktap_result fail "$name is killed by $killer" "the KUnit suite does not build with it"
	elif [ "$first" = "$killer" ]; then
		ktap_result ok "$name is killed by $killer"
	else
		grep -q '^not ok .* timed out$' "$log" && first="none, the guest timed out after $tmo s"
		ktap_result fail "$name is killed by $killer" "first failure: ${first:-none}"
	fi
}

# judge_in_batch NAME KILLER LOG: a mutant whose run in a shared guest
# ended (guest/mutants.sh's "done" line): its killer must be the first
# test of its part of the stream to fail.
judge_in_batch() {
	local name=$1 killer=$2 part first
	part=$(sed -n "/^# mutant: $name\$/,/^# mutant done: $name\$/p" "$3")
	first=$(sed -n 's/^not ok [0-9]* - \([a-z0-9_]*\)$/\1/p' <<<"$part" | head -n 1)
	echo "# $name: first failure ${first:-none} (in a shared guest)"
	if [ "$first" = "$killer" ]; then
		ktap_result ok "$name is killed by $killer"
	elif [ -z "$first" ]; then
		ktap_result fail "$name is killed by $killer" "it survived"
	else
		ktap_result fail "$name is killed by $killer" "first failure: $first"
	fi
}

# run_batch "NAME KILLER"...: amd64 mutants one after another in one guest,
# as guest/mutants.sh runs them. A mutant the guest died in (a panic, an
# oops, a hang) runs again alone, judged by the verdict; one that left the
# kernel changed is judged, and the rest boot again.
run_batch() {
	local list=$dir/batch-$KTAP_NUM.list log=$dir/batch-$KTAP_NUM.log
	local m name killer variant rest=() done_names start
	: >"$list"
	for m; do
		read -r name killer <<<"$m"
		variant=$COUNTER_BUILD/$kver/variants/$(sha1sum <"$dir/$name/counter.c" | cut -c 1-16)
		if [ ! -f "$variant/module/counter.ko" ]; then
			sed 's/^/# /' "$dir/$name/build.log" | tail -n 20
			ktap_result fail "$name is killed by $killer" "it did not build"
			continue
		fi
		if [ "$killer" = kunit_arithmetic_at_boundaries ] &&
		   [ ! -f "$variant/kunit/counter_kunit.ko" ]; then
			ktap_result fail "$name is killed by $killer" "the KUnit suite does not build with it"
			continue
		fi
		mkdir -p "$dir/$name/batch"
		rm -f "$dir/$name/batch"/*.ko
		cp "$variant/module/counter.ko" "$dir/$name/batch/"
		[ "$killer" != kunit_arithmetic_at_boundaries ] ||
			cp "$variant/kunit/counter_kunit.ko" "$dir/$name/batch/"
		echo "$name $killer $dir/$name/batch" >>"$list"
	done
	[ -s "$list" ] || return 0
	start=$(date +%s)
	GUEST_ARCH=amd64 KVER=$kver COUNTER_MUTANTS=$list COUNTER_LOGS=$dir/batch \
		COUNTER_TIMEOUT=$((60 + 60 * $(wc -l <"$list"))) \
		"$COUNTER_TOP/run/boot.sh" mutants >"$log" 2>&1
	echo "# $(wc -l <"$list") mutant(s) in one guest: $(($(date +%s) - start)) s"
	while read -r name killer _; do
		if grep -qx "# mutant done: $name" "$log"; then
			judge_in_batch "$name" "$killer" "$log"
			grep -qx "# mutant left the kernel changed: $name" "$log" || continue
			echo "# $name left the kernel changed: the rest boot again"
		elif grep -qx "# mutant: $name" "$log"; then
			echo "# the shared guest stopped during $name: it runs alone"
			run_alone "$name" "$killer"
		else
			rest+=("$name $killer")
			continue
		fi
		done_names=1
	done <"$list"
	[ ${#rest[@]} -eq 0 ] || [ -z "${done_names:-}" ] || run_batch "${rest[@]}"
	[ ${#rest[@]} -eq 0 ] || [ -n "${done_names:-}" ] || for m in "${rest[@]}"; do
		read -r name killer <<<"$m"
		run_alone "$name" "$killer"
	done
}

ktap_print_header
killers=()
batch=()
for patch in "${patches[@]}"; do
	name=$(basename "$patch" .patch)
	killer=$(sed -n 's/^Killed-by: //p' "$patch")
	case $killer in lint:*) continue ;; esac
	if [ ! -f "$dir/$name/counter.c" ]; then
		sed 's/^/# /' "$dir/$name/patch.log"
		ktap_result fail "$name applies to counter.c"
		continue
	fi
	case $killer in
	build:* | *:\ *) ;;
	*) killers+=("$killer") ;;
	esac
	case $killer in
	# Judges the whole boot's kernel log: no other mutant's before it.
	kernel_log_has_only_documented_messages | build:* | *:\ *) ;;
	*) batch+=("$name $killer"); continue ;;
	esac
	# Its build ahead, if it has one, done: never two builds in one place.
	while [ ! -e "$dir/$name/.built-ahead" ] && kill -0 "$builder" 2>/dev/null; do
		sleep 0.2
	done
	run_alone "$name" "$killer"
done

# The shared guests, once every mutant in them is built.
wait "$builder"
[ ${#batch[@]} -eq 0 ] || run_batch "${batch[@]}"


# Not a mutant: counter.c itself, with the amd64 killers in one guest,
# as the mutants' guests run them. Each must pass. Its first boot is
# broken before init, and must be booted again.
if [ $# -eq 0 ]; then
	log=$dir/control.log
	tests=$(IFS=,; echo "load_succeeds,${killers[*]}")
	COUNTER_FAIL_FAST='' COUNTER_LOGS=$dir/control KVER=$kver T=$tests \
		COUNTER_BREAK_FIRST_BOOT=1 "$COUNTER_TOP/run/boot.sh" check >"$log" 2>&1
	boots=$(grep -c '^# guest: ran ' "$log")
	echo "# counter.c with the killers alone: $boots boot(s)"
	if grep -q '^# guest: booting again$' "$log" && [ "$boots" -eq 2 ]; then
		ktap_result ok "a guest whose kernel stopped before init is booted again"
	else
		grep '^# guest: ' "$log"
		ktap_result fail "a guest whose kernel stopped before init is booted again" \
			"$boots boot(s)"
	fi
	# Every test asked for ran, the list longer than a command line.
	missing=$(tr , '\n' <<<"$tests" | sort -u |
		grep -vxFf <(sed -n 's/^# TEST //p' "$log" | tr ' ' '\n') | tr '\n' ' ')
	echo "# counter.c with the killers alone: asked for $(tr , '\n' <<<"$tests" |
		sort -u | wc -l) tests in ${#tests} bytes"
	if [ -z "$missing" ]; then
		ktap_result ok "a long selection runs every test it names"
	else
		ktap_result fail "a long selection runs every test it names" "not run: $missing"
	fi
	SUMMARY_PASSED=0 SUMMARY_FAILED=1
	ktap_parse_summary <"$log"
	echo "# counter.c with the killers alone: $SUMMARY_PASSED passed, $SUMMARY_FAILED failed"
	if [ "$SUMMARY_FAILED" -eq 0 ] && [ "$SUMMARY_PASSED" -gt 0 ]; then
		ktap_result ok "counter.c passes the tests that kill mutants, run as they run them"
	else
		ktap_result fail "counter.c passes the tests that kill mutants, run as they run them"
	fi
fi

# Not a mutant: one early test forced to fail right after its fixture
# loaded the module, and the tests after it that load it again, of the
# same fixture and of others (the whole suite runs in check's own runs).
# Teardown unloads it, so that test, and no other, fails.
if [ $# -eq 0 ]; then
	forced=reads_zero_right_after_load
	after=proc_entry_is_0444,kthread_named_counter_exists,byte_reads_stay_in_buffer
	after=$after,every_buffer_size_reads_the_line,pread_at_zero_rereads
	after=$after,load_message_in_kernel_log,rmmod_is_prompt,failed_load_leaves_nothing
	log=$dir/forced-failure.log
	COUNTER_FAIL_FAST='' COUNTER_FORCE_FAIL=$forced COUNTER_LOGS=$dir/forced KVER=$kver \
		T=load_succeeds,$forced,$after "$COUNTER_TOP/run/boot.sh" check >"$log" 2>&1
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
