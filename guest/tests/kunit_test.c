// SPDX-License-Identifier: GPL-2.0
/*
 * counter.c's KUnit suite (guest/kunit/): the arithmetic at uptimes that no
 * test can wait for, on every kernel, 32-bit ones included. The debug
 * kernel runs it with KUnit, the others with kunit_shim.h; both report in
 * KTAP on the kernel log. Before the signing tests, after which an
 * unsigned module no longer loads.
 */
#define _GNU_SOURCE
#include "counter_lib.h"
#include "harness.h"
#include "kmsg.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define SUITE "counter_arithmetic"

TEST(kernel, kunit_arithmetic_at_boundaries)
{
	char text[1024], failures[4096] = "";
	int fd = kmsg_from_now(), ok = 0, ret, n, end;
	size_t used = 0;

	ASSERT(fd >= 0, "/dev/kmsg: %s", errname(errno));
	ret = module_load("counter_kunit");
	if (ret) {
		close(fd);
		ASSERT_OK(ret);
	}
	/* The suite's lines: its result, unindented, and every failure. */
	while (kmsg_next(fd, text, sizeof(text))) {
		end = 0;
		if (sscanf(text, "ok %d " SUITE "%n", &n, &end) == 1 && end &&
		    !text[end])
			ok = 1;
		if (strstr(text, "not ok") || strstr(text, "FAILED"))
			used += (size_t)snprintf(failures + used,
						 sizeof(failures) - used,
						 "%s\n", text);
		if (used >= sizeof(failures))
			used = sizeof(failures) - 1;
	}
	close(fd);
	ASSERT_OK(module_unload("counter_kunit"));
	ASSERT(ok && !failures[0], "the suite %s:\n%s",
	       ok ? "passed, yet" : "did not pass", failures);
	return 0;
}
