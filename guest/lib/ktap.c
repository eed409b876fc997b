// SPDX-License-Identifier: GPL-2.0
#include "ktap.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* The state of the running test. */
static int test_failed;
static char skip_reason[256];

static void print_msg(const char *prefix, const char *fmt, va_list ap)
{
	fputs("# ", stdout);
	fputs(prefix, stdout);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
}

void ktap_print_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	print_msg("", fmt, ap);
	va_end(ap);
}

void ktap_fail(const char *file, int line, const char *cond, const char *fmt,
	       ...)
{
	char where[512];
	va_list ap;

	test_failed = 1;
	snprintf(where, sizeof(where), "%s:%d: %s: ", file, line, cond);
	va_start(ap, fmt);
	print_msg(where, fmt, ap);
	va_end(ap);
}

void ktap_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(skip_reason, sizeof(skip_reason), fmt, ap);
	va_end(ap);
	/* The reason ends the result line: keep it on one line. */
	skip_reason[strcspn(skip_reason, "\n")] = '\0';
}

void ktap_list(const struct ktap_test *tests, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		printf("%s\n", tests[i].name);
}

int ktap_run(const struct ktap_test *tests, size_t count, size_t more,
	     int fail_fast)
{
	size_t i, passed = 0, skipped = 0;
	int failed = 0;

	printf("TAP version 13\n1..%zu\n", count + more);
	fflush(stdout);
	for (i = 0; i < count; i++) {
		test_failed = 0;
		skip_reason[0] = '\0';
		if (tests[i].run() < 0)
			test_failed = 1;
		if (test_failed) {
			printf("not ok %zu - %s\n", i + 1, tests[i].name);
			failed++;
		} else if (skip_reason[0]) {
			printf("ok %zu - %s # SKIP %s\n", i + 1, tests[i].name,
			       skip_reason);
			skipped++;
		} else {
			printf("ok %zu - %s\n", i + 1, tests[i].name);
			passed++;
		}
		fflush(stdout);
		if (failed && fail_fast) {
			printf("# fail-fast: no test after the first failure\n");
			break;
		}
	}
	printf("# guest: %zu passed, %d failed, %zu skipped\n", passed, failed,
	       skipped);
	fflush(stdout);
	return failed;
}
