#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Prints the rows of a table in a Markdown file, one a line, its cells
# trimmed and separated by tabs: the first table after the heading HEADING
# (its text, without the #s) whose header's first cell is FIRST, before the
# next heading. Fails, saying so, when there is no such table.
# Usage: readme-table.sh FILE HEADING FIRST
set -uo pipefail

[ $# -eq 3 ] || { echo "usage: readme-table.sh FILE HEADING FIRST" >&2; exit 2; }
awk -v heading="$2" -v first="$3" '
function trim(s) { gsub(/^[ \t]+|[ \t]+$/, "", s); return s }
function cells(line,   a, n, i, out) {
	n = split(line, a, "|")
	out = trim(a[2])
	for (i = 3; i < n; i++)
		out = out "\t" trim(a[i])
	return out
}
/^```/ { fence = !fence; next }
fence { next }
/^#+ / {
	text = $0
	sub(/^#+ +/, "", text)
	here = (text == heading)
	state = 0
	next
}
!here || done { next }
# state: 0 outside a table, 1 after our header, 2 in our rows, 3 in another table
/^\|/ {
	if (state == 0)
		state = trim((split($0, h, "|") > 1) ? h[2] : "") == first ? 1 : 3
	else if (state == 1)
		state = 2
	else if (state == 2) {
		print cells($0)
		found = 1
	}
	next
}
{
	if (state == 2)
		done = 1
	if (state == 1 || state == 2)
		found = 1
	state = 0
}
END {
	if (state == 1 || state == 2)
		found = 1
	if (!found) {
		printf "%s: no table under \"%s\" whose first column is \"%s\"\n",
			FILENAME, heading, first > "/dev/stderr"
		exit 1
	}
}' "$1"
