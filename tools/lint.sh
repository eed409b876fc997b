#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Static checks, one TAP line each, then "N passed, N failed".
# Kernel C (the files that include linux/module.h) gets checkpatch --strict,
# sparse, W=1 and the kernel's clang-format; the guest and host programs
# get -Wall -Wextra -Werror and cppcheck.
set -uo pipefail

. "$(dirname "$0")/../kernels/resolve.sh"
cd "$COUNTER_TOP"
# The builds checked are amd64's, against the default guest kernel's
# headers, with the machine's gcc: whatever ARCH the guests take.
ARCH=amd64
resolve_kernel || exit 1
kmake=(ARCH="$(arch_field amd64 2)" CC="$KCC")
src=$(kernels/linux-source.sh) || exit 1
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

mapfile -t kernel_c < <(git ls-files '*.c' | xargs grep -l '<linux/module.h>')
mapfile -t user_c < <(git ls-files '*.c' | xargs grep -L '<linux/module.h>')

checkpatch() {
	"$src/scripts/checkpatch.pl" --no-tree --strict --terse --show-types \
		-f "${kernel_c[@]}" | grep -E ': (ERROR|WARNING|CHECK):'
	return 0
}

# Builds every kernel C file once against the guest kernel's headers with
# extra make arguments; prints the compiler's and checker's findings.
kbuild() {
	local dir=$scratch/kbuild-$1 f
	shift
	mkdir -p "$dir"
	cp "${kernel_c[@]}" "$dir/"
	for f in "${kernel_c[@]}"; do
		f=${f##*/}
		echo "obj-m += ${f%.c}.o"
	done >"$dir/Kbuild"
	make -s -C "$KBUILD" M="$dir" "${kmake[@]}" "$@" modules 2>&1 |
		grep -E 'warning|error' | grep -v 'Skipping BTF'
	return 0
}

clang_format() {
	clang-format --style="file:$src/.clang-format" --dry-run --Werror \
		"${kernel_c[@]}"
}

user_warnings() {
	local f
	for f in "${user_c[@]}"; do
		gcc -fsyntax-only -Wall -Wextra -Werror -Iguest/lib -Iguest/tests "$f"
	done
}

# Newer cppcheck (2.17, Debian 13) also notes where it limits its
# analysis of branches: a note, not a finding.
user_cppcheck() {
	cppcheck --quiet --error-exitcode=1 --inline-suppr \
		--enable=warning,style,performance,portability \
		--suppress=missingIncludeSystem --suppress=normalCheckLevelMaxBranches \
		-Iguest/lib -Iguest/tests "${user_c[@]}"
}

versions() {
	local module dkms changelog
	module=$(sed -n 's/^MODULE_VERSION("\(.*\)");/\1/p' counter.c)
	dkms=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
	changelog=$(dpkg-parsechangelog -S Version 2>/dev/null ||
		sed -n '1s/.*(\(.*\)).*/\1/p' debian/changelog)
	[ "$module" = "$dkms" ] && [ "$module" = "$changelog" ] ||
		echo "counter.c $module, dkms.conf $dkms, debian/changelog $changelog"
}

# The mutants that only the symbol check can kill must fail it.
symbols_kill_mutants() {
	local patch dir
	for patch in $(grep -l '^Killed-by: lint: tools/symbols.sh' mutants/*.patch); do
		dir=$scratch/$(basename "$patch" .patch)
		mkdir -p "$dir"
		patch -s -o "$dir/counter.c" counter.c <"$patch" && cp Kbuild "$dir/" &&
			make -s -C "$KBUILD" M="$dir" "${kmake[@]}" modules >/dev/null 2>&1 ||
			{ echo "$patch does not build"; return 1; }
		if tools/symbols.sh "$dir/counter.ko" >/dev/null; then
			echo "$patch survived the symbol check"
			return 1
		fi
		echo "killed: $(basename "$patch")"
	done
}

ktap_print_header
ktap_set_plan 10
ktap_check --silent "checkpatch --strict on ${#kernel_c[@]} kernel C files" checkpatch
ktap_check --silent "sparse (C=2) reports nothing" kbuild sparse C=2 CHECK=sparse
ktap_check --silent "W=1 build has no warning" kbuild w1 W=1
ktap_check "counter.ko imports only what tools/kernel-exports.tsv dates" \
	tools/symbols.sh "$scratch/kbuild-w1/counter.ko"
ktap_check "the symbol check kills the mutants left to it" symbols_kill_mutants
ktap_check --silent "kernel clang-format is satisfied" clang_format
ktap_check --silent "${#user_c[@]} guest and host C files build with -Wall -Wextra -Werror" user_warnings
ktap_check --silent "cppcheck reports nothing" user_cppcheck
ktap_check --silent "the man page renders with groff -ww" \
	groff -ww -man -Tutf8 -z docs/counter.4
ktap_check --silent "module, DKMS and package versions agree" versions
ktap_finished
