// SPDX-License-Identifier: GPL-2.0
/*
 * The guest suite: loads counter.ko into the running kernel and checks every
 * promise of /proc/counter and of its kernel thread, one TAP test each.
 *
 * Usage: see main(). MODULE_DIR, by default /lib/counter, holds counter.ko
 * and the helper modules noop.ko and squatter.ko; --debug adds the tests
 * of debug_test.c.
 *
 * Tests run in order and share one loaded module where noted; each leaves
 * the module in the state the next one expects.
 */
#define _GNU_SOURCE
#include "counter_lib.h"
#include "readers.h"
#include "debug_test.h"
#include "events_test.h"
#include "readers_test.h"
#include "signing_test.h"
#include "ktap.h"

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

#define TAINT_WARN (1L << 9)
#define TAINT_OOT_MODULE (1L << 12)
#define TAINT_UNSIGNED_MODULE (1L << 13)

#define SAMPLE_SECONDS 9
#define MAX_PERIOD_PPM 2000.0
#define READERS 4
#define READ_SECONDS 3
#define IDLE_SECONDS 5
#define MAX_WAKEUPS_PER_S 1.2
#define MAX_IDLE_CPU_SHARE 0.005
/* Beyond what unloading a no-op module takes on the same machine. */
#define MAX_RMMOD_MS 250.0
#define CYCLES 50

/* Instants at which the count changed, from the sampling test. */
static int64_t tick_at[SAMPLE_SECONDS + 2];
static int ticks;

/* The proc core's duplicate-name warning, made on purpose, taints with W. */
static int expected_warn_taint;

static double ms(int64_t ns)
{
	return (double)ns / NSEC_PER_MSEC;
}

static int test_load_succeeds(void)
{
	int ret = counter_load();

	ASSERT(ret == 0, "finit_module(counter.ko) returned %s", strerror(-ret));
	ktap_print_msg("load took %.1f ms", ms(counter_load_after - counter_load_before));
	return 0;
}

static int test_reads_zero_right_after_load(void)
{
	char buf[128];
	unsigned long n;
	ssize_t len;
	int fd = open(COUNTER_PROC, O_RDONLY);

	ASSERT(fd >= 0, "open: %s", strerror(errno));
	len = read(fd, buf, sizeof(buf));
	close(fd);
	ASSERT(len > 0, "read returned %zd", len);
	ASSERT(counter_parse(buf, (size_t)len, &n) == 0,
	       "malformed line: \"%.*s\"", (int)len, buf);
	ASSERT(n == 0, "expected 0, saw %lu", n);
	return 0;
}

static int test_proc_entry_is_0444(void)
{
	struct stat st;

	ASSERT(stat(COUNTER_PROC, &st) == 0, "stat: %s", strerror(errno));
	ASSERT(S_ISREG(st.st_mode), "not a regular file: mode %o", st.st_mode);
	ASSERT((st.st_mode & 07777) == 0444, "expected mode 0444, saw %04o",
	       st.st_mode & 07777);
	ASSERT(st.st_uid == 0, "expected owner root, saw uid %u", st.st_uid);
	return 0;
}

static int test_kthread_named_counter(void)
{
	struct task_info ti;
	pid_t pid = 0;
	int n = kthreads_named("counter", &pid);

	ASSERT(n == 1, "expected one kernel thread named counter, saw %d", n);
	ASSERT(task_info(pid, &ti) == 0, "cannot read /proc/%d", pid);
	ASSERT(ti.flags & PF_KTHREAD, "pid %d lacks PF_KTHREAD", pid);
	ASSERT(ti.ppid == 2, "expected parent kthreadd (2), saw %d", ti.ppid);
	return 0;
}

/* Samples the count on a held descriptor and records when it changes. */
static int sample_ticks(int fd, long *samples, unsigned long *last)
{
	int64_t end = counter_load_before + SAMPLE_SECONDS * NSEC_PER_SEC + NSEC_PER_SEC / 2;
	int64_t prev_at = counter_load_before;
	unsigned long prev = 0, n;

	ticks = 0;
	while (now_ns() < end) {
		int64_t a = now_ns(), b;
		int ret = counter_pread(fd, &n);

		b = now_ns();
		ASSERT(ret == 0, "pread: %s", strerror(-ret));
		ASSERT(count_fits_clock(n, a, b),
		       "count %lu at %.3f s after load is off the clock", n,
		       (double)(b - counter_load_before) / NSEC_PER_SEC);
		if (n != prev) {
			ASSERT(n == prev + 1 && ticks < SAMPLE_SECONDS + 1,
			       "count went from %lu to %lu", prev, n);
			/* The change fell between the two samples. */
			tick_at[ticks++] = prev_at + (b - prev_at) / 2;
			prev = n;
		}
		prev_at = b;
		++*samples;
		sleep_ns(NSEC_PER_MSEC / 2);
	}
	*last = prev;
	return 0;
}

static int test_count_matches_clock(void)
{
	int fd = open(COUNTER_PROC, O_RDONLY);
	unsigned long last = 0;
	long samples = 0;
	int ret;

	ASSERT(fd >= 0, "open: %s", strerror(errno));
	ret = sample_ticks(fd, &samples, &last);
	close(fd);
	ktap_print_msg("%ld samples, %d ticks, count %lu", samples, ticks, last);
	ASSERT(ret == 0, "sampling failed");
	ASSERT(ticks >= SAMPLE_SECONDS, "expected %d ticks, saw %d",
	       SAMPLE_SECONDS, ticks);
	return 0;
}

static int test_tick_period_is_one_second(void)
{
	double slope, ppm;

	ASSERT(ticks >= 2, "only %d ticks recorded", ticks);
	slope = tick_period(tick_at, ticks);
	ppm = (slope - 1.0) * 1e6;
	ktap_print_msg("period %.6f s over %d ticks: %+.0f ppm", slope, ticks, ppm);
	ASSERT(fabs(ppm) <= MAX_PERIOD_PPM, "expected within %.0f ppm of 1 s",
	       MAX_PERIOD_PPM);
	return 0;
}

/*
 * The module takes its load instant inside finit_module(), after the file
 * is read and relocated; counter_load_after is nearest to it, so the lag is judged
 * from there, and the bound from counter_load_before is shown beside it.
 */
static int test_phase_lag_is_small(void)
{
	double worst;

	ASSERT(ticks >= 1, "no ticks recorded");
	worst = tick_worst_lag_ms(tick_at, ticks, counter_load_after);
	ktap_print_msg("worst lag after load + N s: %.1f ms (%.1f ms from before the %.1f ms load)",
		 worst, worst + ms(counter_load_after - counter_load_before),
		 ms(counter_load_after - counter_load_before));
	ASSERT(worst < MAX_PHASE_LAG_MS, "expected under %.0f ms",
	       MAX_PHASE_LAG_MS);
	return 0;
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

static int test_byte_reads_stay_in_buffer(void)
{
	unsigned char zone[64];
	char line[128];
	size_t total = 0, i;
	unsigned long n;
	int fd = open(COUNTER_PROC, O_RDONLY);

	ASSERT(fd >= 0, "open: %s", strerror(errno));
	for (;;) {
		ssize_t len;

		memset(zone, 0xa5, sizeof(zone));
		len = read(fd, zone + 32, 1);
		for (i = 0; i < sizeof(zone); i++)
			if (i != 32 && zone[i] != 0xa5)
				break;
		if (len <= 0 || i < sizeof(zone) || total >= sizeof(line))
			break;
		line[total++] = (char)zone[32];
	}
	close(fd);
	ASSERT(i == sizeof(zone), "byte %zu of the guard zone was written", i);
	ASSERT(counter_parse(line, total, &n) == 0,
	       "1-byte reads gave \"%.*s\"", (int)total, line);
	return 0;
}

static int test_every_buffer_size_reads_the_line(void)
{
	char line[256];
	unsigned long n;
	size_t size;

	for (size = 1; size <= 64; size++) {
		int fd = open(COUNTER_PROC, O_RDONLY);
		int len;

		ASSERT(fd >= 0, "open: %s", strerror(errno));
		len = read_all(fd, size, line, sizeof(line));
		close(fd);
		ASSERT(len > 0 && counter_parse(line, (size_t)len, &n) == 0,
		       "reads of %zu bytes gave \"%.*s\"", size,
		       len > 0 ? len : 0, line);
	}
	return 0;
}

static int test_pread_rereads(void)
{
	size_t plen = strlen(COUNTER_PREFIX);
	unsigned long a, b;
	char buf[128];
	ssize_t len;
	int fd = open(COUNTER_PROC, O_RDONLY);

	ASSERT(fd >= 0, "open: %s", strerror(errno));
	ASSERT(counter_pread(fd, &a) == 0, "first pread at 0 failed");
	ASSERT(counter_pread(fd, &b) == 0, "second pread at 0 failed");
	len = pread(fd, buf, sizeof(buf), 4);
	close(fd);
	ASSERT(b >= a, "second read %lu is below first %lu", b, a);
	ASSERT(len > (ssize_t)(plen - 4) &&
	       !memcmp(buf, COUNTER_PREFIX + 4, plen - 4),
	       "pread at 4 gave \"%.*s\"", (int)(len > 0 ? len : 0), buf);
	return 0;
}

static int test_lseek(void)
{
	size_t plen = strlen(COUNTER_PREFIX);
	char buf[64];
	ssize_t len;
	off_t pos, cur, end;
	int fd = open(COUNTER_PROC, O_RDONLY);

	ASSERT(fd >= 0, "open: %s", strerror(errno));
	pos = lseek(fd, (off_t)plen, SEEK_SET);
	len = read(fd, buf, sizeof(buf) - 1);
	cur = lseek(fd, 0, SEEK_CUR);
	end = lseek(fd, 0, SEEK_END);
	close(fd);
	ASSERT(pos == (off_t)plen, "SEEK_SET returned %lld", (long long)pos);
	ASSERT(len >= 2 && buf[len - 1] == '\n' &&
	       strspn(buf, "0123456789") == (size_t)len - 1,
	       "read after SEEK_SET gave \"%.*s\"", (int)(len > 0 ? len : 0), buf);
	ASSERT(cur == (off_t)plen + len, "SEEK_CUR gave %lld, expected %lld",
	       (long long)cur, (long long)plen + len);
	ASSERT(end == -1 && errno == EINVAL,
	       "SEEK_END gave %lld, expected EINVAL", (long long)end);
	return 0;
}

static int test_eof_after_line(void)
{
	char buf[128];
	ssize_t first, second, third;
	int fd = open(COUNTER_PROC, O_RDONLY);

	ASSERT(fd >= 0, "open: %s", strerror(errno));
	first = read(fd, buf, sizeof(buf));
	second = read(fd, buf, sizeof(buf));
	third = read(fd, buf, sizeof(buf));
	close(fd);
	ASSERT(first > 0, "first read returned %zd", first);
	ASSERT(second == 0 && third == 0,
	       "expected EOF after the line, saw %zd then %zd", second, third);
	return 0;
}

static int test_bad_pointer_gives_efault(void)
{
	void *hole = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	unsigned long n;
	ssize_t a, b;
	int ea, eb, after;
	int fd = open(COUNTER_PROC, O_RDONLY);

	ASSERT(fd >= 0 && hole != MAP_FAILED, "setup: %s", strerror(errno));
	a = read(fd, hole, 64);
	ea = errno;
	/* Through syscall(): the compiler rightly rejects this read(). */
	b = syscall(SYS_read, fd, (void *)8, 64);
	eb = errno;
	after = counter_pread(fd, &n);
	close(fd);
	munmap(hole, 4096);
	ASSERT(a == -1 && ea == EFAULT,
	       "read into PROT_NONE: %zd (%s), expected EFAULT", a, strerror(ea));
	ASSERT(b == -1 && eb == EFAULT,
	       "read into address 8: %zd (%s), expected EFAULT", b, strerror(eb));
	ASSERT(after == 0, "a good read after EFAULT failed: %s",
	       strerror(-after));
	return 0;
}

/* Tries to write as whoever runs it; 0 if every attempt was refused. */
static int try_writes(void)
{
	static const char *payloads[] = { "0\n", "12345\n", "" };
	size_t i;

	for (i = 0; i < sizeof(payloads) / sizeof(payloads[0]); i++) {
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

static int test_writes_are_refused(void)
{
	unsigned long before, after;
	int status = -1, fd;
	pid_t child;
	struct stat st;

	ASSERT(counter_read(&before) == 0, "read before writing failed");
	fd = open(COUNTER_PROC, O_WRONLY);
	if (fd >= 0) {
		ssize_t w = write(fd, "0\n", 2);
		int err = errno;

		close(fd);
		ASSERT(w == -1 && err == EIO,
		       "root's write returned %zd (%s), expected EIO", w,
		       strerror(err));
	} else {
		ASSERT(errno == EACCES, "open for write: %s", strerror(errno));
	}
	ASSERT(try_writes() == 0, "root managed to write");

	child = fork();
	if (child == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(2);
		if (open(COUNTER_PROC, O_WRONLY) >= 0 || errno != EACCES)
			_exit(1);
		if (truncate(COUNTER_PROC, 0) == 0 || errno != EACCES)
			_exit(1);
		_exit(try_writes() ? 1 : 0);
	}
	waitpid(child, &status, 0);
	ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "an unprivileged writer was not refused with EACCES (status %d)",
	       status);

	ASSERT(counter_read(&after) == 0, "read after writing failed");
	ASSERT(after >= before && count_fits_clock(after, now_ns(), now_ns()),
	       "count went from %lu to %lu", before, after);
	ASSERT(stat(COUNTER_PROC, &st) == 0 && st.st_size == 0 &&
	       (st.st_mode & 07777) == 0444, "the entry changed");
	return 0;
}

static int test_concurrent_readers(void)
{
	struct reader r[READERS];
	volatile int stop;
	long total = 0;
	int i;

	readers_start(r, READERS, READERS / 2, &stop);
	sleep_ns(READ_SECONDS * NSEC_PER_SEC);
	readers_stop(r, READERS, &stop);
	for (i = 0; i < READERS; i++) {
		ASSERT(r[i].bad_lines == 0 && r[i].last_err == 0 &&
		       r[i].went_back == 0,
		       "reader %d: %ld malformed, %ld decreasing, error %ld",
		       i, r[i].bad_lines, r[i].went_back, r[i].last_err);
		ASSERT(r[i].good > 0, "reader %d read nothing", i);
		total += r[i].good;
	}
	ktap_print_msg("%d readers, %ld reads in %d s", READERS, total, READ_SECONDS);
	return 0;
}

/* The idle thread, watched for a while; the three tests after judge it. */
static struct {
	double seconds;
	long wakeups, preemptions;
	unsigned long long ticks;
	long long runtime_ns;
	long samples, in_d;
	char states[8];
	int ok;
} idle;

static int test_idle_thread_observed(void)
{
	struct task_info a, b, s;
	pid_t pid = 0;
	int64_t t0, t1;

	memset(&idle, 0, sizeof(idle));
	ASSERT(kthreads_named("counter", &pid) == 1, "no counter thread");
	ASSERT(task_info(pid, &a) == 0, "cannot read /proc/%d", pid);
	t0 = now_ns();
	while (now_ns() - t0 < IDLE_SECONDS * NSEC_PER_SEC) {
		ASSERT(task_info(pid, &s) == 0, "cannot read /proc/%d", pid);
		idle.samples++;
		idle.in_d += s.state == 'D';
		if (!strchr(idle.states, s.state) &&
		    strlen(idle.states) < sizeof(idle.states) - 1)
			idle.states[strlen(idle.states)] = s.state;
		sleep_ns(5 * NSEC_PER_MSEC);
	}
	ASSERT(task_info(pid, &b) == 0, "cannot read /proc/%d", pid);
	t1 = now_ns();
	idle.seconds = (double)(t1 - t0) / NSEC_PER_SEC;
	idle.wakeups = b.sleeps - a.sleeps;
	idle.preemptions = b.preemptions - a.preemptions;
	idle.ticks = b.ticks - a.ticks;
	idle.runtime_ns = a.runtime_ns < 0 ? -1 : b.runtime_ns - a.runtime_ns;
	idle.ok = 1;
	return 0;
}

static int test_idle_thread_wakes_once_a_second(void)
{
	ASSERT(idle.ok, "nothing was measured");
	ktap_print_msg("%ld wake-ups in %.2f s (%.2f/s), preempted %ld times",
		       idle.wakeups, idle.seconds, idle.wakeups / idle.seconds,
		       idle.preemptions);
	ASSERT(idle.wakeups / idle.seconds <= MAX_WAKEUPS_PER_S,
	       "expected at most %.1f wake-ups a second", MAX_WAKEUPS_PER_S);
	ASSERT(idle.wakeups / idle.seconds >= 0.8,
	       "expected about one wake-up a second");
	return 0;
}

/*
 * CPU ticks are charged by sampling: a thread that runs for microseconds
 * a second is charged a tick now and then when a slow (TCG, KASAN) guest
 * happens to sample it. Where the kernel keeps exact run time
 * (schedstat), that is what is judged; elsewhere, the ticks.
 */
static int test_idle_thread_uses_no_cpu(void)
{
	double share;

	ASSERT(idle.ok, "nothing was measured");
	if (idle.runtime_ns < 0) {
		ktap_print_msg("%llu CPU ticks in %.2f s (no schedstat)", idle.ticks,
			 idle.seconds);
		ASSERT(idle.ticks == 0, "expected no CPU tick");
		return 0;
	}
	share = (double)idle.runtime_ns / (idle.seconds * NSEC_PER_SEC);
	ktap_print_msg("%.3f ms on the CPU in %.2f s (%.4f%%), %llu ticks",
		 (double)idle.runtime_ns / NSEC_PER_MSEC, idle.seconds,
		 share * 100, idle.ticks);
	ASSERT(share < MAX_IDLE_CPU_SHARE, "expected under %.2f%% of a CPU",
	       MAX_IDLE_CPU_SHARE * 100);
	return 0;
}

/* Asleep it is S, never D (load average) nor I; R only while it runs. */
static int test_idle_thread_sleeps_in_s_state(void)
{
	ASSERT(idle.ok, "nothing was measured");
	ktap_print_msg("%ld samples, states seen: %s", idle.samples, idle.states);
	ASSERT(idle.in_d == 0, "seen in D state in %ld of %ld samples",
	       idle.in_d, idle.samples);
	ASSERT(strspn(idle.states, "SR") == strlen(idle.states),
	       "expected S (or R while running), saw %s", idle.states);
	ASSERT(strchr(idle.states, 'S'), "never seen asleep in S");
	return 0;
}

static int test_second_load_fails_with_eexist(void)
{
	unsigned long n;
	int64_t at;
	int ret = module_load(module_dir, "counter");

	ASSERT(ret == -EEXIST, "second load returned %s, expected EEXIST",
	       ret ? strerror(-ret) : "success");
	ASSERT(kthreads_named("counter", NULL) == 1,
	       "expected one counter thread after the failed load");
	ret = counter_wait_tick(&n, &at);
	ASSERT(ret == 0, "the first instance stopped counting: %s",
	       strerror(-ret));
	ASSERT(count_fits_clock(n, at, at),
	       "count %lu is off the first instance's clock", n);
	return 0;
}

static int test_load_message_in_kernel_log(void)
{
	char line[512];
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	int found;

	ASSERT(fd >= 0, "open /dev/kmsg: %s", strerror(errno));
	found = kmsg_find(fd, "counter: loaded", line, sizeof(line));
	close(fd);
	ASSERT(found, "no \"counter: loaded\" message in the kernel log");
	ktap_print_msg("%s", line);
	return 0;
}

static int test_rmmod_is_prompt(void)
{
	int64_t at, counter_ns, noop_ns;
	unsigned long n, final;
	char line[512];
	int ret, kfd, found;

	/* Right after a tick a sleeping thread has a whole second to go. */
	ret = counter_wait_tick(&n, &at);
	ASSERT(ret == 0, "no tick: %s", strerror(-ret));
	kfd = kmsg_from_now();
	counter_ns = module_unload_ns("counter");
	ASSERT(counter_ns >= 0, "rmmod counter: %s", strerror((int)-counter_ns));

	noop_ns = noop_unload_ns();
	ASSERT(noop_ns >= 0, "load and unload noop.ko: %s", strerror((int)-noop_ns));
	ktap_print_msg("rmmod counter %.1f ms, no-op module %.1f ms", ms(counter_ns),
		 ms(noop_ns));
	ASSERT(ms(counter_ns - noop_ns) < MAX_RMMOD_MS,
	       "expected under %.0f ms more than the no-op module", MAX_RMMOD_MS);

	ASSERT(access(COUNTER_PROC, F_OK) == -1 && errno == ENOENT,
	       "/proc/counter is still there");
	ASSERT(kthreads_named("counter", NULL) == 0, "the thread is still there");
	ASSERT(!module_is_live("counter"), "/sys/module/counter is still there");

	found = kfd >= 0 && kmsg_find(kfd, "counter: unloaded", line,
				      sizeof(line));
	if (kfd >= 0)
		close(kfd);
	ASSERT(found, "no \"counter: unloaded\" message");
	ktap_print_msg("%s", line);
	ASSERT(sscanf(line, "counter: unloaded, the counter was at %lu",
		      &final) == 1 && (final == n || final == n + 1),
	       "expected the final count %lu", n);
	return 0;
}

static int test_rmmod_with_active_readers(void)
{
	struct reader r[READERS];
	volatile int stop;
	int ret, i;

	ret = counter_load();
	ASSERT(ret == 0, "load: %s", strerror(-ret));
	readers_start(r, READERS, READERS / 2, &stop);
	sleep_ns(NSEC_PER_SEC);
	ret = module_unload("counter");
	sleep_ns(NSEC_PER_SEC / 4);
	readers_stop(r, READERS, &stop);
	ASSERT(ret == 0, "rmmod with readers: %s", strerror(-ret));
	for (i = 0; i < READERS; i++) {
		int want = r[i].hold ? EIO : ENOENT;

		ASSERT(r[i].bad_lines == 0, "reader %d saw %ld malformed lines",
		       i, r[i].bad_lines);
		ASSERT(!r[i].other_err[0], "reader %d saw %s", i,
		       r[i].other_err);
		ASSERT(r[i].good > 0, "reader %d read nothing", i);
		ASSERT(r[i].first_err_after_good == 0,
		       "reader %d read again after an error", i);
		ASSERT(r[i].last_err == want, "reader %d ended with %s, expected %s",
		       i, strerror((int)r[i].last_err), strerror(want));
	}
	ASSERT(kthreads_named("counter", NULL) == 0, "the thread is still there");
	return 0;
}

static int test_load_unload_cycles(void)
{
	int64_t t0 = now_ns();
	int i;

	for (i = 0; i < CYCLES; i++) {
		unsigned long n;
		int ret = counter_load();

		ASSERT(ret == 0, "cycle %d: load: %s", i, strerror(-ret));
		ret = counter_read(&n);
		ASSERT(ret == 0 && n == 0, "cycle %d: read %s, count %lu", i,
		       strerror(-ret), n);
		ASSERT(kthreads_named("counter", NULL) == 1,
		       "cycle %d: expected one thread", i);
		ret = module_unload("counter");
		ASSERT(ret == 0, "cycle %d: unload: %s", i, strerror(-ret));
		ASSERT(kthreads_named("counter", NULL) == 0,
		       "cycle %d: thread left behind", i);
		ASSERT(access(COUNTER_PROC, F_OK) == -1,
		       "cycle %d: entry left behind", i);
	}
	ktap_print_msg("%d cycles in %.1f s", CYCLES,
		 (double)(now_ns() - t0) / NSEC_PER_SEC);
	return 0;
}

static int test_failed_load_leaves_nothing(void)
{
	char before[64] = "", after[64] = "", line[512];
	long warn_before, pow = sysctl_read("panic_on_warn");
	int ret, fd, kfd, found;
	ssize_t len;

	ret = module_load(module_dir, "squatter");
	ASSERT(ret == 0, "load squatter.ko: %s", strerror(-ret));
	fd = open(COUNTER_PROC, O_RDONLY);
	len = fd >= 0 ? read(fd, before, sizeof(before) - 1) : -1;
	if (fd >= 0)
		close(fd);

	/* The proc core WARNs about the duplicate name: that one is expected. */
	warn_before = sysctl_read("tainted") & TAINT_WARN;
	if (pow > 0)
		sysctl_write("panic_on_warn", 0);
	kfd = kmsg_from_now();
	ret = module_load(module_dir, "counter");
	if (pow > 0)
		sysctl_write("panic_on_warn", pow);
	expected_warn_taint = !warn_before;

	fd = open(COUNTER_PROC, O_RDONLY);
	if (fd >= 0) {
		if (read(fd, after, sizeof(after) - 1) < 0)
			after[0] = '\0';
		close(fd);
	}
	found = kfd >= 0 && kmsg_find(kfd, "counter: cannot create /proc/counter",
				      line, sizeof(line));
	if (kfd >= 0)
		close(kfd);
	module_unload("squatter");

	ASSERT(len > 0, "squatter's entry unreadable");
	ASSERT(ret < 0, "load succeeded while /proc/counter was taken");
	ktap_print_msg("load failed with %s", strerror(-ret));
	ASSERT(ret == -ENOMEM, "expected ENOMEM, saw %s", strerror(-ret));
	ASSERT(!module_is_live("counter"), "counter stayed loaded");
	ASSERT(kthreads_named("counter", NULL) == 0,
	       "a counter thread was left running");
	ASSERT(!strcmp(before, after), "the other entry changed: \"%s\" -> \"%s\"",
	       before, after);
	ASSERT(found, "no \"cannot create /proc/counter\" error in the log");
	return 0;
}

static int test_kernel_not_tainted(void)
{
	long mask = TAINT_OOT_MODULE | TAINT_UNSIGNED_MODULE;
	long taint = sysctl_read("tainted");

	if (expected_warn_taint)
		mask |= TAINT_WARN;
	ktap_print_msg("tainted = %ld", taint);
	ASSERT(taint >= 0 && (taint & ~mask) == 0,
	       "taint flags %#lx beyond O and E%s", taint & ~mask,
	       expected_warn_taint ? " (and the expected W)" : "");
	return 0;
}

static const struct ktap_test tests[] = {
	{ "load_succeeds", test_load_succeeds },
	{ "reads_zero_right_after_load", test_reads_zero_right_after_load },
	{ "proc_entry_is_0444", test_proc_entry_is_0444 },
	{ "kthread_named_counter_exists", test_kthread_named_counter },
	{ "count_matches_monotonic_clock", test_count_matches_clock },
	{ "tick_period_within_2000_ppm", test_tick_period_is_one_second },
	{ "phase_lag_under_50_ms", test_phase_lag_is_small },
	{ "byte_reads_stay_in_buffer", test_byte_reads_stay_in_buffer },
	{ "every_buffer_size_reads_the_line", test_every_buffer_size_reads_the_line },
	{ "pread_at_zero_rereads", test_pread_rereads },
	{ "lseek_set_cur_end", test_lseek },
	{ "eof_after_line", test_eof_after_line },
	{ "bad_pointer_gives_efault", test_bad_pointer_gives_efault },
	{ "writes_are_refused", test_writes_are_refused },
	{ "concurrent_readers_see_whole_lines", test_concurrent_readers },
	{ "idle_thread_observed_for_5_s", test_idle_thread_observed },
	{ "idle_thread_wakes_once_a_second", test_idle_thread_wakes_once_a_second },
	{ "idle_thread_uses_no_measurable_cpu", test_idle_thread_uses_no_cpu },
	{ "idle_thread_sleeps_in_s_state", test_idle_thread_sleeps_in_s_state },
	{ "second_load_fails_with_eexist", test_second_load_fails_with_eexist },
	{ "load_message_in_kernel_log", test_load_message_in_kernel_log },
	{ "rmmod_is_prompt", test_rmmod_is_prompt },
	{ "rmmod_with_active_readers", test_rmmod_with_active_readers },
	{ "load_unload_cycles_start_at_zero", test_load_unload_cycles },
	{ "failed_load_leaves_nothing", test_failed_load_leaves_nothing },
};

static const struct ktap_test taint_test = { "kernel_not_tainted",
					    test_kernel_not_tainted };

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Usage: counter_test [MODULE_DIR] [--debug] [--list] [--host-checks=K]
 *                     [--fail-fast]
 *   --list prints the tests' names instead of running them; K is how many
 *   results the host appends to this TAP stream, counted in its plan;
 *   --fail-fast stops at the first failure (for mutants).
 */
int main(int argc, char **argv)
{
	struct ktap_test all[COUNT(tests) + 32];
	size_t n = 0, i, host_checks = 0;
	int debug = 0, list = 0, fail_fast = 0, a;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--debug"))
			debug = 1;
		else if (!strcmp(argv[a], "--list"))
			list = 1;
		else if (!strcmp(argv[a], "--fail-fast"))
			fail_fast = 1;
		else if (!strncmp(argv[a], "--host-checks=", 14))
			host_checks = strtoul(argv[a] + 14, NULL, 10);
		else
			module_dir = argv[a];
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; debug && i < debug_first_count; i++)
		all[n++] = debug_first[i];
	for (i = 0; i < COUNT(tests); i++)
		all[n++] = tests[i];
	for (i = 0; i < events_tests_count; i++)
		all[n++] = events_tests[i];
	for (i = 0; i < readers_tests_count; i++)
		all[n++] = readers_tests[i];
	for (i = 0; debug && i < debug_last_count; i++)
		all[n++] = debug_last[i];
	for (i = 0; i < signing_tests_count; i++)
		all[n++] = signing_tests[i];
	all[n++] = taint_test;
	if (list) {
		ktap_list(all, n);
		return 0;
	}
	return ktap_run(all, n, host_checks, fail_fast) ? 1 : 0;
}
