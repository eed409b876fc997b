// SPDX-License-Identifier: GPL-2.0
/*
 * Tests for the KCSAN kernel (make check-kcsan): the count's accesses under
 * the kernel's data-race detector. KCSAN watches an access after a random
 * count of up to kcsan.skip_watch accesses on a CPU, stalls it for up to
 * kcsan.udelay_task microseconds and reports an access that conflicts with
 * it meanwhile, when either is plain: a race on
 * the count needs a read of it during a watched write, or a write during a
 * watched read. A report whose title names a function of the module fails;
 * the kernel's own races are named and counted.
 */
#define _GNU_SOURCE
#include "counter_lib.h"
#include "harness.h"
#include "kmsg.h"
#include "../init.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KCSAN_DEBUGFS "/sys/kernel/debug/kcsan"
#define KCSAN_PARAMS "/sys/module/kcsan/parameters/"
#define MAX_TITLES 16
/*
 * The KUnit suite's reader and writer race for 3 s; a watchpoint every
 * RACE_SKIP_WATCH accesses at most, instead of KCSAN's 4000, gives a race
 * on the count many chances in that time.
 */
#define RACE_SKIP_WATCH 100
/* The real thread: windows around its writes, for this many seconds. */
#define TICK_SECONDS 30
#define TICK_READERS_PER_CPU 2
/*
 * A read takes milliseconds at the window's settings. Opened 5 ms before
 * the write, on a host busy with other work (two spinning processes beside
 * the guest), no reader's first read in a window came before it (36 reads
 * in 29 windows); opened 20 ms before, 28 did, in 26 windows (192 reads).
 */
#define WINDOW_BEFORE_MS 20
#define WINDOW_MAX_MS 300
/* In a window: a watchpoint every 4 accesses at most, held up to 50 us. */
#define WINDOW_SKIP_WATCH 4
#define WINDOW_UDELAY_US 50

/* KCSAN's reports read from the log: the module's, and the kernel's. */
struct reports {
	int module, kernel, ntitles;
	char first[256];
	struct {
		char title[200];
		int count;
	} titles[MAX_TITLES];
};

/* One record of the log: a KCSAN report's title is counted. */
static void reports_line(struct reports *r, const char *text)
{
	const char *t = strstr(text, KCSAN_TITLE);
	int i;

	if (!t)
		return;
	t += strlen(KCSAN_TITLE);
	if (strstr(t, MODULE_TAG) || strstr(t, KUNIT_MODULE_TAG)) {
		if (!r->module++)
			snprintf(r->first, sizeof(r->first), "%s", t);
		return;
	}
	r->kernel++;
	for (i = 0; i < r->ntitles; i++)
		if (!strcmp(r->titles[i].title, t))
			break;
	if (i == r->ntitles && i < MAX_TITLES)
		snprintf(r->titles[r->ntitles++].title,
			 sizeof(r->titles[0].title), "%s", t);
	if (i < r->ntitles)
		r->titles[i].count++;
}

static void reports_read(int fd, struct reports *r)
{
	char text[1024];

	while (kmsg_next(fd, text, sizeof(text)))
		reports_line(r, text);
}

/* The kernel's own races: not the module's, but said. */
static void reports_say(const struct reports *r)
{
	int i;

	if (!r->kernel)
		return;
	test_msg("%d KCSAN report(s) of races in the kernel's own code, not the module's:",
		 r->kernel);
	for (i = 0; i < r->ntitles; i++)
		test_msg("  %d x %s", r->titles[i].count, r->titles[i].title);
}

static long param_read(const char *name)
{
	char path[128], buf[32];

	snprintf(path, sizeof(path), KCSAN_PARAMS "%s", name);
	return read_text(path, buf, sizeof(buf)) ? -1 : atol(buf);
}

static int param_write(const char *name, long value)
{
	char path[128], buf[32];

	snprintf(path, sizeof(path), KCSAN_PARAMS "%s", name);
	snprintf(buf, sizeof(buf), "%ld", value);
	return write_file(path, buf);
}

static int kcsan_enabled(void)
{
	char buf[1024];

	return !read_text(KCSAN_DEBUGFS, buf, sizeof(buf)) &&
	       strstr(buf, "enabled: 1");
}

/*
 * Result kcsan_finds_no_race_on_the_count: KCSAN is on; with `kcsan.skip_watch`
 * at 100, `counter.c`'s KUnit suite is loaded, whose
 * `reader_and_writer_at_once` runs the thread's write (`counter_publish()`) in
 * a loop in a kernel thread and `counter_show()` in a loop beside it for 3 s,
 * and must pass; no KCSAN report names a function of the module
 */
TEST_KCSAN(kernel, kcsan_finds_no_race_on_the_count, 120)
{
	struct reports r = { 0 };
	char text[1024];
	long skip = param_read("skip_watch");
	int fd, ret, raced = 0;

	ASSERT(kcsan_enabled(), "KCSAN is not enabled (%s)", KCSAN_DEBUGFS);
	ASSERT(skip > 0, "no kcsan.skip_watch in %s", KCSAN_PARAMS);
	fd = kmsg_from_now();
	ASSERT(fd >= 0, "/dev/kmsg: %s", errname(errno));
	ret = param_write("skip_watch", RACE_SKIP_WATCH);
	if (!ret)
		ret = module_load("counter_kunit");
	param_write("skip_watch", skip);
	if (ret) {
		close(fd);
		ASSERT_OK(ret);
	}
	ASSERT_OK(module_unload("counter_kunit"));
	/* The suite's case that races, passed; and every report. */
	while (kmsg_next(fd, text, sizeof(text))) {
		int n, end = 0;

		if (sscanf(text, " ok %d reader_and_writer_at_once%n", &n,
			   &end) == 1 && end && !text[end])
			raced = 1;
		reports_line(&r, text);
	}
	close(fd);
	reports_say(&r);
	ASSERT(raced, "the KUnit suite's reader_and_writer_at_once did not pass");
	ASSERT(!r.module, "KCSAN reported %d race(s) of the module, the first: %s",
	       r.module, r.first);
	return 0;
}

/*
 * The real thread writes once a second, at load + N s: a race there needs
 * the write watched while a reader reads, or a read watched while the
 * thread writes. For each second, from WINDOW_BEFORE_MS before the write
 * until a reader has seen it, readers on every CPU pread() /proc/counter
 * and KCSAN watches one access in WINDOW_SKIP_WATCH for WINDOW_UDELAY_US;
 * between windows its defaults come back (at the window's settings all
 * the time, the kernel's own code would make the guest crawl).
 */
static long window_id;			/* the open window's, 0: closed */
static unsigned long window_awaited;	/* the count that closes it */
static int readers_stop;
static int param_fd[2] = { -1, -1 };	/* skip_watch, udelay_task */
static long window_values[2] = { WINDOW_SKIP_WATCH, WINDOW_UDELAY_US };
static long default_values[2];

static void kcsan_settings(const long *v)
{
	char buf[32];
	int i;

	for (i = 0; i < 2; i++) {
		int len = snprintf(buf, sizeof(buf), "%ld", v[i]);

		if (pwrite(param_fd[i], buf, (size_t)len, 0) != len)
			test_msg("kcsan parameter %d: %s", i, errname(errno));
	}
}

/* A reader that sees the count awaited closes the window. */
static void window_close(long id)
{
	__atomic_compare_exchange_n(&window_id, &id, 0, 0, __ATOMIC_ACQ_REL,
				    __ATOMIC_ACQUIRE);
}

struct tick_reader {
	pthread_t thread;
	int cpu;
	long reads, bad, last_window;
	long before;		/* windows whose first read was before the write */
	unsigned long seen;
};

static void *tick_reader_run(void *arg)
{
	struct tick_reader *r = arg;
	cpu_set_t set;
	int fd, first;

	CPU_ZERO(&set);
	CPU_SET(r->cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	fd = open(COUNTER_PROC, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r->bad++;
		return NULL;
	}
	while (!__atomic_load_n(&readers_stop, __ATOMIC_ACQUIRE)) {
		long id = __atomic_load_n(&window_id, __ATOMIC_ACQUIRE);

		if (!id || id == r->last_window) {
			usleep(200);
			continue;
		}
		r->last_window = id;
		first = 1;
		while (__atomic_load_n(&window_id, __ATOMIC_ACQUIRE) == id) {
			unsigned long awaited = __atomic_load_n(&window_awaited,
								__ATOMIC_ACQUIRE);

			if (counter_pread(fd, &r->seen)) {
				r->bad++;
				break;
			}
			if (first && r->seen < awaited)
				r->before++;
			first = 0;
			r->reads++;
			if (r->seen >= awaited)
				window_close(id);
		}
	}
	close(fd);
	return NULL;
}

/*
 * When the thread wrote 1: after the start of the last read that saw 0.
 * The load takes a tenth of a second under KCSAN (and the signature
 * check), too long for its start to place a window of a few milliseconds.
 */
static int64_t first_tick(void)
{
	int64_t before = 0;
	unsigned long n = 0;
	int fd = open(COUNTER_PROC, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	while (now_ns() < counter_load_after + NSEC_PER_SEC + NSEC_PER_SEC / 2) {
		int64_t start = now_ns();

		if (counter_pread(fd, &n) || n > 1)
			break;
		if (n == 1)
			break;
		before = start;
	}
	close(fd);
	return n == 1 ? before : 0;
}

/*
 * Result readers_race_the_tick: the thread itself, for 30 s: the first write is
 * placed by reading until 0 turns into 1, the others a second apart; from 20 ms
 * before each until a reader has seen it, two readers on each of the guest's
 * two CPUs `pread()` `/proc/counter`, with `kcsan.skip_watch` at 4 and
 * `kcsan.udelay_task` at 50 us; every line whole, most windows opened, and a
 * reader's first read in a window before the write at least once; no KCSAN
 * report names a function of the module; the kernel's own races are listed
 */
TEST_KCSAN(counter, readers_race_the_tick, 3 * TICK_SECONDS)
{
	static const char *const names[2] = { "skip_watch", "udelay_task" };
	struct tick_reader r[2 * TICK_READERS_PER_CPU] = { 0 };
	long ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	int i, k, nreaders, log, windows = 0, skipped = 0;
	struct reports rep = { 0 };
	long reads = 0, bad = 0, before = 0;
	int64_t tick1;
	char path[128];

	ASSERT(kcsan_enabled(), "KCSAN is not enabled (%s)", KCSAN_DEBUGFS);
	for (i = 0; i < 2; i++) {
		default_values[i] = param_read(names[i]);
		snprintf(path, sizeof(path), KCSAN_PARAMS "%s", names[i]);
		param_fd[i] = open(path, O_WRONLY | O_CLOEXEC);
		ASSERT(param_fd[i] >= 0 && default_values[i] > 0, "%s: %s",
		       path, errname(errno));
	}
	log = kmsg_from_now();
	ASSERT(log >= 0, "/dev/kmsg: %s", errname(errno));
	tick1 = first_tick();
	ASSERT(tick1, "count 0 not seen turning into 1 within 1.5 s of the load");
	test_msg("count 1 written %.1f ms after the load began",
		 MS(tick1 - counter_load_before));
	ASSERT(ncpus > 0, "sysconf(_SC_NPROCESSORS_ONLN): %s", errname(errno));
	if (ncpus > 2)
		ncpus = 2;
	nreaders = (int)ncpus * TICK_READERS_PER_CPU;
	for (i = 0; i < nreaders; i++) {
		r[i].cpu = i % (int)ncpus;
		if (pthread_create(&r[i].thread, NULL, tick_reader_run, &r[i]))
			break;
	}
	nreaders = i;
	for (k = 2; k <= TICK_SECONDS; k++) {
		int64_t tick = tick1 + (k - 1) * NSEC_PER_SEC;
		int64_t open_at = tick - WINDOW_BEFORE_MS * NSEC_PER_MSEC;
		int64_t close_at = tick + WINDOW_MAX_MS * NSEC_PER_MSEC;

		if (now_ns() > open_at) {
			skipped++;
			continue;
		}
		sleep_ns(open_at - now_ns());
		__atomic_store_n(&window_awaited, (unsigned long)k,
				 __ATOMIC_RELEASE);
		kcsan_settings(window_values);
		__atomic_store_n(&window_id, (long)k, __ATOMIC_RELEASE);
		while (__atomic_load_n(&window_id, __ATOMIC_ACQUIRE) &&
		       now_ns() < close_at)
			usleep(1000);
		window_close(k);
		kcsan_settings(default_values);
		windows++;
		reports_read(log, &rep);
	}
	__atomic_store_n(&readers_stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < nreaders; i++) {
		pthread_join(r[i].thread, NULL);
		reads += r[i].reads;
		bad += r[i].bad;
		before += r[i].before;
	}
	reports_read(log, &rep);
	close(log);
	for (i = 0; i < 2; i++)
		close(param_fd[i]);
	test_msg("%d windows (%d skipped, the one before ran past them), %d readers, %ld reads in them; %ld times a reader's first read in a window came before the write",
		 windows, skipped, nreaders, reads, before);
	reports_say(&rep);
	ASSERT(nreaders == 2 * TICK_READERS_PER_CPU || nreaders == TICK_READERS_PER_CPU,
	       "%d readers started", nreaders);
	ASSERT(bad == 0, "%ld reads were not a whole line", bad);
	ASSERT(windows > TICK_SECONDS / 2 && before > 0,
	       "%d windows, %ld opened before the write: no race was given its chance",
	       windows, before);
	ASSERT(!rep.module, "KCSAN reported %d race(s) of the module, the first: %s",
	       rep.module, rep.first);
	return 0;
}
