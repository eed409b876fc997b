// SPDX-License-Identifier: GPL-2.0
/*
 * Tests for the debug kernel: a fault-injection sweep over loading, a
 * load/unload stress under readers, kmemleak and lockdep. They run after
 * the tests of every kernel but the KUnit, signing and taint tests.
 * KASAN, UBSAN, DEBUG_OBJECTS and the rest report on the console, which
 * the host judges.
 */
#define _GNU_SOURCE
#include "counter_lib.h"
#include "harness.h"
#include "kmsg.h"
#include "readers.h"
#include "../init.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define DEBUGFS "/sys/kernel/debug"
#define KMEMLEAK DEBUGFS "/kmemleak"
#define MAX_FAIL_NTH 5000
#define STRESS_CYCLES 1000
#define STRESS_READERS 8
#define LEAK_CYCLES 50

/* Nothing of counter is left: no module, no entry, no thread. */
static int nothing_left(int n)
{
	const char *left = counter_left();

	ASSERT(!left, "n=%d: %s left behind", n, left);
	return 0;
}

/* What the sweep saw: its loads, and the two failures counter_init() says. */
struct sweep {
	int fired_failed, fired_ok, last_failed;
	int said_thread, said_entry;
	int log_fd;
};

/* Reads what the log gained, before the sweep's volume can overwrite it. */
static void sweep_read_log(struct sweep *s)
{
	char text[512];

	while (kmsg_next(s->log_fd, text, sizeof(text))) {
		if (!strcmp(text, NO_THREAD_LINE "-12"))
			s->said_thread = 1;
		if (!strcmp(text, NO_ENTRY_LINE))
			s->said_entry = 1;
	}
}

/*
 * Makes the nth slab allocation of this task fail during finit_module(),
 * for n = from, from + 1, ... until a load succeeds with no fault injected.
 * Returns that n.
 */
static int sweep(int nth, const char *ko, int from, struct sweep *s)
{
	int n;

	for (n = from; n <= MAX_FAIL_NTH; n++) {
		char num[16], back[16];
		int ret, fired, len;
		ssize_t got;
		int ko_fd = open(ko, O_RDONLY | O_CLOEXEC);

		ASSERT(ko_fd >= 0, "open %s: %s", ko, errname(errno));
		len = snprintf(num, sizeof(num), "%d", n);
		/* Nothing may allocate between arming and the load. */
		if (pwrite(nth, num, (size_t)len, 0) != len) {
			close(ko_fd);
			ASSERT(0, "arming fail-nth: %s", errname(errno));
		}
		ret = syscall(SYS_finit_module, ko_fd, "", 0) ? -errno : 0;
		got = pread(nth, back, sizeof(back) - 1, 0);
		pwrite(nth, "0", 1, 0);
		close(ko_fd);
		ASSERT(got > 0, "reading fail-nth back: %s", errname(errno));
		back[got] = '\0';
		fired = atoi(back) == 0;

		if (ret == 0) {
			ASSERT(kthreads_named("counter", NULL) == 1,
			       "n=%d: loaded without its thread", n);
			ASSERT(access(COUNTER_PROC, R_OK) == 0,
			       "n=%d: loaded without /proc/counter", n);
			ret = module_unload("counter");
			ASSERT(ret == 0, "n=%d: unload: %s", n, errname(ret));
			if (nothing_left(n))
				return -1;
			if (!fired)
				break;
			s->fired_ok++;
		} else {
			ASSERT(fired, "n=%d: load failed with %s and no fault",
			       n, errname(ret));
			if (nothing_left(n))
				return -1;
			s->fired_failed++;
			s->last_failed = n;
		}
		sweep_read_log(s);
	}
	return n;
}

/*
 * The sweep, between the marks that excuse the reports of what it injects.
 * A load's allocations are not always the same in number (the slab and the
 * module loader allocate by need), so a single pass can step over the
 * thread's allocation. counter_init() makes the last allocations a load
 * cannot survive: from TAIL_RETRY_SPAN points before the last failed load,
 * the sweep goes again until both failures have been said.
 */
#define TAIL_RETRIES 12
#define TAIL_RETRY_SPAN 10
static int sweep_marked(struct sweep *s)
{
	char path[64], ko[256];
	int nth, n, i;

	ASSERT(write_file(DEBUGFS "/failslab/ignore-gfp-wait", "N") == 0,
	       "failslab/ignore-gfp-wait: %s", errname(errno));
	write_file(DEBUGFS "/failslab/verbose", "0");
	snprintf(path, sizeof(path), "/proc/self/task/%ld/fail-nth",
		 (long)syscall(SYS_gettid));
	snprintf(ko, sizeof(ko), "%s/counter.ko", module_dir);
	nth = open(path, O_RDWR | O_CLOEXEC);
	ASSERT(nth >= 0, "open %s: %s", path, errname(errno));
	s->log_fd = kmsg_from_now();
	ASSERT(s->log_fd >= 0, "/dev/kmsg: %s", errname(errno));
	/* The kernel reports the failures we inject: say where they are. */
	write_file("/dev/kmsg", FAULTS_ON_MARK "\n");
	n = sweep(nth, ko, 1, s);
	for (i = 0; i < TAIL_RETRIES && n > 0 &&
	     !(s->said_thread && s->said_entry); i++) {
		int from = s->last_failed - TAIL_RETRY_SPAN;
		int end = sweep(nth, ko, from > 1 ? from : 1, s);

		if (end < 0 || end > MAX_FAIL_NTH)
			n = end;
	}
	write_file("/dev/kmsg", FAULTS_OFF_MARK "\n");
	close(s->log_fd);
	close(nth);
	if (i)
		test_msg("from %d points before the last failed load, swept %d more time(s)",
			 TAIL_RETRY_SPAN, i);
	return n;
}

/*
 * Result fail_nth_sweep_over_load: for n = 1, 2, ... the nth slab allocation of
 * the loading task fails (`/proc/self/task/TID/fail-nth`); every load either
 * succeeds whole or fails leaving no module, no entry and no thread, until one
 * succeeds with no fault injected; among the failures, the thread's start
 * (`cannot start the counting thread: -12`) and the entry's creation (`cannot
 * create /proc/counter`), each said in the log, which is read as the sweep
 * goes; a load's allocations vary by a few in number, so a sweep can step over
 * the thread's, and from 10 points before the last failed load the sweep goes
 * again, up to 12 times, until both have been said
 */
TEST_DEBUG(kernel, fail_nth_sweep_over_load, 600)
{
	struct sweep s = { 0 };
	int n = sweep_marked(&s);

	if (n < 0)
		return -1;
	test_msg("%d injection points; of the loads with a fault, %d failed cleanly, %d survived it",
		 n - 1, s.fired_failed, s.fired_ok);
	ASSERT(n <= MAX_FAIL_NTH, "no fault-free load after %d tries",
	       MAX_FAIL_NTH);
	ASSERT(s.fired_failed > 0, "no injected fault made the load fail");
	/* Each of the two failures counter_init() reports, said at least once. */
	ASSERT(s.said_thread,
	       "no failed load said \"cannot start the counting thread: -12\"");
	ASSERT(s.said_entry,
	       "no failed load said \"cannot create /proc/counter\"");
	return 0;
}

/*
 * Result stress_1000_cycles_under_8_readers: 1000 load/unload cycles while 8
 * readers hammer `/proc/counter`: whole lines only, no other errors than
 * `ENOENT`/`EIO`
 */
TEST_DEBUG(kernel, stress_1000_cycles_under_8_readers, 1200)
{
	struct reader r[STRESS_READERS];
	int64_t t0 = now_ns();
	int i, ret = 0, failed_at = -1;
	long good = 0;

	readers_start(r, STRESS_READERS, 0, 0);
	for (i = 0; i < STRESS_CYCLES && failed_at < 0; i++) {
		ret = counter_load();
		if (!ret)
			ret = module_unload("counter");
		if (ret)
			failed_at = i;
	}
	readers_stop(r, STRESS_READERS);
	ASSERT(failed_at < 0, "cycle %d: %s", failed_at, errname(ret));
	for (i = 0; i < STRESS_READERS; i++) {
		ASSERT(r[i].bad_lines == 0, "reader %d saw %ld malformed lines",
		       i, r[i].bad_lines);
		ASSERT(!r[i].other_err[0], "reader %d saw %s", i,
		       r[i].other_err);
		good += r[i].good;
	}
	test_msg("%d cycles in %.1f s under %d readers (%ld good reads)",
		 STRESS_CYCLES, SECS(now_ns() - t0), STRESS_READERS, good);
	return nothing_left(STRESS_CYCLES);
}

/*
 * What the module's life allocates, on every path: cleared, then loads
 * that fail at each allocation, loads that succeed and reads, then scanned.
 *
 * Result kmemleak_finds_no_leak: kmemleak cleared, then a fault-injection sweep
 * over loading and 50 load, read and unload cycles; scan, wait, scan again:
 * nothing reported
 */
TEST_DEBUG(kernel, kmemleak_finds_no_leak, 900)
{
	struct sweep s = { 0 };
	unsigned long n;
	char buf[4096];
	int i, ret;

	ret = write_file(KMEMLEAK, "clear");
	ASSERT(ret == 0, "clear %s: %s", KMEMLEAK, errname(ret));
	if (sweep_marked(&s) < 0)
		return -1;
	for (i = 0; i < LEAK_CYCLES; i++) {
		ret = counter_load();
		ASSERT(ret == 0, "cycle %d: load: %s", i, errname(ret));
		ASSERT(counter_read(&n) == 0, "cycle %d: read", i);
		ret = module_unload("counter");
		ASSERT(ret == 0, "cycle %d: unload: %s", i, errname(ret));
	}
	ASSERT_OK(write_file(KMEMLEAK, "scan"));
	/* Young objects are not reported on the first scan: wait, scan again. */
	sleep_ns(6 * NSEC_PER_SEC);
	ASSERT_OK(write_file(KMEMLEAK, "scan"));
	ret = read_text(KMEMLEAK, buf, sizeof(buf));
	ASSERT(ret == 0, "read %s: %s", KMEMLEAK, errname(ret));
	ASSERT(!buf[0], "kmemleak reports:\n%s", buf);
	return 0;
}

/*
 * Result lockdep_still_on: `debug_locks` is still 1: lockdep never reported
 */
TEST_DEBUG(kernel, lockdep_still_on, 60)
{
	char buf[8192];
	const char *p;
	int ret = read_text("/proc/lockdep_stats", buf, sizeof(buf));
	int on = -1;

	ASSERT(ret == 0 && buf[0], "read /proc/lockdep_stats: %s", errname(ret));
	p = strstr(buf, "debug_locks:");
	if (p)
		sscanf(p, "debug_locks: %d", &on);
	ASSERT(on == 1, "debug_locks is %d: lockdep turned itself off", on);
	return 0;
}
