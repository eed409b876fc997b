#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What an ordinary user runs (make check and make demo, unless TARGETs are
# named, each a word or quoted with its variables: "check T=NAME"), run as one: user nobody, with a fresh HOME, in a copy of the
# tracked files that it owns. Guest kernels are fetched into that HOME's
# cache, and everything is built and booted (QEMU, TCG) as nobody; root
# only installs, first, the packages rig/deps.sh names.
# With a Debian suite (trixie, sid) instead of "host", all of it happens in
# a chroot of that release (hosts/chroot.sh makes it, once); /proc, /sys,
# /dev and the machine's /tmp (where guests queue for the machine's cores)
# are mounted there in a mount namespace that ends with each command.
# Either way, the kernels installed (/boot, /lib/modules, the linux-image
# and linux-headers packages), the machine's and the chroot's, must be
# exactly as before. One TAP line per step, the targets' own tests
# counted in, then "N passed, N failed".
# Usage: user-test.sh [host|SUITE] [TARGET...]   (root)
set -uo pipefail
. "$(dirname "$0")/../rig/lib.sh"

where=${1:-host}
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(check demo)
user=65534	# nobody, in every Debian system
tmp=${TMPDIR:-/tmp}
root=

# Runs a command on the machine, or in the chroot.
in_root() {
	if [ -z "$root" ]; then
		"$@"
		return
	fi
	# shellcheck disable=SC2016 # the inner sh expands them
	unshare --mount --propagation private sh -c 'r=$1 tmp=$2; shift 2
		mount -t proc proc "$r/proc" && mount --rbind /sys "$r/sys" &&
		mount --rbind /dev "$r/dev" && mount --bind "$tmp" "$r/tmp" &&
		exec chroot "$r" "$@"' sh "$root" "$tmp" "$@"
}

# Runs a command as the user, with what a login gives it: a HOME and
# Debian's PATH for users.
as_user() {
	in_root setpriv --reuid="$user" --regid="$user" --clear-groups \
		env -i HOME="$inner/home" LANG=C.UTF-8 \
		PATH=/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games "$@"
}

# A make target, with its variables if any ("check T=NAME"), as the user:
# its output a subtest, its tests counted.
user_make() {
	local args log start status name
	read -ra args <<<"$1"
	log=$scratch/${args[0]}.log
	name="make $1 as an unprivileged user${root:+ on $where}"
	start=$(date +%s)
	as_user make -C "$inner/src" --no-print-directory "${args[@]}" >"$log" 2>&1
	status=$?
	sed 's/^/    /' "$log"
	KTAP_NUM=$((KTAP_NUM + 1))
	# demo prints no summary: its status is what counts.
	if ktap_parse_summary <"$log"; then
		ktap_count_suite "$log" || status=1
	fi
	if [ "$status" -eq 0 ]; then
		echo "ok $KTAP_NUM - $name"
	else
		echo "not ok $KTAP_NUM - $name"
		KTAP_FAILED=$((KTAP_FAILED + 1))
	fi
	echo "# $(($(date +%s) - start)) s"
}

owned_by_user() {
	local others
	others=$(find "$scratch/src" "$scratch/home" ! -user "$user" | head -n 5)
	[ -z "$others" ] || { echo "not the user's: $others"; return 1; }
}

kernel_in_cache() {
	ls -d "$scratch"/home/.cache/counter/kernels/*/.fetched
}

if [ "$(id -u)" -ne 0 ]; then
	echo "user-test.sh: needs root, to become the user and make the chroot" >&2
	exit 1
fi

ktap_print_header
if [ "$where" != host ]; then
	start=$(date +%s)
	out=$("$COUNTER_TOP/hosts/chroot.sh" "$where" 2>&1)
	status=$?
	ktap_result "$([ $status -eq 0 ] && echo ok || echo fail)" \
		"a $where system made with debootstrap"
	# shellcheck disable=SC2001 # every line of it, not one string
	sed 's/^/# /' <<<"$out"
	echo "# $(($(date +%s) - start)) s"
	[ $status -eq 0 ] || { ktap_set_plan "$KTAP_NUM"; ktap_finished; exit; }
	root=${out##*$'\n'}
fi
machine_before=$(kernel_state)
[ -n "$root" ] && root_before=$(kernel_state "$root")

scratch=$(mktemp -d "$tmp/counter-user.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
inner=$scratch
[ -n "$root" ] && inner=/tmp/${scratch##*/}
chmod 755 "$scratch"
mkdir "$scratch/src" "$scratch/home"
# A git repository as a clone is: lint and deb list the tracked files.
git -C "$COUNTER_TOP" ls-files -z |
	(cd "$COUNTER_TOP" && xargs -0 cp --parents -t "$scratch/src")
git -C "$scratch/src" init -q && git -C "$scratch/src" add -A
chown -R "$user:$user" "$scratch/src" "$scratch/home"

for target in "${targets[@]}"; do
	target_name=${target%% *}
	ktap_check "rig/deps.sh installs what make $target_name needs (root)" \
		in_root "$inner/src/rig/deps.sh" "${target_name#check-}"
	user_make "$target"
done
ktap_check "every file made is the user's" owned_by_user
ktap_check "the guest kernel was fetched into the user's cache" kernel_in_cache
ktap_check "the machine's /boot, /lib/modules and kernel packages are as before" \
	diff <(echo "$machine_before") <(kernel_state)
if [ -n "$root" ]; then
	ktap_check "the $where system's /boot, /lib/modules and kernel packages are as before" \
		diff <(echo "$root_before") <(kernel_state "$root")
fi
ktap_set_plan "$KTAP_NUM"
ktap_finished
