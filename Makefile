# SPDX-License-Identifier: GPL-2.0
#
# Builds counter.ko out of tree: for the running kernel, or for the kernel
# build tree KDIR names. ARCH and CROSS_COMPILE are Kbuild's own. The test
# rig's targets (make check, make demo, ...) come from rig/rig.mk, where
# the rig is: a packaged copy of this Makefile builds the module alone.

KDIR ?= /lib/modules/$(shell uname -r)/build
VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' $(dir $(lastword $(MAKEFILE_LIST)))dkms.conf)

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

.PHONY: all modules clean install uninstall sign help

## Building for a real machine:
##   make                 counter.ko for the running kernel (KDIR for another)
all: modules

modules:
	$(need_kdir)
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

##   make clean           removes what the build made
clean:
	rm -f *.o *.ko *.mod *.mod.c .*.cmd modules.order Module.symvers
	rm -rf .tmp_versions build

##   make help            this list
help:
	@sed -n 's/^## \{0,1\}//p' $(MAKEFILE_LIST)

# Signs counter.ko (SIGN_MODULE) for a kernel that enforces signatures,
# with the key and certificate it trusts; by default DKMS's MOK pair.
SIGN_KEY ?= /var/lib/dkms/mok.key
SIGN_CERT ?= /var/lib/dkms/mok.pub
SIGN_HASH ?= sha256
SIGN_MODULE ?= counter.ko

##   make sign            signs counter.ko with SIGN_KEY and SIGN_CERT
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

##   make install         through DKMS if it is there, else Kbuild's modules_install
##                        and depmod, for the kernel in KDIR (root, unless staged)
install:
ifneq ($(USE_DKMS),)
	mkdir -p /usr/src/counter-$(VERSION)
	cp counter.c Kbuild Makefile dkms.conf /usr/src/counter-$(VERSION)/
	dkms install counter/$(VERSION)
else
	$(need_kdir)
	$(MAKE) -C $(KDIR) M=$(CURDIR) KERNELRELEASE=$(KREL) \
		INSTALL_MOD_PATH=$(MODROOT) modules_install
	$(DEPMOD)
endif

##   make uninstall       removes what make install put, wherever it went
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

##
## Variables:
##   KDIR=DIR             make, install, uninstall, sign: the kernel build tree
##                        (default: the running kernel's headers)
##   ARCH, CROSS_COMPILE  make: Kbuild's, for a cross build
##                        (make ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- KDIR=...)
##   SIGN_KEY, SIGN_CERT  make sign: key and certificate (default DKMS's MOK pair)
##   SIGN_MODULE=FILE     make sign: the module to sign (default counter.ko)
##   INSTALL_MOD_PATH=DIR make install, uninstall: a staging root instead of /
##                        (never through DKMS)
##   INSTALL_MOD_DIR=DIR  make install, uninstall: where under lib/modules/RELEASE/
##                        (default Kbuild's: extra/ before Linux 6.3, updates/ since)

# The test rig, where it is.
-include $(dir $(lastword $(MAKEFILE_LIST)))rig/rig.mk
