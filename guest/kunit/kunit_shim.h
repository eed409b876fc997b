/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few KUnit macros counter_kunit.c uses, for kernels built without
 * CONFIG_KUNIT (Debian's): the suite runs as the module loads, before
 * counter_init(), as KUnit 6.1 runs a module's suites, and reports in
 * KUnit's KTAP lines on the kernel log. So the arithmetic is tested on
 * every kernel the suite boots, 32-bit ones included, where unsigned long
 * is the narrow type that wraps. Included before counter.c, whose
 * module_init() it takes over.
 */
#ifndef COUNTER_KUNIT_SHIM_H
#define COUNTER_KUNIT_SHIM_H

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/printk.h>

struct kunit {
	const char *name;
	bool failed;
};

struct kunit_case {
	void (*run_case)(struct kunit *test);
	const char *name;
};

struct kunit_suite {
	const char *name;
	struct kunit_case *test_cases;
};

#define KUNIT_CASE(fn)                      \
	{                                   \
		.run_case = fn, .name = #fn \
	}

static __printf(4, 5) void kunit_shim_fail(struct kunit *test, const char *file,
					   int line, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	pr_info("    # %s: EXPECTATION FAILED at %s:%d: %pV\n", test->name,
		file, line, &vaf);
	va_end(args);
	test->failed = true;
}

#define KUNIT_FAIL(test, fmt, ...) \
	kunit_shim_fail(test, __FILE__, __LINE__, fmt, ##__VA_ARGS__)

/*
 * Compared in the operands' own types, as KUnit does; printed in decimal
 * and hex, as the boundaries are powers of two.
 */
#define KUNIT_EXPECT_EQ_MSG(test, left, right, fmt, ...)                         \
	do {                                                                     \
		typeof(left) __left = (left);                                    \
		typeof(right) __right = (right);                                 \
		if (__left != __right)                                           \
			KUNIT_FAIL(                                              \
				test,                                            \
				"%s == %s: %lld (0x%llx) vs %lld (0x%llx) " fmt, \
				#left, #right, (long long)__left,                \
				(long long)__left, (long long)__right,           \
				(long long)__right, ##__VA_ARGS__);              \
	} while (0)

#define KUNIT_EXPECT_EQ(test, left, right) \
	KUNIT_EXPECT_EQ_MSG(test, left, right, "%s", "")

static void kunit_shim_run(struct kunit_suite *suite)
{
	struct kunit_case *c;
	int n = 0, failed = 0;

	for (c = suite->test_cases; c->run_case; c++)
		n++;
	pr_info("    # Subtest: %s\n", suite->name);
	pr_info("    1..%d\n", n);
	for (n = 1, c = suite->test_cases; c->run_case; c++, n++) {
		struct kunit test = { .name = c->name };

		c->run_case(&test);
		failed += test.failed;
		pr_info("    %sok %d %s\n", test.failed ? "not " : "", n,
			c->name);
	}
	pr_info("%sok 1 %s\n", failed ? "not " : "", suite->name);
}

/*
 * counter.c's module_init(fn) defines fn_after_the_suite(): the suite
 * first, then fn, whose failure still fails the load. The kernel's
 * module_init() is put back after counter.c (pop_macro) to register it:
 * objtool refuses an init_module() not made by module_init().
 */
#pragma push_macro("module_init")
#undef module_init
#define module_init(fn)                              \
	static void kunit_shim_run_suites(void);     \
	static int __init fn##_after_the_suite(void) \
	{                                            \
		kunit_shim_run_suites();             \
		return fn();                         \
	}

/* Defines what fn_after_the_suite() runs first. */
#define kunit_test_suite(suite)                 \
	static void kunit_shim_run_suites(void) \
	{                                       \
		kunit_shim_run(&(suite));       \
	}

#endif
