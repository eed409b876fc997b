// SPDX-License-Identifier: GPL-2.0
/*
 * The guest suite's first part: loading, the line, reads of every shape,
 * the count against the clock, the idle thread and unloading. The other
 * parts are the *_test.c beside it; harness.h runs them all.
 *
 * counter_test [MODULE_DIR] (by default /lib/counter, which holds
 * counter.ko and the helper modules noop.ko, squatter.ko and slept.ko): see
 * harness.c's usage for the options.
 */
#define _GNU_SOURCE
#include "counter_lib.h"
#include "harness.h"
#include "kmsg.h"
#include "readers.h"
#include "tests.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define SAMPLE_SECONDS 9
/*
 * The bounds and the noise they leave room for. The benchmark's full runs
 * measure a few ppm of drift over 60 s, and wake-ups up to 11 ms late
 * (docs/benchmarks.md). Over these 9 ticks, on a host busy with other
 * work, least squares gave -2488 and +2916 ppm, pulled by one tick 34 or
 * 66 ms late; the median of the pairwise slopes gave -178 ppm there, and
 * -29 to +67 ppm over a quiet matrix: 400 ppm, twice the busy host's. With
 * the guest at half a core (make check-grade, beside a spinner), where the
 * reads that place each tick wait for the CPU, the median over every pair
 * gave -503 ppm: only ticks 4 s apart or more are paired, which divides
 * such a wait by 4 at least. A
 * tick came at most 0.6 ms after the load's end over that matrix, 11 ms
 * late at most in the benchmark's busy runs: 15 ms. Before load + N s,
 * none may come; the load's beginning is the earliest its start can be
 * (the load took 3.8 to 56 ms there), so a tick early by less than that
 * cannot be told from a start taken later in the load.
 */
#define MAX_PERIOD_PPM 400.0
#define MAX_TICK_LAG_MS 15.0
#define READERS 4
#define READ_SECONDS 10
#define IDLE_SECONDS 5
#define MAX_WAKEUPS_PER_S 1.2
/*
 * The run time of a wake-up, as the median of those seen in IDLE_SECONDS:
 * one wake-up charged for a host's stall (12 ms once, on PREEMPT_RT, where
 * the others took well under one) must not decide. Measured medians: 0.04
 * to 0.31 ms over the matrix and the debug kernel, 0.26 ms on PREEMPT_RT
 * (its longest wake-up 3.8 ms once); a thread that spins its last 3 ms
 * before each tick, 2.9 ms, and one that spins 0.8 ms, 0.8 ms. A stall can
 * charge most wake-ups of a window (once in CI, on PREEMPT_RT beside a
 * kernel build: a median of 1.28 ms, 27.6 ms in 5 s): a window over the
 * bound is watched again, and the second decides. A thread that spins is
 * over it in every window. 0.6 ms: twice the slowest median measured.
 */
#define MAX_WAKEUP_RUN_NS (6 * NSEC_PER_MSEC / 10)
#define MAX_BURSTS 64
/*
 * Beyond the slowest of three no-op module unloads on the same machine
 * (noop_unload_ns()): 5 to 21 ms more over the matrix, 29 ms beside a
 * stalled read, 47 ms on the debug kernel, against one no-op unload.
 * 32-bit ARM unloads any module in 35 ms to 1 s: the slowest of three
 * no-op unloads is its baseline.
 */
#define MAX_RMMOD_MS 100.0
#define CYCLES 50

/*
 * Result load_succeeds: `finit_module` of `counter.ko` succeeds
 */
TEST(kernel, load_succeeds)
{
	ASSERT_OK(counter_load());
	test_msg("load took %.1f ms", MS(counter_load_after - counter_load_before));
	return 0;
}

/*
 * The second read: late enough in the first second that the thread, woken
 * by the load, has run (right after the load it may not have, and a first
 * write of 1 would go unseen), early enough that the count is still 0.
 */
#define SECOND_READ_MS 900
/* When writes_are_refused writes: after the first tick, and its lag. */
#define WRITE_AFTER_MS (1000 + MAX_PHASE_LAG_MS + 10)

/*
 * The first second's two reads, on fd (open on /proc/counter since the
 * load): the first is byte-exact and 0, and so is one begun at
 * SECOND_READ_MS after the load began.
 */
int zero_through_the_first_second(int fd)
{
	int64_t at = counter_load_before + SECOND_READ_MS * NSEC_PER_MSEC;
	char buf[128];
	unsigned long n;
	ssize_t len = read(fd, buf, sizeof(buf));

	ASSERT(len > 0, "read returned %zd", len);
	ASSERT(counter_parse(buf, (size_t)len, &n) == 0,
	       "malformed line: \"%.*s\"", (int)len, buf);
	ASSERT_EQ(n, 0);
	ASSERT(now_ns() < at, "the load and the first read took over %d ms",
	       SECOND_READ_MS);
	sleep_ns(at - now_ns());
	/* Begun before load + 1 s, the read must see 0; later, 1 is right. */
	at = now_ns();
	ASSERT(at < counter_load_before + NSEC_PER_SEC,
	       "woke %.1f ms after the load began, too late to tell",
	       MS(at - counter_load_before));
	ASSERT_OK(counter_read(&n));
	ASSERT(n == 0, "%lu at %.1f ms after the load began", n,
	       MS(at - counter_load_before));
	return 0;
}

/*
 * Result reads_zero_right_after_load: the first read is byte-exact and reads 0,
 * and so does one 0.9 s after the load began, by when the thread has run
 * (`starts-at-one-late` is caught by that read alone)
 */
TEST(counter, reads_zero_right_after_load)
{
	return zero_through_the_first_second(counter_fd);
}

/*
 * Result proc_entry_is_0444: a regular file, mode 0444, owned by root
 */
TEST(counter, proc_entry_is_0444)
{
	struct stat st;

	ASSERT(stat(COUNTER_PROC, &st) == 0, "stat: %s", errname(errno));
	ASSERT(S_ISREG(st.st_mode), "not a regular file: mode %o", st.st_mode);
	ASSERT_EQ(st.st_mode & 07777, 0444);
	ASSERT_EQ(st.st_uid, 0);
	return 0;
}

/*
 * Result kthread_named_counter_exists: one kernel thread `counter`, child of
 * kthreadd
 */
TEST(counter, kthread_named_counter_exists)
{
	struct task_info ti;
	pid_t pid = 0;
	int n = kthreads_named("counter", &pid);

	ASSERT_EQ(n, 1);
	ASSERT(task_info(pid, &ti) == 0, "cannot read /proc/%d", pid);
	ASSERT(ti.flags & PF_KTHREAD, "pid %d lacks PF_KTHREAD", pid);
	ASSERT_EQ(ti.ppid, 2);	/* kthreadd */
	return 0;
}

struct ticks {
	/* The count became k + 1 after lo[k] and before hi[k]. */
	int64_t lo[SAMPLE_SECONDS + 2], hi[SAMPLE_SECONDS + 2];
	int count;
	long samples;
	unsigned long last;
};

/* Samples the count on a held descriptor and records when it changes. */
static int sample_ticks(int fd, struct ticks *t)
{
	int64_t end = counter_load_before + SAMPLE_SECONDS * NSEC_PER_SEC + NSEC_PER_SEC / 2;
	int64_t prev_a = counter_load_before;
	unsigned long prev = 0, n;

	while (now_ns() < end) {
		int64_t a = now_ns(), b;
		int ret = counter_pread(fd, &n);

		b = now_ns();
		ASSERT_OK(ret);
		ASSERT(count_fits_clock(n, a, b),
		       "count %lu at %.3f s after load is off the clock", n,
		       SECS(b - counter_load_before));
		if (n != prev) {
			ASSERT(n == prev + 1 && t->count < SAMPLE_SECONDS + 1,
			       "count went from %lu to %lu", prev, n);
			/* The previous read still saw the old count. */
			t->lo[t->count] = prev_a;
			t->hi[t->count++] = b;
			prev = n;
		}
		prev_a = a;
		t->samples++;
		sleep_ns(NSEC_PER_MSEC / 2);
	}
	t->last = prev;
	return 0;
}

/*
 * The period as the median of the slopes between every two ticks at least
 * MIN_PAIR_SECONDS apart (Theil-Sen): one wake-up that comes late, as on a
 * busy host, moves a least-squares fit by hundreds of ppm over 9 s, and
 * the median not; and where the reads that place a tick wait for the CPU,
 * the wait is spread over seconds.
 */
#define MIN_PAIR_SECONDS 4
static int judge_period(const struct ticks *t)
{
	double slopes[(SAMPLE_SECONDS + 2) * (SAMPLE_SECONDS + 1) / 2] = { 0 };
	double ppm;
	int i, j, n = 0;

	ASSERT_GE(t->count, MIN_PAIR_SECONDS + 1);
	for (i = 0; i < t->count; i++)
		for (j = i + MIN_PAIR_SECONDS; j < t->count; j++)
			slopes[n++] = (double)((t->lo[j] + t->hi[j]) -
					       (t->lo[i] + t->hi[i])) /
				      (2.0 * (j - i) * NSEC_PER_SEC);
	ppm = (median(slopes, n) - 1.0) * 1e6;
	test_msg("period over %d ticks: %+.0f ppm (median of %d slopes)",
		 t->count, ppm, n);
	ASSERT(fabs(ppm) <= MAX_PERIOD_PPM, "expected within %.0f ppm of 1 s",
	       MAX_PERIOD_PPM);
	return 0;
}

/*
 * The module takes its load instant inside finit_module(): after
 * counter_load_before, before counter_load_after. No count may change
 * before load_before + N s, the earliest the load instant can be; and
 * none later than load_after + N s + MAX_TICK_LAG_MS.
 */
static int judge_phase(const struct ticks *t)
{
	double early = 1e9, late = -1e9;
	int k;

	ASSERT_GE(t->count, 1);
	for (k = 0; k < t->count; k++) {
		int64_t due = (k + 1) * NSEC_PER_SEC;

		early = fmin(early, MS(t->hi[k] - counter_load_before - due));
		late = fmax(late, MS(t->lo[k] - counter_load_after - due));
	}
	test_msg("each tick after load + N s: at least %.1f ms after the load began, at most %.1f ms after it ended (it took %.1f ms)",
		 early, late, MS(counter_load_after - counter_load_before));
	ASSERT(early >= 0, "a count changed %.1f ms before load + N s", -early);
	ASSERT(late < MAX_TICK_LAG_MS, "a count changed %.1f ms after load + N s, expected under %.0f ms",
	       late, MAX_TICK_LAG_MS);
	return 0;
}

/* The line grows its second digit at load + 10 s. */
#define TWO_DIGITS_S 10
/*
 * The first read begins this long before the earliest the tick can come,
 * and must end before it. 5 ms was too little on the debug kernel in CI,
 * beside the KCSAN kernel's build: three first reads running ended after
 * it. Any time before the tick proves the same; 50 ms, ten times that.
 */
#define PIECES_BEFORE_NS (50 * NSEC_PER_MSEC)
#define PIECES_TICKS 3

/*
 * Reads fd from its start to EOF in pieces of piece bytes; *a and *b
 * bracket the first read, the one that makes the line.
 */
static ssize_t read_pieces(int fd, size_t piece, char *buf, size_t size,
			   int64_t *a, int64_t *b)
{
	size_t len = 0;
	ssize_t r;

	if (lseek(fd, 0, SEEK_SET))
		return -errno;
	*a = now_ns();
	*b = *a;
	do {
		r = read(fd, buf + len, piece < size - len ? piece : size - len);
		if (!len)
			*b = now_ns();
		if (r < 0)
			return -errno;
		len += (size_t)r;
	} while (r > 0 && len < size);
	return (ssize_t)len;
}

/*
 * The prefix and the first digit read just before load + tick s, the rest
 * a byte at a time after it: one line, made at the first read. 1 when the
 * first read came too late to tell, else 0 or -1.
 */
static int pieces_across(int fd, int tick)
{
	size_t first = strlen(COUNTER_PREFIX) + 1, len;
	/* The tick comes after load + tick s: from when the load began. */
	int64_t at = counter_load_before + tick * NSEC_PER_SEC, a, b;
	char buf[64];
	unsigned long n;
	ssize_t r;

	sleep_ns(at - PIECES_BEFORE_NS - now_ns());
	ASSERT(lseek(fd, 0, SEEK_SET) == 0, "lseek: %s", errname(errno));
	a = now_ns();
	r = read(fd, buf, first);
	b = now_ns();
	ASSERT(r == (ssize_t)first, "read of %zu bytes gave %zd", first, r);
	if (b >= at)
		return 1;
	sleep_ns(counter_load_after + tick * NSEC_PER_SEC +
		 (int64_t)(MAX_PHASE_LAG_MS * NSEC_PER_MSEC) - now_ns());
	for (len = first; len < sizeof(buf) && (r = read(fd, buf + len, 1)) > 0;)
		len += (size_t)r;
	ASSERT(counter_parse(buf, len, &n) == 0,
	       "the first %zu bytes before load + %d s, the rest a byte at a time after: \"%.*s\"",
	       first, tick, (int)len, buf);
	ASSERT(count_fits_clock(n, a, b), "count %lu, its first byte read %.3f s after load",
	       n, SECS(a - counter_load_after));
	return 0;
}

/* Pieces across the tick to 10, then every piece size and offset at 10. */
static int judge_pieces(void)
{
	char buf[64], one;
	unsigned long n;
	int64_t a = 0, b = 0;
	size_t piece;
	ssize_t len;
	off_t off;
	int fd = open(COUNTER_PROC, O_RDONLY), ret, tick;

	ASSERT(fd >= 0, "open: %s", errname(errno));
	/* A first read that came after its tick tells nothing: the next ones. */
	for (tick = TWO_DIGITS_S, ret = 1; ret > 0 && tick < TWO_DIGITS_S + PIECES_TICKS; tick++)
		ret = pieces_across(fd, tick);
	ASSERT(ret == 0, "%s", ret > 0 ? "the first read came after the tick each time" :
	       "read in pieces across a tick");
	for (piece = 1; piece <= sizeof(buf); piece++) {
		len = read_pieces(fd, piece, buf, sizeof(buf), &a, &b);
		ASSERT(len > 0 && counter_parse(buf, (size_t)len, &n) == 0 &&
		       n >= TWO_DIGITS_S && count_fits_clock(n, a, b),
		       "read in pieces of %zu at %.3f s after load: \"%.*s\"", piece,
		       SECS(a - counter_load_after), (int)(len > 0 ? len : 0), buf);
	}
	for (off = 0; off < len; off++)
		ASSERT(pread(fd, &one, 1, off) == 1 && one == buf[off],
		       "pread of a byte at %lld gave '%c', the line has '%c' there",
		       (long long)off, one, buf[off]);
	close(fd);
	return 0;
}

/*
 * The count sampled from load for 9 s: its value, period and phase.
 *
 * Result count_matches_monotonic_clock: over 9 s, every sample of N equals the
 * seconds since load by `CLOCK_MONOTONIC`
 *
 * Result tick_period_within_400_ppm: (same test) the period of the ticks, as
 * the median of the slopes between every two 4 s apart or more (one late
 * wake-up does not move it), is 1 s within 400 ppm
 *
 * Result ticks_0_to_15_ms_after_load_plus_n_s: (same test) no count changes
 * before load + N s, counted from the moment `finit_module` began, and none
 * more than 15 ms after it, counted from when it returned
 *
 * Result reads_in_pieces_across_the_tick_to_10: (same test) the prefix and
 * the first digit read 50 ms before load + 10 s (from when the load began),
 * where the line grows a digit, the rest a byte at a time after it: one whole
 * line, its N fitting the clock when the first read was made (a first read
 * late for the tick tries the next, up to 12 s);
 * then at two digits, every piece size from 1 to 64 bytes reads the whole
 * line, and `pread` of one byte at every offset gives that line's byte
 */
TEST_RESULTS(counter, ticks_for_9_s, 60, "count_matches_monotonic_clock",
	     "tick_period_within_400_ppm", "ticks_0_to_15_ms_after_load_plus_n_s",
	     "reads_in_pieces_across_the_tick_to_10")
{
	struct ticks t = { 0 };
	int ret = sample_ticks(counter_fd, &t);

	test_msg("%ld samples, %d ticks, count %lu", t.samples, t.count, t.last);
	ASSERT(ret == 0, "sampling failed");
	ASSERT_GE(t.count, SAMPLE_SECONDS);
	next_result();
	judge_period(&t);
	next_result();
	judge_phase(&t);
	next_result();
	return judge_pieces();
}

static int read_all(int fd, size_t chunk, char *out, size_t outlen)
{
	size_t total = 0;
	ssize_t len;

	while ((len = read(fd, out + total, chunk)) > 0) {
		total += (size_t)len;
		if (total + chunk > outlen)
			return -1;
	}
	return len < 0 ? -1 : (int)total;
}

/*
 * Result byte_reads_stay_in_buffer: 1-byte reads give the whole line and touch
 * no byte around the buffer
 */
TEST(counter, byte_reads_stay_in_buffer)
{
	unsigned char zone[64];
	char line[128];
	size_t total = 0, i;
	unsigned long n;

	for (;;) {
		ssize_t len;

		memset(zone, 0xa5, sizeof(zone));
		len = read(counter_fd, zone + 32, 1);
		for (i = 0; i < sizeof(zone); i++)
			if (i != 32 && zone[i] != 0xa5)
				break;
		if (len <= 0 || i < sizeof(zone) || total >= sizeof(line))
			break;
		line[total++] = (char)zone[32];
	}
	ASSERT(i == sizeof(zone), "byte %zu of the guard zone was written", i);
	ASSERT(counter_parse(line, total, &n) == 0,
	       "1-byte reads gave \"%.*s\"", (int)total, line);
	return 0;
}

/*
 * Result every_buffer_size_reads_the_line: reads of 1 to 64 bytes give the
 * whole line
 */
TEST(counter, every_buffer_size_reads_the_line)
{
	char line[256];
	unsigned long n;
	size_t size;

	for (size = 1; size <= 64; size++) {
		int fd = open(COUNTER_PROC, O_RDONLY);
		int len;

		ASSERT(fd >= 0, "open: %s", errname(errno));
		len = read_all(fd, size, line, sizeof(line));
		close(fd);
		ASSERT(len > 0 && counter_parse(line, (size_t)len, &n) == 0,
		       "reads of %zu bytes gave \"%.*s\"", size,
		       len > 0 ? len : 0, line);
	}
	return 0;
}

/*
 * Result pread_at_zero_rereads: `pread` at 0 reads the line again; at 4 the
 * rest of it
 */
TEST(counter, pread_at_zero_rereads)
{
	size_t plen = strlen(COUNTER_PREFIX);
	unsigned long a, b;
	char buf[128];
	ssize_t len;

	ASSERT_OK(counter_pread(counter_fd, &a));
	ASSERT_OK(counter_pread(counter_fd, &b));
	len = pread(counter_fd, buf, sizeof(buf), 4);
	ASSERT(b >= a, "second read %lu is below first %lu", b, a);
	ASSERT(len > (ssize_t)(plen - 4) &&
	       !memcmp(buf, COUNTER_PREFIX + 4, plen - 4),
	       "pread at 4 gave \"%.*s\"", (int)(len > 0 ? len : 0), buf);
	return 0;
}

/*
 * Result lseek_set_cur_end: `SEEK_SET`, `SEEK_CUR` work, `SEEK_END` is `EINVAL`
 */
TEST(counter, lseek_set_cur_end)
{
	size_t plen = strlen(COUNTER_PREFIX);
	char buf[64];
	off_t pos = lseek(counter_fd, (off_t)plen, SEEK_SET);
	ssize_t len;
	off_t cur, end;

	len = read(counter_fd, buf, sizeof(buf) - 1);
	cur = lseek(counter_fd, 0, SEEK_CUR);
	end = lseek(counter_fd, 0, SEEK_END);
	ASSERT_EQ(pos, plen);
	ASSERT(len >= 2 && buf[len - 1] == '\n' &&
	       strspn(buf, "0123456789") == (size_t)len - 1,
	       "read after SEEK_SET gave \"%.*s\"", (int)(len > 0 ? len : 0), buf);
	ASSERT_EQ(cur, (off_t)plen + len);
	ASSERT(end == -1 && errno == EINVAL,
	       "SEEK_END gave %lld, expected EINVAL", (long long)end);
	return 0;
}

/*
 * Result eof_after_line: reads after the line return 0
 */
TEST(counter, eof_after_line)
{
	char buf[128];
	ssize_t first = read(counter_fd, buf, sizeof(buf));

	ASSERT(first > 0, "first read returned %zd", first);
	/* EOF after the line, and again. */
	ASSERT_EQ(read(counter_fd, buf, sizeof(buf)), 0);
	ASSERT_EQ(read(counter_fd, buf, sizeof(buf)), 0);
	return 0;
}

/*
 * Result bad_pointer_gives_efault: unmapped and `PROT_NONE` buffers give
 * `EFAULT`
 */
TEST(counter, bad_pointer_gives_efault)
{
	void *hole = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	unsigned long n;

	ASSERT(hole != MAP_FAILED, "mmap: %s", errname(errno));
	ASSERT_ERRNO(read(counter_fd, hole, 64) < 0 ? -errno : 0, -EFAULT);
	/* Through syscall(): the compiler rightly rejects this read(). */
	ASSERT_ERRNO(syscall(SYS_read, counter_fd, (uintptr_t)8, 64) < 0 ?
		     -errno : 0, -EFAULT);
	ASSERT_OK(counter_pread(counter_fd, &n));
	return 0;
}

/* Tries to write as whoever runs it; 0 if every attempt was refused. */
static int try_writes(void)
{
	static const char *const payloads[] = { "0\n", "12345\n", "" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(payloads); i++) {
		int fd = open(COUNTER_PROC, O_WRONLY);

		if (fd < 0)
			continue;
		if (write(fd, payloads[i], strlen(payloads[i]) + 1) >= 0) {
			close(fd);
			return -1;
		}
		close(fd);
	}
	return 0;
}

/*
 * Written once N is 1 or more, so that a write that reset the count would
 * show.
 *
 * Result writes_are_refused: once N is 1 or more, root gets `EIO`, nobody gets
 * `EACCES`, the mode is unchanged, and N fits the clock right after the writes
 * and after the thread's next tick
 */
TEST(counter, writes_are_refused)
{
	unsigned long before, after;
	struct stat st;
	int64_t a, b;
	int fd;

	sleep_ns(counter_load_after + WRITE_AFTER_MS * NSEC_PER_MSEC - now_ns());
	ASSERT_OK(counter_read(&before));
	ASSERT(before >= 1, "count %lu %.0f ms after the load", before,
	       MS(now_ns() - counter_load_after));
	fd = open(COUNTER_PROC, O_WRONLY);
	if (fd >= 0) {
		ssize_t w = write(fd, "0\n", 2);
		int err = errno;

		close(fd);
		ASSERT(w == -1 && err == EIO,
		       "root's write returned %zd (%s), expected EIO", w,
		       strerror(err));
	} else {
		ASSERT(errno == EACCES, "open for write: %s", errname(errno));
	}
	ASSERT(try_writes() == 0, "root managed to write");

	ASSERT_OK(become_nobody());
	ASSERT_ERRNO(open(COUNTER_PROC, O_WRONLY) < 0 ? -errno : 0, -EACCES);
	ASSERT_ERRNO(truncate(COUNTER_PROC, 0) ? -errno : 0, -EACCES);
	ASSERT(try_writes() == 0, "nobody managed to write");

	a = now_ns();
	ASSERT(counter_read(&after) == 0, "read after writing failed");
	b = now_ns();
	ASSERT(after >= before && count_fits_clock(after, a, b),
	       "count went from %lu to %lu", before, after);
	/* A write that moved the count would show at the thread's next tick. */
	sleep_ns(counter_load_after + (before + 1) * NSEC_PER_SEC +
		 (int64_t)((MAX_PHASE_LAG_MS + 10) * NSEC_PER_MSEC) - now_ns());
	a = now_ns();
	ASSERT(counter_read(&after) == 0, "read a tick after writing failed");
	b = now_ns();
	ASSERT(after > before && count_fits_clock(after, a, b),
	       "count %lu a tick after the writes, %lu before", after, before);
	ASSERT(stat(COUNTER_PROC, &st) == 0 && st.st_size == 0 &&
	       (st.st_mode & 07777) == 0444, "the entry changed");
	return 0;
}

/*
 * Result concurrent_readers_see_whole_lines: 4 readers, reading from 2 ms
 * before to 30 ms after each load + N s for the first 10 s (through 9 to 10,
 * where the line grows a digit), see only whole, non-decreasing lines, each
 * fitting the clock within 100 ms of load + N s
 *
 * Result thread_wakes_once_a_second_while_read: (same test) meanwhile the
 * thread sleeps and wakes once a second, no more (its voluntary switches, one
 * a wake-up, at most the seconds read and 2): readers never wake it
 */
TEST_RESULTS(counter, concurrent_readers, DEFAULT_TIMEOUT_S,
	     "concurrent_readers_see_whole_lines",
	     "thread_wakes_once_a_second_while_read")
{
	struct reader r[READERS];
	struct task_info before, after;
	unsigned long highest = 0;
	long total = 0, wakeups;
	int64_t start, end;
	pid_t pid = 0;
	int i;

	ASSERT(kthreads_named("counter", &pid) == 1, "no counter thread");
	ASSERT_OK(task_info(pid, &before));
	start = now_ns();
	/* Through 9 to 10: the line grows by a digit as it changes. */
	readers_start(r, READERS, READERS / 2, 1);
	sleep_ns(counter_load_before + READ_SECONDS * NSEC_PER_SEC +
		 NSEC_PER_SEC / 2 - now_ns());
	readers_stop(r, READERS);
	end = now_ns();
	ASSERT_OK(task_info(pid, &after));
	for (i = 0; i < READERS; i++) {
		ASSERT(r[i].bad_lines == 0 && r[i].last_err == 0 &&
		       r[i].went_back == 0,
		       "reader %d: %ld malformed, %ld decreasing, error %ld",
		       i, r[i].bad_lines, r[i].went_back, r[i].last_err);
		ASSERT(!r[i].off_clock, "reader %d: %ld reads off the clock, last %lu",
		       i, r[i].off_clock, r[i].off_value);
		ASSERT(r[i].good > 0, "reader %d read nothing", i);
		total += r[i].good;
		highest = r[i].last > highest ? r[i].last : highest;
	}
	test_msg("%d readers, %ld reads around each of the first %d ticks, up to count %lu",
		 READERS, total, READ_SECONDS, highest);
	ASSERT_GE(highest, READ_SECONDS);
	next_result();
	wakeups = after.sleeps - before.sleeps;
	test_msg("the thread woke %ld times in %.1f s of reads", wakeups,
		 SECS(end - start));
	ASSERT(wakeups <= (long)SECS(end - start) + 2,
	       "the thread woke %ld times in %.1f s", wakeups, SECS(end - start));
	return 0;
}

/* The idle thread, watched for a while. */
struct idle {
	double seconds;
	long wakeups, preemptions;
	unsigned long long ticks;
	long long runtime_ns;
	long samples, in_d;
	char states[8];
	/* Run time charged in each wake-up: consecutive samples that grew. */
	double burst_ns[MAX_BURSTS];
	int bursts;
};

static int observe_idle(struct idle *idle)
{
	struct task_info a, b, s;
	long long last;
	int growing = 0;
	pid_t pid = 0;
	int64_t t0, t1;

	ASSERT(kthreads_named("counter", &pid) == 1, "no counter thread");
	ASSERT(task_info(pid, &a) == 0, "cannot read /proc/%d", pid);
	last = a.runtime_ns;
	t0 = now_ns();
	while (now_ns() - t0 < IDLE_SECONDS * NSEC_PER_SEC) {
		ASSERT(task_info(pid, &s) == 0, "cannot read /proc/%d", pid);
		if (s.runtime_ns > last) {
			if (!growing && idle->bursts < MAX_BURSTS)
				idle->burst_ns[idle->bursts++] = 0;
			if (idle->bursts)
				idle->burst_ns[idle->bursts - 1] +=
					(double)(s.runtime_ns - last);
		}
		growing = s.runtime_ns > last;
		last = s.runtime_ns;
		idle->samples++;
		idle->in_d += s.state == 'D';
		if (!strchr(idle->states, s.state) &&
		    strlen(idle->states) < sizeof(idle->states) - 1)
			idle->states[strlen(idle->states)] = s.state;
		sleep_ns(5 * NSEC_PER_MSEC);
	}
	ASSERT(task_info(pid, &b) == 0, "cannot read /proc/%d", pid);
	t1 = now_ns();
	idle->seconds = SECS(t1 - t0);
	idle->wakeups = b.sleeps - a.sleeps;
	idle->preemptions = b.preemptions - a.preemptions;
	idle->ticks = b.ticks - a.ticks;
	idle->runtime_ns = a.runtime_ns < 0 ? -1 : b.runtime_ns - a.runtime_ns;
	return 0;
}

static int judge_wakeups(const struct idle *idle)
{
	test_msg("%ld wake-ups in %.2f s (%.2f/s), preempted %ld times",
		 idle->wakeups, idle->seconds, idle->wakeups / idle->seconds,
		 idle->preemptions);
	ASSERT(idle->wakeups / idle->seconds <= MAX_WAKEUPS_PER_S,
	       "expected at most %.1f wake-ups a second", MAX_WAKEUPS_PER_S);
	ASSERT(idle->wakeups / idle->seconds >= 0.8,
	       "expected about one wake-up a second");
	return 0;
}

/* The median run time of a wake-up; sorts the bursts (longest last). */
static double wakeup_median(struct idle *idle)
{
	double share = (double)idle->runtime_ns / (idle->seconds * NSEC_PER_SEC);
	double per_wakeup = median(idle->burst_ns, idle->bursts);

	test_msg("%.3f ms on the CPU in %.2f s (%.4f%%), %llu ticks; %d wake-ups, median %.3f ms, longest %.3f ms",
		 MS(idle->runtime_ns), idle->seconds, share * 100, idle->ticks,
		 idle->bursts, MS(per_wakeup), MS(idle->burst_ns[idle->bursts - 1]));
	return per_wakeup;
}

/*
 * CPU ticks are charged by sampling: a thread that runs for microseconds
 * a second is charged a tick now and then when a slow (TCG, KASAN) guest
 * happens to sample it. Where the kernel keeps exact run time
 * (schedstat), that is what is judged; elsewhere, the ticks.
 */
static int judge_cpu(struct idle *idle)
{
	struct idle again = { 0 };
	double per_wakeup;

	if (idle->runtime_ns < 0) {
		test_msg("%llu CPU ticks in %.2f s (no schedstat)", idle->ticks,
			 idle->seconds);
		ASSERT(idle->ticks == 0, "expected no CPU tick");
		return 0;
	}
	ASSERT(idle->bursts > 0, "no wake-up seen in %.2f s", idle->seconds);
	per_wakeup = wakeup_median(idle);
	if (per_wakeup >= MAX_WAKEUP_RUN_NS) {
		test_msg("over %.1f ms: watched again", MS(MAX_WAKEUP_RUN_NS));
		if (observe_idle(&again))
			return -1;
		ASSERT(again.bursts > 0, "no wake-up seen in %.2f s",
		       again.seconds);
		per_wakeup = wakeup_median(&again);
	}
	ASSERT(per_wakeup < MAX_WAKEUP_RUN_NS,
	       "expected a wake-up under %.1f ms on the CPU",
	       MS(MAX_WAKEUP_RUN_NS));
	return 0;
}

/* Asleep it is S, never D (load average) nor I; R only while it runs. */
static int judge_states(const struct idle *idle)
{
	test_msg("%ld samples, states seen: %s", idle->samples, idle->states);
	ASSERT(idle->in_d == 0, "seen in D state in %ld of %ld samples",
	       idle->in_d, idle->samples);
	ASSERT(strspn(idle->states, "SR") == strlen(idle->states),
	       "expected S (or R while running), saw %s", idle->states);
	ASSERT(strchr(idle->states, 'S'), "never seen asleep in S");
	return 0;
}

/*
 * Watched for 5 s, then judged three ways.
 *
 * Result idle_thread_observed_for_5_s: the thread's state, switches and run
 * time, sampled for 5 s after load; the same test reports the next three
 * results from that sample
 *
 * Result idle_thread_wakes_once_a_second: 0.8 to 1.2 voluntary context switches
 * a second
 *
 * Result idle_thread_uses_no_measurable_cpu: a wake-up costs under 0.6 ms on the
 * CPU, as the median of the wake-ups in 5 s, from the exact run time in
 * `/proc/PID/schedstat` sampled every 5 ms (by CPU ticks, which must be 0,
 * where the kernel lacks it). A window whose median is over 0.6 ms is watched
 * again, and the second window decides
 *
 * Result idle_thread_sleeps_in_s_state: seen only in `S` (or `R` while it runs)
 * over about 800 samples: never `D`, never `I`
 */
TEST_RESULTS(counter, idle_thread, 60, "idle_thread_observed_for_5_s",
	     "idle_thread_wakes_once_a_second",
	     "idle_thread_uses_no_measurable_cpu", "idle_thread_sleeps_in_s_state")
{
	struct idle idle = { 0 };

	if (observe_idle(&idle))
		return -1;
	next_result();
	judge_wakeups(&idle);
	next_result();
	judge_cpu(&idle);
	next_result();
	return judge_states(&idle);
}

/*
 * Result second_load_fails_with_eexist: `EEXIST`, and the first instance keeps
 * counting
 */
TEST(counter, second_load_fails_with_eexist)
{
	unsigned long n;
	int64_t at;

	ASSERT_ERRNO(module_load("counter"), -EEXIST);
	ASSERT_EQ(kthreads_named("counter", NULL), 1);
	ASSERT_OK(counter_wait_tick(&n, &at));
	ASSERT(count_fits_clock(n, at, at),
	       "count %lu is off the first instance's clock", n);
	return 0;
}

/*
 * Result load_message_in_kernel_log: the load logs exactly `counter: loaded,
 * counting seconds in /proc/counter`
 */
TEST(kernel, load_message_in_kernel_log)
{
	char line[512];
	int fd = kmsg_from_now();
	int found, ret;

	ASSERT(fd >= 0, "open /dev/kmsg: %s", errname(errno));
	ret = counter_load();
	found = kmsg_since(fd, "counter: loaded", line, sizeof(line));
	ASSERT_OK(ret);
	ASSERT(found, "no \"counter: loaded\" message in the kernel log");
	test_msg("%s", line);
	ASSERT(!strcmp(line, LOADED_LINE), "expected \"%s\"", LOADED_LINE);
	return 0;
}

/*
 * Result rmmod_is_prompt: `rmmod` right after a tick takes under 100 ms more
 * than the slowest of three no-op module unloads there; entry, thread and module
 * are gone; the final count logged is the one read just before, unless the
 * unload outlasted the next deadline
 */
TEST(counter, rmmod_is_prompt)
{
	int64_t at, counter_ns, noop_ns, unloaded;
	unsigned long n, final;
	char line[512];
	int kfd, found;

	/* Right after a tick a sleeping thread has a whole second to go. */
	ASSERT_OK(counter_wait_tick(&n, &at));
	kfd = kmsg_from_now();
	counter_ns = module_unload_ns("counter");
	unloaded = now_ns();
	ASSERT(counter_ns >= 0, "rmmod counter: %s", strerror((int)-counter_ns));

	noop_ns = noop_unload_ns();
	ASSERT(noop_ns >= 0, "load and unload noop.ko: %s", strerror((int)-noop_ns));
	test_msg("rmmod counter %.1f ms, no-op module %.1f ms", MS(counter_ns),
		 MS(noop_ns));
	ASSERT(MS(counter_ns - noop_ns) < MAX_RMMOD_MS,
	       "expected under %.0f ms more than the no-op module", MAX_RMMOD_MS);

	ASSERT_NULL(counter_left());

	found = kmsg_since(kfd, "counter: unloaded", line, sizeof(line));
	ASSERT(found, "no \"counter: unloaded\" message");
	test_msg("%s", line);
	/*
	 * The count the thread last published: n, seen just before the
	 * unload, unless the unload outlasted the next deadline.
	 */
	ASSERT(sscanf(line, UNLOADED_LINE "%lu", &final) == 1,
	       "no count in \"%s\"", line);
	ASSERT(final == n || (final == n + 1 &&
			      unloaded >= counter_load_before + (int64_t)(n + 1) * NSEC_PER_SEC),
	       "final count %lu, expected %lu: the unload ended %.3f s after load",
	       final, n, SECS(unloaded - counter_load_before));
	return 0;
}

/*
 * Result rmmod_with_active_readers: readers see whole lines whose N never goes
 * back, then only `ENOENT` (new opens) or `EIO` (held descriptors); entry,
 * thread and module are gone
 */
TEST(kernel, rmmod_with_active_readers)
{
	struct reader r[READERS];
	int ret, i;

	ASSERT_OK(counter_load());
	readers_start(r, READERS, READERS / 2, 0);
	sleep_ns(NSEC_PER_SEC);
	ret = module_unload("counter");
	sleep_ns(NSEC_PER_SEC / 4);
	readers_stop(r, READERS);
	ASSERT_OK(ret);
	for (i = 0; i < READERS; i++) {
		int want = r[i].hold ? EIO : ENOENT;

		ASSERT(r[i].bad_lines == 0, "reader %d saw %ld malformed lines",
		       i, r[i].bad_lines);
		ASSERT(r[i].went_back == 0, "reader %d saw N go back %ld times",
		       i, r[i].went_back);
		ASSERT(!r[i].other_err[0], "reader %d saw %s", i,
		       r[i].other_err);
		ASSERT(r[i].good > 0, "reader %d read nothing", i);
		ASSERT(r[i].first_err_after_good == 0,
		       "reader %d read again after an error", i);
		ASSERT(r[i].last_err == want, "reader %d ended with %s, expected %s",
		       i, strerror((int)r[i].last_err), strerror(want));
	}
	ASSERT_NULL(counter_left());
	return 0;
}

/*
 * Result load_unload_cycles_start_at_zero: 50 cycles, each reading 0, none
 * leaving the module, its entry or its thread
 */
TEST(kernel, load_unload_cycles_start_at_zero)
{
	int64_t t0 = now_ns();
	int i;

	for (i = 0; i < CYCLES; i++) {
		const char *left;
		unsigned long n;
		int ret = counter_load();

		ASSERT(ret == 0, "cycle %d: load: %s", i, errname(ret));
		ret = counter_read(&n);
		ASSERT(ret == 0 && n == 0, "cycle %d: read %s, count %lu", i,
		       errname(ret), n);
		ASSERT(kthreads_named("counter", NULL) == 1,
		       "cycle %d: expected one thread", i);
		ret = module_unload("counter");
		ASSERT(ret == 0, "cycle %d: unload: %s", i, errname(ret));
		left = counter_left();
		ASSERT(!left, "cycle %d: %s left behind", i, left);
	}
	test_msg("%d cycles in %.1f s", CYCLES, SECS(now_ns() - t0));
	return 0;
}

/*
 * Result failed_load_leaves_nothing: with `/proc/counter` taken, the load fails
 * with `ENOMEM`, logs why and nothing else (no `loaded`, no `unloaded`: of the
 * module's records, only that one), leaves no thread, and the other entry is
 * untouched; graded (`--contract`), it must first load and unload, and
 * then any errno and any words will do
 */
TEST(kernel, failed_load_leaves_nothing)
{
	char before[64] = "", after[64] = "", line[512], other[512] = "";
	int ret, kfd, loaded_fd, all_fd, found, said_loaded, ours = 0, reasons = 0;

	/* Another implementation might not load at all: first, that it does. */
	if (contract_only) {
		ASSERT_OK(counter_load());
		ASSERT_OK(module_unload_within("counter", 10));
	}
	ASSERT_OK(module_load("squatter"));
	read_text(COUNTER_PROC, before, sizeof(before));
	/* The proc core WARNs about the duplicate name: that one is expected. */
	sysctl_write("panic_on_warn", 0);
	kfd = kmsg_from_now();
	loaded_fd = kmsg_from_now();
	all_fd = kmsg_from_now();
	ret = module_load("counter");
	read_text(COUNTER_PROC, after, sizeof(after));
	/* The module's own records, one of them the reason: the loader's are not its. */
	while (all_fd >= 0 && kmsg_next(all_fd, line, sizeof(line))) {
		if (strncmp(line, "counter: ", 9) || !strcmp(line, LOADER_TAINT_LINE) ||
		    !strcmp(line, LOADER_UNSIGNED_LINE))
			continue;
		if (!strcmp(line, NO_ENTRY_LINE) && !reasons++)
			continue;
		if (!ours++)
			snprintf(other, sizeof(other), "%s", line);
	}
	if (all_fd >= 0)
		close(all_fd);
	found = kmsg_since(kfd, NO_ENTRY_LINE, line,
			   sizeof(line));
	said_loaded = kmsg_since(loaded_fd, "counter: loaded", line,
				 sizeof(line));

	ASSERT(before[0], "squatter's entry unreadable");
	ASSERT(ret < 0, "load succeeded while /proc/counter was taken");
	test_msg("load failed with %s", errname(ret));
	/* Another implementation may say why in its own words, and errno. */
	if (!contract_only)
		ASSERT_ERRNO(ret, -ENOMEM);
	/* /proc/counter is the squatter's: the module and thread are ours. */
	ASSERT(!module_is_live("counter"), "counter stayed loaded");
	ASSERT_EQ(kthreads_named("counter", NULL), 0);
	ASSERT(!strcmp(before, after), "the other entry changed: \"%s\" -> \"%s\"",
	       before, after);
	if (contract_only)
		return 0;
	ASSERT(found, "no \"cannot create /proc/counter\" error in the log");
	ASSERT(!said_loaded, "the failed load logged \"%s\"", line);
	ASSERT(!ours, "the failed load also logged \"%s\"", other);
	return 0;
}
