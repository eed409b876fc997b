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

#define NOBODY 65534
#define TIMENS_OFFSET_S 1000000
#define STALL_MS 1500
/* Beyond what unloading a no-op module takes on the same machine. */
#define MAX_RMMOD_AFTER_SERVE_MS 250.0

/* Runs fn in a child process; its exit status, or -1. */
static int in_child(int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn(arg));
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* 0 if a read now fits the clock, 1 if it does not, 2 if it failed. */
static int read_fits_clock(void)
{
	unsigned long n;
	int64_t a = now_ns(), b;
	int ret = counter_read(&n);

	b = now_ns();
	if (ret)
		return 2;
	return count_fits_clock(n, a, b) ? 0 : 1;
}

static int child_read_fits_clock(void *unused)
{
	(void)unused;
	return read_fits_clock();
}

static int as_nobody_read(void *unused)
{
	(void)unused;
	if (setgid(NOBODY) || setuid(NOBODY))
		return 3;
	return read_fits_clock();
}

TEST(counter, unprivileged_user_reads_the_line)
{
	int status = in_child(as_nobody_read, NULL);

	ASSERT(status == 0, "nobody's read: %s",
	       status == 1 ? "off the clock" : status == 2 ? "failed" :
	       "could not become nobody");
	return 0;
}

/*
 * Root in a new user namespace with no mapping written, as in a container
 * whose root maps to another host uid: /proc/counter's owner (host root)
 * is unmapped there, so the namespace's capabilities do not apply to it.
 */
static int userns_root_writes(void *unused)
{
	int fd;

	(void)unused;
	if (unshare(CLONE_NEWUSER))
		return errno == EINVAL || errno == EPERM ? 100 : 101;
	fd = open(COUNTER_PROC, O_WRONLY);
	if (fd >= 0) {
		close(fd);
		return 102;
	}
	return errno == EACCES ? 0 : 103;
}

TEST(counter, root_in_a_user_namespace_gets_eacces)
{
	unsigned long before, after;
	int status;

	EXPECT(counter_read(&before) == 0, "read before");
	status = in_child(userns_root_writes, NULL);
	EXPECT(counter_read(&after) == 0 && after >= before &&
	       count_fits_clock(after, now_ns(), now_ns()),
	       "the count changed from %lu to %lu", before, after);
	if (status == 100)
		SKIP("no user namespaces (CONFIG_USER_NS)");
	ASSERT(status == 0, "open for write in the namespace: %s",
	       status == 102 ? "succeeded" : status == 103 ? "not EACCES" :
	       "unshare failed");
	return 0;
}

/* In a time namespace whose boottime is a million seconds on. */
static int timens_read(void *unused)
{
	char offsets[64];

	(void)unused;
	if (unshare(CLONE_NEWTIME))
		return errno == EINVAL || errno == EPERM ? 100 : 101;
	snprintf(offsets, sizeof(offsets), "boottime %d 0\n", TIMENS_OFFSET_S);
	if (write_file("/proc/self/timens_offsets", offsets))
		return 104;
	/* Only children are born into the namespace. */
	return in_child(child_read_fits_clock, NULL);
}

TEST(counter, time_namespace_sees_the_same_count)
{
	int status = in_child(timens_read, NULL);

	if (status == 100)
		SKIP("no time namespaces (CONFIG_TIME_NS, Linux 5.6)");
	ASSERT(status == 0, "reader with boottime + %d s: %s", TIMENS_OFFSET_S,
	       status == 1 ? "count off the host's clock" :
	       status == 2 ? "read failed" : "setting up the namespace failed");
	return 0;
}

static int mount_proc(const char *dir, const char *opts)
{
	mkdir(dir, 0755);
	return mount("proc", dir, "proc", 0, opts) ? -errno : 0;
}

/* subset=pid (Linux 5.8) shows only the processes: no /proc/counter. */
TEST(counter, proc_subset_pid_hides_the_entry)
{
	int ret, err;

	ret = mount_proc("/tmp/proc-subset", "subset=pid");
	err = access("/tmp/proc-subset/counter", F_OK) ? errno : 0;
	if (!ret)
		umount("/tmp/proc-subset");
	if (ret == -EINVAL)
		SKIP("procfs has no subset=pid (Linux 5.8)");
	ASSERT(ret == 0, "mount -o subset=pid: %s", strerror(-ret));
	ASSERT(err == ENOENT, "counter in a subset=pid procfs: %s",
	       err ? strerror(err) : "visible");
	return 0;
}

struct hidden {
	pid_t pid;
};

static int nobody_sees_thread(void *arg)
{
	struct hidden *h = arg;
	char path[64];

	if (setgid(NOBODY) || setuid(NOBODY))
		return 3;
	snprintf(path, sizeof(path), "/tmp/proc-hidepid/%d", h->pid);
	if (!access(path, F_OK))
		return 1;
	return access("/tmp/proc-hidepid/counter", R_OK) ? 2 : 0;
}

/* hidepid=2: other users' processes, kernel threads too, are invisible. */
TEST(counter, proc_hidepid_hides_the_thread)
{
	struct hidden h = { 0 };
	char path[64];
	int ret, status = -1, root_sees;

	kthreads_named("counter", &h.pid);
	ret = mount_proc("/tmp/proc-hidepid", "hidepid=2");
	snprintf(path, sizeof(path), "/tmp/proc-hidepid/%d", h.pid);
	root_sees = !access(path, F_OK);
	if (!ret) {
		status = in_child(nobody_sees_thread, &h);
		umount("/tmp/proc-hidepid");
	}
	ASSERT(ret == 0, "mount -o hidepid=2: %s", strerror(-ret));
	ASSERT(root_sees, "root does not see the thread %d", h.pid);
	ASSERT(status == 0, "as nobody: %s",
	       status == 1 ? "the thread is visible" :
	       status == 2 ? "/proc/counter is not readable" : "setup failed");
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
	int uffd, ret, stalled, live, whole;
	unsigned long n;
	char line[128];

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

	noop_ns = noop_unload_ns();
	test_msg("rmmod waited %d ms beside the stalled read, ended %.1f ms after the fault was served (a no-op module's rmmod: %.1f ms)",
		       STALL_MS, (double)(u.done - served) / NSEC_PER_MSEC,
		       (double)noop_ns / NSEC_PER_MSEC);
	ASSERT(ret == 0, "UFFDIO_ZEROPAGE: %s", strerror(-ret));
	ASSERT(stalled && live, "rmmod did not wait for the read (%s)",
	       u.done ? "it returned" : "the read returned");
	ASSERT(u.ret == 0, "rmmod: %s", strerror(-u.ret));
	ASSERT(noop_ns >= 0, "load and unload noop.ko: %s", strerror((int)-noop_ns));
	ASSERT((double)(u.done - served - noop_ns) / NSEC_PER_MSEC <
	       MAX_RMMOD_AFTER_SERVE_MS,
	       "rmmod took %.1f ms after the read ended",
	       (double)(u.done - served) / NSEC_PER_MSEC);
	ASSERT(whole, "the stalled reader got %zd bytes (%s): \"%s\"", s.got,
	       strerror(s.err), line);
	ASSERT(!module_is_live("counter") && access(COUNTER_PROC, F_OK),
	       "the module or its entry is still there");
	return 0;
}
