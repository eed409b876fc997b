#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs the benchmark guest and turns what it printed into
#   build/bench/results.csv   metric,subject,value,unit
#   build/bench/error.png     the count's error against time
# and a markdown table on stdout. QUICK=1 shortens every window; GUEST_ARCH
# (kernels/arch/) runs it on another architecture, into build/bench-ARCH.
set -euo pipefail

here=$(dirname "$0")
. "$here/../kernels/resolve.sh"
resolve_kernel
arch=${GUEST_ARCH:-amd64}
out=$COUNTER_BUILD/bench
[ "$arch" = amd64 ] || out=$out-$arch
mkdir -p "$out"

"$here/boot.sh" bench >"$out/guest.log" 2>&1 || {
	cat "$out/guest.log"
	exit 1
}
grep '^# ' "$out/guest.log" | grep -v '^# kmsg: ' || true

{
	echo "metric,subject,value,unit"
	sed -n 's/^csv: //p' "$out/guest.log"
	# Sections of the .ko files, from the architecture's binutils.
	for ko in "$COUNTER_BUILD/$KVER"/{counter.ko,helpers/naive.ko,helpers/noop.ko}; do
		name=$(basename "$ko" .ko)
		"$(arch_get "$arch" CROSS)size" -A "$ko" | awk -v s="$name" '
			$1 ~ /^\.text/ { t += $2 } $1 ~ /^\.(data|rodata)/ { d += $2 }
			$1 ~ /^\.bss/ { b += $2 }
			END { printf "ko_text_bytes,%s,%d,bytes\nko_data_bytes,%s,%d,bytes\nko_bss_bytes,%s,%d,bytes\n", s, t, s, d, s, b }'
	done
} >"$out/results.csv"

for s in counter naive; do
	sed -n "s/^err: $s,//p" "$out/guest.log" | tr ',' ' ' >"$out/error-$s.dat"
done
gnuplot <<EOP
set terminal png size 800,450 noenhanced
set output "$out/error.png"
set title "Error of the count against CLOCK_MONOTONIC ($KVER guest, $arch, TCG)"
set xlabel "seconds since load"
set ylabel "how late the count changes (s)"
set key top left
plot "$out/error-counter.dat" using 1:2 with linespoints title "counter", \
     "$out/error-naive.dat" using 1:2 with linespoints title "naive (ssleep(1); counter++)"
EOP

echo
echo "| metric | subject | value | unit |"
echo "|---|---|---|---|"
tail -n +2 "$out/results.csv" | awk -F, '{ printf "| %s | %s | %s | %s |\n", $1, $2, $3, $4 }'
echo
echo "Written: $out/results.csv, $out/error.png"
