#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs in the guest for `make mutants`: one mutant after another in one
# boot, each as its own guest would run it (load_succeeds and the test
# that must kill it, stopping at the first failure), its module in
# /lib/mutants/NAME. /lib/mutants/list has a "NAME KILLER" line for each.
# A mutant that leaves the kernel changed (its module, its entry or its
# thread still there) ends the boot: the host boots again for the rest.
while read -r name killer; do
	echo "# mutant: $name"
	/bin/counter_test "/lib/mutants/$name" --fail-fast -t "load_succeeds,$killer"
	echo "# mutant done: $name"
	# shellcheck disable=SC2009 # the guest has no pgrep; [counter] is a kernel thread
	if [ -e /sys/module/counter ] || [ -e /proc/counter ] ||
	   ps | grep -q '\[counter\]'; then
		echo "# mutant left the kernel changed: $name"
		exit 0
	fi
done </lib/mutants/list
