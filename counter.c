// SPDX-License-Identifier: GPL-2.0
/*
 * counter - a kernel thread counts the seconds since the module was loaded,
 * and /proc/counter shows the count.
 *
 * The count is derived from CLOCK_BOOTTIME captured at load, not accumulated
 * tick by tick, so it cannot drift: the thread wakes at fixed deadlines
 * (load + 1 s, load + 2 s, ...) and publishes whole seconds elapsed. BOOTTIME
 * keeps running across suspend, so "seconds since load" stays true there too.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/freezer.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/timekeeping.h>

#define COUNTER_NAME "counter"

static ktime_t counter_start;
static struct task_struct *counter_task;
static struct proc_dir_entry *counter_entry;

/*
 * Whole seconds since load. One writer (the thread), any number of readers;
 * nothing else is published with it, so a single untorn word access is all
 * the synchronisation needed: READ_ONCE/WRITE_ONCE give exactly that for an
 * unsigned long (a 64-bit value could tear on 32-bit machines).
 */
static unsigned long counter_seconds;

/*
 * The arithmetic, in nanoseconds held in 64 bits (292 years) and nothing
 * narrower: no jiffies or milliseconds that wrap after 49 days on 32-bit.
 * Whole seconds from start to now:
 */
static unsigned long counter_whole_seconds(ktime_t start, ktime_t now)
{
	return (unsigned long)div_u64(ktime_to_ns(ktime_sub(now, start)),
				      NSEC_PER_SEC);
}

/* The instant the count becomes seconds + 1; 64-bit before the + 1. */
static ktime_t counter_next_tick(ktime_t start, unsigned long seconds)
{
	return ktime_add_ns(start, ((u64)seconds + 1) * NSEC_PER_SEC);
}

/*
 * ASSERT_EXCLUSIVE_WRITER() came with KCSAN in 5.8, through READ_ONCE()'s
 * headers; before it, there is nothing to assert with.
 */
#ifndef ASSERT_EXCLUSIVE_WRITER
#define ASSERT_EXCLUSIVE_WRITER(var) \
	do {                         \
	} while (0)
#endif

/*
 * The count's only write. Under KCSAN, the assertion has a write by anyone
 * else that KCSAN catches meeting it reported as a race; without KCSAN it
 * is nothing.
 */
static void counter_publish(unsigned long seconds)
{
	ASSERT_EXCLUSIVE_WRITER(counter_seconds);
	WRITE_ONCE(counter_seconds, seconds);
}

static int counter_thread(void *unused)
{
	set_freezable();
	while (!kthread_freezable_should_stop(NULL)) {
		unsigned long now = counter_whole_seconds(counter_start,
							  ktime_get_boottime());
		ktime_t deadline = counter_next_tick(counter_start, now);

		counter_publish(now);

		/*
		 * Interruptible, not uninterruptible: a thread asleep in D
		 * counts towards the load average, and before 6.1 the
		 * freezer woke only interruptible sleepers (kthread_stop()
		 * wakes any). The state is set before the stop check: a
		 * kthread_stop() after the check makes us runnable and
		 * schedule() returns.
		 */
		set_current_state(TASK_INTERRUPTIBLE);
		if (kthread_should_stop()) {
			__set_current_state(TASK_RUNNING);
			break;
		}
		/*
		 * The deadline is on BOOTTIME; the timer runs on MONOTONIC
		 * (schedule_hrtimeout_range_clock(), which takes BOOTTIME, is
		 * exported in mainline only since 6.0), where the same instant
		 * is earlier by the time spent in suspend. Armed absolute, so
		 * time lost before arming does not move the wake-up. No suspend
		 * comes in between: the freezer stops us at the top of the
		 * loop first, and after thaw the loop recomputes. No slack:
		 * N would be wrong for as long as the wake-up is late, and the
		 * thread's own slack is not ours to keep (anyone with
		 * CAP_SYS_NICE may raise it through /proc/PID/timerslack_ns).
		 */
		deadline =
			ktime_sub(deadline, ktime_mono_to_any(0, TK_OFFS_BOOT));
		schedule_hrtimeout_range(&deadline, 0, HRTIMER_MODE_ABS);
	}
	return 0;
}

static int counter_show(struct seq_file *m, void *v)
{
	seq_printf(m, "The counter is now at: %lu\n",
		   READ_ONCE(counter_seconds));
	return 0;
}

static int __init counter_init(void)
{
	int err;

	counter_start = ktime_get_boottime();

	counter_task = kthread_run(counter_thread, NULL, COUNTER_NAME);
	if (IS_ERR(counter_task)) {
		err = PTR_ERR(counter_task);
		pr_err("cannot start the counting thread: %d\n", err);
		goto err_out;
	}

	/*
	 * proc_create_single() (since 4.18) gives a seq_file: every read size
	 * and offset. Mode 0444 keeps all but root from opening it to write;
	 * a write by whoever may open it fails with EIO, for there is no
	 * write handler (pde_write()).
	 */
	counter_entry =
		proc_create_single(COUNTER_NAME, 0444, NULL, counter_show);
	if (!counter_entry) {
		err = -ENOMEM;
		pr_err("cannot create /proc/%s\n", COUNTER_NAME);
		goto err_stop_thread;
	}

	pr_info("loaded, counting seconds in /proc/%s\n", COUNTER_NAME);
	return 0;

err_stop_thread:
	kthread_stop(counter_task);
err_out:
	return err;
}

static void __exit counter_exit(void)
{
	/* Waits for readers inside counter_show(); later reads get EIO. */
	proc_remove(counter_entry);
	kthread_stop(counter_task);
	pr_info("unloaded, the counter was at %lu\n",
		READ_ONCE(counter_seconds));
}

module_init(counter_init);
module_exit(counter_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The counter developers");
MODULE_DESCRIPTION("A kthread counts the seconds since load in /proc/counter");
MODULE_VERSION("1.0.0");
