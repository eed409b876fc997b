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
#include <time.h>

#define COUNTER_PROC "/proc/counter"
#define COUNTER_PREFIX "The counter is now at: "
/* The module's messages in the kernel log, as counter(4) lists them. */
#define LOADED_LINE "counter: loaded, counting seconds in /proc/counter"
#define UNLOADED_LINE "counter: unloaded, the counter was at "
#define NO_ENTRY_LINE "counter: cannot create /proc/counter"
#define NO_THREAD_LINE "counter: cannot start the counting thread: "
/* The module loader's own notes about an out-of-tree, unsigned counter.ko. */
#define LOADER_TAINT_LINE "counter: loading out-of-tree module taints kernel."
#define LOADER_UNSIGNED_LINE \
	"counter: module verification failed: signature and/or required key missing - tainting kernel"
#define NSEC_PER_SEC 1000000000LL
#define NSEC_PER_MSEC 1000000LL
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define CPU1_ONLINE "/sys/devices/system/cpu/cpu1/online"

/* Nanoseconds as milliseconds or seconds, for messages and bounds. */
#define MS(ns) ((double)(ns) / NSEC_PER_MSEC)
#define SECS(ns) ((double)(ns) / NSEC_PER_SEC)

/* A clock in nanoseconds; now_ns() is CLOCK_MONOTONIC's. */
int64_t clock_ns(clockid_t id);
int64_t now_ns(void);
void sleep_ns(int64_t ns);

/* Where counter.ko and the helper modules are. */
extern const char *module_dir;

/* When counter_load() last loaded counter.ko: just before and after. */
extern int64_t counter_load_before, counter_load_after;

/*
 * Whether count n, read between a and b (CLOCK_MONOTONIC), is the whole
 * seconds since the last counter_load(), allowing MAX_PHASE_LAG_MS: a tick
 * comes at most 0.6 ms after the load's end on a quiet host, 11 ms late on
 * a busy one (counter_test.c, MAX_TICK_LAG_MS); the readers that judge
 * with it run beside freezes, hotplug and other readers.
 */
#define MAX_PHASE_LAG_MS 30.0
int count_fits_clock(unsigned long n, int64_t a, int64_t b);
/* The same, allowing lag_ms. */
int count_fits_clock_within(unsigned long n, int64_t a, int64_t b, double lag_ms);

/* These return 0 or a negative errno. */
int counter_load(void);
int module_load(const char *name);
int module_load_args(const char *name, const char *args);
int module_unload(const char *name);
int module_is_live(const char *name);

/*
 * What is still there of counter: the module, any /proc/counter (whoever
 * made it) or a kernel thread named counter; NULL for nothing.
 */
const char *counter_left(void);

/*
 * How long module_unload() took, in nanoseconds, or a negative errno; and
 * the slowest of NOOP_UNLOADS of noop.ko, the baseline for unload times:
 * 12 to 34 ms on most emulated machines, but anywhere from 35 ms to 1 s
 * on emulated 32-bit ARM, for any module, so one sample would not do.
 */
#define NOOP_UNLOADS 3
int64_t module_unload_ns(const char *name);
/*
 * module_unload() in a child, waited for up to timeout_s: -ETIMEDOUT when
 * the module's exit has not returned by then (the child stays behind,
 * stuck in the kernel).
 */
int module_unload_within(const char *name, int timeout_s);
int64_t noop_unload_ns(void);

/* Exactly one line "The counter is now at: N\n": 0 and *n, or -1. */
int counter_parse(const char *buf, size_t len, unsigned long *n);

/* open, read, close: 0, -errno, or -EBADMSG for a malformed line. */
int counter_read(unsigned long *n);

/* pread at offset 0 on a held descriptor, same returns as counter_read. */
int counter_pread(int fd, unsigned long *n);

/* setgid and setuid to nobody, for the rest of the test's process. */
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

/* /dev/kmsg opened with O_NONBLOCK past its last record, or -1. */
int kmsg_from_now(void);

/*
 * Whether a kernel log record since kmsg_from_now() gave fd contains
 * needle: 1 (the record copied to out) or 0. Closes fd.
 */
int kmsg_since(int fd, const char *needle, char *out, size_t outlen);

/* Sorts v, and returns its median. */
double median(double *v, int count);

/* Wait until the count changes from what it is now; 0, or -errno. */
int counter_wait_tick(unsigned long *n, int64_t *at);

#endif
