// SPDX-License-Identifier: GPL-2.0
#include "ktap.h"

#include <stdarg.h>
#include <stdio.h>

void tap_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

int tap_run(const struct tap_test *tests, size_t count)
{
	size_t i;
	int failed = 0;

	printf("TAP version 13\n1..%zu\n", count);
	fflush(stdout);
	for (i = 0; i < count; i++) {
		int ok = tests[i].run() == 0;

		printf("%sok %zu - %s\n", ok ? "" : "not ", i + 1, tests[i].name);
		fflush(stdout);
		failed += !ok;
	}
	printf("# %zu passed, %d failed\n", count - failed, failed);
	fflush(stdout);
	return failed;
}
