#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Builds the modules for the guest kernel, packs them with a guest program
# into an initramfs, boots it in QEMU and judges the run.
#
# Usage: boot.sh check|demo|bench|check-debug
#   check-debug runs the suite, plus the debug-only tests, on the debug
#   kernel that kernels/debug-build.sh makes.
# Environment: KVER (guest kernel release, default: linux-headers-amd64's),
#   KCC (compiler for the module build), COUNTER_KO (a counter.ko built
#   elsewhere, e.g. by DKMS, to test instead of building one), COUNTER_C
#   (another counter.c to build and test, e.g. a mutant), COUNTER_LOGS
#   (where the run's logs go, by default build/KVER), COUNTER_FAIL_FAST
#   (stop the suite at its first failure),
#   COUNTER_ACCEL (default tcg; kvm is opt-in), COUNTER_TIMEOUT (seconds),
#   QUICK (bench: short windows).
set -euo pipefail

mode=${1:?usage: boot.sh check|demo|bench|check-debug}
. "$(dirname "$0")/../kernels/resolve.sh"
top=$COUNTER_TOP
# A log buffer large enough that init reads the whole run's log back.
append="console=ttyS0 panic=-1 oops=panic panic_on_warn=1 log_buf_len=8M"
if [ "$mode" = check-debug ]; then
	KBUILD=$("$top/kernels/debug-build.sh")
	KIMAGE=$KBUILD/arch/x86/boot/bzImage
	KVER=$(cat "$KBUILD/include/config/kernel.release")
	KCHROOT=
else
	resolve_kernel
	# Debian's kernel has SLUB_DEBUG but leaves it off unless asked.
	append="$append slub_debug=FZPU"
fi
out=$COUNTER_BUILD/$KVER
tools=$COUNTER_BUILD

# Copies sources into a directory of the build tree and builds them there,
# so that every kernel gets its own objects.
build_modules() {
	local dir=$1 inner
	shift
	mkdir -p "$dir"
	cp "$@" "$dir"/
	if [ -z "$KCHROOT" ]; then
		make -s -C "$KBUILD" M="$dir" ${KCC:+CC=$KCC} modules
		return
	fi
	inner=/build/${dir#"$COUNTER_BUILD"/}
	rm -rf "$KCHROOT$inner"
	mkdir -p "$KCHROOT$inner"
	cp "$@" "$KCHROOT$inner"/
	# objtool reads /proc: mount it in a namespace that dies with the build.
	unshare --mount --fork sh -c 'mount -t proc proc "$1/proc" &&
		exec chroot "$1" make -s -C "$2" M="$3" modules' \
		sh "$KCHROOT" "$KBUILD" "$inner"
	cp "$KCHROOT$inner"/*.ko "$dir"/
}

if [ -n "${COUNTER_KO:-}" ]; then
	module=$COUNTER_KO
elif [ -n "${COUNTER_C:-}" ]; then
	build_modules "$out/variant" "$COUNTER_C" "$top/Kbuild"
	module=$out/variant/counter.ko
else
	build_modules "$out" "$top/counter.c" "$top/Kbuild"
	module=$out/counter.ko
fi
build_modules "$out/helpers" "$top"/guest/modules/{Kbuild,*.c}

# The suite counts the verdict's checks in its plan: one TAP stream.
suite="/bin/counter_test /lib/counter --host-checks=$("$VERDICT" --host-checks)"
[ -n "${COUNTER_FAIL_FAST:-}" ] && suite="$suite --fail-fast"
list=$tools/guest/counter_test.list
case $mode in
check) cmd=$suite; tmo=${COUNTER_TIMEOUT:-300} ;;
check-debug)
	cmd="$suite --debug"; tmo=${COUNTER_TIMEOUT:-2400}
	list=$tools/guest/counter_test-debug.list ;;
demo) cmd="/bin/sh /demo.sh"; tmo=${COUNTER_TIMEOUT:-120} ;;
bench) cmd="/bin/counter_bench /lib/counter ${QUICK:+quick}"; tmo=${COUNTER_TIMEOUT:-900} ;;
*) echo "boot.sh: unknown mode $mode" >&2; exit 2 ;;
esac

root=$out/initramfs-$mode
rm -rf "$root"
mkdir -p "$root"/{bin,lib/counter,proc,sys,dev,tmp}
cp "$tools/guest/init" "$root/init"
cp "$tools/guest/counter_test" "$tools/guest/counter_bench" "$root/bin/"
cp "$top/guest/demo.sh" "$root/demo.sh"
cp /bin/busybox "$root/bin/"
for applet in sh cat ps grep sleep insmod rmmod lsmod dmesg echo; do
	ln -s busybox "$root/bin/$applet"
done
lib=$root/lib/counter
cp "$module" "$out"/helpers/{noop,squatter}.ko "$lib/"
[ "$mode" = bench ] && cp "$out"/helpers/{naive,parts}.ko "$lib/"
# For the signing tests: the module as built, if unsigned; on the debug
# kernel every module is signed with its build's key (make sign), one
# signed copy is changed after signing, and signatures are enforced.
tail -c 28 "$module" | grep -q 'Module signature appended' ||
	cp "$module" "$lib/counter_unsigned.ko"
if [ "$mode" = check-debug ]; then
	for ko in "$lib"/{counter,noop,squatter}.ko; do
		make -s -C "$top" sign KDIR="$KBUILD" SIGN_MODULE="$ko" \
			SIGN_KEY="$KBUILD/certs/signing_key.pem" \
			SIGN_CERT="$KBUILD/certs/signing_key.x509"
	done
	cp "$lib/counter.ko" "$lib/counter_tampered.ko"
	offset=$(($(stat -c %s "$lib/counter.ko") / 2))
	byte=$(od -An -tu1 -j "$offset" -N 1 "$lib/counter.ko")
	printf "\\$(printf %03o $((byte ^ 0xff)))" |
		dd of="$lib/counter_tampered.ko" bs=1 seek="$offset" conv=notrunc status=none
	append="$append module.sig_enforce=1"
fi
initrd=$out/$mode.cpio.gz
(cd "$root" && find . -print0 | cpio --null -o -H newc -R 0:0 --quiet) |
	gzip -1 >"$initrd"

logs=${COUNTER_LOGS:-$out}
mkdir -p "$logs"
console=$logs/$mode-console.log
output=$logs/$mode-output.log
echo "# guest: $KVER ($KIMAGE), ${COUNTER_ACCEL:-tcg}" >&2
set +e
timeout "$tmo" qemu-system-x86_64 -accel "${COUNTER_ACCEL:-tcg}" -cpu max \
	-smp 2 -m 1G -nodefaults -display none -monitor none -no-reboot \
	-global PIIX4_PM.disable_s3=0 \
	-kernel "$KIMAGE" -initrd "$initrd" -append "$append -- $cmd" \
	-serial "file:$console" -serial stdio </dev/null |
	sed -u 's/\r$//' | tee "$output" | grep --line-buffered -v '^# kmsg: '
status=${PIPESTATUS[0]}
set -e

case $mode in
check|check-debug)
	set +e
	"$VERDICT" "$output" "$console" "$status" "$list" | tee "$logs/$mode-verdict.log"
	status=${PIPESTATUS[0]}
	# The guest's stream and the verdict's end of it: one TAP stream.
	cat "$output" "$logs/$mode-verdict.log" >"$logs/$mode.tap"
	exit "$status" ;;
demo|bench) exec "$VERDICT" --marker "$output" "$status" ;;
esac
