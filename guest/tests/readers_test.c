// SPDX-License-Identifier: GPL-2.0
/*
 * Readers everywhere: an unprivileged user, root in a user namespace, a
 * reader in a time namespace, procfs mounted with subset=pid or hidepid=2,
 * and a reader stalled inside read() while the module is unloaded.
 */
#define _GNU_SOURCE
#include "counter_lib.h"
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

#define TIMENS_OFFSET_S 1000000
#define STALL_MS 1500
/* Beyond what unloading a no-op module takes on the same machine. */
#define MAX_RMMOD_AFTER_SERVE_MS 100.0

static int read_fits_clock(const char *who)
{
	unsigned long n;
	int64_t a = now_ns();
	int ret = counter_read(&n);

	ASSERT(ret == 0, "%s's read: %s", who, errname(ret));
	ASSERT(count_fits_clock(n, a, now_ns()), "%s read %lu: off the clock",
	       who, n);
	return 0;
}

/*
 * Result unprivileged_user_reads_the_line: user `nobody` reads a line that fits
 * the clock
 */
TEST(counter, unprivileged_user_reads_the_line)
{
	ASSERT_OK(become_nobody());
	return read_fits_clock("nobody");
}

/*
 * Root in a new user namespace with no mapping written, as in a container
 * whose root maps to another host uid: /proc/counter's owner (host root)
 * is unmapped there, so the namespace's capabilities do not apply to it.
 *
 * Result root_in_a_user_namespace_gets_eacces: root in a new user namespace
 * (the file's owner unmapped, as in a container) opening it for writing gets
 * `EACCES`; N is unchanged
 */
TEST(counter, root_in_a_user_namespace_gets_eacces)
{
	unsigned long before, after;
	int fd;

	ASSERT_OK(counter_read(&before));
	if (unshare(CLONE_NEWUSER) && (errno == EINVAL || errno == EPERM))
		SKIP("no user namespaces (CONFIG_USER_NS): %s", errname(errno));
	ASSERT_EQ(getuid(), 65534);	/* the overflow uid: we are unmapped */
	fd = open(COUNTER_PROC, O_WRONLY);
	ASSERT_ERRNO(fd < 0 ? -errno : 0, -EACCES);
	ASSERT_OK(counter_read(&after));
	ASSERT(after >= before && count_fits_clock(after, now_ns(), now_ns()),
	       "the count changed from %lu to %lu", before, after);
	return 0;
}

/*
 * In a time namespace whose boottime is a million seconds on.
 *
 * Result time_namespace_sees_the_same_count: a reader in a time namespace whose
 * `CLOCK_BOOTTIME` is a million seconds ahead reads the same count as everyone
 */
TEST(counter, time_namespace_sees_the_same_count)
{
	char offsets[64];
	int status = -1;
	pid_t pid;

	if (unshare(CLONE_NEWTIME) && (errno == EINVAL || errno == EPERM))
		SKIP("no time namespaces (CONFIG_TIME_NS, Linux 5.6): %s",
		     errname(errno));
	snprintf(offsets, sizeof(offsets), "boottime %d 0\n", TIMENS_OFFSET_S);
	ASSERT_OK(write_file("/proc/self/timens_offsets", offsets));
	/* Only children are born into the namespace. */
	pid = fork();
	if (pid == 0)
		_exit(read_fits_clock("a reader with boottime + 1e6 s") ? 1 : 0);
	ASSERT(pid > 0 && waitpid(pid, &status, 0) == pid &&
	       WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "the reader in the namespace failed (status %#x)", status);
	return 0;
}

static int mount_proc(const char *dir, const char *opts)
{
	mkdir(dir, 0755);
	return mount("proc", dir, "proc", 0, opts) ? -errno : 0;
}

/*
 * subset=pid (Linux 5.8) shows only the processes: no /proc/counter.
 *
 * Result proc_subset_pid_hides_the_entry: procfs mounted with `subset=pid` has
 * no `counter`
 */
TEST(counter, proc_subset_pid_hides_the_entry)
{
	int ret = mount_proc("/tmp/proc-subset", "subset=pid");

	if (ret == -EINVAL)
		SKIP("procfs has no subset=pid (Linux 5.8)");
	ASSERT_OK(ret);
	ASSERT_ERRNO(access("/tmp/proc-subset/counter", F_OK) ? -errno : 0,
		     -ENOENT);
	return 0;
}

/*
 * hidepid=2: other users' processes, kernel threads too, are invisible.
 *
 * Result proc_hidepid_hides_the_thread: procfs mounted with `hidepid=2`: root
 * sees the thread's directory, `nobody` does not (and still reads
 * `/proc/counter`)
 */
TEST(counter, proc_hidepid_hides_the_thread)
{
	char path[64];
	pid_t pid = 0;

	ASSERT_EQ(kthreads_named("counter", &pid), 1);
	ASSERT_OK(mount_proc("/tmp/proc-hidepid", "hidepid=2"));
	snprintf(path, sizeof(path), "/tmp/proc-hidepid/%d", pid);
	ASSERT(!access(path, F_OK), "root does not see the thread %d", pid);
	ASSERT_OK(become_nobody());
	ASSERT(access(path, F_OK), "nobody sees the thread %d", pid);
	ASSERT(!access("/tmp/proc-hidepid/counter", R_OK),
	       "nobody cannot read /proc/counter there: %s", errname(errno));
	return 0;
}

/* A read whose copy to the user faults on a page nobody serves yet. */
struct stalled {
	char *page;
	ssize_t got;
	int err;
	int64_t done;
};

static void *stalled_read(void *arg)
{
	struct stalled *s = arg;
	int fd = open(COUNTER_PROC, O_RDONLY);

	s->got = fd >= 0 ? read(fd, s->page, 64) : -1;
	s->err = s->got < 0 ? errno : 0;
	s->done = now_ns();
	if (fd >= 0)
		close(fd);
	return NULL;
}

struct unload {
	int ret;
	int64_t done;
};

static void *unload_counter(void *arg)
{
	struct unload *u = arg;

	u->ret = module_unload("counter");
	u->done = now_ns();
	return NULL;
}

static int uffd_open(char **page, long size)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	int uffd = syscall(SYS_userfaultfd, O_CLOEXEC);

	if (uffd < 0)
		return -errno;
	*page = mmap(NULL, size, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	reg.range.start = (unsigned long)*page;
	reg.range.len = size;
	if (*page == MAP_FAILED || ioctl(uffd, UFFDIO_API, &api) ||
	    ioctl(uffd, UFFDIO_REGISTER, &reg)) {
		close(uffd);
		return -errno;
	}
	return uffd;
}

/*
 * procfs keeps an entry alive while a read is inside it: rmmod waits in
 * proc_remove() until the read is done, however long the reader stalls.
 *
 * Result rmmod_waits_for_a_stalled_read: a read stalled inside `read()` (its
 * buffer a `userfaultfd` page nobody serves): `rmmod` waits beside it for 1.5 s
 * with the module still there, ends within 100 ms (beyond the slowest of
 * three no-op unloads) once the page is served, and the reader gets its whole
 * line; the final count in the kernel log is the clock's when `rmmod` ends,
 * not when it began; module, entry and thread are gone
 */
TEST(counter, rmmod_waits_for_a_stalled_read)
{
	long size = sysconf(_SC_PAGESIZE);
	struct uffdio_zeropage zero = { 0 };
	struct stalled s = { 0 };
	struct unload u = { 0 };
	struct pollfd pfd;
	struct uffd_msg msg;
	pthread_t reader, unloader;
	int64_t served, noop_ns;
	int uffd, ret, stalled, live, whole, kfd, said;
	unsigned long n, final = 0;
	char line[128], log[512];

	uffd = uffd_open(&s.page, size);
	if (uffd == -ENOSYS || uffd == -EPERM)
		SKIP("no userfaultfd (CONFIG_USERFAULTFD): %s", strerror(-uffd));
	ASSERT(uffd >= 0, "userfaultfd: %s", strerror(-uffd));
	pthread_create(&reader, NULL, stalled_read, &s);
	pfd.fd = uffd;
	pfd.events = POLLIN;
	ret = poll(&pfd, 1, 5000) == 1 &&
	      read(uffd, &msg, sizeof(msg)) == sizeof(msg) &&
	      msg.event == UFFD_EVENT_PAGEFAULT;
	if (!ret) {
		close(uffd);	/* wakes the reader with a fault */
		pthread_join(reader, NULL);
		ASSERT(0, "the read did not fault on the registered page");
	}

	kfd = kmsg_from_now();
	pthread_create(&unloader, NULL, unload_counter, &u);
	sleep_ns(STALL_MS * NSEC_PER_MSEC);
	stalled = !u.done && !s.done;
	live = module_is_live("counter");

	zero.range.start = (unsigned long)s.page;
	zero.range.len = size;
	served = now_ns();
	ret = ioctl(uffd, UFFDIO_ZEROPAGE, &zero) ? -errno : 0;
	pthread_join(reader, NULL);
	pthread_join(unloader, NULL);
	close(uffd);
	whole = s.got > 0 && counter_parse(s.page, (size_t)s.got, &n) == 0;
	snprintf(line, sizeof(line), "%.*s", (int)(s.got > 0 ? s.got : 0), s.page);
	munmap(s.page, size);
	said = kmsg_since(kfd, "counter: unloaded", log, sizeof(log)) &&
	       sscanf(log, UNLOADED_LINE "%lu", &final) == 1;

	noop_ns = noop_unload_ns();
	test_msg("rmmod waited %d ms beside the stalled read, ended %.1f ms after the fault was served (a no-op module's rmmod: %.1f ms)",
		 STALL_MS, MS(u.done - served), MS(noop_ns));
	ASSERT_OK(ret);
	ASSERT(stalled && live, "rmmod did not wait for the read (%s)",
	       u.done ? "it returned" : "the read returned");
	ASSERT(u.ret == 0, "rmmod: %s", strerror(-u.ret));
	ASSERT(noop_ns >= 0, "load and unload noop.ko: %s", strerror((int)-noop_ns));
	ASSERT(MS(u.done - served - noop_ns) < MAX_RMMOD_AFTER_SERVE_MS,
	       "rmmod took %.1f ms after the read ended", MS(u.done - served));
	ASSERT(whole, "the stalled reader got %zd bytes (%s): \"%s\"", s.got,
	       strerror(s.err), line);
	ASSERT_NULL(counter_left());
	/* The thread counts on while rmmod waits: stopped only after. */
	ASSERT(said, "no final count in the kernel log");
	ASSERT(count_fits_clock(final, served, u.done),
	       "final count %lu: the read was served %.3f s after load",
	       final, SECS(served - counter_load_before));
	return 0;
}
