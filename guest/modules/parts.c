// SPDX-License-Identifier: GPL-2.0
/*
 * parts - counter.ko's two halves, one at a time, so that the benchmark can
 * tell what loading and unloading each costs: thread=1 starts and stops an
 * idle kthread the way counter.ko does, proc=1 makes and removes a
 * proc_create_single() entry. Never installed.
 */
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/seq_file.h>

static bool thread;
module_param(thread, bool, 0444);
MODULE_PARM_DESC(thread, "start and stop an idle kthread");

static bool proc;
module_param(proc, bool, 0444);
MODULE_PARM_DESC(proc, "create and remove /proc/parts");

static struct task_struct *parts_task;
static struct proc_dir_entry *parts_entry;

static int parts_thread(void *unused)
{
	while (!kthread_should_stop()) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (kthread_should_stop()) {
			__set_current_state(TASK_RUNNING);
			break;
		}
		schedule();
	}
	return 0;
}

static int parts_show(struct seq_file *m, void *v)
{
	seq_puts(m, "parts\n");
	return 0;
}

static int __init parts_init(void)
{
	if (thread) {
		parts_task = kthread_run(parts_thread, NULL, "parts");
		if (IS_ERR(parts_task))
			return PTR_ERR(parts_task);
	}
	if (proc) {
		parts_entry =
			proc_create_single("parts", 0444, NULL, parts_show);
		if (!parts_entry) {
			if (thread)
				kthread_stop(parts_task);
			return -ENOMEM;
		}
	}
	return 0;
}

static void __exit parts_exit(void)
{
	proc_remove(parts_entry);
	if (thread)
		kthread_stop(parts_task);
}

module_init(parts_init);
module_exit(parts_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("counter.ko's thread or proc entry alone, for the benchmark");
