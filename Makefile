# SPDX-License-Identifier: GPL-2.0
#
# `make` builds counter.ko for the running kernel (KDIR to override).
# The test targets build it for Debian's packaged kernel instead (KVER to
# pick another) and prove it in a QEMU guest: nothing is ever loaded into
# the machine's own kernel.

KDIR ?= /lib/modules/$(shell uname -r)/build
KVER ?=

GUEST_CFLAGS := -O2 -Wall -Wextra -Werror -static
HOST_CFLAGS := -O2 -Wall -Wextra -Werror
TEST_SRCS := tests/counter_test.c tests/guest.c tests/tap.c

.PHONY: all modules clean check demo guest-tools

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

clean:
	rm -f *.o *.ko *.mod *.mod.c .*.cmd modules.order Module.symvers
	rm -rf .tmp_versions build

build/guest/init: harness/init.c
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) -o $@ $<

build/guest/counter_test: $(TEST_SRCS) tests/guest.h tests/tap.h
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) -pthread -o $@ $(TEST_SRCS) -lm

build/host/verdict: harness/verdict.c
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -o $@ $<

guest-tools: build/guest/init build/guest/counter_test build/host/verdict

check:
	@harness/deps.sh check
	@$(MAKE) --no-print-directory guest-tools
	@KVER=$(KVER) harness/guest.sh check

demo:
	@harness/deps.sh demo
	@$(MAKE) --no-print-directory guest-tools
	@KVER=$(KVER) harness/guest.sh demo
