// SPDX-License-Identifier: GPL-2.0
/*
 * The module loaded on a machine that has been up for a long time. The
 * boot clock, once moved on, stays so for the rest of the boot: this part
 * runs after the others but for the signing tests (after which no
 * unsigned helper module loads) and the kernel log's checks.
 */
#define _GNU_SOURCE
#include "counter_lib.h"
#include "harness.h"
#include "tests.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

/*
 * Past 24.8 and 49.7 days, when milliseconds since boot overflow 31 and 32
 * bits, and microseconds many times over.
 */
#define SLEPT_DAYS 100
#define DAY_NS (86400 * NSEC_PER_SEC)

/*
 * Result reads_zero_at_a_large_uptime: with `CLOCK_BOOTTIME` moved on by 100
 * days (the kernel told that the machine slept that long, as after a
 * suspend, by the helper module slept.ko), a load reads 0 at once and 0.9 s
 * after the load began, and its first tick makes it 1 on time (skipped
 * where slept.ko cannot: with no kprobes, on the debug and KCSAN kernels;
 * with no `timekeeping_inject_sleeptime64()`, which needs `PM_SLEEP` and
 * `RTC_HCTOSYS_DEVICE`; on ppc64, whose kprobe addresses cannot be called;
 * under x86's indirect branch tracking)
 */
TEST(kernel, reads_zero_at_a_large_uptime)
{
	int64_t boot = clock_ns(CLOCK_BOOTTIME), at;
	unsigned long n;
	char args[32];
	int fd, ret;

	snprintf(args, sizeof(args), "days=%d", SLEPT_DAYS);
	ret = module_load_args("slept", args);
	if (ret == -EOPNOTSUPP)
		SKIP("slept.ko cannot move the clock here (the kernel log says why)");
	ASSERT_OK(ret);
	ASSERT_OK(module_unload("slept"));
	boot = clock_ns(CLOCK_BOOTTIME) - boot;
	test_msg("CLOCK_BOOTTIME moved on %.3f days, to %.3f days",
		 (double)boot / DAY_NS, (double)clock_ns(CLOCK_BOOTTIME) / DAY_NS);
	ASSERT(boot >= SLEPT_DAYS * DAY_NS, "CLOCK_BOOTTIME moved on only %.3f s",
	       SECS(boot));
	ASSERT_OK(counter_load());
	fd = open(COUNTER_PROC, O_RDONLY | O_CLOEXEC);
	ASSERT(fd >= 0, "open: %s", errname(errno));
	ret = zero_through_the_first_second(fd);
	close(fd);
	if (ret)
		return ret;
	ASSERT_OK(counter_wait_tick(&n, &at));
	test_msg("the first tick seen %.1f ms after the load ended",
		 MS(at - counter_load_after));
	ASSERT_EQ(n, 1);
	ASSERT(at >= counter_load_before + NSEC_PER_SEC &&
	       at <= counter_load_after + NSEC_PER_SEC +
			     (int64_t)(MAX_PHASE_LAG_MS * NSEC_PER_MSEC),
	       "the first tick seen %.1f ms after the load began",
	       MS(at - counter_load_before));
	return 0;
}
