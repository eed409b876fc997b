// SPDX-License-Identifier: GPL-2.0
/*
 * slept - tells timekeeping that the machine slept for `days` days, as
 * rtc_resume() does after a suspend, so that the suite can load counter.ko
 * at a large uptime: CLOCK_BOOTTIME and the wall clock move on by that much
 * for the rest of the boot; CLOCK_MONOTONIC and jiffies do not move. Done
 * at load; the module does nothing after. Never installed.
 *
 * timekeeping_inject_sleeptime64() is built with PM_SLEEP and
 * RTC_HCTOSYS_DEVICE and is not exported; nor is kallsyms_lookup_name()
 * since 5.7, so a kprobe finds its address. Where there is no such
 * function, no kprobes, or no address that may be called, the load fails
 * with EOPNOTSUPP; any other failure is returned as it is.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/time64.h>
#ifdef CONFIG_X86_KERNEL_IBT
#include <asm/cpufeature.h>
#endif

#define SLEPT_MAX_DAYS 36500

static unsigned int days;
module_param(days, uint, 0444);
MODULE_PARM_DESC(days, "how long the machine slept, in days (1 to 36500)");

static int __init slept_init(void)
{
	struct kprobe kp = { .symbol_name = "timekeeping_inject_sleeptime64" };
	struct timespec64 delta = { .tv_sec = (time64_t)days * 86400 };
	void (*inject)(const struct timespec64 *delta);
	int err;

	if (!days || days > SLEPT_MAX_DAYS) {
		pr_err("days=%u: from 1 to %d\n", days, SLEPT_MAX_DAYS);
		return -EINVAL;
	}
	/* Every kprobe address on ppc64 is past the entry that sets r2. */
	if (IS_ENABLED(CONFIG_PPC64_ELF_ABI_V2)) {
		pr_err("no kprobe address may be called on ppc64\n");
		return -EOPNOTSUPP;
	}
#ifdef CONFIG_X86_KERNEL_IBT
	/* A kprobe's address is past the ENDBR: an indirect call would fault. */
	if (cpu_feature_enabled(X86_FEATURE_IBT)) {
		pr_err("indirect branch tracking is on\n");
		return -EOPNOTSUPP;
	}
#endif
	err = register_kprobe(&kp);
	if (!err) {
		unregister_kprobe(&kp);
	} else if (err == -ENOENT || err == -EOPNOTSUPP) {
		pr_err("no timekeeping_inject_sleeptime64() to probe: %d\n",
		       err);
		return -EOPNOTSUPP;
	} else if (err != -EINVAL || !kp.addr) {
		return err;
	}
	/*
	 * EINVAL with the address found: a probe on an ftrace site (the
	 * function's first instruction where its patchable entry is there,
	 * as on riscv64) is refused without KPROBES_ON_FTRACE, after
	 * register_kprobe() resolved the symbol into kp.addr.
	 */
	inject = (void (*)(const struct timespec64 *))kp.addr;
	inject(&delta);
	pr_info("the machine slept %u days\n", days);
	return 0;
}

static void __exit slept_exit(void)
{
}

module_init(slept_init);
module_exit(slept_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Tells timekeeping the machine slept; counter's tests");
