// SPDX-License-Identifier: GPL-2.0
/*
 * squatter - owns /proc/counter, so that loading counter.ko must fail to
 * create its entry and show that it leaves nothing behind.
 */
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>

static struct proc_dir_entry *squatter_entry;

static int squatter_show(struct seq_file *m, void *v)
{
	seq_puts(m, "squatter\n");
	return 0;
}

static int __init squatter_init(void)
{
	squatter_entry =
		proc_create_single("counter", 0444, NULL, squatter_show);
	return squatter_entry ? 0 : -ENOMEM;
}

static void __exit squatter_exit(void)
{
	proc_remove(squatter_entry);
}

module_init(squatter_init);
module_exit(squatter_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Holds /proc/counter to test counter.ko's failed load");
