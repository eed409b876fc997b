#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs in the guest for `make demo`: what a user would type, and what it shows.
run() {
	echo "# $*"
	"$@"
}

run insmod /lib/counter/counter.ko
# shellcheck disable=SC2034 # five reads, a second apart: i is not read
for i in 1 2 3 4 5; do
	run cat /proc/counter
	sleep 1
done
echo "# ps -o pid,ppid,stat,comm | grep -E 'PID|counter'"
# shellcheck disable=SC2009 # ps's own columns are the point; the guest has no pgrep
ps -o pid,ppid,stat,comm | grep -E 'PID|counter'
run rmmod counter
echo "# dmesg | grep 'counter:'"
dmesg | grep 'counter:'
