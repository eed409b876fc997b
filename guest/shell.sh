#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs in the guest for `make shell`: counter.ko loaded, then a shell.
insmod /lib/counter/counter.ko || exit 1
echo "counter.ko is loaded. Try: cat /proc/counter; ps | grep counter;"
echo "dmesg | grep counter:; rmmod counter. exit powers the guest off."
exec /bin/sh -i
