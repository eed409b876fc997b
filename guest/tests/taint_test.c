// SPDX-License-Identifier: GPL-2.0
/*
 * Last in the suite: the kernel's taint flags after everything ran. O (out
 * of tree) and E (unsigned) are counter.ko's by nature; W is excused only
 * when the kernel log's one warning is the proc core's complaint about a
 * duplicate name, which failed_load_leaves_nothing makes on purpose.
 */
#define _GNU_SOURCE
#include "counter_lib.h"
#include "harness.h"
#include "kmsg.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define TAINT_WARN (1L << 9)
#define TAINT_OOT_MODULE (1L << 12)
#define TAINT_UNSIGNED_MODULE (1L << 13)
#define DUPLICATE_NAME "proc_dir_entry '/proc/counter' already registered"

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
	}
	close(fd);
	if (warnings == 1 && duplicate == 1)
		mask |= TAINT_WARN;
	test_msg("tainted = %ld; %d warning(s) in the kernel log, %d the expected one",
		 taint, warnings, duplicate);
	ASSERT(taint >= 0 && (taint & ~mask) == 0,
	       "taint flags %#lx beyond O and E%s", taint & ~mask,
	       mask & TAINT_WARN ? " (and the expected W)" : "");
	return 0;
}
