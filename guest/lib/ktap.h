/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small TAP producer in the manner of kselftest: one function per
 * behaviour. ASSERT() ends the test at the first failure, EXPECT() records
 * one and goes on, SKIP() ends it as skipped with the reason; each failure
 * says what was expected and what was seen.
 */
#ifndef COUNTER_KTAP_H
#define COUNTER_KTAP_H

#include <stddef.h>

struct ktap_test {
	const char *name;
	int (*run)(void);	/* its return value is ignored but for -1 */
};

/* A "# ..." diagnostic line. */
void ktap_print_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Marks the running test failed, saying where and why. */
void ktap_fail(const char *file, int line, const char *cond, const char *fmt,
	       ...) __attribute__((format(printf, 4, 5)));

/* Marks the running test skipped, saying why. */
void ktap_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints each test's name, a line each. */
void ktap_list(const struct ktap_test *tests, size_t count);

/*
 * Runs every test in order: the header, a plan of count + more (the
 * results that whoever reads this stream appends after ours), a result per
 * test; with fail_fast, none after the first that fails. Returns the
 * number of failed tests.
 */
int ktap_run(const struct ktap_test *tests, size_t count, size_t more,
	     int fail_fast);

#define ASSERT(cond, fmt, ...)						\
	do {								\
		if (!(cond)) {						\
			ktap_fail(__FILE__, __LINE__, #cond, fmt,	\
				  ##__VA_ARGS__);			\
			return -1;					\
		}							\
	} while (0)

#define EXPECT(cond, fmt, ...)						\
	do {								\
		if (!(cond))						\
			ktap_fail(__FILE__, __LINE__, #cond, fmt,	\
				  ##__VA_ARGS__);			\
	} while (0)

#define SKIP(fmt, ...)							\
	do {								\
		ktap_skip(fmt, ##__VA_ARGS__);				\
		return 0;						\
	} while (0)

#endif
