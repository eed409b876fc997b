// SPDX-License-Identifier: GPL-2.0
/*
 * The guest half of `make bench`: measures counter.ko against the naive
 * baseline and the kernel's floors in one boot, and prints figures as
 *   csv: metric,subject,value,unit
 *   err: subject,seconds_since_load,error_in_seconds
 * lines for the host to gather. Figures, not verdicts.
 *
 * Usage: counter_bench MODULE_DIR [quick]
 */
#define _GNU_SOURCE
#include "counter_lib.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_TICKS 256
#define CYCLES 30
#define READ_ROUNDS 9

static int quick;

static void csv(const char *metric, const char *subject, double value,
		const char *unit)
{
	printf("csv: %s,%s,%.6g,%s\n", metric, subject, value, unit);
}

/* at[k] is when the count became k + 1: the least-squares period, in s. */
static double tick_period(const int64_t *at, int ticks)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0;
	int k;

	for (k = 0; k < ticks; k++) {
		double x = k + 1, y = SECS(at[k] - at[0]);

		sx += x;
		sy += y;
		sxx += x * x;
		sxy += x * y;
	}
	return (ticks * sxy - sx * sy) / (ticks * sxx - sx * sx);
}

/* Loads a module, samples its count for a while, records each tick. */
static void drift(const char *module, const char *subject, int seconds)
{
	int64_t at[MAX_TICKS], before, after, end, prev_at;
	unsigned long prev = 0, n = 0;
	int ticks = 0, k, fd;
	double worst_lag_ms = -1e9;

	before = now_ns();
	if (module_load(module)) {
		printf("# cannot load %s\n", module);
		return;
	}
	after = now_ns();
	fd = open(COUNTER_PROC, O_RDONLY);
	end = after + seconds * NSEC_PER_SEC + NSEC_PER_SEC / 2;
	prev_at = after;
	while (now_ns() < end && ticks < MAX_TICKS) {
		int64_t t;

		if (counter_pread(fd, &n))
			break;
		t = now_ns();
		if (n != prev) {
			at[ticks++] = prev_at + (t - prev_at) / 2;
			prev = n;
		}
		prev_at = t;
		sleep_ns(NSEC_PER_MSEC / 2);
	}
	close(fd);
	module_unload(module);

	for (k = 0; k < ticks; k++) {
		double y = SECS(at[k] - after);

		/* The count's error when it changes: how late it is. */
		printf("err: %s,%.3f,%.4f\n", subject, y, y - (k + 1));
		worst_lag_ms = fmax(worst_lag_ms,
				    MS(at[k] - after - (k + 1) * NSEC_PER_SEC));
	}
	if (ticks < 2)
		return;
	csv("drift_ppm", subject, (tick_period(at, ticks) - 1) * 1e6, "ppm");
	csv("phase_lag_ms", subject, worst_lag_ms, "ms");
	/* Whole seconds elapsed at the end, less what the module showed. */
	csv("end_error_s", subject,
	    (double)((prev_at - after) / NSEC_PER_SEC) - (double)n, "s");
	csv("load_to_return_ms", subject, MS(after - before), "ms");
}

static double percentile(double *v, int count, int pct)
{
	median(v, count);	/* sorts v */
	return v[(count - 1) * pct / 100];
}

/*
 * Load and unload times of counter.ko beside the no-op module and each of
 * counter.ko's halves alone, interleaved cycle by cycle so that a slow
 * spell of the guest falls on all of them alike.
 */
static const struct {
	const char *subject, *module, *args;
} unloaders[] = {
	{ "noop", "noop", "" },
	{ "thread_only", "parts", "thread=1" },
	{ "proc_only", "parts", "proc=1" },
	{ "counter", "counter", "" },
};

#define UNLOADERS ARRAY_SIZE(unloaders)

static void load_unload(void)
{
	static double load[UNLOADERS][CYCLES], unload[UNLOADERS][CYCLES];
	double load_med[UNLOADERS], rm_med[UNLOADERS];
	size_t u;
	int i;

	for (i = 0; i < CYCLES; i++) {
		for (u = 0; u < UNLOADERS; u++) {
			int64_t t = now_ns();

			module_load_args(unloaders[u].module, unloaders[u].args);
			load[u][i] = MS(now_ns() - t);
			/* Let a thread reach its sleep, as it would in use. */
			sleep_ns(20 * NSEC_PER_MSEC);
			t = now_ns();
			module_unload(unloaders[u].module);
			unload[u][i] = MS(now_ns() - t);
		}
	}
	for (u = 0; u < UNLOADERS; u++) {
		const char *s = unloaders[u].subject;

		load_med[u] = percentile(load[u], CYCLES, 50);
		rm_med[u] = percentile(unload[u], CYCLES, 50);
		csv("load_median_ms", s, load_med[u], "ms");
		csv("rmmod_median_ms", s, rm_med[u], "ms");
		csv("rmmod_p95_ms", s, percentile(unload[u], CYCLES, 95), "ms");
		if (u) {
			csv("rmmod_overhead_ms", s, rm_med[u] - rm_med[0], "ms");
			csv("load_overhead_ms", s, load_med[u] - load_med[0], "ms");
		}
	}
}

struct opener {
	pthread_t thread;
	const char *path;
	int64_t until;
	long count;
	int hold;
};

static void *open_read_close(void *arg)
{
	struct opener *o = arg;
	char buf[256];
	int fd = o->hold ? open(o->path, O_RDONLY) : -1;

	while (now_ns() < o->until) {
		if (o->hold) {
			if (pread(fd, buf, sizeof(buf), 0) <= 0)
				break;
		} else {
			int f = open(o->path, O_RDONLY);

			if (f < 0 || read(f, buf, sizeof(buf)) <= 0)
				break;
			close(f);
		}
		o->count++;
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* Reads per second of path with threads readers for a window. */
static double read_rate(const char *path, int threads, int hold, int64_t ns)
{
	struct opener o[4];
	long total = 0;
	int i;

	for (i = 0; i < threads; i++) {
		o[i] = (struct opener){ .path = path, .until = now_ns() + ns,
					.hold = hold };
		pthread_create(&o[i].thread, NULL, open_read_close, &o[i]);
	}
	for (i = 0; i < threads; i++) {
		pthread_join(o[i].thread, NULL);
		total += o[i].count;
	}
	return (double)total * NSEC_PER_SEC / ns;
}

/*
 * Rounds of one window each of /proc/counter, /proc/loadavg (a permanent
 * core entry: the floor) and /proc/cmdline (a core entry that, like any
 * module's, is not permanent), in rotating order so that none always goes
 * first: the median rate of each, and the median ratio of each to loadavg
 * within a round.
 */
static void reads(int threads, int hold, const char *tag)
{
	static const char *const paths[] = { COUNTER_PROC, "/proc/loadavg",
					     "/proc/cmdline" };
	static const char *const subjects[] = { "counter", "loadavg", "cmdline" };
	int64_t window = (quick ? 200 : 500) * NSEC_PER_MSEC;
	double rate[3][READ_ROUNDS], ratio[READ_ROUNDS];
	char metric[64];
	int i, k;

	for (i = 0; i < READ_ROUNDS; i++)
		for (k = 0; k < 3; k++)
			rate[(i + k) % 3][i] = read_rate(paths[(i + k) % 3],
							 threads, hold, window);
	for (k = 0; k < 3; k++) {
		if (k != 1) {
			for (i = 0; i < READ_ROUNDS; i++)
				ratio[i] = rate[k][i] / rate[1][i];
			snprintf(metric, sizeof(metric), "%s_ratio_%dt", tag,
				 threads);
			csv(metric, subjects[k], median(ratio, READ_ROUNDS),
			    "ratio");
		}
		snprintf(metric, sizeof(metric), "%s_per_s_%dt", tag, threads);
		csv(metric, subjects[k], median(rate[k], READ_ROUNDS), "1/s");
	}
}

static void idle_cost(int seconds)
{
	struct task_info a, b, s;
	char states[8] = "";
	pid_t pid = 0;
	int64_t t0;

	module_load("counter");
	sleep_ns(NSEC_PER_SEC / 2);
	if (kthreads_named("counter", &pid) != 1 || task_info(pid, &a)) {
		module_unload("counter");
		return;
	}
	t0 = now_ns();
	while (now_ns() - t0 < seconds * NSEC_PER_SEC) {
		if (!task_info(pid, &s) && !strchr(states, s.state) &&
		    strlen(states) < sizeof(states) - 1)
			states[strlen(states)] = s.state;
		sleep_ns(50 * NSEC_PER_MSEC);
	}
	task_info(pid, &b);
	csv("wakeups_per_s", "counter",
	    (double)(b.sleeps - a.sleeps) * NSEC_PER_SEC / (now_ns() - t0),
	    "1/s");
	csv("idle_cpu_ticks", "counter", (double)(b.ticks - a.ticks), "ticks");
	/* Ticks are sampled; schedstat, where there, is the exact run time. */
	if (a.runtime_ns >= 0)
		csv("idle_cpu_ms", "counter", MS(b.runtime_ns - a.runtime_ns), "ms");
	printf("# idle thread states seen: %s\n", states);
	module_unload("counter");
}

static void module_size(const char *module)
{
	char line[256], name[64];
	unsigned long size;
	FILE *f;

	module_load(module);
	f = fopen("/proc/modules", "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %lu", name, &size) == 2 &&
		    !strcmp(name, module))
			csv("module_size_bytes", module, (double)size, "bytes");
	if (f)
		fclose(f);
	module_unload(module);
}

int main(int argc, char **argv)
{
	int drift_s, idle_s;

	if (argc < 2) {
		fprintf(stderr, "usage: %s MODULE_DIR [quick]\n", argv[0]);
		return 2;
	}
	module_dir = argv[1];
	quick = argc > 2 && !strcmp(argv[2], "quick");
	drift_s = quick ? 12 : 60;
	idle_s = quick ? 5 : 30;
	setvbuf(stdout, NULL, _IOLBF, 0);

	printf("# drift over %d s\n", drift_s);
	drift("counter", "counter", drift_s);
	drift("naive", "naive", drift_s);

	load_unload();

	module_load("counter");
	reads(1, 0, "read");
	reads(2, 0, "read");
	reads(1, 1, "pread");
	module_unload("counter");

	printf("# idle over %d s\n", idle_s);
	idle_cost(idle_s);
	module_size("counter");
	module_size("naive");
	module_size("noop");
	return 0;
}
