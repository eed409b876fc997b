#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Static checks, one TAP line each, then "N passed, N failed".
# Kernel C (the files that include linux/module.h) gets checkpatch --strict,
# sparse, W=1 and the kernel's clang-format; the guest and host programs
# get -Wall -Wextra -Werror and cppcheck; every shell script, shellcheck.
# The pages of docs/ that mirror the code must be as make docs writes them
# (docs/generate.sh). A check fails when its tool is missing or fails, or
# when it had nothing to check; lint/lint-checks-test.sh shows that on
# crafted trees.
# Usage: lint.sh [-t GLOB[,GLOB...]]   only the checks whose names match
# Environment: KBUILD, a kernel build tree to build the kernel C against
#   (by default the guest kernel's headers, as kernels/resolve.sh finds).
set -uo pipefail

. "$(dirname "$0")/../kernels/resolve.sh"
cd "$COUNTER_TOP" || exit 1
only=
while [ $# -gt 0 ]; do
	case $1 in
	-t) only=${2:?usage: lint.sh [-t GLOB[,GLOB...]]}; shift 2 ;;
	*) echo "usage: lint.sh [-t GLOB[,GLOB...]]" >&2; exit 2 ;;
	esac
done
# The builds checked are amd64's, against the default guest kernel's
# headers, with the machine's gcc: whatever GUEST_ARCH the guests take.
GUEST_ARCH=amd64
[ -n "${KBUILD:-}" ] || resolve_kernel || KBUILD=
kmake=(ARCH="$(arch_get amd64 LINUX_ARCH)" ${KCC:+CC="$KCC"})
src=$(kernels/linux-source.sh) || src=
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

mapfile -t kernel_c < <(git ls-files '*.c' | xargs -r grep -l '<linux/module.h>')
# KUnit suites, built with kunit_shim.h here (the headers have no KUnit).
mapfile -t kunit_c < <(git ls-files '*.c' | xargs -r grep -l '<kunit/test.h>')
mapfile -t kernel_h < <(git ls-files '*.h' | xargs -r grep -l '<linux/module.h>')
mapfile -t user_c < <(git ls-files '*.c' | xargs -r grep -L '<linux/module.h>\|<kunit/test.h>')
# Every shell script; debian/rules is a makefile.
mapfile -t shell_scripts < <(git ls-files '*.sh' .ci/run grade/gradescope/run_autograder)

# have WHAT FILE...: fails, saying so, when there is no FILE to check.
have() {
	[ $# -gt 1 ] && return 0
	echo "no $1 to check"
	return 1
}

# need TOOL...: fails, saying so, when a TOOL is not installed.
need() {
	local tool status=0
	for tool; do
		command -v "$tool" >/dev/null || { echo "$tool: not found"; status=1; }
	done
	return "$status"
}

need_kbuild() {
	[ -n "${KBUILD:-}" ] && [ -f "$KBUILD/Makefile" ] && return 0
	echo "no kernel build tree to build against (${KBUILD:-none resolved})"
	return 1
}

need_source() {
	[ -n "$src" ] && [ -f "$src/Makefile" ] && return 0
	echo "no kernel source (kernels/linux-source.sh)"
	return 1
}

checkpatch() {
	have "kernel C files" "${kernel_c[@]}" && need perl && need_source || return 1
	"$src/scripts/checkpatch.pl" --no-tree --strict --terse --show-types \
		-f "${kernel_c[@]}" "${kunit_c[@]}" "${kernel_h[@]}"
}

# Builds every kernel C file (and, unless the first argument is sparse, the
# KUnit suites) once against the guest kernel's headers with extra make
# arguments; prints the compiler's and checker's findings. Fails when make
# fails or a module was not built. sparse has no #pragma push_macro, which
# kunit_shim.h needs: it would check other code than the compiler builds.
kbuild() {
	local dir=$scratch/kbuild-$1 f out status=0 units=("${kernel_c[@]}")
	[ "$1" = sparse ] || units+=("${kunit_c[@]}")
	shift
	have "kernel C files" "${kernel_c[@]}" && need make && need_kbuild || return 1
	mkdir -p "$dir"
	cp "${units[@]}" "${kernel_h[@]}" "$dir/"
	for f in "${units[@]}"; do
		f=${f##*/}
		echo "obj-m += ${f%.c}.o"
	done >"$dir/Kbuild"
	out=$(make -s -C "$KBUILD" M="$dir" "${kmake[@]}" "$@" modules 2>&1) || status=$?
	if [ "$status" -ne 0 ]; then
		echo "make $* modules exited $status:"
		tail -n 20 <<<"$out"
		return 1
	fi
	grep -iE 'warning|error' <<<"$out" | grep -v 'Skipping BTF' && status=1
	for f in "${units[@]}"; do
		f=${f##*/}
		[ -f "$dir/${f%.c}.ko" ] || { echo "${f%.c}.ko was not built"; status=1; }
	done
	return "$status"
}

sparse_build() {
	need sparse || return 1
	kbuild sparse C=2 CHECK=sparse
}

clang_format() {
	have "kernel C files" "${kernel_c[@]}" && need clang-format && need_source ||
		return 1
	clang-format --style="file:$src/.clang-format" --dry-run --Werror \
		"${kernel_c[@]}" "${kunit_c[@]}" "${kernel_h[@]}"
}

user_warnings() {
	local f status=0
	have "guest or host C files" "${user_c[@]}" && need gcc || return 1
	for f in "${user_c[@]}"; do
		gcc -fsyntax-only -Wall -Wextra -Werror -Iguest/lib -Iguest/tests "$f" ||
			status=1
	done
	return "$status"
}

# Newer cppcheck (2.17, Debian 13) also notes where it limits its
# analysis of branches: a note, not a finding.
user_cppcheck() {
	have "guest or host C files" "${user_c[@]}" && need cppcheck || return 1
	cppcheck --quiet --error-exitcode=1 --inline-suppr \
		--enable=warning,style,performance,portability \
		--suppress=missingIncludeSystem --suppress=normalCheckLevelMaxBranches \
		-Iguest/lib -Iguest/tests "${user_c[@]}"
}

man_page() {
	need groff || return 1
	groff -ww -man -Tutf8 -z docs/counter.4
}

versions() {
	local module dkms changelog
	module=$(sed -n 's/^MODULE_VERSION("\(.*\)");/\1/p' counter.c)
	dkms=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
	changelog=$(dpkg-parsechangelog -S Version 2>/dev/null ||
		sed -n '1s/.*(\(.*\)).*/\1/p' debian/changelog)
	if [ -z "$module" ] || [ -z "$dkms" ] || [ -z "$changelog" ] ||
		[ "$module" != "$dkms" ] || [ "$module" != "$changelog" ]; then
		echo "counter.c ${module:-(none)}, dkms.conf ${dkms:-(none)}, debian/changelog ${changelog:-(none)}"
		return 1
	fi
}

# The mutants that only the symbol check can kill must fail it.
symbols_kill_mutants() {
	local patch dir patches
	mapfile -t patches < <(git ls-files 'mutants/*.patch' |
		xargs -r grep -l '^Killed-by: lint: lint/symbols.sh')
	have "mutants left to the symbol check" "${patches[@]}" && need patch make &&
		need_kbuild || return 1
	for patch in "${patches[@]}"; do
		dir=$scratch/$(basename "$patch" .patch)
		mkdir -p "$dir"
		if ! patch -s -F0 -o "$dir/counter.c" counter.c <"$patch" ||
			! cp Kbuild "$dir/" ||
			! make -s -C "$KBUILD" M="$dir" "${kmake[@]}" modules >/dev/null 2>&1 ||
			[ ! -f "$dir/counter.ko" ]; then
			echo "$patch does not build"
			return 1
		fi
		if lint/symbols.sh "$dir/counter.ko" >/dev/null; then
			echo "$patch survived the symbol check"
			return 1
		fi
		echo "killed: $(basename "$patch")"
	done
}

# Every mutant applies with its whole context: an offset is harmless,
# fuzz could land it on other lines than the ones its promise names.
mutants_apply() {
	local patch status=0 patches
	mapfile -t patches < <(git ls-files 'mutants/*.patch')
	have "mutants" "${patches[@]}" && need patch || return 1
	for patch in "${patches[@]}"; do
		patch -s -F0 --dry-run -o /dev/null counter.c <"$patch" >/dev/null 2>&1 ||
			{ echo "$patch: does not apply without fuzz (patch -F0)"; status=1; }
	done
	return "$status"
}

# The repository's .shellcheckrc has shellcheck follow what each sources.
shell_check() {
	have "shell scripts" "${shell_scripts[@]}" && need shellcheck || return 1
	shellcheck -f gcc "${shell_scripts[@]}"
}

# Every check, in order; "check" counts them first, then runs them.
checks() {
	check --silent "checkpatch --strict on $((${#kernel_c[@]} + ${#kunit_c[@]} + ${#kernel_h[@]})) kernel C files" checkpatch
	check --silent "sparse (C=2) reports nothing" sparse_build
	check --silent "W=1 build has no warning" kbuild w1 W=1
	check "counter.ko imports only what lint/kernel-exports.tsv dates" \
		lint/symbols.sh "$scratch/kbuild-w1/counter.ko"
	check "the symbol check kills the mutants left to it" symbols_kill_mutants
	check --silent "every mutant applies with its whole context" mutants_apply
	check --silent "kernel clang-format is satisfied" clang_format
	check --silent "${#user_c[@]} guest and host C files build with -Wall -Wextra -Werror" user_warnings
	check --silent "cppcheck reports nothing" user_cppcheck
	check --silent "the man page renders with groff -ww" man_page
	check --silent "module, DKMS and package versions agree" versions
	check --silent "shellcheck finds nothing in ${#shell_scripts[@]} shell scripts" shell_check
	check "the generated pages in docs/ are up to date" docs/generate.sh --check
	check "lint fails on crafted trees, naming the checks that must fail" \
		lint/lint-checks-test.sh
}

planned=0 counting=1
# check [--silent] NAME COMMAND...: ktap_check, for a check -t selects.
check() {
	local name=$1
	[ "$1" = --silent ] && name=$2
	globs_select "$name" "$only" || return 0
	if [ "$counting" -eq 1 ]; then
		planned=$((planned + 1))
	else
		ktap_check "$@"
	fi
}

checks
[ "$planned" -gt 0 ] || { echo "lint.sh: no check matches $only" >&2; exit 2; }
ktap_print_header
ktap_set_plan "$planned"
counting=0
checks
ktap_finished
