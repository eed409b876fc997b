// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for counter.c's arithmetic, at the boundaries that an uptime
 * of days or years reaches and no test can wait for: where a count held in
 * 32 bits of nanoseconds, milliseconds or seconds would wrap, and the end
 * of ktime_t itself; and for the thread and the line at such counts. The
 * suite includes counter.c (the copy under test) to reach its static
 * functions. On 6.1, the debug kernel's, KUnit runs a module's suites as
 * it comes in (MODULE_STATE_COMING), before counter_init(): the thread
 * started here has counter_seconds to itself. KUnit prints the results on
 * the kernel log. A kernel without KUnit gets kunit_shim.h, which runs the
 * suite the same way.
 */
#if IS_ENABLED(CONFIG_KUNIT)
#include <kunit/test.h>
#else
#include "kunit_shim.h"
#endif
/* The headers' pr_fmt gives way to counter.c's. */
#undef pr_fmt

#include "counter.c"

#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/string.h>

struct span {
	const char *what;
	u64 ns; /* from load to now */
	unsigned long seconds; /* whole seconds the count must show */
};

static const struct span spans[] = {
	{ "load", 0, 0 },
	{ "1 s - 1 ns", NSEC_PER_SEC - 1, 0 },
	{ "1 s", NSEC_PER_SEC, 1 },
	{ "2^31 ns", 1ULL << 31, 2 },
	{ "2^32 ns", 1ULL << 32, 4 },
	{ "2^31 ms - 1 ns", (1ULL << 31) * NSEC_PER_MSEC - 1, 2147483 },
	{ "2^32 ms - 1 ns", (1ULL << 32) * NSEC_PER_MSEC - 1, 4294967 },
	{ "2^32 ms", (1ULL << 32) * NSEC_PER_MSEC, 4294967 },
	{ "2^32 jiffies at 250 Hz", (1ULL << 32) * 4 * NSEC_PER_MSEC,
	  17179869 },
	{ "2^32 jiffies at 100 Hz", (1ULL << 32) * 10 * NSEC_PER_MSEC,
	  42949672 },
	{ "2^31 s", (1ULL << 31) * NSEC_PER_SEC, 1UL << 31 },
	{ "2^32 s - 1 ns", (1ULL << 32) * NSEC_PER_SEC - 1, 0xffffffffUL },
#if BITS_PER_LONG == 64
	{ "2^32 s", (1ULL << 32) * NSEC_PER_SEC, 1UL << 32 },
	{ "KTIME_MAX", KTIME_MAX, KTIME_MAX / NSEC_PER_SEC },
#endif
};

/* Loads at boot, and after years of uptime: the start must not matter. */
#define LATE_LOAD (3ULL * 365 * 86400 * NSEC_PER_SEC + 123456789)
static const ktime_t starts[] = { 0, LATE_LOAD };

static void expect_seconds(struct kunit *test, ktime_t start,
			   const struct span *span)
{
	unsigned long seconds;

	if (span->ns > KTIME_MAX - start)
		return;
	seconds = counter_whole_seconds(start, start + span->ns);
	KUNIT_EXPECT_EQ_MSG(test, seconds, span->seconds,
			    "%s after a load at %lld ns", span->what, start);
}

static void whole_seconds_at_boundaries(struct kunit *test)
{
	int i, j;

	for (i = 0; i < ARRAY_SIZE(starts); i++)
		for (j = 0; j < ARRAY_SIZE(spans); j++)
			expect_seconds(test, starts[i], &spans[j]);
}

/*
 * The thread sleeps until counter_next_tick(n): the count must become
 * n + 1 at exactly that instant, not a nanosecond before or after.
 */
static void next_tick_is_where_the_count_changes(struct kunit *test)
{
	static const unsigned long counts[] = {
		0,
		1,
		2147482,
		4294966,
		0xfffffffeUL,
		0xffffffffUL,
#if BITS_PER_LONG == 64
		/* The last tick before ktime_t ends. */
		(KTIME_MAX - LATE_LOAD) / NSEC_PER_SEC - 1,
#endif
	};
	ktime_t start = LATE_LOAD, tick;
	int i;

	for (i = 0; i < ARRAY_SIZE(counts); i++) {
		u64 n = counts[i];

		tick = counter_next_tick(start, counts[i]);
		KUNIT_EXPECT_EQ_MSG(test, tick,
				    (ktime_t)(start + (n + 1) * NSEC_PER_SEC),
				    "after %llu", n);
		KUNIT_EXPECT_EQ_MSG(test,
				    counter_whole_seconds(start, tick - 1),
				    counts[i], "1 ns before tick %llu", n + 1);
		KUNIT_EXPECT_EQ_MSG(test, counter_whole_seconds(start, tick),
				    (unsigned long)(n + 1), "at tick %llu",
				    n + 1);
	}
}

/*
 * The thread itself, as if loaded 2^32 ms - 1.5 s ago: it must publish
 * the clock's count through the instant a 32-bit count of milliseconds
 * wraps. Its ticks fall 0.2 s, 1.2 s and 2.2 s from now; the count is
 * read 0.3 s after the last, a margin far over its lag.
 */
static void thread_counts_across_2_32_ms(struct kunit *test)
{
	const u64 ago = (1ULL << 32) * NSEC_PER_MSEC - 1500 * NSEC_PER_MSEC;
	struct task_struct *task;
	unsigned long seen, want;

	counter_start = ktime_sub_ns(ktime_get_boottime(), ago);
	task = kthread_run(counter_thread, NULL, "counter_kunit");
	if (IS_ERR(task)) {
		KUNIT_FAIL(test, "kthread_run: %ld", PTR_ERR(task));
		return;
	}
	msleep(2500);
	seen = READ_ONCE(counter_seconds);
	want = counter_whole_seconds(counter_start, ktime_get_boottime());
	kthread_stop(task);
	KUNIT_EXPECT_EQ(test, seen, want);
}

/* The whole line for every count, the longest an unsigned long gives. */
static void show_prints_the_whole_line(struct kunit *test)
{
	static const unsigned long counts[] = {
		0, 9, 10, 9999999, 10000000, 0xffffffffUL, ULONG_MAX
	};
	char buf[64], want[64];
	struct seq_file m = { .buf = buf, .size = sizeof(buf) };
	int i;

	for (i = 0; i < ARRAY_SIZE(counts); i++) {
		m.count = 0;
		WRITE_ONCE(counter_seconds, counts[i]);
		KUNIT_EXPECT_EQ(test, counter_show(&m, NULL), 0);
		snprintf(want, sizeof(want), "The counter is now at: %lu\n",
			 counts[i]);
		KUNIT_EXPECT_EQ(test, m.count, strlen(want));
		KUNIT_EXPECT_EQ(test, memcmp(buf, want, strlen(want)), 0);
	}
	WRITE_ONCE(counter_seconds, 0);
}

/*
 * The count's writer and a reader at once, as fast as they go: the
 * thread's write and /proc/counter's read, published a million times more
 * often than once a second. Every line the reader makes is whole, never
 * older than the last, and no newer than the last count published (the
 * writer publishes 1, 2, 3, ...: each count up to it was). Under KCSAN, which
 * watches the pair of accesses, a plain one of the two is a data race,
 * reported on the kernel log (the race detector's test fails on it); so
 * is a second writer, which counter_publish() asserts there is not.
 */
#define RACE_MS (IS_ENABLED(CONFIG_KCSAN) ? 3000 : 100)

static int publish_in_a_loop(void *unused)
{
	unsigned long n = 0;

	while (!kthread_should_stop()) {
		counter_publish(++n);
		cond_resched();
	}
	return 0;
}

static void reader_and_writer_at_once(struct kunit *test)
{
	static const char prefix[] = "The counter is now at: ";
	unsigned long end = jiffies + msecs_to_jiffies(RACE_MS);
	unsigned long last = 0, n, reads = 0, bad = 0;
	char buf[64];
	struct seq_file m = { .buf = buf, .size = sizeof(buf) - 1 };
	struct task_struct *writer;

	writer = kthread_run(publish_in_a_loop, NULL, "counter_writer");
	if (IS_ERR(writer)) {
		KUNIT_FAIL(test, "kthread_run: %ld", PTR_ERR(writer));
		return;
	}
	while (time_before(jiffies, end) && !bad) {
		m.count = 0;
		counter_show(&m, NULL);
		buf[m.count] = '\0';
		if (strncmp(buf, prefix, sizeof(prefix) - 1) ||
		    kstrtoul(buf + sizeof(prefix) - 1, 10, &n) || n < last)
			bad++;
		else
			last = n;
		reads++;
		cond_resched();
	}
	kthread_stop(writer);
	n = READ_ONCE(counter_seconds);
	WRITE_ONCE(counter_seconds, 0);
	KUNIT_EXPECT_EQ_MSG(test, bad, 0UL, "after %lu reads: \"%s\" after %lu",
			    reads, buf, last);
	KUNIT_EXPECT_EQ_MSG(test, last <= n, 1, "read %lu, published %lu", last,
			    n);
	/* The writer ran while the reader read: it saw a count published. */
	KUNIT_EXPECT_EQ_MSG(test, last > 0, 1, "%lu reads", reads);
}

static struct kunit_case counter_arithmetic_cases[] = {
	KUNIT_CASE(whole_seconds_at_boundaries),
	KUNIT_CASE(next_tick_is_where_the_count_changes),
	KUNIT_CASE(thread_counts_across_2_32_ms),
	KUNIT_CASE(show_prints_the_whole_line),
	KUNIT_CASE(reader_and_writer_at_once),
	{}
};

static struct kunit_suite counter_arithmetic = {
	.name = "counter_arithmetic",
	.test_cases = counter_arithmetic_cases,
};

kunit_test_suite(counter_arithmetic);

#if !IS_ENABLED(CONFIG_KUNIT)
/* kunit_shim.h took counter.c's module_init(): the kernel's registers it. */
#pragma pop_macro("module_init")
module_init(counter_init_after_the_suite);
#endif
