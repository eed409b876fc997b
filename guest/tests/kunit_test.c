// SPDX-License-Identifier: GPL-2.0
/*
 * counter.c's KUnit suite (guest/kunit/), on the debug kernel, which has
 * CONFIG_KUNIT: the arithmetic at uptimes that no test can wait for. After
 * kernel_not_tainted, because a KUnit suite taints the kernel on purpose
 * (TAINT_TEST, 'N').
 */
#define _GNU_SOURCE
#include "counter_lib.h"
#include "harness.h"

#include <string.h>

#define RESULTS "/sys/kernel/debug/kunit/counter_arithmetic/results"

TEST_DEBUG(kernel, kunit_arithmetic_at_boundaries, 60)
{
	char results[16384];
	int ret, read_ret;

	ASSERT_OK(module_load("counter_kunit"));
	/* The results go with the module: read them before unloading. */
	read_ret = read_text(RESULTS, results, sizeof(results));
	ret = module_unload("counter_kunit");
	ASSERT_OK(read_ret);
	ASSERT_OK(ret);
	ASSERT(strstr(results, "\nok 1 counter_arithmetic\n") &&
	       !strstr(results, "not ok"), "KUnit's results:\n%s", results);
	return 0;
}
