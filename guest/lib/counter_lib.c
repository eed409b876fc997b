// SPDX-License-Identifier: GPL-2.0
/* Helpers shared by the programs that run inside the guest. */
#define _GNU_SOURCE
#include "counter_lib.h"
#include "kmsg.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

int64_t now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

void sleep_ns(int64_t ns)
{
	struct timespec ts = { ns / NSEC_PER_SEC, ns % NSEC_PER_SEC };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

const char *module_dir = "/lib/counter";
int64_t counter_load_before, counter_load_after;

int counter_load(void)
{
	int ret;

	counter_load_before = now_ns();
	ret = module_load("counter");
	counter_load_after = now_ns();
	return ret;
}

/* Bounds on the count at a moment between a and b, given the load instant. */
int count_fits_clock(unsigned long n, int64_t a, int64_t b)
{
	return count_fits_clock_within(n, a, b, MAX_PHASE_LAG_MS);
}

int count_fits_clock_within(unsigned long n, int64_t a, int64_t b, double lag_ms)
{
	int64_t lag = (int64_t)(lag_ms * NSEC_PER_MSEC);
	int64_t lo = (a - counter_load_after - lag) / NSEC_PER_SEC;
	int64_t hi = (b - counter_load_before) / NSEC_PER_SEC;

	return (int64_t)n >= (lo < 0 ? 0 : lo) && (int64_t)n <= hi;
}

int module_load(const char *name)
{
	return module_load_args(name, "");
}

int module_load_args(const char *name, const char *args)
{
	char path[256];
	int fd, ret;

	snprintf(path, sizeof(path), "%s/%s.ko", module_dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, args, 0) ? -errno : 0;
	close(fd);
	return ret;
}

int module_unload(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK) ? -errno : 0;
}

static void unload_alarm(int sig)
{
	(void)sig;
}

int module_unload_within(const char *name, int timeout_s)
{
	struct sigaction sa = { .sa_handler = unload_alarm }, old;
	int64_t t0 = now_ns();
	int status, ret, err;
	/* A test's own alarm, its timeout, is put back after this one. */
	unsigned int outer;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0)
		_exit(module_unload(name) ? (errno & 0xff) : 0);
	sigaction(SIGALRM, &sa, &old);
	outer = alarm(timeout_s);
	ret = waitpid(pid, &status, 0);
	err = errno;
	alarm(0);
	sigaction(SIGALRM, &old, NULL);
	if (outer) {
		int64_t left = (int64_t)outer - (now_ns() - t0) / NSEC_PER_SEC;

		alarm(left > 0 ? (unsigned int)left : 1);
	}
	if (ret < 0) {
		errno = err == EINTR ? ETIMEDOUT : err;
		return -errno;
	}
	errno = WIFEXITED(status) ? WEXITSTATUS(status) : EINTR;
	return errno ? -errno : 0;
}

int64_t module_unload_ns(const char *name)
{
	int64_t t0 = now_ns();
	int ret = module_unload(name);

	return ret ? ret : now_ns() - t0;
}

int64_t noop_unload_ns(void)
{
	int64_t slowest = 0;
	int i;

	for (i = 0; i < NOOP_UNLOADS; i++) {
		int ret = module_load("noop");
		int64_t ns = ret ? ret : module_unload_ns("noop");

		if (ns < 0)
			return ns;
		slowest = ns > slowest ? ns : slowest;
	}
	return slowest;
}

int module_is_live(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	return access(path, F_OK) == 0;
}

const char *counter_left(void)
{
	int threads;

	if (module_is_live("counter"))
		return "/sys/module/counter";
	if (access(COUNTER_PROC, F_OK) == 0 || errno != ENOENT)
		return COUNTER_PROC;
	threads = kthreads_named("counter", NULL);
	if (threads < 0)
		return "/proc, unreadable";
	return threads ? "a counter thread" : NULL;
}

int counter_parse(const char *buf, size_t len, unsigned long *n)
{
	size_t plen = strlen(COUNTER_PREFIX), i;
	unsigned long v = 0;

	if (len < plen + 2 || memcmp(buf, COUNTER_PREFIX, plen) ||
	    buf[len - 1] != '\n')
		return -1;
	/* Digits only, no sign, no leading zero but for "0" itself. */
	if (buf[plen] == '0' && len != plen + 2)
		return -1;
	for (i = plen; i < len - 1; i++) {
		if (!isdigit((unsigned char)buf[i]) || i - plen > 18)
			return -1;
		v = v * 10 + (unsigned long)(buf[i] - '0');
	}
	*n = v;
	return 0;
}

static int read_whole(int fd, unsigned long *n, int positional)
{
	char buf[128];
	ssize_t len;

	len = positional ? pread(fd, buf, sizeof(buf), 0) :
			   read(fd, buf, sizeof(buf));
	if (len < 0)
		return -errno;
	return counter_parse(buf, (size_t)len, n) ? -EBADMSG : 0;
}

int counter_read(unsigned long *n)
{
	int fd = open(COUNTER_PROC, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = read_whole(fd, n, 0);
	close(fd);
	return ret;
}

int counter_pread(int fd, unsigned long *n)
{
	return read_whole(fd, n, 1);
}

int become_nobody(void)
{
	return setgid(NOBODY) || setuid(NOBODY) ? -errno : 0;
}

int read_text(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t len;

	if (fd < 0)
		return -errno;
	len = read(fd, buf, size - 1);
	close(fd);
	if (len < 0)
		return -errno;
	buf[len] = '\0';
	return 0;
}

int task_info(pid_t pid, struct task_info *ti)
{
	char path[64], buf[2048];
	const char *p;
	unsigned long long utime, stime;
	long vol = -1, invol = -1;
	int field;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (read_text(path, buf, sizeof(buf)))
		return -1;
	/* Fields after the comm, which may hold spaces: see proc(5). */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%c %d %*d %*d %*d %*d %lu %*u %*u %*u %*u %llu %llu",
			 &ti->state, &ti->ppid, &ti->flags, &utime, &stime) != 5)
		return -1;
	ti->ticks = utime + stime;
	/* The CPU it last ran on is field 39; p is at the end of field 2. */
	for (field = 2; p && field < 39; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%d", &ti->cpu) != 1)
		ti->cpu = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if (read_text(path, buf, sizeof(buf)))
		return -1;
	p = strstr(buf, "voluntary_ctxt_switches:");
	if (p)
		sscanf(p, "voluntary_ctxt_switches: %ld", &vol);
	p = strstr(buf, "nonvoluntary_ctxt_switches:");
	if (p)
		sscanf(p, "nonvoluntary_ctxt_switches: %ld", &invol);
	if (vol < 0 || invol < 0)
		return -1;
	ti->sleeps = vol;
	ti->preemptions = invol;

	/* Nanoseconds on the CPU, where the kernel has CONFIG_SCHED_INFO. */
	snprintf(path, sizeof(path), "/proc/%d/schedstat", pid);
	if (read_text(path, buf, sizeof(buf)) ||
	    sscanf(buf, "%lld", &ti->runtime_ns) != 1)
		ti->runtime_ns = -1;
	return 0;
}

int kthreads_named(const char *name, pid_t *pid)
{
	DIR *d = opendir("/proc");
	const struct dirent *e;
	int count = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		char path[300], comm[64];
		struct task_info ti;
		pid_t p = atoi(e->d_name);

		if (p <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/comm", p);
		if (read_text(path, comm, sizeof(comm)))
			continue;
		comm[strcspn(comm, "\n")] = '\0';
		if (strcmp(comm, name) || task_info(p, &ti) ||
		    !(ti.flags & PF_KTHREAD))
			continue;
		if (!count++ && pid)
			*pid = p;
	}
	closedir(d);
	return count;
}

long sysctl_read(const char *name)
{
	char path[128], buf[64];

	snprintf(path, sizeof(path), "/proc/sys/kernel/%s", name);
	if (read_text(path, buf, sizeof(buf)))
		return -1;
	return strtol(buf, NULL, 10);
}

int sysctl_write(const char *name, long value)
{
	char path[128], buf[32];

	snprintf(path, sizeof(path), "/proc/sys/kernel/%s", name);
	snprintf(buf, sizeof(buf), "%ld\n", value);
	return write_file(path, buf);
}

int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t len;

	if (fd < 0)
		return -errno;
	len = write(fd, s, strlen(s));
	close(fd);
	return len == (ssize_t)strlen(s) ? 0 : -errno;
}

int kmsg_from_now(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

int kmsg_since(int fd, const char *needle, char *out, size_t outlen)
{
	char text[2048];
	int found = 0;

	while (!found && kmsg_next(fd, text, sizeof(text)))
		found = !!strstr(text, needle);
	if (found)
		snprintf(out, outlen, "%s", text);
	if (fd >= 0)
		close(fd);
	return found;
}

int counter_wait_tick(unsigned long *n, int64_t *at)
{
	unsigned long first, v;
	int64_t deadline = now_ns() + 3 * NSEC_PER_SEC;
	int ret = counter_read(&first);

	if (ret)
		return ret;
	do {
		sleep_ns(NSEC_PER_MSEC);
		ret = counter_read(&v);
		if (ret)
			return ret;
		if (v != first) {
			*n = v;
			*at = now_ns();
			return 0;
		}
	} while (now_ns() < deadline);
	return -ETIMEDOUT;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double median(double *v, int count)
{
	qsort(v, (size_t)count, sizeof(*v), by_value);
	return (v[(count - 1) / 2] + v[count / 2]) / 2;
}
