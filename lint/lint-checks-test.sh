#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Proves lint/lint.sh and lint/symbols.sh on crafted input: copies of
# the repository's tracked files, each broken one way, on which lint must
# fail the checks named (and pass the others it runs there), and matrix
# builds made up of small objects that import what each case needs.
# One TAP line a case, then "N passed, N failed".
# Usage: lint-checks-test.sh
set -uo pipefail
. "$(dirname "$0")/../rig/lib.sh"

s=$(mktemp -d)
trap 'rm -rf "$s"' EXIT

# tree NAME: a copy of the tracked files, tracked in a repository of its
# own (lint lists files with git ls-files); prints its path.
tree() {
	local t=$s/$1
	mkdir -p "$t"
	(cd "$COUNTER_TOP" && git ls-files -z | xargs -0 cp --parents -t "$t") &&
		git -C "$t" init -q && git -C "$t" add -A && echo "$t"
}

# Its input as TAP diagnostics.
diagnostics() {
	local line
	while IFS= read -r line; do
		echo "# $line"
	done
}

# result GLOB: "ok" or "not ok", the result of the check GLOB names in
# $out, or "missing".
result() {
	local line re='^(not ok|ok) [0-9]+ - (.*)$'
	while IFS= read -r line; do
		# shellcheck disable=SC2053 # the check's name is matched as a glob
		if [[ $line =~ $re ]] && [[ ${BASH_REMATCH[2]} == $1 ]]; then
			echo "${BASH_REMATCH[1]}"
			return
		fi
	done <<<"$out"
	echo missing
}

# lint_case WHAT TREE FAILS PASSES SAYS [ENV...]: lint.sh -t on TREE (with
# ENV) must fail, with "not ok" for every check in FAILS and "ok" for every
# one in PASSES (comma-separated globs of their names), and say why: SAYS.
lint_case() {
	local what=$1 tree=$2 fails=$3 passes=$4 says=$5 glob why='' status globs
	shift 5
	out=$(env "$@" "$tree/lint/lint.sh" -t "$fails${passes:+,$passes}" 2>&1)
	status=$?
	[ "$status" -ne 0 ] || why="lint passed"
	IFS=, read -ra globs <<<"$fails"
	for glob in "${globs[@]}"; do
		[ "$(result "$glob")" = "not ok" ] || why="$why; \"$glob\" is $(result "$glob")"
	done
	IFS=, read -ra globs <<<"$passes"
	for glob in "${globs[@]}"; do
		[ "$(result "$glob")" = ok ] || why="$why; \"$glob\" is $(result "$glob")"
	done
	grep -qF -- "$says" <<<"$out" || why="$why; it does not say: $says"
	if [ -n "$why" ]; then
		ktap_result fail "$what" "${why#; }"
		diagnostics <<<"$out" | head -n 30
	else
		ktap_result ok "$what"
		grep -F -m 1 -- "$says" <<<"$out" | sed 's/^# //' | diagnostics
	fi
}

# The checks that build the kernel C, and two that build nothing.
builds="sparse (C=2) reports nothing,W=1 build has no warning"
builds="$builds,counter.ko imports only what lint/kernel-exports.tsv dates*"
builds="$builds,the symbol check kills the mutants left to it"
others="the man page renders with groff -ww,module? DKMS and package versions agree"
pages="the generated pages in docs/ are up to date"

ktap_print_header
ktap_set_plan 15

t=$(tree syntax-error) && echo 'static int broken = ;' >>"$t/counter.c"
lint_case "a counter.c that does not build fails every check that builds it" \
	"$t" "$builds" "$others,$pages" "error: expected expression"

# Kernel build trees whose make builds nothing: one that succeeds without
# a word, one that fails without one.
t=$(tree headers)
mkdir -p "$s/silent" "$s/failing"
printf 'modules:\n\t@:\n' >"$s/silent/Makefile"
printf 'modules:\n\t@exit 1\n' >"$s/failing/Makefile"
lint_case "headers whose make builds nothing fail every check that builds" \
	"$t" "$builds" "$others" "counter.ko was not built" KBUILD="$s/silent"
lint_case "headers whose make fails silently fail every check that builds" \
	"$t" "$builds" "$others" "modules exited 2" KBUILD="$s/failing"

# A PATH without the checkers: every command it has, but them.
mkdir -p "$s/bin"
cp -s -n /usr/bin/* /usr/sbin/* "$s/bin/" 2>/dev/null
rm -f "$s/bin/"{sparse,clang-format,cppcheck,groff,shellcheck}
lint_case "sparse, clang-format, cppcheck, groff and shellcheck missing fail their checks" \
	"$t" "sparse (C=2) reports nothing,kernel clang-format is satisfied,cppcheck reports nothing,the man page renders with groff -ww,shellcheck finds nothing in *" \
	"module? DKMS and package versions agree" "shellcheck: not found" PATH="$s/bin"

t=$(tree shell)
# shellcheck disable=SC2016 # the crafted script's $1, unexpanded
printf '#!/bin/sh\ncd $1\n' >"$t/lint/crafted.sh" && git -C "$t" add lint/crafted.sh
lint_case "a shell script with an unquoted variable fails shellcheck" \
	"$t" "shellcheck finds nothing in *" "$others" \
	"lint/crafted.sh:2:"

t=$(tree untracked) && git -C "$t" rm -q -r --cached .
lint_case "a tree with no tracked files fails every check of its files" "$t" \
	"checkpatch --strict on 0 kernel C files,$builds,kernel clang-format is satisfied,0 guest and host C files build with*,cppcheck reports nothing,shellcheck finds nothing in 0 shell scripts" \
	"$others" "no kernel C files to check"

# The pages of docs/ against their sources, each changed one way.
# crafted_mutant TREE KILLED-BY: a new mutants/crafted.patch in TREE.
crafted_mutant() {
	printf 'Promise: Reads: a crafted promise\nKilled-by: %s\n\n--- a/counter.c\n+++ b/counter.c\n' \
		"$2" >"$1/mutants/crafted.patch" && git -C "$1" add mutants/crafted.patch
}
t=$(tree renamed-test)
sed -i 's/\<eof_after_line\>/eof_after_the_line/' "$t/guest/tests/counter_test.c"
lint_case "a test renamed in its source leaves docs/tests.md stale, which fails" \
	"$t" "$pages" "$others" "docs/tests.md is stale"
t=$(tree mutant-added) && crafted_mutant "$t" eof_after_line
lint_case "a mutant added leaves docs/mutants.md stale, which fails" \
	"$t" "$pages" "$others" "docs/mutants.md is stale"
t=$(tree arch-changed)
sed -i 's/^CPU=cortex-a57$/CPU=cortex-a72/' "$t/kernels/arch/arm64.conf"
lint_case "an architecture's record changed leaves docs/architectures.md stale, which fails" \
	"$t" "$pages" "$others" "docs/architectures.md is stale"
t=$(tree killed-by-no-test) && crafted_mutant "$t" "debug: no_such_test"
lint_case "a mutant whose Killed-by names no test fails, naming it" \
	"$t" "$pages" "$others" \
	"mutants/crafted.patch: Killed-by: debug: no_such_test: no test of the suite"

# symbols_case WHAT MUST MATRIX SAYS [RELEASE:SYMBOLS...]: symbols.sh, in
# a copy whose build/matrix.md is MATRIX (none if empty), must pass (MUST 0) or fail (1),
# and print SAYS; each RELEASE gets a counter.ko that imports the SYMBOLS
# (separated by spaces).
symbols_case() {
	local what=$1 must=$2 rows=$3 says=$4 t arg release sym syms
	shift 4
	t=$s/symbols-$KTAP_NUM
	mkdir -p "$t/rig" "$t/lint" "$t/docs" "$t/build"
	cp "$COUNTER_TOP/rig/lib.sh" "$t/rig/"
	cp "$COUNTER_TOP/lint/"{symbols.sh,kernel-exports.tsv} "$t/lint/"
	cp "$COUNTER_TOP/docs/counter.4" "$t/docs/"
	[ -z "$rows" ] || printf '%b' "$rows" >"$t/build/matrix.md"
	for arg; do
		release=${arg%%:*}
		mkdir -p "$t/build/$release"
		read -ra syms <<<"${arg#*:}"
		for sym in "${syms[@]}"; do
			echo "extern int $sym; int *use_$sym = &$sym;"
		done | gcc -x c -c -o "$t/build/$release/counter.ko" -
	done
	out=$("$t/lint/symbols.sh" 2>&1)
	if [ "$(($? != 0))" -ne "$must" ]; then
		ktap_result fail "$what" "symbols.sh exited $([ "$must" -eq 1 ] && echo 0 || echo 1)"
		diagnostics <<<"$out"
	elif ! grep -qF -- "$says" <<<"$out"; then
		ktap_result fail "$what" "it does not say: $says"
		diagnostics <<<"$out"
	else
		ktap_result ok "$what"
		echo "# $(grep -F -m 1 -- "$says" <<<"$out")"
	fi
}

head='| arch | kernel | release | flavour | built | tests | guest seconds |\n|---|---|---|---|---|---|---|\n'
arm='| arm64 | 6.1 | 6.1.0-0-arm64 | arm64 | yes | 1 passed, 0 failed | 1 |\n'
s390='| s390x | 6.1 | 6.1.0-0-s390x | s390x | yes | 1 passed, 0 failed | 1 |\n'
symbols_case "no build/matrix.md fails: nothing to check is no pass" 1 \
	"" "no build/matrix.md"
symbols_case "a matrix build absent fails, naming it" 1 \
	"$head$arm$s390" "(s390x 6.1): not built" \
	"6.1.0-0-arm64:proc_create_single_data printk"
symbols_case "matrix builds importing only dated symbols pass" 0 \
	"$head$arm$s390" "build/6.1.0-0-arm64/counter.ko (arm64 6.1): 2 imports" \
	"6.1.0-0-arm64:proc_create_single_data printk" \
	"6.1.0-0-s390x:proc_create_single_data printk"
symbols_case "a matrix build importing a symbol the table lacks fails, naming it" 1 \
	"$head$arm$s390" "s390x 6.1): __crafted_symbol: not in lint/kernel-exports.tsv" \
	"6.1.0-0-arm64:proc_create_single_data" \
	"6.1.0-0-s390x:proc_create_single_data __crafted_symbol"
symbols_case "a matrix build needing a newer kernel than counter(4) says fails" 1 \
	"$head$arm$s390" "docs/counter.4 does not say \"Linux 6.0 or later\"" \
	"6.1.0-0-arm64:proc_create_single_data" \
	"6.1.0-0-s390x:proc_create_single_data schedule_hrtimeout_range_clock"
ktap_finished
