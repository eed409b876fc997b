#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs in the guest for `make grade`: one submission after another in one
# boot, each module in /lib/grade/NAME as counter.ko beside the helper
# modules, the tests it is graded by in /lib/grade/NAME.selection, judged
# as a contract (--contract). /lib/grade/list names them in order. One that
# leaves the kernel changed (its module, its entry or its thread still
# there) ends the boot: the host boots again for the rest.
scale=$1
while read -r name; do
	echo "# submission: $name"
	echo "counter_test: submission $name" >/dev/kmsg
	/bin/counter_test "/lib/grade/$name" --contract --timeout-scale="$scale" \
		-T "/lib/grade/$name.selection"
	echo "# submission done: $name"
	# shellcheck disable=SC2009 # the guest has no pgrep; [counter] is a kernel thread
	if [ -e /sys/module/counter ] || [ -e /proc/counter ] ||
	   ps | grep -q '\[counter\]'; then
		echo "# submission left the kernel changed: $name"
		exit 0
	fi
done </lib/grade/list
