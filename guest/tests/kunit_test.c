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

/*
 * Result kunit_arithmetic_at_boundaries: (before the signing tests, after which
 * an unsigned module no longer loads) `counter.c`'s KUnit suite,
 * `guest/kunit/counter_kunit.c`, loaded as `counter.c` built with it, with
 * KUnit on the debug kernel and, on kernels without KUnit (Debian's), with
 * `guest/kunit/kunit_shim.h`, which runs the same cases as the module loads and
 * reports them on the kernel log in KUnit's words: the count at the uptimes
 * where 32 bits of nanoseconds, milliseconds, jiffies or seconds would wrap,
 * and at the end of `ktime_t`, for a load at boot and one after three years;
 * the thread's next deadline is exactly where the count becomes N + 1, not a
 * nanosecond off; and the thread itself, started as if loaded 2^32 ms - 1.5 s
 * ago, publishes the clock's count 2.5 s later, through the instant a 32-bit
 * count of milliseconds wraps; `counter_show()` writes the whole line for
 * counts up to `ULONG_MAX`; and `counter_show()` in a loop while a kernel
 * thread publishes counts as fast as it can, for 0.1 s (3 s under KCSAN), shows
 * only whole lines of counts published, never one older than the last. On armhf
 * and i386 the same cases run on a 32-bit `unsigned long`
 */
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
