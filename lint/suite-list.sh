#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Prints the guest suite's test names, one a line, in the order the suite
# runs them, as the amd64 counter_test lists them (a static binary, so it
# runs on the host); with --debug, the debug kernel's run of the suite,
# with --kcsan the KCSAN kernel's.
# Builds the binary first. The list option is whichever spelling the binary
# takes (--list or -l, --debug or -d): a spelling it does not take is
# either refused or read as a module directory, and then the suite starts.
# So the binary runs as nobody, with no capabilities, under a timeout, and
# its output counts only if it exits 0 and every line is a test name: the
# suite must never run against the host's own kernel.
# Usage: suite-list.sh [--debug|--kcsan]
set -uo pipefail
. "$(dirname "$0")/../rig/lib.sh"

flavour=
case "${1:-}" in
"") ;;
--debug | --kcsan) flavour=$1 ;;
*) echo "usage: suite-list.sh [--debug|--kcsan]" >&2; exit 2 ;;
esac

make -s --no-print-directory -C "$COUNTER_TOP" build/guest/amd64/counter_test >&2 ||
	exit 1
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp "$COUNTER_BUILD/guest/amd64/counter_test" "$scratch/"
chmod 755 "$scratch"

run() {
	local as=()
	[ "$(id -u)" -eq 0 ] && as=(setpriv --reuid=65534 --regid=65534
		--clear-groups --inh-caps=-all --bounding-set=-all --no-new-privs)
	(cd "$scratch" && timeout 20 "${as[@]}" ./counter_test "$@" </dev/null 2>/dev/null)
}

if [ "$flavour" = --debug ]; then
	spellings=("--list --debug" "-l --debug" "-l -d" "--list -d")
elif [ -n "$flavour" ]; then
	spellings=("--list $flavour" "-l $flavour")
else
	spellings=("--list" "-l")
fi
for opts in "${spellings[@]}"; do
	# shellcheck disable=SC2086 # each spelling is one or two words
	out=$(run $opts) || continue
	if [ -n "$out" ] && ! grep -qvE '^[a-z][a-z0-9_]*$' <<<"$out"; then
		echo "$out"
		exit 0
	fi
done
echo "counter_test lists no tests with any of: $(printf '"%s" ' "${spellings[@]}")" >&2
exit 1
