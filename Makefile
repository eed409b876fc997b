# SPDX-License-Identifier: GPL-2.0
#
# `make` builds counter.ko for the running kernel (KDIR to override).
# The test targets build it for Debian's packaged kernel instead, fetched
# into the cache (KVER to pick another), and prove it in a QEMU guest:
# nothing is ever loaded into, or installed beside, the machine's own
# kernel. `make help` lists the targets and variables.

KDIR ?= /lib/modules/$(shell uname -r)/build
KVER ?=
# The test targets take Debian's architecture names (kernels/arches):
# make check ARCH=arm64 runs the suite on that architecture's kernel.
# ARCH is Kbuild's variable too, and may be in the environment: Kbuild's
# and uname -m's names stand for Debian's there.
kbuild_to_debian := x86_64:amd64 x86:amd64 i686:i386 aarch64:arm64 arm:armhf \
	powerpc:ppc64el ppc64le:ppc64el s390:s390x riscv:riscv64
TEST_ARCH := $(or $(patsubst $(ARCH):%,%,$(filter $(ARCH):%,$(kbuild_to_debian))),$(ARCH),amd64)
GUEST := build/guest/$(TEST_ARCH)
# The guest programs' compiler for an architecture: its cross gcc.
guest_cc = $(shell awk '$$1 == "$(1)" && $$3 != "-" { p = $$3 } \
	END { print p "gcc" }' kernels/arches)
VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)

GUEST_CFLAGS := -O2 -Wall -Wextra -Werror -static
HOST_CFLAGS := -O2 -Wall -Wextra -Werror
GUEST_LIB := guest/lib/counter_lib.c guest/lib/kmsg.c guest/lib/readers.c
# Tests run in the order they are written, files in this order.
TEST_SRCS := guest/lib/harness.c guest/tests/fixtures.c \
	guest/tests/counter_test.c guest/tests/events_test.c \
	guest/tests/readers_test.c guest/tests/debug_test.c \
	guest/tests/kcsan_test.c guest/tests/kunit_test.c \
	guest/tests/signing_test.c \
	guest/tests/taint_test.c $(GUEST_LIB)

.PHONY: all modules clean check check-debug check-kcsan matrix mutants check-verdict bench demo \
	shell check-shell guest-tools lint deb check-deb sign install uninstall check-install \
	check-user help

# The scripts behind the test targets read Debian's name from ARCH.
TEST_TARGETS := check check-debug check-kcsan matrix mutants check-verdict bench demo shell check-shell \
	guest-tools \
	lint deb check-deb check-install check-user
$(TEST_TARGETS): export override ARCH := $(TEST_ARCH)

# The module build passes ARCH to Kbuild, a Debian name as Kbuild's with
# Debian's cross compiler: ARCH=armhf is ARCH=arm CROSS_COMPILE=arm-linux-gnueabihf-.
arches_field = $(shell awk '$$1 == "$(1)" && $$$(2) != "-" { print $$$(2) }' \
	kernels/arches 2>/dev/null)
KBUILD_ARGS = $(if $(ARCH),ARCH=$(or $(call arches_field,$(ARCH),2),$(ARCH)) \
	$(if $(CROSS_COMPILE),,$(addprefix CROSS_COMPILE=,$(call arches_field,$(ARCH),3))))

# Stops, saying what to install, when KDIR holds no kernel build tree.
headers_hint = $(shell . /etc/os-release 2>/dev/null; case " $$ID $$ID_LIKE " in \
	(*" debian "*|*" ubuntu "*) echo "apt-get install linux-headers-$$(uname -r)" ;; \
	(*" fedora "*|*" rhel "*) echo "dnf install kernel-devel-$$(uname -r)" ;; \
	(*" suse "*) echo "zypper install kernel-default-devel" ;; \
	(*" arch "*) echo "pacman -S linux-headers" ;; \
	(*) echo "the headers of kernel $$(uname -r)" ;; esac)
need_kdir = $(if $(wildcard $(KDIR)/Makefile),,$(error $(if $(filter file,$(origin KDIR)),$\
	No headers for the running kernel in $(KDIR): install them ($(headers_hint)) $\
	or name a kernel build tree with KDIR=,KDIR=$(KDIR) is no kernel build tree)))

all: modules

modules:
	$(need_kdir)
	$(MAKE) -C $(KDIR) M=$(CURDIR) $(KBUILD_ARGS) modules

clean:
	rm -f *.o *.ko *.mod *.mod.c .*.cmd modules.order Module.symvers
	rm -rf .tmp_versions build

build/guest/%/init: guest/init.c guest/init.h guest/lib/kmsg.c guest/lib/kmsg.h
	@mkdir -p $(@D)
	$(call guest_cc,$*) $(GUEST_CFLAGS) -Iguest/lib -o $@ guest/init.c guest/lib/kmsg.c

build/guest/%/counter_test: $(TEST_SRCS) $(wildcard guest/lib/*.h guest/tests/*.h)
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

# The machine's own build of the suite lists the tests for the verdict,
# whatever the guest's architecture.
guest-tools: $(GUEST)/init $(GUEST)/counter_test $(GUEST)/counter_bench \
	build/guest/amd64/counter_test build/host/verdict

check:
	@tools/deps.sh check
	@$(MAKE) --no-print-directory guest-tools
	@KVER=$(KVER) T="$(T)" run/boot.sh check

demo:
	@tools/deps.sh demo
	@$(MAKE) --no-print-directory guest-tools
	@KVER=$(KVER) run/boot.sh demo

# A guest with counter.ko loaded and a shell on the terminal.
shell:
	@tools/deps.sh check
	@$(MAKE) --no-print-directory guest-tools
	@KVER=$(KVER) run/boot.sh shell

# make shell, driven by a script: what it prints must show the module.
check-shell:
	@tools/deps.sh check
	@$(MAKE) --no-print-directory guest-tools
	@run/shell-test.sh

# The suite and the debug-only tests under KASAN, UBSAN, lockdep, kmemleak,
# DEBUG_OBJECTS and fault injection, on a kernel built from linux-source.
check-debug:
	@tools/deps.sh debug
	@$(MAKE) --no-print-directory guest-tools
	@T="$(T)" run/boot.sh check-debug

# The same, and the race tests, under KCSAN, the data-race detector, and
# the detectors that combine with it, on a kernel of its own.
check-kcsan:
	@tools/deps.sh debug
	@$(MAKE) --no-print-directory guest-tools
	@T="$(T)" run/boot.sh check-kcsan

# Figures against the naive baseline and the kernel's floors; QUICK=1
# for short windows.
bench:
	@tools/deps.sh bench
	@$(MAKE) --no-print-directory guest-tools
	@QUICK=$(QUICK) run/bench.sh

# The suite on every current Debian kernel (see kernels/matrix.sh).
matrix:
	@tools/deps.sh matrix
	@$(MAKE) --no-print-directory guest-tools
	@MATRIX_SKIP="$(MATRIX_SKIP)" kernels/matrix.sh

# Every broken counter.c in mutants/, in a guest that runs the test its
# patch names: that test must fail.
mutants:
	@tools/deps.sh mutants
	@$(MAKE) --no-print-directory guest-tools
	@run/mutants.sh

# The verdict on crafted runs it must fail; prove reads the TAP streams
# that guest runs left in build/.
check-verdict: build/host/verdict build/host/verdict_test
	@tools/deps.sh verdict
	@for tap in $(wildcard build/*/check.tap build/*/check-debug.tap); do \
		prove -Q --exec cat $$tap || exit 1; done
	@build/host/verdict_test build/host/verdict

lint:
	@tools/deps.sh lint
	@tools/lint.sh

# The Debian package, built from a copy of the tracked files.
deb:
	@tools/deps.sh deb
	rm -rf build/deb && mkdir -p build/deb/counter-$(VERSION)
	git ls-files -z | xargs -0 cp --parents -t build/deb/counter-$(VERSION)
	cd build/deb/counter-$(VERSION) && dpkg-buildpackage -us -uc -b
	@ls build/deb/*.deb

# Installs the package, tests the module DKMS built, purges it.
check-deb: deb guest-tools
	@tools/deb-test.sh build/deb/counter-dkms_$(VERSION)_all.deb

# Signs counter.ko (SIGN_MODULE) for a kernel that enforces signatures,
# with the key and certificate it trusts; by default DKMS's MOK pair.
SIGN_KEY ?= /var/lib/dkms/mok.key
SIGN_CERT ?= /var/lib/dkms/mok.pub
SIGN_HASH ?= sha256
SIGN_MODULE ?= counter.ko

sign:
	$(need_kdir)
	$(KDIR)/scripts/sign-file $(SIGN_HASH) $(SIGN_KEY) $(SIGN_CERT) $(SIGN_MODULE)

# Through DKMS when it is there, so that new kernels get the module too;
# with INSTALL_MOD_PATH (a staging tree), or without DKMS, through Kbuild's
# modules_install, for the kernel in KDIR. Its release is the one its
# modules' vermagic names (Debian 12's headers hold the upstream version,
# 6.1.N, in include/config/kernel.release); by default Kbuild installs into
# extra/ before Linux 6.3 and into updates/ since, both of which uninstall
# cleans, as it does INSTALL_MOD_DIR if set.
USE_DKMS := $(if $(INSTALL_MOD_PATH),,$(shell command -v dkms))
KREL = $(or $(shell sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' \
	$(KDIR)/include/generated/utsrelease.h 2>/dev/null),$\
	$(patsubst /lib/modules/%/build,%,$(filter /lib/modules/%/build,$(KDIR))))
MODROOT = $(abspath $(INSTALL_MOD_PATH))
MODDIR = $(MODROOT)/lib/modules/$(KREL)
# depmod is in sbin, which a user's PATH may lack (as Kbuild's depmod.sh).
DEPMOD = PATH="$$PATH:/usr/sbin:/sbin" depmod $(if $(MODROOT),-b $(MODROOT)) $(KREL)
installed = $(wildcard $(foreach d,extra updates $(INSTALL_MOD_DIR),\
	$(MODDIR)/$(d)/counter.ko $(MODDIR)/$(d)/counter.ko.*))

install:
ifneq ($(USE_DKMS),)
	mkdir -p /usr/src/counter-$(VERSION)
	cp counter.c Kbuild Makefile dkms.conf /usr/src/counter-$(VERSION)/
	dkms install counter/$(VERSION)
else
	$(need_kdir)
	$(MAKE) -C $(KDIR) M=$(CURDIR) $(KBUILD_ARGS) KERNELRELEASE=$(KREL) \
		INSTALL_MOD_PATH=$(MODROOT) modules_install
	$(DEPMOD)
endif

uninstall:
ifneq ($(USE_DKMS),)
	@if dkms status counter/$(VERSION) | grep -q .; then \
		echo "dkms remove counter/$(VERSION) --all"; \
		dkms remove counter/$(VERSION) --all && rm -rf /usr/src/counter-$(VERSION); \
	fi
endif
	$(if $(KREL),,$(error No kernel release: name its build tree with KDIR=))
	$(if $(installed),rm -f $(installed),@echo "No counter.ko in $(MODDIR)")
	$(if $(installed),rmdir --ignore-fail-on-non-empty $(sort $(dir $(installed))))
	$(if $(installed),$(DEPMOD))

# make install and uninstall into a staging tree for Linux 6.1 and 6.12,
# and what make says without headers: on the machine, as any user.
check-install:
	@tools/deps.sh install
	@tools/install-test.sh

# make check and make demo as an unprivileged user with a fresh HOME: on
# this machine, or in a chroot of SUITE (trixie, sid) made with
# debootstrap; the kernels installed stay as they were. Needs root.
check-user:
	@tools/deps.sh user
	@tools/user-test.sh $(SUITE)

define help_text
Building for a real machine:
  make                 counter.ko for the running kernel (KDIR for another)
  make install         through DKMS if it is there, else Kbuild's modules_install
                       and depmod, for the kernel in KDIR (root, unless staged)
  make uninstall       removes what make install put, wherever it went
  make sign            signs counter.ko with SIGN_KEY and SIGN_CERT
  make deb             the counter-dkms Debian package, in build/deb/
  make clean           removes what the build made

Tests in QEMU guests (nothing is loaded into, or installed on, this machine):
  make check           the test suite on Debian 12's kernel (about a minute and a half)
  make demo            boots a guest, loads the module, shows it counting
  make check-debug     the suite and more on a debug kernel it builds
  make check-kcsan     the same and the race tests on a KCSAN kernel it builds
  make matrix          the suite on each of Debian's kernels and architectures
  make mutants         every mutant in mutants/: the test each names must fail
  make bench           figures against a naive baseline
  make shell           a guest with counter.ko loaded and a shell on the terminal
  make check-shell     make shell driven by a script, its answers checked

Tests on this machine:
  make lint            checkpatch, sparse, W=1, clang-format, cppcheck, groff, symbols
  make check-verdict   the verdict on crafted runs, prove on the last run's TAP
  make check-install   make, install and uninstall into a staging tree, 6.1 and 6.12
  make check-deb       installs the package, tests DKMS's build, purges it (root)
  make check-user      check and demo as an unprivileged user, here or in a
                       chroot of another Debian release (root)

Variables:
  KDIR=DIR             make, install, uninstall, sign: the kernel build tree
                       (default: the running kernel's headers)
  ARCH=NAME            the guest's architecture by Debian's name: amd64 (default),
                       arm64, armhf, i386, ppc64el, s390x, riscv64; Kbuild's and
                       uname -m's names (x86_64, aarch64, arm, ...) mean the same.
                       lint, check-deb, check-install and check-user are amd64's.
                       For make: passed to Kbuild, a Debian name as Kbuild's with
                       Debian's cross compiler (armhf: arm, arm-linux-gnueabihf-)
  CROSS_COMPILE=PREFIX make: the cross compiler
  KVER=RELEASE         guest tests: a kernel in the cache other than the default
  COUNTER_CACHE=DIR    where kernels and the kernel source are fetched
                       (default ~/.cache/counter)
  COUNTER_ACCEL=kvm    guests under KVM instead of TCG
  T=NAME               make check: only the tests a name or glob matches
  QUICK=1              make bench: short windows
  MATRIX_SKIP="ROW..." make matrix: rows left out (amd64:6.1, amd64:sid, arm64)
  SIGN_KEY, SIGN_CERT  make sign: key and certificate (default DKMS's MOK pair)
  SIGN_MODULE=FILE     make sign: the module to sign (default counter.ko)
  INSTALL_MOD_PATH=DIR make install, uninstall: a staging root instead of /
                       (never through DKMS)
  INSTALL_MOD_DIR=DIR  make install, uninstall: where under lib/modules/RELEASE/
                       (default Kbuild's: extra/ before Linux 6.3, updates/ since)
  SUITE=trixie|sid     make check-user: in a chroot of that Debian release
endef

help:
	$(info $(help_text))
	@:
