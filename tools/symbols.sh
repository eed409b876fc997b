#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Checks the symbols a counter.ko imports (modpost's view: nm -u) against
# tools/kernel-exports.tsv: every one must be there, and the minimum kernel
# the README and counter(4) state must be the newest "since" of the api
# symbols imported.
# Usage: symbols.sh COUNTER_KO
set -uo pipefail
. "$(dirname "$0")/lib.sh"

ko=${1:?usage: symbols.sh COUNTER_KO}
table=$COUNTER_TOP/tools/kernel-exports.tsv
status=0 min=0

while read -r sym; do
	row=$(awk -F'\t' -v s="$sym" '$1 == s' "$table")
	if [ -z "$row" ]; then
		echo "$sym: not in tools/kernel-exports.tsv"
		status=1
		continue
	fi
	IFS=$'\t' read -r _ since kind _ <<<"$row"
	echo "$sym: $kind, since $since"
	[ "$kind" = api ] &&
		min=$(printf '%s\n%s\n' "$min" "$since" | sort -V | tail -n 1)
done < <(nm -u "$ko" | awk '{ print $2 }')

echo "minimum kernel: $min"
for doc in README.md docs/counter.4; do
	grep -q "Linux $min or later" "$COUNTER_TOP/$doc" || {
		echo "$doc does not say \"Linux $min or later\""
		status=1
	}
done
exit "$status"
