#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Drives `make shell` as a user would: waits for the guest's shell, types
# into it, and checks what comes back. GUEST_ARCH and KVER as for boot.sh.
set -uo pipefail
. "$(dirname "$0")/../rig/lib.sh"

log=$COUNTER_BUILD/shell-test-${GUEST_ARCH:-amd64}.log
mkdir -p "$COUNTER_BUILD"
: >"$log"
# Emulated architectures boot and run slower.
wait_s=60
[ "${GUEST_ARCH:-amd64}" = amd64 ] || wait_s=240

coproc GUEST { "$COUNTER_TOP/run/boot.sh" shell 2>&1; }
exec {to}>&"${GUEST[1]}" {from}<&"${GUEST[0]}"

# Reads what the guest prints until a line matches; fails after WAIT s.
expect() {
	local line end=$((SECONDS + $2))
	while [ "$SECONDS" -lt "$end" ] &&
		IFS= read -r -t $((end - SECONDS)) line <&"$from"; do
		echo "$line" >>"$log"
		[[ $line =~ $1 ]] && return 0
	done
	return 1
}

# step NAME INPUT PATTERN: types INPUT (if any), expects PATTERN.
step() {
	[ -n "$2" ] && echo "$2" >&"$to"
	if expect "$3" "$wait_s"; then
		ktap_result ok "$1"
	else
		ktap_result fail "$1" "no line matching /$3/ (see $log)"
	fi
}

ktap_print_header
ktap_set_plan 6
# Another run on the machine holds it until it is done: the guest starts
# when boot.sh says so.
expect "^# guest: " 3600
step "the shell comes up with counter.ko loaded" "" "^counter.ko is loaded"
step "cat /proc/counter prints the line" "cat /proc/counter" \
	"^The counter is now at: [0-9]+$"
step "ps shows the kernel thread" "ps" "\[counter\]$"
step "after rmmod, /proc/counter is gone" "rmmod counter; cat /proc/counter" \
	"can't open '/proc/counter': No such file or directory"
step "dmesg shows the final count" "dmesg | grep counter:" \
	"counter: unloaded, the counter was at [0-9]+"
echo exit >&"$to"
exec {to}>&-
wait "$GUEST_PID"
status=$?
if [ "$status" -eq 0 ]; then
	ktap_result ok "exit powers the guest off"
else
	ktap_result fail "exit powers the guest off" "status $status"
fi
ktap_finished
