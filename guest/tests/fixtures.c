// SPDX-License-Identifier: GPL-2.0
/*
 * The suite's fixtures. Their teardown puts back everything a test may
 * change in the kernel, whether the test passed, failed half-way or timed
 * out: our modules unloaded, CPU 1 online, pm_test off, no RTC alarm, and
 * panic_on_warn and the wall clock as the suite found them: the wall clock
 * as far from CLOCK_BOOTTIME, which a suspend (or slept.ko) moves with it.
 */
#define _GNU_SOURCE
#include "counter_lib.h"
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/rtc.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>

/* Far above any unload measured (about 1 s on emulated 32-bit ARM). */
#define UNLOAD_TIMEOUT_S 10

static long panic_on_warn = -1;
/* CLOCK_REALTIME - CLOCK_BOOTTIME (which suspend does not stop) at the start. */
static int64_t wall_offset;

/* Before any test: what teardown restores. */
__attribute__((constructor)) static void kernel_prepare(void)
{
	panic_on_warn = sysctl_read("panic_on_warn");
	wall_offset = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_BOOTTIME);
}

static int kernel_teardown(void)
{
	static const char *const ours[] = { "counter", "squatter", "noop",
					    "slept", "counter_kunit" };
	int64_t wall = clock_ns(CLOCK_BOOTTIME) + wall_offset;
	const char *left;
	size_t i;
	int fd;

	/* An exit that never returns leaves the kernel changed, not the run hung. */
	for (i = 0; i < ARRAY_SIZE(ours); i++) {
		int ret = module_is_live(ours[i]) ?
			  module_unload_within(ours[i], UNLOAD_TIMEOUT_S) : 0;

		if (ret == -ETIMEDOUT)
			test_msg("teardown: rmmod %s did not return in %d s: its exit is stuck",
				 ours[i], UNLOAD_TIMEOUT_S);
		else if (ret)
			test_msg("teardown: cannot unload %s: %s", ours[i], errname(ret));
	}
	umount2("/tmp/proc-subset", MNT_DETACH);
	umount2("/tmp/proc-hidepid", MNT_DETACH);
	if (!access(CPU1_ONLINE, W_OK))
		write_file(CPU1_ONLINE, "1");
	if (!access("/sys/power/pm_test", W_OK))
		write_file("/sys/power/pm_test", "none");
	fd = open("/dev/rtc0", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ioctl(fd, RTC_AIE_OFF, 0);
		close(fd);
	}
	if (panic_on_warn >= 0 && sysctl_read("panic_on_warn") != panic_on_warn)
		sysctl_write("panic_on_warn", panic_on_warn);
	/* A test that stepped the wall clock and failed before stepping back. */
	if (llabs(clock_ns(CLOCK_REALTIME) - wall) > NSEC_PER_SEC) {
		struct timespec ts = { wall / NSEC_PER_SEC, wall % NSEC_PER_SEC };

		clock_settime(CLOCK_REALTIME, &ts);
	}
	/* Left behind, it would make every later load fail, or WARN. */
	left = counter_left();
	if (left)
		test_msg("teardown: %s outlived the test", left);
	return left ? -1 : 0;
}

int counter_fd = -1;

static int counter_setup(void)
{
	int ret = counter_load();

	if (!ret) {
		counter_fd = open(COUNTER_PROC, O_RDONLY | O_CLOEXEC);
		ret = counter_fd < 0 ? -errno : 0;
	}
	if (ret)
		test_msg("loading counter.ko and opening %s: %s", COUNTER_PROC,
			 errname(ret));
	return ret;
}

const struct fixture kernel_fixture = {
	.name = "kernel",
	.teardown = kernel_teardown,
};

const struct fixture counter_fixture = {
	.name = "counter",
	.setup = counter_setup,
	.teardown = kernel_teardown,
};
