// SPDX-License-Identifier: GPL-2.0
/*
 * verdict_test - runs the verdict on crafted guest runs: a good one and one
 * with the excused warning (in either order) must pass; every other must fail.
 * A run may also name a line the verdict must print.
 *
 * Usage: verdict_test PATH/TO/verdict
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../guest/init.h"

/* The suite's list of what it runs, as it prints it after its plan. */
#define LIST TEST_PREFIX "alpha\n" TEST_PREFIX "beta\n"
#define BANNER "[    0.000000] Linux version 6.1.0-test (gcc) #1 SMP\n"
#define LOADED "[    1.000000] counter: loaded, counting seconds in /proc/counter\n"
#define KMSG KMSG_PREFIX "Linux version 6.1.0-test (gcc) #1 SMP\n" \
	KMSG_PREFIX "counter: loaded, counting seconds in /proc/counter\n"
#define END KMSG_END "\n" SUCCESS_MARKER "\n"
#define RESULTS RUN_PREFIX "alpha\nok 1 - alpha\n" RUN_PREFIX "beta\nok 2 - beta\n"
#define CUT_HERE_LINE "[    3.0] ------------[ cut here ]------------\n"
#define DUPLICATE_WARNING \
	"[    2.000000] ------------[ cut here ]------------\n" \
	"[    2.000001] proc_dir_entry '/proc/counter' already registered\n" \
	"[    2.000002] WARNING: CPU: 1 PID: 80 at fs/proc/generic.c:376 proc_register+0x10b/0x190\n" \
	"[    2.000003] Call Trace:\n" \
	"[    2.000004]  <TASK>\n" \
	"[    2.000005]  proc_create_single_data+0x3c/0x70\n" \
	"[    2.000006]  </TASK>\n" \
	"[    2.000007] ---[ end trace 0000000000000000 ]---\n"
/* 32-bit ARM prints the message after the header, and its own unwinder. */
#define DUPLICATE_WARNING_ARM \
	"[    2.000001] ------------[ cut here ]------------\n" \
	"[    2.000002] WARNING: CPU: 1 PID: 82 at fs/proc/generic.c:398 proc_register+0x18c/0x210\n" \
	"[    2.000003] proc_dir_entry '/proc/counter' already registered\n" \
	"[    2.000004]  unwind_backtrace from show_stack+0x18/0x1c\n" \
	"[    2.000005]  proc_register from proc_create_single_data+0x44/0x50\n" \
	"[    2.000007] ---[ end trace 0000000000000000 ]---\n"

/* KCSAN's report of a race of the module: its thread and a reader. */
#define KCSAN_MODULE_RACE \
	"[    5.000000] ==================================================================\n" \
	"[    5.000001] BUG: KCSAN: data-race in counter_show [counter] / counter_thread [counter]\n" \
	"[    5.000002] \n" \
	"[    5.000003] write to 0xffffffffc0002300 of 8 bytes by task 85 on cpu 1:\n" \
	"[    5.000004]  counter_thread+0x5c/0x120 [counter]\n" \
	"[    5.000005]  kthread+0x1a1/0x1d0\n" \
	"[    5.000006] \n" \
	"[    5.000007] read to 0xffffffffc0002300 of 8 bytes by task 90 on cpu 0:\n" \
	"[    5.000008]  counter_show+0x1f/0x50 [counter]\n" \
	"[    5.000009]  seq_read_iter+0x1c2/0x6a0\n" \
	"[    5.000010] \n" \
	"[    5.000011] value changed: 0x0000000000000004 -> 0x0000000000000005\n" \
	"[    5.000012] \n" \
	"[    5.000013] Reported by Kernel Concurrency Sanitizer on:\n" \
	"[    5.000014] CPU: 0 PID: 90 Comm: race_test Not tainted 6.1.0-test #1\n" \
	"[    5.000015] ==================================================================\n"
/*
 * KCSAN's report of a race in the kernel's own code, from an interrupt
 * that came while a reader was in counter_show(): the module shows in the
 * interrupted stack only.
 */
#define KCSAN_KERNEL_RACE \
	"[    6.000000] ==================================================================\n" \
	"[    6.000001] BUG: KCSAN: data-race in __hrtimer_run_queues / hrtimer_active\n" \
	"[    6.000002] \n" \
	"[    6.000003] write to 0xffff88803ec1c6d8 of 8 bytes by interrupt on cpu 0:\n" \
	"[    6.000004]  __hrtimer_run_queues+0x216/0x5a0\n" \
	"[    6.000005]  hrtimer_interrupt+0x1b9/0x3b0\n" \
	"[    6.000006]  __sysvec_apic_timer_interrupt+0x6b/0x1b0\n" \
	"[    6.000007]  counter_show+0x1f/0x50 [counter]\n" \
	"[    6.000008]  seq_read_iter+0x1c2/0x6a0\n" \
	"[    6.000009] \n" \
	"[    6.000010] read to 0xffff88803ec1c6d8 of 8 bytes by task 0 on cpu 1:\n" \
	"[    6.000011]  hrtimer_active+0x2c/0x80\n" \
	"[    6.000012]  hrtimer_try_to_cancel+0x1e/0x170\n" \
	"[    6.000013] \n" \
	"[    6.000014] Reported by Kernel Concurrency Sanitizer on:\n" \
	"[    6.000015] CPU: 1 PID: 0 Comm: swapper/1 Not tainted 6.1.0-test #1\n" \
	"[    6.000016] ==================================================================\n"

struct run {
	const char *name;
	int pass;		/* what the verdict must say */
	const char *plan, *tap, *console, *status;
};

/*
 * With no plan of its own, a run's stream has the right one (the two tests
 * and the host's checks) and the suite's list; one with its own has no list.
 */
static const struct run runs[] = {
	{ "a clean run passes", 1, NULL, RESULTS KMSG END, BANNER LOADED, "0" },
	{ "the duplicate-name warning is excused once", 1, NULL, RESULTS KMSG END,
	  BANNER LOADED DUPLICATE_WARNING, "0" },
	{ "the duplicate-name warning is excused with its message after it", 1,
	  NULL, RESULTS KMSG END, BANNER LOADED DUPLICATE_WARNING_ARM, "0" },
	{ "an empty console fails", 0, NULL, RESULTS KMSG END, "", "0" },
	{ "a console without the module's load line fails", 0, NULL,
	  RESULTS KMSG END, BANNER, "0" },
	{ "a plan of 1..0 fails", 0, "1..0", RESULTS KMSG END, BANNER LOADED, "0" },
	{ "fewer tests than the suite has fails", 0, NULL,
	  "ok 1 - alpha\n" KMSG END, BANNER LOADED, "0" },
	{ "a test reported under another name fails", 0, NULL,
	  "ok 1 - alpha\nok 2 - gamma\n" KMSG END, BANNER LOADED, "0" },
	{ "a failed test fails", 0, NULL, "ok 1 - alpha\nnot ok 2 - beta\n" KMSG END,
	  BANNER LOADED, "0" },
	{ "a bare Call Trace (dump_stack) fails", 0, NULL, RESULTS KMSG END,
	  BANNER LOADED "[    3.0] CPU: 0 PID: 1 Comm: init\n[    3.1] Call Trace:\n", "0" },
	{ "an injected allocation failure's dump passes between the marks", 1, NULL,
	  RESULTS KMSG END, BANNER LOADED "[    3.0] " FAULTS_ON_MARK "\n"
	  "[    3.1] counter_test: vmalloc error: size 12617, vm_struct allocation failed\n"
	  "[    3.2] Call Trace:\n[    3.3] " FAULTS_OFF_MARK "\n", "0" },
	{ "a WARNING between the fault-injection marks fails", 0, NULL,
	  RESULTS KMSG END, BANNER LOADED "[    3.0] " FAULTS_ON_MARK "\n"
	  "[    3.1] WARNING: CPU: 0 PID: 1 at kernel/x.c:1 f+0x0/0x1\n"
	  "[    3.3] " FAULTS_OFF_MARK "\n", "0" },
	{ "an allocation failure after the marks fails", 0, NULL, RESULTS KMSG END,
	  BANNER LOADED "[    3.0] " FAULTS_ON_MARK "\n[    3.3] " FAULTS_OFF_MARK "\n"
	  "[    3.4] init: vmalloc error: size 4096\n[    3.5] Call Trace:\n", "0" },
	{ "a page allocation failure fails", 0, NULL, RESULTS KMSG END,
	  BANNER LOADED "[    3.0] init: page allocation failure: order:0\n", "0" },
	{ "dropped printk messages fail", 0, NULL, RESULTS KMSG END,
	  BANNER LOADED "[    3.0] ** 5 printk messages dropped **\n", "0" },
	{ "a second duplicate-name warning fails", 0, NULL, RESULTS KMSG END,
	  BANNER LOADED DUPLICATE_WARNING DUPLICATE_WARNING, "0" },
	{ "a second duplicate-name warning, message after, fails", 0, NULL,
	  RESULTS KMSG END, BANNER LOADED DUPLICATE_WARNING DUPLICATE_WARNING_ARM, "0" },
	{ "another WARNING fails", 0, NULL, RESULTS KMSG END,
	  BANNER LOADED "[    3.0] WARNING: CPU: 0 PID: 1 at kernel/x.c:1 f+0x0/0x1\n", "0" },
	{ "a WARNING on the console's last line fails", 0, NULL, RESULTS KMSG END,
	  BANNER LOADED "[    3.0] WARNING: CPU: 0 PID: 1 at kernel/x.c:1 f+0x0/0x1", "0" },
	{ "a bare 32-bit ARM stack dump fails", 0, NULL, RESULTS KMSG END,
	  BANNER LOADED "[    3.0]  unwind_backtrace from show_stack+0x18/0x1c\n", "0" },
	{ "a lone cut-here line (a report cut short) fails", 0, NULL,
	  RESULTS KMSG END, BANNER LOADED CUT_HERE_LINE, "0" },
	{ "a cut-here line that no report header follows fails", 0, NULL,
	  RESULTS KMSG END, BANNER LOADED CUT_HERE_LINE
	  "[    3.1] counter: loaded, counting seconds in /proc/counter\n"
	  "[    3.2] counter: unloaded, the counter was at 0\n"
	  "[    3.3] counter: loaded, counting seconds in /proc/counter\n"
	  "[    3.4] counter: unloaded, the counter was at 0\n", "0" },
	{ "a lone 32-bit ARM cut-here line fails", 0, NULL, RESULTS KMSG END,
	  BANNER LOADED "[    3.0] 8<--- cut here ---\n", "0" },
	{ "a cut-here line only in the log read back fails", 0, NULL,
	  RESULTS KMSG KMSG_PREFIX "------------[ cut here ]------------\n" END,
	  BANNER LOADED, "0" },
	{ "the duplicate-name message after a cut-here, with no header, fails", 0,
	  NULL, RESULTS KMSG END, BANNER LOADED CUT_HERE_LINE
	  "[    3.1] proc_dir_entry '/proc/counter' already registered\n", "0" },
	{ "a cut-here line before the excused warning's fails", 0, NULL,
	  RESULTS KMSG END, BANNER LOADED CUT_HERE_LINE DUPLICATE_WARNING, "0" },
	{ "a task exiting with irqs disabled fails", 0, NULL, RESULTS KMSG END,
	  BANNER LOADED "[    3.0] note: counter[123] exited with irqs disabled\n", "0" },
	{ "a task exiting with preempt_count 1 fails", 0, NULL, RESULTS KMSG END,
	  BANNER LOADED "[    3.0] note: counter[123] exited with preempt_count 1\n", "0" },
	{ "a WARNING inside the excused warning's dump fails", 0, NULL,
	  RESULTS KMSG END, BANNER LOADED
	  "[    2.0] ------------[ cut here ]------------\n"
	  "[    2.1] proc_dir_entry '/proc/counter' already registered\n"
	  "[    2.2] WARNING: CPU: 1 PID: 80 at fs/proc/generic.c:376 proc_register+0x10b/0x190\n"
	  "[    2.3] Call Trace:\n"
	  "[    3.0] WARNING: CPU: 0 PID: 1 at kernel/x.c:1 f+0x0/0x1\n"
	  "[    3.1] Call Trace:\n"
	  "[    3.2] ---[ end trace 0000000000000000 ]---\n", "0" },
	{ "the success marker inside another line fails", 0, NULL,
	  RESULTS KMSG KMSG_END "\n# " SUCCESS_MARKER "\n", BANNER LOADED, "0" },
	{ "no success marker fails", 0, NULL, RESULTS KMSG KMSG_END "\n",
	  BANNER LOADED, "0" },
	{ "a kernel panic with QEMU status 0 fails", 0, NULL, RESULTS KMSG END,
	  BANNER LOADED "[    4.0] Kernel panic - not syncing: Fatal exception\n", "0" },
	{ "a warning only in the log read back (console late) fails", 0, NULL,
	  RESULTS KMSG KMSG_PREFIX "WARNING: CPU: 0 PID: 9 at kernel/x.c:1 f+0x0/0x1\n" END,
	  BANNER LOADED, "0" },
	{ "a log never read back fails", 0, NULL, RESULTS SUCCESS_MARKER "\n",
	  BANNER LOADED, "0" },
	{ "a timeout fails", 0, NULL, RESULTS KMSG END, BANNER LOADED, "124" },
	{ "no guest output at all fails", 0, "", "", BANNER LOADED, "0" },
	{ "a guest that listed no test fails", 0, "1..6", "", BANNER LOADED, "0" },
	{ "a result the guest did not list fails", 0, NULL,
	  RESULTS "ok 3 - gamma\n" KMSG END, BANNER LOADED, "0" },
	{ "a guest that died in a test names that test", 0, NULL,
	  RUN_PREFIX "alpha\n", BANNER LOADED
	  "[    4.0] Kernel panic - not syncing: Fatal exception\n", "0" },
	{ "a guest that died in a later test names it, not the first", 0, NULL,
	  RUN_PREFIX "alpha\nok 1 - alpha\n" RUN_PREFIX "beta\n", BANNER LOADED
	  "[    4.0] Kernel panic - not syncing: Fatal exception\n", "0" },
	{ "a KCSAN race of the module fails", 0, NULL, RESULTS KMSG END,
	  BANNER LOADED KCSAN_MODULE_RACE, "0" },
	{ "a KCSAN race of the module at unknown origin fails", 0, NULL,
	  RESULTS KMSG END, BANNER LOADED
	  "[    5.0] BUG: KCSAN: data-race in counter_show+0x1f/0x50 [counter]\n", "0" },
	{ "a KCSAN race of the module only in the log read back fails", 0, NULL,
	  RESULTS KMSG KMSG_PREFIX "BUG: KCSAN: assert: race in counter_thread [counter] / counter_show [counter]\n"
	  END, BANNER LOADED, "0" },
	{ "a KCSAN race in the kernel's own code passes, counted", 1, NULL,
	  RESULTS KMSG END, BANNER LOADED KCSAN_KERNEL_RACE KCSAN_KERNEL_RACE, "0" },
	{ "a KCSAN race of the module after one of the kernel's fails", 0, NULL,
	  RESULTS KMSG END, BANNER LOADED KCSAN_KERNEL_RACE KCSAN_MODULE_RACE, "0" },
	{ "a WARNING after a KCSAN race of the kernel's fails", 0, NULL,
	  RESULTS KMSG END, BANNER LOADED KCSAN_KERNEL_RACE
	  "[    7.0] WARNING: CPU: 0 PID: 1 at kernel/x.c:1 f+0x0/0x1\n", "0" },
	{ "a WARNING inside a KCSAN race of the kernel's fails", 0, NULL,
	  RESULTS KMSG END, BANNER LOADED
	  "[    6.000001] BUG: KCSAN: data-race in __hrtimer_run_queues / hrtimer_active\n"
	  "[    6.000002] WARNING: CPU: 1 PID: 1 at kernel/x.c:1 f+0x0/0x1\n"
	  "[    6.000003]  __hrtimer_run_queues+0x216/0x5a0\n", "0" },
};

/* Lines the verdict must print for a run, by the run's name. */
static const struct {
	const char *run, *says;
} sayings[] = {
	{ "a KCSAN race of the module fails",
	  "# console (KCSAN): [    5.000001] BUG: KCSAN: data-race in counter_show [counter]" },
	{ "a KCSAN race in the kernel's own code passes, counted",
	  "# console: 2 KCSAN report(s) of races in the kernel's own code" },
	{ "a KCSAN race in the kernel's own code passes, counted",
	  "#   2 x data-race in __hrtimer_run_queues / hrtimer_active" },
	{ "a guest that listed no test fails", "# the guest listed no test" },
	{ "a result the guest did not list fails",
	  "# result 3 (gamma) is not test 3 of the list" },
	{ "a guest that died in a test names that test",
	  "not ok 1 - alpha # the guest stopped during this test" },
	{ "a guest that died in a test names that test",
	  "not ok 2 - beta # never reported" },
	{ "a guest that died in a later test names it, not the first",
	  "not ok 2 - beta # the guest stopped during this test" },
};

static int write_file(const char *path, const char *a, const char *b)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(a, f);
	fputs(b, f);
	return fclose(f);
}

static int run_verdict(const char *verdict, const char *dir, const char *status)
{
	char tap[256], console[256], out[256];
	int wstatus;
	pid_t pid;

	snprintf(tap, sizeof(tap), "%s/tap", dir);
	snprintf(console, sizeof(console), "%s/console", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		if (!freopen(out, "w", stdout))
			_exit(127);
		execl(verdict, verdict, tap, console, status, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &wstatus, 0) < 0 || !WIFEXITED(wstatus))
		return -1;
	return WEXITSTATUS(wstatus);
}

/*
 * Whether the verdict's output in dir has, for each line sayings[] has for
 * the run, a line that starts with it; *missing gets the first it lacks.
 */
static int verdict_says(const char *dir, const char *run, const char **missing)
{
	char path[256], line[1024];
	size_t i;

	snprintf(path, sizeof(path), "%s/out", dir);
	for (i = 0; i < sizeof(sayings) / sizeof(sayings[0]); i++) {
		int found = 0;
		FILE *f;

		if (strcmp(sayings[i].run, run))
			continue;
		f = fopen(path, "r");
		while (f && !found && fgets(line, sizeof(line), f))
			found = !strncmp(line, sayings[i].says, strlen(sayings[i].says));
		if (f)
			fclose(f);
		if (!found) {
			*missing = sayings[i].says;
			return 0;
		}
	}
	return 1;
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/verdict_test.XXXXXX", path[256], plan[64], cmd[512];
	int checks = 0, passed = 0, failed = 0;
	size_t i;
	FILE *p;

	if (argc != 2) {
		fprintf(stderr, "usage: %s PATH/TO/verdict\n", argv[0]);
		return 2;
	}
	snprintf(cmd, sizeof(cmd), "%s --host-checks", argv[1]);
	p = popen(cmd, "r");
	if (!p || fscanf(p, "%d", &checks) != 1 || checks <= 0) {
		fprintf(stderr, "verdict_test: %s says no host checks\n", argv[1]);
		return 2;
	}
	pclose(p);
	if (!mkdtemp(dir))
		return 2;

	printf("TAP version 13\n1..%zu\n", sizeof(runs) / sizeof(runs[0]));
	for (i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		const struct run *r = &runs[i];
		const char *missing = NULL;
		int ret, ok, said;

		if (r->plan)
			snprintf(plan, sizeof(plan), "%s%s", r->plan,
				 r->plan[0] ? "\n" : "");
		else
			snprintf(plan, sizeof(plan), "1..%d\n", 2 + checks);
		snprintf(path, sizeof(path), "%s/tap", dir);
		write_file(path, r->plan && !r->plan[0] ? "" : "TAP version 13\n",
			   "");
		p = fopen(path, "a");
		if (p) {
			fputs(plan, p);
			if (!r->plan)
				fputs(LIST, p);
			fputs(r->tap, p);
			fclose(p);
		}
		snprintf(path, sizeof(path), "%s/console", dir);
		write_file(path, r->console, "");
		ret = run_verdict(argv[1], dir, r->status);
		ok = r->pass ? ret == 0 : ret == 1;
		said = verdict_says(dir, r->name, &missing);
		passed += ok && said;
		failed += !ok || !said;
		printf("%sok %zu - %s", ok && said ? "" : "not ", i + 1, r->name);
		if (!ok)
			printf(" # verdict exited %d", ret);
		else if (!said)
			printf(" # verdict did not say \"%s\"", missing);
		printf("\n");
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		fprintf(stderr, "verdict_test: could not remove %s\n", dir);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
