#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs in the guest for `make mutants`: one mutant after another in one
# boot, each as its own guest would run it (load_succeeds and the test
# that must kill it, stopping at the first failure), its module in
# /lib/mutants/NAME. /lib/mutants/list has a "NAME KILLER" line for each.
# A mutant that leaves the kernel changed ends the boot: the host boots
# again for the rest. counter_test says so, exiting 3 (EXIT_NOT_PUT_BACK
# in guest/lib/harness.h); a status over 128, its end by a signal, says
# nothing of the kernel, which is then taken as changed.
while read -r name killer; do
	echo "# mutant: $name"
	/bin/counter_test "/lib/mutants/$name" --fail-fast -t "load_succeeds,$killer"
	status=$?
	echo "# mutant done: $name"
	if [ "$status" -eq 3 ] || [ "$status" -gt 128 ]; then
		echo "# mutant left the kernel changed: $name"
		exit 0
	fi
done </lib/mutants/list
