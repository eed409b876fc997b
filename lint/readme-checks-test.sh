#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Proves lint/readme-tests.sh and lint/readme-mutants.sh on crafted
# input: a small README, test lists and mutant patches made here, which
# both must pass, then the README changed one way at a time, which must
# fail, naming the test or mutant changed. Prints one line a case.
# Usage: readme-checks-test.sh
# shellcheck disable=SC2016 # the sed scripts and table rows hold literal backticks
set -uo pipefail
. "$(dirname "$0")/../rig/lib.sh"

s=$(mktemp -d)
trap 'rm -rf "$s"' EXIT
tests=$COUNTER_TOP/lint/readme-tests.sh
mutants=$COUNTER_TOP/lint/readme-mutants.sh

printf '%s\n' t_one t_two t_three t_four >"$s/list"
printf '%s\n' d_first t_one t_two t_three t_four d_last >"$s/debug-list"
printf '%s\n' d_first t_one t_two t_three t_four d_last k_only >"$s/kcsan-list"
mkdir "$s/mutants"
patch_file() {
	printf 'Promise: %s\nKilled-by: %s\n\n--- a/counter.c\n+++ b/counter.c\n' \
		"$2" "$3" >"$s/mutants/$1.patch"
}
patch_file m-a "P a" t_two
patch_file m-b "P b (a note)" "build: i386"
patch_file m-c "P c" "lint: lint/symbols.sh"
patch_file m-d "P d" "lint: tools/other.sh"

cat >"$s/base.md" <<'END'
# crafted

## How it is proven

| arch | a table before the one checked |
|---|---|
| `t_two` | not a test row |

```
# a line in a code block
| test | not a table |
```

| test | what it shows |
|---|---|
| `t_one` | one |
| `t_two` | two |
| `t_three` | three |
| `t_four` | four |

| host check | a table after it |
|---|---|
| `t_five` | not a test row |

### The suite checks itself

| mutant | the promise it breaks | killed by |
|---|---|---|
| [`m-a`](mutants/m-a.patch) | P a | `t_two` |
| [`m-b`](mutants/m-b.patch) | P b | the i386 build (`__divdi3` undefined) |
| [`m-c`](mutants/m-c.patch) | P c | `make lint` (the symbol check) |
| [`m-d`](mutants/m-d.patch) | P d | `make lint` (`tools/other.sh`) |

### The debug kernel

| test | what it shows |
|---|---|
| `d_first` | first |
| `d_last` | last |

### The race detector

| test | what it shows |
|---|---|
| `k_only` | races |

## Layout
END

run_tests() {
	"$tests" --list "$s/list" --debug-list "$s/debug-list" \
		--kcsan-list "$s/kcsan-list" "$1"
}
run_mutants() { "$mutants" --list "$s/list" --mutants "$s/mutants" "$1"; }

status=0
if ! out=$(run_tests "$s/base.md" 2>&1) || ! out=$(run_mutants "$s/base.md" 2>&1); then
	echo "the crafted README fails as it is: $out"
	exit 1
fi
echo "passes as made: the crafted README"

# must_fail CHECK NAME WHAT SED: the README changed by SED must fail CHECK,
# and its output must name NAME.
must_fail() {
	local check=$1 name=$2 what=$3 out
	sed "$4" "$s/base.md" >"$s/case.md"
	if cmp -s "$s/base.md" "$s/case.md"; then
		echo "FAILED: $what: the change did not apply"
		status=1
		return
	fi
	if out=$("$check" "$s/case.md" 2>&1); then
		echo "FAILED: $what: passed"
		status=1
	elif ! grep -qF -- "$name" <<<"$out"; then
		echo "FAILED: $what: does not name $name: $out"
		status=1
	else
		echo "fails as it must: $what: $(grep -F -m1 -- "$name" <<<"$out")"
	fi
}

must_fail run_tests t_three "two rows swapped" \
	'/^| `t_two`/{h;d};/^| `t_three`/G'
must_fail run_tests t_two "a row removed" '/^| `t_two` | two/d'
must_fail run_tests t_four "the last row removed" '/^| `t_four`/d'
must_fail run_tests t_extra "a row added" '/^| `t_four`/a| `t_extra` | more |'
must_fail run_tests d_last "a debug test in the main table" \
	'/^| `d_last`/d;/^| `t_four`/a| `d_last` | last |'
must_fail run_tests d_last "the debug rows swapped" \
	'/^| `d_first`/{h;d};/^| `d_last`/G'
must_fail run_tests "How it is proven" "no test table" \
	'0,/^| test | what/s/^| test |/| tests |/'
must_fail run_tests t_two "a name without backticks" 's/^| `t_two` | two/| t_two | two/'
must_fail run_mutants m-c "a mutant's row removed" '/^| \[`m-c`\]/d'
must_fail run_mutants m-a "a mutant's row twice" '/^| \[`m-a`\]/p'
must_fail run_mutants m-a "killed by another test" '/^| \[`m-a`\]/s/`t_two`/`t_three`/'
must_fail run_mutants m-b "killed by another architecture's build" \
	's/the i386 build/the amd64 build/'
must_fail run_mutants m-c "killed by lint, the check unnamed" \
	's/`make lint` (the symbol check)/`make lint`/'
must_fail run_mutants m-d "another promise" 's/| P d |/| P e |/'
must_fail run_mutants m-e "a row with no patch" \
	'/^| \[`m-d`\]/a| [`m-e`](mutants/m-e.patch) | P e | `t_one` |'
must_fail run_mutants m-a "a link to another patch" 's|\[`m-a`\](mutants/m-a.patch)|[`m-a`](mutants/m-b.patch)|'

# A patch that names a test the suite does not have, the table agreeing.
patch_file m-a "P a" t_gone
must_fail run_mutants t_gone "a Killed-by that is no test" '/^| \[`m-a`\]/s/`t_two`/`t_gone`/'
exit "$status"
