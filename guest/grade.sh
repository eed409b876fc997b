#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs in the guest for `make grade`: one submission after another in one
# boot, each module in /lib/grade/NAME as counter.ko beside the helper
# modules, the tests it is graded by in /lib/grade/NAME.selection, judged
# as a contract (--contract). /lib/grade/list names them in order. One that
# leaves the kernel changed ends the boot: the host boots again for the
# rest. counter_test says so, exiting 3 (EXIT_NOT_PUT_BACK in
# guest/lib/harness.h); a status over 128, its end by a signal, says
# nothing of the kernel, which is then taken as changed.
scale=$1
while read -r name; do
	echo "# submission: $name"
	echo "counter_test: submission $name" >/dev/kmsg
	/bin/counter_test "/lib/grade/$name" --contract --timeout-scale="$scale" \
		-T "/lib/grade/$name.selection"
	status=$?
	echo "# submission done: $name"
	if [ "$status" -eq 3 ] || [ "$status" -gt 128 ]; then
		echo "# submission left the kernel changed: $name"
		# A thread left behind wakes within its second into a module
		# that is gone: its report lands with this submission.
		sleep 2
		exit 0
	fi
done </lib/grade/list
