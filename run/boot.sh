#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A guest run, in the steps its functions are named for: find the kernel,
# build the modules for it, choose what the guest runs, pack that into an
# initramfs, boot it in QEMU (the machine that the architecture's record
# in kernels/arch/ names), and judge the run.
#
# Usage: boot.sh check|demo|bench|check-debug|check-kcsan|shell|mutants|grade|grade-debug|
#                build [MODE]
#   check-debug runs the suite, plus the debug-only tests, on the debug
#   kernel that kernels/debug-build.sh makes; check-kcsan runs those and
#   the race test on the KCSAN kernel (debug-build.sh kcsan). build MODE
#   only builds what MODE would boot (for a COUNTER_C, ahead of its run),
#   without waiting for the guests: the build directories it writes must
#   be no running guest's. mutants boots one guest for several mutants
#   (COUNTER_MUTANTS, a file of "NAME KILLER DIR" lines, DIR holding the
#   mutant's counter.ko and, if built, its counter_kunit.ko), which
#   guest/mutants.sh runs one after another; run/mutants.sh judges them.
#   grade boots one guest for several submissions (COUNTER_GRADE, a file
#   of "NAME DIR" lines, DIR holding the submission's counter.ko and the
#   selection of tests it is graded by), which guest/grade.sh runs one
#   after another as a contract; grade-debug does so on the debug kernel;
#   run/grade.sh judges them. Neither builds or loads this tree's module.
# Environment: GUEST_ARCH (Debian's name for the guest's architecture, a
#   record in kernels/arch/; default amd64), KVER (guest kernel release,
#   default: the one its record's suite and flavour name), KCC (compiler
#   for the module build), COUNTER_KO (a counter.ko built elsewhere, e.g.
#   by DKMS, to test instead of building one), COUNTER_C (another
#   counter.c to build and test, e.g. a mutant), COUNTER_LOGS (where the
#   run's logs go, by default build/KVER), COUNTER_FAIL_FAST (stop the
#   suite at its first failure), COUNTER_ACCEL (default tcg; kvm is
#   opt-in), COUNTER_TIMEOUT (seconds), QUICK (bench: short windows),
#   T (check: only the tests matching these globs, comma-separated),
#   COUNTER_MEMORY (the guest's memory, instead of its record's: a grader
#   in 768 MB, docs/grading.md), COUNTER_SOURCES (a submission's sources,
#   for build grade: run/grade.sh), COUNTER_GRADE (grade: see above),
#   COUNTER_FORCE_FAIL (check: these tests fail right after their
#   fixture's setup, to show that no failure spreads to the others),
#   COUNTER_BREAK_FIRST_BOOT (the first boot looks for an init that is
#   not there, to show that a kernel stopped before init boots again).
set -euo pipefail

mode=${1:?usage: boot.sh check|demo|bench|check-debug|check-kcsan|shell|mutants|grade|grade-debug|build [MODE]}
build_only=
[ "$mode" = build ] && { build_only=1; mode=${2:-check}; }
. "$(dirname "$0")/../kernels/resolve.sh"
top=$COUNTER_TOP
arch=${GUEST_ARCH:-amd64}
karch=$(arch_get "$arch" LINUX_ARCH) || {
	echo "boot.sh: no architecture $arch in kernels/arch/" >&2
	exit 2
}
cross=$(arch_get "$arch" CROSS)
# A log buffer large enough that init reads the whole run's log back.
append="panic=-1 oops=panic panic_on_warn=1 log_buf_len=8M"
# The kernel built here that the mode boots, if any: debug or kcsan.
flavour=
case $mode in
check-debug | check-kcsan) flavour=${mode#check-} ;;
grade-debug) flavour=debug ;;
esac
# A KCSAN report ends like a warning: under panic_on_warn a race in the
# kernel's own code, which the verdict names and counts, would end the run.
[ "$flavour" = kcsan ] && append=${append/ panic_on_warn=1/}

# The guest kernel: KVER, KIMAGE, KBUILD and the rest (resolve.sh).
kernel() {
	if [ -z "$flavour" ]; then
		resolve_kernel
		# Debian's kernel has SLUB_DEBUG but leaves it off unless asked.
		append="$append slub_debug=FZPU"
		return
	fi
	[ "$arch" = amd64 ] || { echo "boot.sh: the $flavour kernel is amd64's" >&2; exit 2; }
	KBUILD=$("$top/kernels/debug-build.sh" "$flavour")
	KIMAGE=$KBUILD/arch/x86/boot/bzImage
	KVER=$(cat "$KBUILD/include/config/kernel.release")
	KCHROOT=
	KMODULES=
	KBUSYBOX=/bin/busybox
}

# Copies sources into a directory of the build tree and builds them there,
# so that every kernel gets its own objects. A directory whose sources,
# compiler and kernel tree are those of its last good build, with every
# module of it still there, is left as it is: most runs change nothing,
# and Kbuild relinks every module even then.
build_modules() {
	local dir=$1 inner kmake f stamp want ko changed=0
	shift
	kmake=(ARCH="$karch" ${cross:+CROSS_COMPILE=$cross} ${KCC:+CC=$KCC})
	stamp=$dir/.built-against
	want="$KBUILD ${kmake[*]} $(stat -c %Y "$KCHROOT$KBUILD/.config" \
		"$KCHROOT$KBUILD/Module.symvers" 2>/dev/null | tr '\n' ' ' || :)"
	mkdir -p "$dir"
	for f; do
		cmp -s "$f" "$dir/${f##*/}" || { cp "$f" "$dir"/; changed=1; }
	done
	if [ "$changed" = 0 ] && [ "$(head -n 1 "$stamp" 2>/dev/null)" = "$want" ]; then
		changed=0
		while read -r ko; do
			[ -f "$dir/$ko" ] || changed=1
		done < <(tail -n +2 "$stamp")
		[ "$changed" = 0 ] && return 0
	fi
	rm -f "$stamp" "$dir"/*.ko
	if [ -z "$KCHROOT" ]; then
		"${sandbox[@]}" make -s -C "$KBUILD" M="$dir" "${kmake[@]}" modules || return
	else
		inner=/build/${dir#"$COUNTER_BUILD"/}
		rm -rf "$KCHROOT$inner"
		mkdir -p "$KCHROOT$inner"
		cp "$@" "$KCHROOT$inner"/ || return
		# objtool reads /proc: mount it in a namespace that dies with the build.
		# shellcheck disable=SC2016 # the inner sh expands them, the chroot as $1
		"${sandbox[@]}" unshare --mount --fork sh -c 'mount -t proc proc "$1/proc" && root=$1 &&
			shift && exec chroot "$root" make -s "$@" modules' \
			sh "$KCHROOT" -C "$KBUILD" M="$inner" "${kmake[@]}" || return
		cp "$KCHROOT$inner"/*.ko "$dir"/ || return
	fi
	{ echo "$want"; (cd "$dir" && ls -- *.ko); } >"$stamp.new" && mv "$stamp.new" "$stamp"
}

# What a submission's build runs in: a network namespace of its own
# (unprivileged, a user namespace too), where the machine allows one.
sandbox=()
sandboxed() {
	if unshare --net true 2>/dev/null; then
		sandbox=(unshare --net)
	elif unshare --net --map-current-user true 2>/dev/null; then
		sandbox=(unshare --net --map-current-user)
	else
		echo "boot.sh: no network namespace here: the build keeps the network" >&2
	fi
}

# counter.ko (or the one given, or a variant of counter.c), the helper
# modules, and the guest programs for the architecture.
build() {
	local kunit_dir variant
	out=$COUNTER_BUILD/$KVER
	tools=$COUNTER_BUILD/guest/$arch
	kunit_dir=$out/kunit
	make -s --no-print-directory -C "$top" guest-tools GUEST_ARCH="$arch"
	if [ -n "${COUNTER_SOURCES:-}" ]; then
		# A submission's sources and the Kbuild written for them
		# (run/grade.sh), built beside them for each kernel, without
		# the network.
		sandboxed
		build_modules "$COUNTER_SOURCES.${flavour:-debian}" "$COUNTER_SOURCES"/*
		sandbox=()
		module=$COUNTER_SOURCES.${flavour:-debian}/counter.ko
	elif [ -n "${COUNTER_GRADE:-}" ]; then
		module=
	elif [ -n "${COUNTER_KO:-}" ]; then
		module=$COUNTER_KO
	elif [ -n "${COUNTER_C:-}" ]; then
		# A directory of its own for each variant, named by its
		# contents: variants built ahead (boot.sh build) stay built.
		variant=$out/variants/$(sha1sum <"$COUNTER_C" | cut -c 1-16)
		build_modules "$variant/module" "$COUNTER_C" "$top/Kbuild"
		module=$variant/module/counter.ko
		kunit_dir=$variant/kunit
	else
		build_modules "$out" "$top/counter.c" "$top/Kbuild"
		module=$out/counter.ko
	fi
	build_modules "$out/helpers" "$top"/guest/modules/{Kbuild,*.c}
	# The helper modules the tests load, beside each counter.ko.
	test_helpers=("$out"/helpers/{noop,squatter,slept}.ko)
	# counter.c under test with its KUnit suite (KUnit's on the debug
	# kernels, kunit_shim.h's on the others), for a run of the tests that
	# load it: the KUnit test, and on the KCSAN kernel the race test. A
	# counter.c without the functions the suite calls fails that test.
	kunit=
	case $mode in check*)
		globs_select kunit_arithmetic_at_boundaries "${T:-}" ||
			{ [ "$flavour" = kcsan ] &&
				globs_select kcsan_finds_no_race_on_the_count "${T:-}"; } ||
			return 0
		if build_modules "$kunit_dir" "${COUNTER_C:-$top/counter.c}" \
			"$top"/guest/kunit/{Kbuild,counter_kunit.c,kunit_shim.h}; then
			kunit=$kunit_dir/counter_kunit.ko
		else
			echo "boot.sh: counter_kunit.ko did not build" >&2
		fi ;;
	esac
	return 0
}

# What the guest runs (cmd) and for how long at most (tmo).
program() {
	# Emulated architectures run instruction by instruction (their
	# record's scale), and the debug kernels under KASAN or KCSAN:
	# slower, each test's timeout scaled.
	local scale
	scale=$(arch_get "$arch" TIMEOUT_SCALE)
	[ -n "$flavour" ] && scale=4
	# The suite counts the verdict's checks in its plan: one TAP stream.
	# shellcheck disable=SC2206 # each option vanishes when unset; values are quoted inside
	suite=(--host-checks="$("$VERDICT" --host-checks)" --timeout-scale=$scale
	       ${COUNTER_FAIL_FAST:+--fail-fast} ${COUNTER_FORCE_FAIL:+"--force-fail=$COUNTER_FORCE_FAIL"}
	       ${T:+-T /selection})
	[ -n "$flavour" ] && suite+=(--"$flavour")
	case $mode in
	check) tmo=300 ;;
	check-debug | check-kcsan) tmo=600 ;;
	demo) cmd="/bin/sh /demo.sh"; tmo=120 ;;
	mutants) cmd="/bin/sh /mutants.sh"; tmo=${COUNTER_TIMEOUT:-600} ;;
	grade | grade-debug) cmd="/bin/sh /grade.sh $scale"; tmo=${COUNTER_TIMEOUT:-600} ;;
	shell) cmd="/bin/sh /shell.sh"; tmo=86400; append="$append guest_shell=1" ;;
	bench) cmd="/bin/counter_bench /lib/counter ${QUICK:+quick}"; tmo=900 ;;
	*) echo "boot.sh: unknown mode $mode" >&2; exit 2 ;;
	esac
	case $mode in check*) cmd="/bin/counter_test /lib/counter ${suite[*]}" ;; esac
	tmo=${COUNTER_TIMEOUT:-$((tmo * scale))}
}

# Copies the image's NAMEs, after what each depends on, into the
# initramfs's /lib/boot, numbered in load order: init loads them before
# it opens its output. A NAME built into the kernel has no file.
declare -A boot_loaded=()
boot_modules() {
	local name file dep
	for name; do
		[ -n "${boot_loaded[$name]:-}" ] && continue
		file=$(find "$KMODULES" -name "$name.ko" -o -name "$name.ko.xz" | head -n 1)
		[ -n "$file" ] || continue
		for dep in $(modinfo -F depends "$file" | tr , ' '); do
			boot_modules "$dep"
		done
		boot_loaded[$name]=$((${#boot_loaded[@]} + 1))
		mkdir -p "$root/lib/boot"
		case $file in
		*.xz) xz -dc "$file" ;;
		*) cat "$file" ;;
		esac >"$root/lib/boot/$(printf %02d "${boot_loaded[$name]}")-$name.ko"
	done
}

# Each submission's counter.ko in /lib/grade/NAME with the helper modules,
# its selection beside it, and the list guest/grade.sh reads.
pack_grade() {
	local name from
	mkdir -p "$root/lib/grade"
	while read -r name from; do
		mkdir -p "$root/lib/grade/$name"
		cp "$from/counter.ko" "${test_helpers[@]}" "$root/lib/grade/$name/"
		cp "$from/selection" "$root/lib/grade/$name.selection"
		echo "$name"
	done <"$COUNTER_GRADE" >"$root/lib/grade/list"
}

# Each mutant's modules in /lib/mutants/NAME, beside the helper modules
# the tests load from there, and the list guest/mutants.sh reads.
pack_mutants() {
	local name killer from to
	mkdir -p "$root/lib/mutants"
	while read -r name killer from; do
		to=$root/lib/mutants/$name
		mkdir -p "$to"
		cp "$from"/*.ko "${test_helpers[@]}" "$to/"
		echo "$name $killer"
	done <"$COUNTER_MUTANTS" >"$root/lib/mutants/list"
}

# For the signing tests: the module as built, if unsigned; on the debug
# kernel every module is signed with its build's key (make sign), one
# signed copy is changed after signing, and signatures are enforced.
pack_signing() {
	local ko offset byte lib=$root/lib/counter
	tail -c 28 "$module" | grep -q 'Module signature appended' ||
		cp "$module" "$lib/counter_unsigned.ko"
	[ -n "$flavour" ] || return 0
	for ko in "$lib"/{counter,noop,squatter,slept,counter_kunit}.ko; do
		[ -f "$ko" ] || continue
		make -s -C "$top" sign KDIR="$KBUILD" SIGN_MODULE="$ko" \
			SIGN_KEY="$KBUILD/certs/signing_key.pem" \
			SIGN_CERT="$KBUILD/certs/signing_key.x509"
	done
	cp "$lib/counter.ko" "$lib/counter_tampered.ko"
	offset=$(($(stat -c %s "$lib/counter.ko") / 2))
	byte=$(od -An -tu1 -j "$offset" -N 1 "$lib/counter.ko")
	# shellcheck disable=SC2059 # the format is the escape of the byte to write
	printf "\\$(printf %03o $((byte ^ 0xff)))" |
		dd of="$lib/counter_tampered.ko" bs=1 seek="$offset" conv=notrunc status=none
	append="$append module.sig_enforce=1"
}

# The initramfs: init, the guest programs and scripts, busybox, the
# modules, and the virtio console's modules where the tests write there.
pack() {
	local applet
	root=$out/initramfs-$mode
	rm -rf "$root"
	mkdir -p "$root"/{bin,lib/counter,proc,sys,dev,tmp}
	cp "$tools/init" "$root/init"
	cp "$tools/counter_test" "$tools/counter_bench" "$root/bin/"
	cp "$top"/guest/{demo,shell,mutants,grade}.sh "$root/"
	cp "$KBUSYBOX" "$root/bin/busybox"
	for applet in sh cat ps grep sleep insmod rmmod lsmod dmesg echo ls kill uptime; do
		ln -s busybox "$root/bin/$applet"
	done
	cp ${module:+"$module"} "${test_helpers[@]}" "$root/lib/counter/"
	[ "$mode" = bench ] && cp "$out"/helpers/{naive,parts}.ko "$root/lib/counter/"
	[ -z "$kunit" ] || cp "$kunit" "$root/lib/counter/"
	[ "$mode" = mutants ] && pack_mutants
	[ -z "${COUNTER_GRADE:-}" ] || pack_grade
	# The selection, of any length, in a file: not on the command line.
	[ -z "${T:-}" ] || printf '%s\n' "$T" >"$root/selection"
	# A submission is graded unsigned, signatures not enforced.
	[ -z "$module" ] || pack_signing
	[ "$(arch_get "$arch" OUTPUT)" = virtio ] && boot_modules virtio_pci virtio_console
	initrd=$out/$mode.cpio.gz
	(cd "$root" && find . -print0 | cpio --null -o -H newc -R 0:0 --quiet) |
		gzip -1 >"$initrd"
}

# The machine: the record's QEMU, machine, CPU, CPUs and memory; the kernel's console on its
# first port, the tests' output on a second one (init's default: ttyS1)
# or a virtio console, on this script's standard output.
machine() {
	local port
	local machine cpu opts
	machine=$(arch_get "$arch" MACHINE) cpu=$(arch_get "$arch" CPU)
	read -ra opts <<<"$(arch_get "$arch" QEMU_OPTIONS)"
	qemu=("$(arch_get "$arch" QEMU)" -M "$machine" ${cpu:+-cpu "$cpu"} "${opts[@]}"
	      -smp "$(arch_get "$arch" CPUS)" -m "${COUNTER_MEMORY:-$(arch_get "$arch" MEMORY)}")
	console_tty=$(arch_get "$arch" CONSOLE)
	port=$(arch_get "$arch" OUTPUT)
	output_tty=/dev/$port
	output_port=(-serial stdio)
	if [ "$port" = virtio ]; then
		output_tty=/dev/hvc0
		# shellcheck disable=SC2054 # QEMU's options take comma-separated properties
		output_port=(-device virtio-serial -chardev stdio,id=out,signal=off
			     -device virtconsole,chardev=out)
	fi
}

boot() {
	logs=${COUNTER_LOGS:-$out}
	mkdir -p "$logs"
	console=$logs/$mode-console.log
	output=$logs/$mode-output.log
	echo "# guest: $KVER ($KIMAGE), $arch, ${COUNTER_ACCEL:-tcg}" >&2
	# A guest that QEMU ended with status 0 (a panic under panic=-1, a
	# power-off or a reset under -no-reboot) before init began never
	# loaded the module: its kernel failed to boot. Say how, and boot
	# again, once; the verdict judges that second run. Not the shell's.
	local boots=1 append0=$append
	rm -f "$logs/$mode-console-first.log"
	[ -n "${COUNTER_BREAK_FIRST_BOOT:-}" ] && append="$append rdinit=/no-init"
	while qemu_run && append=$append0 && [ "$mode" != shell ] && [ "$status" -eq 0 ] &&
	      [ ! -s "$output" ] && ! grep -a -q '^init: began' "$console" 2>/dev/null; do
		echo "# guest: stopped before init began (QEMU status $status); its console:" >&2
		console_excerpt "$console" | tr -d '\r' | sed 's/^/#   /' >&2
		[ "$boots" -lt 2 ] || break
		boots=$((boots + 1))
		[ ! -e "$console" ] || mv "$console" "$logs/$mode-console-first.log"
		echo "# guest: booting again" >&2
	done
}

# The console around its first kernel report, or its last 20 lines.
console_excerpt() {
	local first
	first=$(grep -a -n -m 1 -E 'WARNING:|BUG:|Oops|Kernel panic|general protection' \
		"$1" 2>/dev/null | cut -d: -f1) || true
	if [ -n "$first" ]; then
		sed -n "$((first > 3 ? first - 3 : 1)),$((first + 16))p" "$1"
	else
		tail -n 20 "$1" 2>/dev/null || true
	fi
}

qemu_run() {
	local input=/dev/null start
	# Only the shell reads what is typed.
	[ "$mode" = shell ] && input=/dev/stdin
	rm -f "$console"
	set +e
	start=$SECONDS
	timeout "$tmo" "${qemu[@]}" -accel "${COUNTER_ACCEL:-tcg}" \
		-nodefaults -display none -monitor none -no-reboot \
		-kernel "$KIMAGE" -initrd "$initrd" \
		-append "console=$console_tty $append guest_output=$output_tty -- $cmd" \
		-serial "file:$console" "${output_port[@]}" <"$input" |
		sed -u 's/\r$//' | tee "$output" | grep --line-buffered -v '^# kmsg: '
	status=${PIPESTATUS[0]}
	set -e
	echo "# guest: ran $((SECONDS - start)) s" >&2
}

# The suite: the verdict on its output and the console; the demo and the
# benchmark: init's marker; the shell: QEMU's status.
judge() {
	case $mode in
	check|check-debug|check-kcsan)
		set +e
		"$VERDICT" "$output" "$console" "$status" | tee "$logs/$mode-verdict.log"
		status=${PIPESTATUS[0]}
		# The guest's stream and the verdict's end of it: one TAP stream.
		cat "$output" "$logs/$mode-verdict.log" >"$logs/$mode.tap"
		exit "$status" ;;
	demo|bench) exec "$VERDICT" --marker "$output" "$status" ;;
	mutants | grade | grade-debug) exit "$status" ;;
	shell) exit "$status" ;;
	esac
}

# One run at a time on a machine: two guests at once share its cores, and
# the timing tests would fail for the wrong reason; two runs for the same
# kernel share its build directory. Locked through a read-only descriptor,
# so that every user can lock the file, whoever made it.
lock=${TMPDIR:-/tmp}/counter-guest.lock
[ -e "$lock" ] || : >>"$lock"
if [ -n "$build_only" ]; then
	kernel
	build
	exit
fi
exec 9<"$lock"
flock 9

kernel
build
program
pack
machine
boot
judge
