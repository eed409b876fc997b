/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small TAP producer in the manner of kselftest: one function per
 * behaviour, each failing with what it expected and what it saw.
 */
#ifndef COUNTER_KTAP_H
#define COUNTER_KTAP_H

#include <stddef.h>

struct tap_test {
	const char *name;
	int (*run)(void);	/* 0 passed, anything else failed */
};

/* A "# ..." diagnostic line. */
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Runs every test in order, prints the plan and a result per test. */
int tap_run(const struct tap_test *tests, size_t count);

#define EXPECT(cond, fmt, ...)						\
	do {								\
		if (!(cond)) {						\
			tap_diag("%s:%d: %s: " fmt, __FILE__, __LINE__,	\
				 #cond, ##__VA_ARGS__);			\
			return -1;					\
		}							\
	} while (0)

#endif
