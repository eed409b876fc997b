#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Writes the pages of docs/ that mirror the code, each from its single
# source, so that no table says what the code does not:
#   tests.md          the TEST() macros of the files in TEST_SRCS (rig/rig.mk),
#                     in the order the suite runs them, and the "Result NAME:"
#                     comment above each
#   mutants.md        the Promise: and Killed-by: headers of mutants/*.patch
#   architectures.md  the records of kernels/arch/*.conf
#   targets.md        what make help prints
# Fails, naming it, on a test result without its comment, a comment that
# names no result of the test below it, a mutant whose Killed-by names no
# test of the suite, or a record that skips a test the suite does not have.
# With --check, writes nothing: fails, printing which page is stale and
# how, when a page in docs/ is not what it would write.
# Usage: generate.sh [--check]
set -euo pipefail
. "$(dirname "$0")/../rig/lib.sh"

check=
case "${1:-}" in
"") ;;
--check) check=1 ;;
*) echo "usage: generate.sh [--check]" >&2; exit 2 ;;
esac
export LC_ALL=C
cd "$COUNTER_TOP"
pages=(tests.md mutants.md architectures.md targets.md)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# generated FROM: the line every page starts with.
generated() {
	echo "_Made by \`make docs\` (docs/generate.sh) from $1; do not edit it: edit its source and run \`make docs\`._"
	echo
}

# esc TEXT: TEXT for a Markdown table's cell, its bars escaped.
esc() {
	echo "${1//|/\\|}"
}

# The files of TEST_SRCS in rig/rig.mk, in its order, one a line: its
# variables expanded, as make expands them.
test_sources() {
	awk '
	function expand(s,   name) {
		while (match(s, /\$\([A-Za-z_][A-Za-z0-9_]*\)/)) {
			name = substr(s, RSTART + 2, RLENGTH - 3)
			s = substr(s, 1, RSTART - 1) vars[name] substr(s, RSTART + RLENGTH)
		}
		return s
	}
	/\\$/ { sub(/\\$/, ""); held = held $0 " "; next }
	{ line = held $0; held = "" }
	line ~ /^[A-Za-z_][A-Za-z0-9_]*[ \t]*[:?+]?=/ {
		name = line
		sub(/[ \t]*[:?+]?=.*/, "", name)
		value = line
		sub(/^[^=]*=[ \t]*/, "", value)
		vars[name] = (line ~ /^[^=]*\+=/ ? vars[name] " " : "") expand(value)
	}
	END {
		n = split(vars["TEST_SRCS"], w, /[ \t]+/)
		for (i = 1; i <= n; i++)
			if (w[i] != "")
				print w[i]
	}' rig/rig.mk
}

# The suite's results in the order they run, one a line, tab-separated:
# file, the kernels it runs on (any, debug, kcsan), the test, how many
# results the test has, the result, what it shows. A result's text is the
# comment paragraph above its test that begins "Result NAME:", to the next
# blank comment line, comment's end or "Result".
results() {
	local files
	mapfile -t files < <(test_sources)
	[ "${#files[@]}" -gt 0 ] || { echo "rig/rig.mk: no TEST_SRCS" >&2; return 1; }
	awk '
	function fail(where, msg) {
		print where ": " msg > "/dev/stderr"
		bad = 1
	}
	function close_text() {
		if (name != "")
			text[name] = body
		name = ""
	}
	# Result paragraphs left over: no test below them.
	function orphans(   n) {
		for (n in where)
			fail(where[n], "\"Result " n ":\" is above no test")
		split("", where)
		split("", text)
	}
	function test_macro(m, file, line,   kind, args, fn, level, names, n, i, s) {
		sub(/^[ \t]+/, "", m)
		kind = m
		sub(/\(.*/, "", kind)
		args = m
		sub(/^[^(]*\(/, "", args)
		sub(/\)[ \t]*$/, "", args)
		fn = args
		sub(/^[^,]*,[ \t]*/, "", fn)
		sub(/[ \t]*,.*/, "", fn)
		level = kind == "TEST_DEBUG" ? "debug" : kind == "TEST_KCSAN" ? "kcsan" : "any"
		n = 0
		if (kind == "TEST_RESULTS") {
			s = args
			while (match(s, /"[^"]*"/)) {
				names[++n] = substr(s, RSTART + 1, RLENGTH - 2)
				s = substr(s, RSTART + RLENGTH)
			}
		} else
			names[++n] = fn
		for (i = 1; i <= n; i++) {
			if (names[i] in seen)
				fail(file ":" line, "result " names[i] " again (" seen[names[i]] ")")
			seen[names[i]] = file ":" line
			if (!(names[i] in text)) {
				fail(file ":" line, "no \"Result " names[i] ":\" comment above " kind "(" fn ")")
				continue
			}
			print file "\t" level "\t" fn "\t" n "\t" names[i] "\t" text[names[i]]
			delete text[names[i]]
			delete where[names[i]]
		}
		for (s in where)
			fail(where[s], "\"Result " s ":\" names no result of " kind "(" fn ") below it")
		split("", where)
		split("", text)
	}
	FNR == 1 { close_text(); orphans(); collecting = 0 }
	name != "" && /^ \* / && !/^ \* Result [a-z0-9_]+: / {
		body = body " " substr($0, 4)
		next
	}
	{ close_text() }
	/^ \* Result [a-z0-9_]+: / {
		name = $3
		sub(/:$/, "", name)
		body = $0
		sub(/^ \* Result [a-z0-9_]+: /, "", body)
		if (name in where)
			fail(FILENAME ":" FNR, "\"Result " name ":\" twice")
		where[name] = FILENAME ":" FNR
		next
	}
	/^TEST(_RESULTS|_DEBUG|_KCSAN)?\(/ { collecting = 1; macro = ""; at = FNR }
	collecting {
		macro = macro " " $0
		if ($0 ~ /\)[ \t]*$/) {
			collecting = 0
			test_macro(macro, FILENAME, at)
		}
	}
	END {
		close_text()
		orphans()
		exit bad
	}' "${files[@]}"
}

tests_page() {
	generated "the TEST() macros of the files that TEST_SRCS in rig/rig.mk names, and the \`Result NAME:\` comment above each"
	cat <<'END'
# The tests

Every result the suite reports, in the order it runs them: the files in
the order of `TEST_SRCS` in [rig/rig.mk](../rig/rig.mk), the tests in each
in the order they are written (`counter_test -l` lists the same). A test
that reports several results (`TEST_RESULTS()`) has a row for each, which
names the test. The kernels column says where a test runs: any kernel;
only the debug kernels (`TEST_DEBUG()`: `make check-debug` and
`make check-kcsan`); only the KCSAN kernel (`TEST_KCSAN()`:
`make check-kcsan`).
END
	sed 's/|/\\|/g' "$scratch/results" | awk -F'\t' '
	{ any += $2 == "any"; debug += $2 == "debug"; kcsan += $2 == "kcsan" }
	$1 != file {
		file = $1
		printf "\n## [%s](../%s)\n\n", file, file
		print "| result | kernels | what it shows |"
		print "|---|---|---|"
	}
	{
		result = "`" $5 "`"
		if ($4 > 1)
			result = result " (of `" $3 "`)"
		kernels = $2 == "debug" ? "debug only" : $2 == "kcsan" ? "KCSAN only" : "any"
		print "| " result " | " kernels " | " $6 " |"
	}
	END {
		printf "\n%d results: %d on any kernel, %d on the debug kernels only, %d on the KCSAN kernel only.\n",
			NR, any, debug, kcsan
	}'
}

# The Killed-by header as the page says it; fails when it names no test
# of the suite (after its debug:, kcsan: or ARCH: prefix), no architecture
# (build: ARCH) or no file (lint: FILE).
killer() {
	local patch=$1 k=$2 prefix test
	case $k in
	"")
		echo "$patch: no Killed-by: header" >&2
		return 1 ;;
	"lint: lint/symbols.sh")
		echo "\`make lint\` (the symbol check)" ;;
	lint:\ *)
		[ -f "${k#lint: }" ] ||
			{ echo "$patch: Killed-by: $k: there is no ${k#lint: }" >&2; return 1; }
		echo "\`make lint\` (\`${k#lint: }\`)" ;;
	build:\ *)
		[ -f "$(arch_record "${k#build: }")" ] ||
			{ echo "$patch: Killed-by: $k: no architecture ${k#build: } in kernels/arch/" >&2; return 1; }
		echo "the ${k#build: } build" ;;
	*)
		test=$k prefix=
		if [[ $k == *": "* ]]; then
			prefix=${k%%: *} test=${k#*: }
		fi
		grep -qxF -- "$test" "$scratch/names" ||
			{ echo "$patch: Killed-by: $k: no test of the suite has the result $test" >&2; return 1; }
		case $prefix in
		"") echo "\`$test\`" ;;
		debug) echo "\`$test\` (debug kernel)" ;;
		kcsan) echo "\`$test\` (KCSAN kernel)" ;;
		*)
			[ -f "$(arch_record "$prefix")" ] ||
				{ echo "$patch: Killed-by: $k: no architecture $prefix in kernels/arch/" >&2; return 1; }
			echo "\`$test\` ($prefix guest)" ;;
		esac ;;
	esac
}

mutants_page() {
	local patch name promise k status=0
	generated "the \`Promise:\` and \`Killed-by:\` headers of mutants/*.patch"
	cat <<'END'
# The mutants

Each patch in [mutants/](../mutants) breaks `counter.c` for one promise,
and its `Killed-by:` header names what must fail for it. `make mutants`
runs each in a guest that runs `load_succeeds` and the test it names,
which must be the one to fail: on the debug kernel for `debug: TEST`, on
the KCSAN kernel for `kcsan: TEST`, in an `ARCH` guest for `ARCH: TEST`.
A mutant killed by `build: ARCH` must fail to build for that
architecture; one killed by `lint: FILE` is left to `make lint`.

| mutant | the promise it breaks | killed by |
|---|---|---|
END
	for patch in mutants/*.patch; do
		[ -f "$patch" ] || continue
		name=$(basename "$patch" .patch)
		promise=$(sed -n 's/^Promise: //p' "$patch")
		[ -n "$promise" ] || { echo "$patch: no Promise: header" >&2; status=1; }
		k=$(killer "$patch" "$(sed -n 's/^Killed-by: //p' "$patch")") || status=1
		echo "| [\`$name\`](../$patch) | $(esc "$promise") | $k |"
	done
	return "$status"
}

architectures_page() {
	local fields=(LINUX_ARCH CROSS DEBIAN_SUITE FLAVOUR QEMU MACHINE CPU CPUS MEMORY
		CONSOLE OUTPUT KERNELS)
	local arch field value row labels skip test label why status=0
	generated "the records of kernels/arch/*.conf"
	cat <<'END'
# The architectures

Each architecture the suite runs on has a record in
[kernels/arch/](../kernels/arch), by Debian's name:
`make check GUEST_ARCH=NAME` runs the suite on its kernel, `make matrix`
on each kernel of every record. `LINUX_ARCH` is Kbuild's `ARCH`, `CROSS`
the cross compiler's prefix (none: the machine's gcc), `DEBIAN_SUITE` and
`FLAVOUR` the Debian kernel; `QEMU`, `MACHINE`, `CPU` (none: QEMU's
default for the machine), `CPUS` and `MEMORY` the guest machine;
`CONSOLE` the kernel's console and `OUTPUT` the port the tests write to
(`virtio`: a virtio console). `KERNELS` are the matrix's rows,
`LABEL:SUITE:FLAVOUR` each; without it, one row, of `DEBIAN_SUITE` and
`FLAVOUR`.

END
	row="| arch |"
	for field in "${fields[@]}"; do row="$row $field |"; done
	echo "$row"
	echo "|---|$(printf -- '---|%.0s' "${fields[@]}")"
	for arch in $(arch_names); do
		row="| $arch |"
		for field in "${fields[@]}"; do
			value=$(arch_get "$arch" "$field")
			[ -z "$value" ] || value=\`${value// /\` \`}\`
			row="$row $(esc "$value") |"
		done
		echo "$row"
	done
	cat <<'END'

## What each skips

Every row skips `tampered_module_is_refused`: Debian's kernels trust only
Debian's keys, so there is no `counter.ko` signed for them to tamper with
(the debug kernel runs it). Beyond that, a row skips only the tests its
record states, each in a line `SKIP_TEST=why`, or `SKIP_TEST@LABEL=why`
for the matrix's row `LABEL` alone: `run/matrix.sh` fails a row that
skips a test its record does not state. What a run of the matrix
measured, each row's results and what it skipped, goes to
`build/matrix.md`.

| arch | row | skips | why |
|---|---|---|---|
END
	for arch in $(arch_names); do
		labels=" $(arch_get "$arch" KERNELS | sed 's/:[^ ]*//g') "
		row=
		while IFS= read -r skip; do
			test=${skip%%=*} why=${skip#*=} label="every row"
			if [[ $test == *@* ]]; then
				label=${test#*@} test=${test%%@*}
				[[ $labels == *" $label "* ]] ||
					{ echo "$(arch_record "$arch"): SKIP_$skip: $arch has no row $label" >&2; status=1; }
			fi
			grep -qxF -- "$test" "$scratch/names" ||
				{ echo "$(arch_record "$arch"): SKIP_$skip: no test of the suite has the result $test" >&2; status=1; }
			row=1
			echo "| $arch | $(esc "$label") | \`$(esc "$test")\` | $(esc "$why") |"
		done < <(sed -n 's/^SKIP_//p' "$(arch_record "$arch")")
		[ -n "$row" ] || echo "| $arch | every row | nothing else | |"
	done
	return "$status"
}

targets_page() {
	generated "the \`## \` lines of Makefile and rig/rig.mk"
	echo "# Targets and variables"
	echo
	echo "What \`make help\` prints:"
	echo
	echo '```'
	MAKEFLAGS="" MFLAGS="" make -s --no-print-directory -C "$COUNTER_TOP" help
	echo '```'
}

results >"$scratch/results"
cut -f5 "$scratch/results" >"$scratch/names"
mkdir "$scratch/docs"
tests_page >"$scratch/docs/tests.md"
mutants_page >"$scratch/docs/mutants.md"
architectures_page >"$scratch/docs/architectures.md"
targets_page >"$scratch/docs/targets.md"

if [ -z "$check" ]; then
	for page in "${pages[@]}"; do
		cp "$scratch/docs/$page" "docs/$page"
	done
	echo "wrote docs/: ${pages[*]}"
	exit 0
fi
stale=0
for page in "${pages[@]}"; do
	if [ ! -f "docs/$page" ]; then
		echo "docs/$page is missing: run make docs"
		stale=1
	elif ! cmp -s "$scratch/docs/$page" "docs/$page"; then
		echo "docs/$page is stale: run make docs"
		diff -u --label "docs/$page" --label "docs/$page, as make docs would write it" \
			"docs/$page" "$scratch/docs/$page" | head -n 12 || true
		stale=1
	fi
done
[ "$stale" -eq 0 ] && echo "docs/ is up to date: ${pages[*]}"
exit "$stale"
