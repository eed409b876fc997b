# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced by every script of the rig: the facts they share, each written
# once, and TAP helpers in the manner of the kernel's ktap_helpers.sh.

COUNTER_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
COUNTER_BUILD=$COUNTER_TOP/build
COUNTER_CACHE=${COUNTER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/counter}
# Debian 12's kernel source, whatever Debian release the machine runs:
# checkpatch.pl and the debug kernel come from it (kernels/linux-source.sh).
# shellcheck disable=SC2034 # for the scripts that source this
LINUX_SOURCE_PKG=linux-source-6.1
# shellcheck disable=SC2034 # for the scripts that source this
LINUX_SOURCE_SUITE=bookworm
# The verdict, which also knows the guest's success marker.
# shellcheck disable=SC2034 # for the scripts that source this
VERDICT=$COUNTER_BUILD/host/verdict

# An architecture's record, kernels/arch/NAME.conf (Debian's name): one
# KEY=value a line, the value to the end of the line, unquoted.
arch_record() {
	echo "$COUNTER_TOP/kernels/arch/$1.conf"
}

# arch_get NAME KEY: the value of KEY in NAME's record (empty when unset);
# fails when there is no such architecture.
arch_get() {
	local file
	file=$(arch_record "$1")
	[ -f "$file" ] || return 1
	sed -n "s/^$2=//p" "$file"
}

# Every architecture that has a record, amd64 first.
arch_names() {
	local f
	echo amd64
	for f in "$COUNTER_TOP"/kernels/arch/*.conf; do
		f=${f##*/}
		[ "${f%.conf}" = amd64 ] || echo "${f%.conf}"
	done
}

# globs_select NAME GLOBS: whether NAME matches one of the comma-separated
# GLOBS, as the suite's -t takes them; no GLOBS selects every name.
globs_select() {
	local glob globs
	[ -n "$2" ] || return 0
	IFS=, read -ra globs <<<"$2"
	for glob in "${globs[@]}"; do
		# shellcheck disable=SC2053 # the pattern is a glob on purpose
		[[ $1 == $glob ]] && return 0
	done
	return 1
}

# What kernels the machine (or the system at root $1) has: /boot and
# /lib/modules file by file (a directory's time left out: it changes when
# an entry comes and goes again), and the linux-image and linux-headers
# packages dpkg knows. Two listings differ when a kernel, headers or a
# module came or went or changed.
# shellcheck disable=SC2120 # the root is optional: the machine's by default
kernel_state() {
	local root=${1:-}
	find "$root/boot" "$root/lib/modules" -printf '%p %y %s %T@ %m %u\n' 2>/dev/null |
		cut -c "$((${#root} + 1))-" | awk '$2 == "d" { $4 = "-" } 1' | sort
	dpkg-query --admindir="$root/var/lib/dpkg" -W \
		-f='${db:Status-Abbrev} ${Package} ${Version}\n' \
		'linux-image*' 'linux-headers*' 2>/dev/null | sort
}

# The "N passed, N failed[, N skipped]" line that ends every suite.
ktap_summary_line() {
	local line="$1 passed, $2 failed"
	[ "${3:-0}" -gt 0 ] && line="$line, $3 skipped"
	echo "$line"
}

# Reads output on stdin; sets SUMMARY_PASSED, SUMMARY_FAILED and
# SUMMARY_SKIPPED from its last summary line. Fails when there is none.
ktap_parse_summary() {
	local line re='^([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?$'
	line=$(grep -E "$re" | tail -n 1)
	[[ $line =~ $re ]] || return 1
	SUMMARY_PASSED=${BASH_REMATCH[1]}
	SUMMARY_FAILED=${BASH_REMATCH[2]}
	SUMMARY_SKIPPED=${BASH_REMATCH[4]:-0}
}

KTAP_PASSED=0
KTAP_FAILED=0
KTAP_SKIPPED=0
KTAP_NUM=0

ktap_print_header() {
	echo "TAP version 13"
}

ktap_set_plan() {
	echo "1..$1"
}

# ktap_result ok|fail NAME [REASON]
ktap_result() {
	KTAP_NUM=$((KTAP_NUM + 1))
	if [ "$1" = ok ]; then
		KTAP_PASSED=$((KTAP_PASSED + 1))
		echo "ok $KTAP_NUM - $2"
	else
		KTAP_FAILED=$((KTAP_FAILED + 1))
		echo "not ok $KTAP_NUM - $2${3:+ # $3}"
	fi
}

ktap_skip() {
	KTAP_NUM=$((KTAP_NUM + 1))
	KTAP_SKIPPED=$((KTAP_SKIPPED + 1))
	echo "ok $KTAP_NUM - $1 # SKIP $2"
}

# ktap_check [--silent] NAME COMMAND...: passes when the command succeeds
# (and, with --silent, prints nothing); what it printed becomes diagnostics.
ktap_check() {
	local silent=0 name out status
	[ "$1" = --silent ] && { silent=1; shift; }
	name=$1
	shift
	out=$("$@" 2>&1)
	status=$?
	[ "$silent" -eq 1 ] && [ -n "$out" ] && status=1
	if [ "$status" -eq 0 ]; then
		ktap_result ok "$name"
	else
		ktap_result fail "$name"
	fi
	# shellcheck disable=SC2001 # every line of the output gets its "# "
	[ -n "$out" ] && sed 's/^/# /' <<<"$out" | head -40
	return 0
}

# Adds the suite whose output is in FILE to the totals, from its summary
# line (one without counts as one failure); succeeds if none failed.
ktap_count_suite() {
	ktap_parse_summary <"$1" ||
		{ SUMMARY_PASSED=0 SUMMARY_FAILED=1 SUMMARY_SKIPPED=0; }
	KTAP_PASSED=$((KTAP_PASSED + SUMMARY_PASSED))
	KTAP_FAILED=$((KTAP_FAILED + SUMMARY_FAILED))
	KTAP_SKIPPED=$((KTAP_SKIPPED + SUMMARY_SKIPPED))
	[ "$SUMMARY_FAILED" -eq 0 ]
}

# Prints the summary line; succeeds only when nothing failed.
ktap_finished() {
	ktap_summary_line "$KTAP_PASSED" "$KTAP_FAILED" "$KTAP_SKIPPED"
	[ "$KTAP_FAILED" -eq 0 ]
}
