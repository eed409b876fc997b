// SPDX-License-Identifier: GPL-2.0
/*
 * naive - the textbook counter, kept only as the benchmark's baseline and
 * never installed: a thread that sleeps a relative second and adds one,
 * losing the wake-up latency every tick, behind the same /proc/counter.
 */
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>

static struct task_struct *naive_task;
static struct proc_dir_entry *naive_entry;
static unsigned long naive_seconds;

static int naive_thread(void *unused)
{
	while (!kthread_should_stop()) {
		ssleep(1);
		WRITE_ONCE(naive_seconds, naive_seconds + 1);
	}
	return 0;
}

static int naive_show(struct seq_file *m, void *v)
{
	seq_printf(m, "The counter is now at: %lu\n", READ_ONCE(naive_seconds));
	return 0;
}

static int __init naive_init(void)
{
	naive_task = kthread_run(naive_thread, NULL, "naive");
	if (IS_ERR(naive_task))
		return PTR_ERR(naive_task);
	naive_entry = proc_create_single("counter", 0444, NULL, naive_show);
	if (!naive_entry) {
		kthread_stop(naive_task);
		return -ENOMEM;
	}
	return 0;
}

static void __exit naive_exit(void)
{
	proc_remove(naive_entry);
	kthread_stop(naive_task);
}

module_init(naive_init);
module_exit(naive_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Textbook ssleep(1); counter++ baseline for the benchmark");
