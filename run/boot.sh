#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Builds the modules for the guest kernel, packs them with a guest program
# into an initramfs, boots it in QEMU and judges the run.
#
# Usage: boot.sh check|demo|bench|check-debug
#   check-debug runs the suite, plus the debug-only tests, on the debug
#   kernel that kernels/debug-build.sh makes.
# Environment: ARCH (Debian's name for the guest's architecture, as in
#   kernels/arches; default amd64), KVER (guest kernel release, default:
#   the one ARCH's row in kernels/arches names), KCC (compiler
#   for the module build), COUNTER_KO (a counter.ko built elsewhere, e.g.
#   by DKMS, to test instead of building one), COUNTER_C (another
#   counter.c to build and test, e.g. a mutant), COUNTER_LOGS (where the
#   run's logs go, by default build/KVER), COUNTER_FAIL_FAST (stop the
#   suite at its first failure), COUNTER_ACCEL (default tcg; kvm is
#   opt-in), COUNTER_TIMEOUT (seconds), QUICK (bench: short windows).
set -euo pipefail

mode=${1:?usage: boot.sh check|demo|bench|check-debug}
. "$(dirname "$0")/../kernels/resolve.sh"
top=$COUNTER_TOP
arch=${ARCH:-amd64}
karch=$(arch_field "$arch" 2) || {
	echo "boot.sh: no architecture $arch in kernels/arches" >&2
	exit 2
}
cross=$(arch_field "$arch" 3)
# A log buffer large enough that init reads the whole run's log back.
append="panic=-1 oops=panic panic_on_warn=1 log_buf_len=8M"
if [ "$mode" = check-debug ]; then
	[ "$arch" = amd64 ] || { echo "boot.sh: the debug kernel is amd64's" >&2; exit 2; }
	KBUILD=$("$top/kernels/debug-build.sh")
	KIMAGE=$KBUILD/arch/x86/boot/bzImage
	KVER=$(cat "$KBUILD/include/config/kernel.release")
	KCHROOT=
	KMODULES=
	KBUSYBOX=/bin/busybox
else
	resolve_kernel
	# Debian's kernel has SLUB_DEBUG but leaves it off unless asked.
	append="$append slub_debug=FZPU"
fi
out=$COUNTER_BUILD/$KVER
tools=$COUNTER_BUILD/guest/$arch
make -s --no-print-directory -C "$top" guest-tools ARCH="$arch"

# Copies sources into a directory of the build tree and builds them there,
# so that every kernel gets its own objects.
build_modules() {
	local dir=$1 inner kmake
	shift
	kmake=(ARCH="$karch" ${cross:+CROSS_COMPILE=$cross} ${KCC:+CC=$KCC})
	mkdir -p "$dir"
	cp "$@" "$dir"/
	if [ -z "$KCHROOT" ]; then
		make -s -C "$KBUILD" M="$dir" "${kmake[@]}" modules
		return
	fi
	inner=/build/${dir#"$COUNTER_BUILD"/}
	rm -rf "$KCHROOT$inner"
	mkdir -p "$KCHROOT$inner"
	cp "$@" "$KCHROOT$inner"/
	# objtool reads /proc: mount it in a namespace that dies with the build.
	unshare --mount --fork sh -c 'mount -t proc proc "$1/proc" && root=$1 &&
		shift && exec chroot "$root" make -s "$@" modules' \
		sh "$KCHROOT" -C "$KBUILD" M="$inner" "${kmake[@]}"
	cp "$KCHROOT$inner"/*.ko "$dir"/
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
list=$COUNTER_BUILD/guest/counter_test.list
case $mode in
check) cmd=$suite; tmo=300 ;;
check-debug)
	cmd="$suite --debug"; tmo=2400
	list=$COUNTER_BUILD/guest/counter_test-debug.list ;;
demo) cmd="/bin/sh /demo.sh"; tmo=120 ;;
bench) cmd="/bin/counter_bench /lib/counter ${QUICK:+quick}"; tmo=900 ;;
*) echo "boot.sh: unknown mode $mode" >&2; exit 2 ;;
esac
# Other architectures run emulated instruction by instruction, slower.
[ "$arch" = amd64 ] || tmo=$((tmo * 4))
tmo=${COUNTER_TIMEOUT:-$tmo}

root=$out/initramfs-$mode
rm -rf "$root"
mkdir -p "$root"/{bin,lib/counter,proc,sys,dev,tmp}
cp "$tools/init" "$root/init"
cp "$tools/counter_test" "$tools/counter_bench" "$root/bin/"
cp "$top/guest/demo.sh" "$root/demo.sh"
cp "$KBUSYBOX" "$root/bin/busybox"
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
# The machine for each architecture. The kernel's console is its first
# port; the tests write to a second one (init's default: ttyS1), a
# virtio console where the machine has a single UART.
output_port=(-serial stdio)
output_tty=
virtio_output=
case $arch in
amd64)	qemu=(qemu-system-x86_64 -M pc -cpu max -global PIIX4_PM.disable_s3=0)
	console_tty=ttyS0 ;;
# qemu-system-i386's "max" CPU says AMD, and Linux warns that its SMP is
# unsupported: an Intel model instead.
i386)	qemu=(qemu-system-i386 -M pc -cpu Nehalem -global PIIX4_PM.disable_s3=0)
	console_tty=ttyS0 ;;
arm64)	qemu=(qemu-system-aarch64 -M virt -cpu cortex-a57); console_tty=ttyAMA0
	virtio_output=1 ;;
armhf)	qemu=(qemu-system-arm -M virt,highmem=off -cpu cortex-a15); console_tty=ttyAMA0
	virtio_output=1 ;;
# TCG has none of the Spectre mitigations pseries asks for by default.
ppc64el) qemu=(qemu-system-ppc64
	       -M pseries,cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,cap-ccf-assist=off)
	console_tty=hvc0; output_tty=/dev/hvc1 ;;
s390x)	qemu=(qemu-system-s390x -M s390-ccw-virtio); console_tty=ttysclp0
	virtio_output=1 ;;
riscv64) qemu=(qemu-system-riscv64 -M virt -bios default); console_tty=ttyS0
	virtio_output=1 ;;
esac
if [ -n "$virtio_output" ]; then
	output_port=(-device virtio-serial -chardev stdio,id=out,signal=off
		     -device virtconsole,chardev=out)
	output_tty=/dev/hvc0
	boot_modules virtio_pci virtio_console
fi

initrd=$out/$mode.cpio.gz
(cd "$root" && find . -print0 | cpio --null -o -H newc -R 0:0 --quiet) |
	gzip -1 >"$initrd"

logs=${COUNTER_LOGS:-$out}
mkdir -p "$logs"
console=$logs/$mode-console.log
output=$logs/$mode-output.log
# One guest at a time on a machine: two at once share its cores, and the
# timing tests would fail for the wrong reason. Locked through a read-only
# descriptor, so that every user can lock the file whoever made it.
lock=${TMPDIR:-/tmp}/counter-guest.lock
[ -e "$lock" ] || : >>"$lock"
exec 9<"$lock"
flock 9
echo "# guest: $KVER ($KIMAGE), $arch, ${COUNTER_ACCEL:-tcg}" >&2
set +e
timeout "$tmo" "${qemu[@]}" -accel "${COUNTER_ACCEL:-tcg}" \
	-smp 2 -m 1G -nodefaults -display none -monitor none -no-reboot \
	-kernel "$KIMAGE" -initrd "$initrd" \
	-append "console=$console_tty $append${output_tty:+ guest_output=$output_tty} -- $cmd" \
	-serial "file:$console" "${output_port[@]}" </dev/null |
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
