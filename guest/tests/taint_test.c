// SPDX-License-Identifier: GPL-2.0
/*
 * Last in the suite: the kernel's taint flags and log after everything
 * ran. O (out of tree) and E (unsigned) are counter.ko's by nature; W is
 * excused only when the kernel log's one warning is the proc core's
 * complaint about a duplicate name, which failed_load_leaves_nothing makes
 * on purpose; N only when counter's KUnit suite ran, as KUnit (the debug
 * kernel's) sets it whenever a suite runs.
 */
#define _GNU_SOURCE
#include "counter_lib.h"
#include "harness.h"
#include "kmsg.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define TAINT_WARN (1L << 9)
#define TAINT_OOT_MODULE (1L << 12)
#define TAINT_UNSIGNED_MODULE (1L << 13)
#define TAINT_TEST (1L << 18)
#define DUPLICATE_NAME "proc_dir_entry '/proc/counter' already registered"
#define KUNIT_SUITE "# Subtest: counter_arithmetic"

/* The taint before any test: a graded run's submissions share a boot. */
static long taint_at_start;

__attribute__((constructor)) static void taint_prepare(void)
{
	taint_at_start = sysctl_read("tainted");
}

/*
 * Result kernel_not_tainted: no taint beyond O and E, W only when the kernel
 * log's one warning is the expected duplicate-name one, and N only when
 * counter's KUnit suite ran (KUnit, on the debug kernel, sets it for every
 * suite); graded (`--contract`), no taint beyond those and what the boot had
 * before, W when every warning is the expected one (one a submission)
 */
TEST(kernel, kernel_not_tainted)
{
	long mask = TAINT_OOT_MODULE | TAINT_UNSIGNED_MODULE;
	long taint = sysctl_read("tainted");
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	int warnings = 0, duplicate = 0;
	char text[2048];

	ASSERT(fd >= 0, "open /dev/kmsg: %s", errname(errno));
	while (kmsg_next(fd, text, sizeof(text))) {
		warnings += !strncmp(text, "WARNING:", 8);
		duplicate += strstr(text, DUPLICATE_NAME) != NULL;
		if (strstr(text, KUNIT_SUITE))
			mask |= TAINT_TEST;
	}
	close(fd);
	if (warnings == 1 && duplicate == 1)
		mask |= TAINT_WARN;
	/* Earlier submissions in the same boot each left their own. */
	if (contract_only && taint_at_start > 0)
		mask |= taint_at_start;
	if (contract_only && warnings == duplicate)
		mask |= TAINT_WARN;
	test_msg("tainted = %ld; %d warning(s) in the kernel log, %d the expected one",
		 taint, warnings, duplicate);
	ASSERT(taint >= 0 && (taint & ~mask) == 0,
	       "taint flags %#lx beyond O and E%s%s", taint & ~mask,
	       mask & TAINT_WARN ? " (and the expected W)" : "",
	       mask & TAINT_TEST ? " (and KUnit's N)" : "");
	return 0;
}

/* Whether a counter: record is one counter(4) documents, or the kernel's. */
static int documented(const char *text)
{
	unsigned long n;
	int err, end = 0;

	if (!strcmp(text, LOADED_LINE) || !strcmp(text, NO_ENTRY_LINE))
		return 1;
	/* The module loader's, once, about any out-of-tree unsigned module. */
	if (!strcmp(text, LOADER_TAINT_LINE) || !strcmp(text, LOADER_UNSIGNED_LINE))
		return 1;
	if (sscanf(text, UNLOADED_LINE "%lu%n", &n, &end) == 1 && !text[end])
		return 1;
	return sscanf(text, NO_THREAD_LINE "%d%n", &err, &end) == 1 &&
	       !text[end] && err < 0;
}

/*
 * The module says what counter(4) lists, and nothing else, ever; the
 * module loader's own notes about it, prefixed with its name, aside.
 *
 * Result kernel_log_has_only_documented_messages: every record of the kernel
 * log that starts `counter: ` is one of the four that counter(4) lists, word
 * for word, or one of the module loader's two notes about an out-of-tree,
 * unsigned module
 */
TEST(kernel, kernel_log_has_only_documented_messages)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	int ours = 0, other = 0;
	char text[2048], first[2048] = "";

	ASSERT(fd >= 0, "open /dev/kmsg: %s", errname(errno));
	while (kmsg_next(fd, text, sizeof(text))) {
		if (strncmp(text, "counter: ", 9))
			continue;
		ours++;
		if (!documented(text) && !other++)
			snprintf(first, sizeof(first), "%s", text);
	}
	close(fd);
	test_msg("%d records of counter's in the kernel log", ours);
	ASSERT(ours > 0, "no record of counter's at all");
	ASSERT(!other, "%d undocumented, the first: \"%s\"", other, first);
	return 0;
}
