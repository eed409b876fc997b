# SPDX-License-Identifier: GPL-2.0
#
# The test rig's targets, included by the top Makefile: they build
# counter.ko for Debian's packaged kernels, fetched into the cache, and
# prove it in QEMU guests. Nothing is ever loaded into, or installed
# beside, the machine's own kernel.

# The guest's architecture, by Debian's name: a record in kernels/arch/.
# ARCH names it too where it is one (ARCH=arm64, ARCH=armhf); Kbuild's
# other names (x86_64, arm) are not Debian's, and mean amd64 here.
GUEST_ARCH ?= $(if $(wildcard kernels/arch/$(ARCH).conf),$(ARCH),amd64)
export GUEST_ARCH
GUEST := build/guest/$(GUEST_ARCH)
# The guest programs' compiler: the architecture's cross gcc.
guest_cc = $(shell sed -n 's/^CROSS=//p' kernels/arch/$(1).conf)gcc
KVER ?=

GUEST_CFLAGS := -O2 -Wall -Wextra -Werror -static
HOST_CFLAGS := -O2 -Wall -Wextra -Werror
GUEST_LIB := guest/lib/counter_lib.c guest/lib/kmsg.c guest/lib/readers.c
# Tests run in the order they are written, files in this order.
TEST_SRCS := guest/lib/harness.c guest/tests/fixtures.c \
	guest/tests/counter_test.c guest/tests/events_test.c \
	guest/tests/readers_test.c guest/tests/debug_test.c \
	guest/tests/kcsan_test.c guest/tests/kunit_test.c \
	guest/tests/uptime_test.c guest/tests/signing_test.c \
	guest/tests/taint_test.c $(GUEST_LIB)

.PHONY: grade check-grade gradescope check check-debug check-kcsan matrix check-symbols mutants check-verdict bench \
	demo shell check-shell guest-tools lint docs deb check-deb check-install check-user

build/guest/%/init: guest/init.c guest/init.h guest/lib/kmsg.c guest/lib/kmsg.h
	@mkdir -p $(@D)
	$(call guest_cc,$*) $(GUEST_CFLAGS) -Iguest/lib -o $@ guest/init.c guest/lib/kmsg.c

build/guest/%/counter_test: $(TEST_SRCS) guest/init.h $(wildcard guest/lib/*.h guest/tests/*.h)
	@mkdir -p $(@D)
	$(call guest_cc,$*) $(GUEST_CFLAGS) -Iguest/lib -pthread -o $@ $(TEST_SRCS) -lm

build/guest/%/counter_bench: guest/bench/counter_bench.c $(GUEST_LIB) $(wildcard guest/lib/*.h)
	@mkdir -p $(@D)
	$(call guest_cc,$*) $(GUEST_CFLAGS) -Iguest/lib -pthread -o $@ \
		guest/bench/counter_bench.c $(GUEST_LIB) -lm

build/host/verdict_test: run/verdict_test.c guest/init.h
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -o $@ $<

build/host/verdict: run/verdict.c guest/init.h
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -o $@ $<

build/host/grade: run/grade.c guest/init.h
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -o $@ $<

build/host/grade_test: run/grade_test.c guest/init.h
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -o $@ $<

# The guest's programs, for its architecture alone, and the verdict.
guest-tools: $(GUEST)/init $(GUEST)/counter_test $(GUEST)/counter_bench build/host/verdict \
	build/host/grade

##
## Tests in QEMU guests (nothing is loaded into, or installed on, this machine):
##   make check           the test suite on Debian 12's kernel
check:
	@rig/deps.sh check
	@$(MAKE) --no-print-directory guest-tools
	@KVER=$(KVER) T="$(T)" run/boot.sh check

##   make demo            boots a guest, loads the module, shows it counting
demo:
	@rig/deps.sh demo
	@$(MAKE) --no-print-directory guest-tools
	@KVER=$(KVER) run/boot.sh demo

# A guest with counter.ko loaded and a shell on the terminal.
##   make shell           a guest with counter.ko loaded and a shell on the terminal
shell:
	@rig/deps.sh check
	@$(MAKE) --no-print-directory guest-tools
	@KVER=$(KVER) run/boot.sh shell

# make shell, driven by a script: what it prints must show the module.
##   make check-shell     make shell driven by a script, its answers checked
check-shell:
	@rig/deps.sh check
	@$(MAKE) --no-print-directory guest-tools
	@run/shell-test.sh

# The suite and the debug-only tests under KASAN, UBSAN, lockdep, kmemleak,
# DEBUG_OBJECTS and fault injection, on a kernel built from linux-source.
##   make check-debug     the suite and more on a debug kernel it builds
check-debug:
	@rig/deps.sh debug
	@$(MAKE) --no-print-directory guest-tools
	@T="$(T)" run/boot.sh check-debug

# The same, and the race tests, under KCSAN, the data-race detector, and
# the detectors that combine with it, on a kernel of its own.
##   make check-kcsan     the same and the race tests on a KCSAN kernel it builds
check-kcsan:
	@rig/deps.sh debug
	@$(MAKE) --no-print-directory guest-tools
	@T="$(T)" run/boot.sh check-kcsan

# Figures against the naive baseline and the kernel's floors; QUICK=1
# for short windows.
##   make bench           figures against a naive baseline
bench:
	@rig/deps.sh bench
	@$(MAKE) --no-print-directory guest-tools
	@QUICK=$(QUICK) run/bench.sh

# The suite on every architecture's kernels (see run/matrix.sh).
##   make matrix          the suite on each architecture and Debian kernel
matrix:
	@rig/deps.sh matrix
	@$(MAKE) --no-print-directory guest-tools
	@MATRIX_SKIP="$(MATRIX_SKIP)" run/matrix.sh

# Every broken counter.c in mutants/, in a guest that runs the test its
# patch names: that test must fail.
##   make mutants         every mutant in mutants/: the test each names must fail
mutants:
	@rig/deps.sh mutants
	@$(MAKE) --no-print-directory guest-tools
	@run/mutants.sh

##
## Grading another implementation of the module (docs/grading.md):
##   make grade SUBMISSION="PATH..."
##                        scores each (a directory of sources, or a .c file) by
##                        grade/rubric: a report, TAP, results.json, junit.xml
grade:
	@test -n "$(SUBMISSION)" || { echo "make grade SUBMISSION=PATH..." >&2; exit 2; }
	@rig/deps.sh grade
	@$(MAKE) --no-print-directory guest-tools
	@GRADE_SECTIONS="$(GRADE_SECTIONS)" GRADE_MAX_BOOTS="$(GRADE_MAX_BOOTS)" \
		GRADE_RUBRIC="$(RUBRIC)" run/grade.sh $(SUBMISSION)

##   make check-grade     grades counter.c, the example submissions in
##                        grade/examples/ and the mutants with a Loses: header,
##                        each against what it must lose; counter.c at half a
##                        core; the Gradescope zip against a stand-in /autograder
check-grade:
	@rig/deps.sh grade
	@$(MAKE) --no-print-directory guest-tools
	@GRADE_SECTIONS="$(GRADE_SECTIONS)" GRADE_MAX_BOOTS="$(GRADE_MAX_BOOTS)" \
		run/grade-test.sh $(GRADE_TESTS)

##   make gradescope      the autograder zip for Gradescope, in build/gradescope/
gradescope:
	@rig/deps.sh grade
	@run/gradescope.sh

# The verdict on crafted runs it must fail; prove reads the TAP streams
# that guest runs left in build/.
##
## Tests on this machine:
##   make check-verdict   the verdict and the grader on crafted runs, prove on
##                        the last run's TAP
check-verdict: build/host/verdict build/host/verdict_test build/host/grade \
	build/host/grade_test
	@rig/deps.sh verdict
	@for tap in $(wildcard build/*/check.tap build/*/check-debug.tap); do \
		prove -Q --exec cat $$tap || exit 1; done
	@build/host/verdict_test build/host/verdict
	@build/host/grade_test build/host/grade

##   make lint            checkpatch, sparse, W=1, clang-format, cppcheck, shellcheck,
##                        groff, symbols, and the generated pages up to date
lint:
	@rig/deps.sh lint
	@lint/lint.sh

# The symbols of every build the last make matrix made: after it.
##   make check-symbols   counter.ko's imports in each of the matrix's builds
check-symbols:
	@lint/symbols.sh --matrix

# The pages in docs/ that mirror the code, made from it.
##   make docs            regenerates docs/tests.md, mutants.md, architectures.md,
##                        targets.md
docs:
	@docs/generate.sh

# The Debian package, built from a copy of the tracked files.
##   make deb             the counter-dkms Debian package, in build/deb/
deb:
	@rig/deps.sh deb
	rm -rf build/deb && mkdir -p build/deb/counter-$(VERSION)
	git ls-files -z | xargs -0 cp --parents -t build/deb/counter-$(VERSION)
	cd build/deb/counter-$(VERSION) && dpkg-buildpackage -us -uc -b
	@ls build/deb/*.deb

# Installs the package, tests the module DKMS built, purges it.
##   make check-deb       installs the package, tests DKMS's build, purges it (root)
check-deb: deb guest-tools
	@hosts/deb-test.sh build/deb/counter-dkms_$(VERSION)_all.deb

# make install and uninstall into a staging tree for Linux 6.1 and 6.12,
# and what make says without headers: on the machine, as any user.
##   make check-install   make, install and uninstall into a staging tree, 6.1 and 6.12
check-install:
	@rig/deps.sh install
	@hosts/install-test.sh

# make check and make demo as an unprivileged user with a fresh HOME: on
# this machine, or in a chroot of SUITE (trixie, sid) made with
# debootstrap; the kernels installed stay as they were. Needs root.
##   make check-user      check and demo as an unprivileged user, here or in a
##                        chroot of another Debian release (root)
check-user:
	@rig/deps.sh user
	@hosts/user-test.sh $(or $(SUITE),host) $(USER_TARGETS)


##
## Variables of the test targets:
##   GUEST_ARCH=NAME      the guest's architecture by Debian's name, a record in
##                        kernels/arch/ (default amd64); ARCH=NAME where NAME is one.
##                        lint, check-deb, check-install and check-user are amd64's
##   KVER=RELEASE         guest tests: a kernel in the cache other than the default
##   COUNTER_CACHE=DIR    where kernels and the kernel source are fetched
##                        (default ~/.cache/counter)
##   COUNTER_ACCEL=kvm    guests under KVM instead of TCG
##   T=NAME,GLOB          make check: only the tests a name or glob matches
##   QUICK=1              make bench: short windows
##   SUBMISSION="PATH..." make grade: the submissions, directories or .c files
##   GRADE_TESTS="NAME..." make check-grade: only these (counter, an example's
##                        or a mutant's name, half, gradescope)
##   RUBRIC=FILE          make grade, make gradescope: the rubric (grade/rubric)
##   GRADE_SECTIONS="S.." make grade, check-grade: only these sections of it
##   GRADE_MAX_BOOTS=N    make grade, check-grade: boots a submission may end on a
##                        kernel before its tests left are not run (4)
##   MATRIX_SKIP="ROW..." make matrix: rows left out (amd64:6.1, amd64:sid, arm64)
##   SUITE=trixie|sid     make check-user: in a chroot of that Debian release
##   USER_TARGETS="..."   make check-user: what the user runs, each target quoted
##                        with its variables (default: check and demo)
