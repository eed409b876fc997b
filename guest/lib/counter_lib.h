/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the programs that run inside the guest: loading and
 * unloading modules, reading /proc/counter strictly, finding kernel threads
 * and reading the clock.
 */
#ifndef COUNTER_LIB_H
#define COUNTER_LIB_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define COUNTER_PROC "/proc/counter"
#define COUNTER_PREFIX "The counter is now at: "
#define NSEC_PER_SEC 1000000000LL
#define NSEC_PER_MSEC 1000000LL

/* CLOCK_MONOTONIC in nanoseconds. */
int64_t now_ns(void);
void sleep_ns(int64_t ns);

/* Where counter.ko and the helper modules are. */
extern const char *module_dir;

/* When counter_load() last loaded counter.ko: just before and after. */
extern int64_t counter_load_before, counter_load_after;

/*
 * Whether count n, read between a and b (CLOCK_MONOTONIC), is the whole
 * seconds since the last counter_load(), allowing MAX_PHASE_LAG_MS.
 */
#define MAX_PHASE_LAG_MS 50.0
int count_fits_clock(unsigned long n, int64_t a, int64_t b);

/* These return 0 or a negative errno. */
int counter_load(void);
int module_load(const char *dir, const char *name);
int module_load_args(const char *dir, const char *name, const char *args);
int module_unload(const char *name);
int module_is_live(const char *name);

/* How long module_unload() took, in nanoseconds, or a negative errno. */
int64_t module_unload_ns(const char *name);

/*
 * How long the kernel takes to unload a module that does nothing: the
 * baseline that unload times are judged against, since it differs by an
 * order of magnitude between machines (15 ms on x86, 250 ms on 32-bit
 * ARM, both emulated). Nanoseconds, or a negative errno.
 */
int64_t noop_unload_ns(void);

/*
 * Parse one whole line "The counter is now at: N\n", nothing more or less.
 * Returns 0 and sets *n, or -1 when the bytes are malformed.
 */
int counter_parse(const char *buf, size_t len, unsigned long *n);

/* open, read, close: 0, -errno, or -EBADMSG for a malformed line. */
int counter_read(unsigned long *n);

/* pread at offset 0 on a held descriptor, same returns as counter_read. */
int counter_pread(int fd, unsigned long *n);

/*
 * setgid and setuid to nobody, for good: 0 or -errno. Each test runs in a
 * process of its own, so a test may.
 */
#define NOBODY 65534
int become_nobody(void);

/* From /proc/<pid>/stat and /proc/<pid>/status. */
struct task_info {
	char state;
	pid_t ppid;
	unsigned long flags;
	unsigned long long ticks;	/* utime + stime */
	long sleeps;		/* voluntary switches: one per sleep and wake-up */
	long preemptions;	/* involuntary switches */
	long long runtime_ns;		/* from schedstat; -1 if absent */
	int cpu;		/* the CPU it last ran on; -1 if unknown */
};

#define PF_KTHREAD 0x00200000UL

int task_info(pid_t pid, struct task_info *ti);

/* Kernel threads whose comm is name; *pid gets the first one found. */
int kthreads_named(const char *name, pid_t *pid);

/* Reads a small file into buf, NUL-terminated; 0 or -errno. */
int read_text(const char *path, char *buf, size_t size);

/* Writes s to a file (sysfs, debugfs, proc); 0 or -errno. */
int write_file(const char *path, const char *s);

/* A /proc/sys/kernel entry as a number, or -1. */
long sysctl_read(const char *name);
int sysctl_write(const char *name, long value);

/*
 * Next kernel log record (from /dev/kmsg opened with O_NONBLOCK) whose text
 * contains needle; 1 found (copied to out), 0 not found.
 */
int kmsg_find(int fd, const char *needle, char *out, size_t outlen);

/* /dev/kmsg opened with O_NONBLOCK past its last record, or -1. */
int kmsg_from_now(void);

/*
 * at[k] is the instant the count became k + 1. The least-squares period of
 * those ticks in seconds, and the worst lag in ms of a tick behind
 * load + (k + 1) s.
 */
double tick_period(const int64_t *at, int ticks);
double tick_worst_lag_ms(const int64_t *at, int ticks, int64_t load);

/* Wait until the count changes from what it is now; 0, or -errno. */
int counter_wait_tick(unsigned long *n, int64_t *at);

#endif
