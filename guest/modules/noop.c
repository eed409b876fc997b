// SPDX-License-Identifier: GPL-2.0
/*
 * noop - a module that does nothing: the floor against which the tests and
 * benchmarks time loading and unloading counter.ko.
 */
#include <linux/module.h>

static int __init noop_init(void)
{
	return 0;
}

static void __exit noop_exit(void)
{
}

module_init(noop_init);
module_exit(noop_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Does nothing; a baseline for load and unload timings");
