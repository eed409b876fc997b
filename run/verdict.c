// SPDX-License-Identifier: GPL-2.0
/*
 * verdict - judges one guest run from the host, and ends its TAP stream.
 *
 * Usage: verdict TAP_LOG CONSOLE_LOG QEMU_STATUS
 *        verdict --host-checks          how many results it appends
 *        verdict --marker TAP_LOG QEMU_STATUS   (demo, bench: the marker only)
 *        verdict --reports TAP_LOG CONSOLE_LOG  (a graded run's kernel reports)
 *
 * TAP_LOG is what the guest wrote on its second serial port: the suite's
 * TAP stream, the kernel log its init read back from /dev/kmsg, and init's
 * success marker. CONSOLE_LOG is the kernel console. The suite names the
 * tests it runs in its stream, after its plan (TEST_PREFIX lines, in
 * guest/init.h), and each test as it starts (RUN_PREFIX).
 *
 * Every test of that list must report, in order and by name, under a plan
 * that counts them and the host's checks; a guest that listed no test
 * fails. A test that never reported is appended as failed: the one that
 * was running when the guest stopped as such, the others as never
 * reported. Then come the host's checks, numbered on: QEMU
 * powered off by itself, init wrote its marker on a line of its own, the
 * console holds the boot banner and the module's load line (as counter, or
 * as counter_kunit: counter.c built with its suite), and neither
 * the console nor the read-back log holds a kernel report: a WARN, BUG,
 * oops, panic, a stack dump of any kind, a detector's report, or dropped
 * messages. One warning is excused, once: the proc core's complaint about
 * a duplicate /proc/counter, which the failed-load test provokes; its
 * message comes just before the "WARNING:" header on most architectures
 * and just after it on 32-bit ARM. Between
 * the suite's fault-injection marks, the allocation failures it injects
 * are reported with a stack dump (warn_alloc()): those are excused there.
 * A "cut here" line that no report header follows is a report cut short,
 * and a task's exit with interrupts or preemption still disabled (the
 * notes kernel/exit.c prints) is a report too.
 * KCSAN's reports are told apart by kcsan_line(): a race of the module
 * fails, a race in the kernel's own code is named and counted.
 *
 * The last line is "N passed, N failed" (", N skipped" when any were).
 *
 * --reports judges a graded run's kernel log and console the same way, and
 * prints each report as "REPORT<tab>SUBMISSION<tab>TEST<tab>DETECTOR<tab>
 * LINE": the submission and test whose marks (KMSG_RUN_MARK) came last
 * before it. The read-back log, when whole, else the console.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../guest/init.h"

#define MAX_LINE 4096
#define MAX_TESTS 256
#define HOST_CHECKS 6
#define TIMEOUT_STATUS 124
#define ALLOWED_WARNING "proc_dir_entry '/proc/counter' already registered"
#define BOOT_BANNER "Linux version "
#define LOAD_LINE "counter: loaded"
/* counter.c built with its KUnit suite, the only load of a run of that test. */
#define KUNIT_LOAD_LINE "counter_kunit: loaded"
/* What WARN() and BUG() print first ("8<--- cut here ---" on 32-bit ARM). */
#define CUT_HERE "cut here"
/* How many lines (WARN()'s message) may come between it and the header. */
#define CUT_HERE_LINES 3
#define MAX_RACES 32

/* Text that only appears when the kernel found a problem. */
static const struct {
	const char *text, *detector;
} reports[] = {
	{ "KASAN:", "KASAN" },
	{ "UBSAN:", "UBSAN" },
	{ "suspected memory leak", "kmemleak" },
	{ "unreferenced object", "kmemleak" },
	{ "ODEBUG:", "DEBUG_OBJECTS" },
	{ "possible recursive locking", "lockdep" },
	{ "possible circular locking", "lockdep" },
	{ "inconsistent lock state", "lockdep" },
	{ "suspicious RCU usage", "lockdep" },
	{ "sleeping function called from invalid context", "DEBUG_ATOMIC_SLEEP" },
	{ "scheduling while atomic", "DEBUG_ATOMIC_SLEEP" },
	{ "list_add corruption", "DEBUG_LIST" },
	{ "list_del corruption", "DEBUG_LIST" },
	{ "Redzone", "SLUB debug" },
	{ "Poison overwritten", "SLUB debug" },
	{ "Object padding overwritten", "SLUB debug" },
	{ "refcount_t:", "refcount" },
	{ "INFO: task", "hung task" },
	{ "soft lockup", "lockup detector" },
	{ "hard LOCKUP", "lockup detector" },
	{ "detected stall", "RCU stall" },
	{ "general protection fault", "oops" },
	{ "Unable to handle", "oops" },
	{ "Oops", "oops" },
	{ "Kernel panic", "panic" },
	{ "WARNING:", "WARN" },
	{ "BUG:", "BUG" },
	{ "BUG ", "BUG" },
	{ "Call Trace:", "stack dump" },
	{ "Call trace:", "stack dump" },
	{ "Backtrace:", "stack dump" },
	{ " from show_stack", "stack dump" },	/* 32-bit ARM's unwinder */
	{ "page allocation failure", "allocation failure" },
	{ "vmalloc error:", "allocation failure" },
	{ "printk messages dropped", "lost messages" },
	/* kernel/exit.c, on a task that exits in atomic context. */
	{ "exited with irqs disabled", "exit with irqs disabled" },
	{ "exited with preempt_count", "exit in atomic context" },
};

#define N_REPORTS (sizeof(reports) / sizeof(reports[0]))

/* Reads kernel log lines, one source at a time, and counts reports. */
struct log_judge {
	const char *source;
	char recent[3][MAX_LINE];
	char pending[MAX_LINE];	/* a warning whose message may come next */
	char cut_here[MAX_LINE]; /* a "cut here" whose header may come next */
	int after_cut_here;	/* lines since it */
	int in_excused;		/* inside the excused warning's dump */
	int excused;		/* the excused warning was seen */
	int injecting;		/* between the fault-injection marks */
	int injected;		/* reports of injected failures excused */
	int bad;
	int banner, load_line;
	/* In a graded run: the submission and test the log is in. */
	int attribute;
	char submission[128], test[128];
	/* KCSAN's reports of races in the kernel's own code, by title. */
	int kernel_races, nraces;
	struct {
		char title[256];
		int count;
	} races[MAX_RACES];
};

static int passed, failed, skipped, numbered;

static void result(int ok, const char *what, const char *why)
{
	numbered++;
	if (ok)
		passed++;
	else
		failed++;
	printf("%sok %d - %s%s%s\n", ok ? "" : "not ", numbered, what,
	       why ? " # " : "", why ? why : "");
}

static void chomp(char *s)
{
	s[strcspn(s, "\r\n")] = '\0';
}

static int recently(struct log_judge *j, const char *text)
{
	int i;

	for (i = 0; i < 3; i++)
		if (strstr(j->recent[i], text))
			return 1;
	return 0;
}

static void report(struct log_judge *j, const char *detector, const char *line)
{
	if (j->attribute)
		printf("REPORT\t%s\t%s\t%s\t%s\n", j->submission[0] ? j->submission : "-",
		       j->test[0] ? j->test : "-", detector, line);
	else
		printf("# %s (%s): %s\n", j->source, detector, line);
	j->bad++;
}

/* A graded run's marks: the submission, then each test, as it begins. */
static void attribute_line(struct log_judge *j, const char *line)
{
	static const char sub_mark[] = "counter_test: submission ";
	const char *p;

	p = strstr(line, sub_mark);
	if (p) {
		snprintf(j->submission, sizeof(j->submission), "%s", p + strlen(sub_mark));
		j->test[0] = '\0';
		/* Each submission's failed-load test provokes its own. */
		j->excused = j->in_excused = 0;
	}
	p = strstr(line, KMSG_RUN_MARK);
	if (p)
		snprintf(j->test, sizeof(j->test), "%s", p + strlen(KMSG_RUN_MARK));
}

/* The end of a source: a warning held back is a warning. */
static void judge_end(struct log_judge *j)
{
	if (j->pending[0])
		report(j, "WARN", j->pending);
	j->pending[0] = '\0';
}

/*
 * WARN() and BUG() open with a "cut here" line; the report's header
 * ("WARNING:", "kernel BUG at") follows at once or after WARN()'s message.
 * The line waits in cut_here for a report: one that follows takes it in,
 * and is judged by itself (excused, if it is the expected warning). A
 * "cut here" that no report follows within CUT_HERE_LINES lines, or before
 * the end of its source, is a report cut short.
 */
static void cut_here_line(struct log_judge *j, const char *line, int is_report)
{
	int cut = !!strstr(line, CUT_HERE);

	if (j->cut_here[0] &&
	    (is_report || cut || ++j->after_cut_here > CUT_HERE_LINES)) {
		if (!is_report)
			report(j, "report cut short", j->cut_here);
		j->cut_here[0] = '\0';
	}
	if (cut) {
		snprintf(j->cut_here, sizeof(j->cut_here), "%s", line);
		j->after_cut_here = 0;
	}
}

static void cut_here_end(struct log_judge *j)
{
	if (j->cut_here[0])
		report(j, "report cut short", j->cut_here);
	j->cut_here[0] = '\0';
}

/*
 * Inside the excused warning's dump, to its "end trace", only its stack
 * dump is excused: any other report there is another report.
 */
static int in_excused_dump(const struct log_judge *j, size_t i)
{
	return j->in_excused && !strcmp(reports[i].detector, "stack dump");
}

/*
 * KCSAN's reports: a rule, "BUG: KCSAN: data-race in A / B" (or "assert:
 * race in", or one function for a race of unknown origin), the two
 * accesses with their stacks, "Reported by ...", and a closing rule. The
 * title names the functions that made the accesses: when one of them is
 * the module's ("counter_show [counter]"), the race is the module's, and
 * fails the run like any report. Otherwise the race is in the kernel's own
 * code, even when a function of the module shows deeper in a stack (an
 * interrupt that raced with the kernel while a reader was in
 * counter_show()): it is counted by title, and the run's output lists it.
 * The report's other lines hold nothing a report is known by, and are
 * judged as any line is. Returns whether the line was a title.
 */
static int kcsan_line(struct log_judge *j, const char *line)
{
	const char *title = strstr(line, KCSAN_TITLE);
	int i;

	if (!title)
		return 0;
	title += strlen(KCSAN_TITLE);
	if (strstr(title, MODULE_TAG) || strstr(title, KUNIT_MODULE_TAG)) {
		report(j, "KCSAN", line);
		return 1;
	}
	j->kernel_races++;
	for (i = 0; i < j->nraces; i++)
		if (!strcmp(j->races[i].title, title))
			break;
	if (i == j->nraces && j->nraces < MAX_RACES)
		snprintf(j->races[j->nraces++].title, sizeof(j->races[0].title),
			 "%s", title);
	if (i < j->nraces)
		j->races[i].count++;
	return 1;
}

static void print_kernel_races(const struct log_judge *j)
{
	int i;

	if (!j->kernel_races)
		return;
	printf("# %s: %d KCSAN report(s) of races in the kernel's own code, not the module's:\n",
	       j->source, j->kernel_races);
	for (i = 0; i < j->nraces; i++)
		printf("#   %d x %s\n", j->races[i].count, j->races[i].title);
}

static void judge_line(struct log_judge *j, const char *line)
{
	size_t i;

	if (j->pending[0] && !j->excused && strstr(line, ALLOWED_WARNING)) {
		j->pending[0] = '\0';
		j->excused = j->in_excused = 1;
	}
	judge_end(j);
	if (j->attribute)
		attribute_line(j, line);

	if (strstr(line, FAULTS_ON_MARK))
		j->injecting = 1;
	if (strstr(line, FAULTS_OFF_MARK))
		j->injecting = 0;
	if (strstr(line, BOOT_BANNER))
		j->banner = 1;
	if (strstr(line, LOAD_LINE) || strstr(line, KUNIT_LOAD_LINE))
		j->load_line = 1;
	if (kcsan_line(j, line)) {
		memmove(j->recent[1], j->recent[0], sizeof(j->recent[0]) * 2);
		snprintf(j->recent[0], sizeof(j->recent[0]), "%s", line);
		return;
	}
	for (i = 0; i < N_REPORTS; i++)
		if (strstr(line, reports[i].text))
			break;
	cut_here_line(j, line, i < N_REPORTS);
	/*
	 * The excused warning's message comes just before its "WARNING:"
	 * header, or on 32-bit ARM just after it: any other warning waits a
	 * line in pending. Its dump ends with "end trace".
	 */
	if (i < N_REPORTS && !j->excused && !strcmp(reports[i].text, "WARNING:")) {
		if (recently(j, ALLOWED_WARNING))
			j->excused = j->in_excused = 1;
		else
			snprintf(j->pending, sizeof(j->pending), "%s", line);
	} else if (i < N_REPORTS && j->injecting &&
		   (!strcmp(reports[i].detector, "allocation failure") ||
		    !strcmp(reports[i].detector, "stack dump"))) {
		/* warn_alloc() on a failure the suite injected: its dump. */
		j->injected++;
	} else if (i < N_REPORTS && !in_excused_dump(j, i)) {
		report(j, reports[i].detector, line);
	}
	if (j->in_excused && strstr(line, "---[ end trace"))
		j->in_excused = 0;
	memmove(j->recent[1], j->recent[0], sizeof(j->recent[0]) * 2);
	snprintf(j->recent[0], sizeof(j->recent[0]), "%s", line);
}

/* The text of "ok N - name" or "not ok N - name # ...", split up. */
static int parse_result(const char *line, int *ok, int *num, char *name,
			size_t len, int *skip)
{
	const char *p = line, *dash, *hash;
	size_t n;

	*ok = strncmp(p, "not ", 4) != 0;
	if (!*ok)
		p += 4;
	if (strncmp(p, "ok ", 3) || sscanf(p + 3, "%d", num) != 1)
		return -1;
	dash = strstr(p, " - ");
	if (!dash)
		return -1;
	dash += 3;
	hash = strstr(dash, " # ");
	n = hash ? (size_t)(hash - dash) : strlen(dash);
	snprintf(name, len, "%.*s", (int)n, dash);
	*skip = hash && !strncmp(hash, " # SKIP", 7);
	return 0;
}

/*
 * What the guest ran: its plan, the results it listed (in names, each with
 * the number of the test it belongs to), which test it started last, and
 * how many results it reported.
 */
struct guest_run {
	int plan, reported, marker, kmsg_end, count, tests, running;
	char names[MAX_TESTS][128];
	int test_of[MAX_TESTS];
};

/* A TEST_PREFIX line: one test's results, separated by spaces. */
static void list_test(struct guest_run *run, const char *line)
{
	char buf[MAX_LINE], *name, *save;

	snprintf(buf, sizeof(buf), "%s", line);
	run->tests++;
	for (name = strtok_r(buf, " ", &save); name && run->count < MAX_TESTS;
	     name = strtok_r(NULL, " ", &save)) {
		snprintf(run->names[run->count], sizeof(run->names[0]), "%s", name);
		run->test_of[run->count++] = run->tests;
	}
}

/* A RUN_PREFIX line: the test whose first result it names started. */
static void run_test(struct guest_run *run, const char *name)
{
	int i;

	for (i = 0; i < run->count; i++)
		if (!strcmp(run->names[i], name) &&
		    (i == 0 || run->test_of[i - 1] != run->test_of[i]))
			run->running = run->test_of[i];
}

static void read_tap(const char *path, int judge_results,
		     struct guest_run *run, struct log_judge *kmsg)
{
	char line[MAX_LINE], name[128];
	FILE *f = fopen(path, "r");

	memset(run, 0, sizeof(*run));
	run->plan = -1;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		int ok, num, skip;

		chomp(line);
		if (!strcmp(line, SUCCESS_MARKER)) {
			run->marker = 1;
		} else if (!strcmp(line, KMSG_END)) {
			run->kmsg_end = 1;
		} else if (!strncmp(line, KMSG_PREFIX, strlen(KMSG_PREFIX))) {
			judge_line(kmsg, line + strlen(KMSG_PREFIX));
		} else if (run->plan < 0 && sscanf(line, "1..%d", &num) == 1) {
			run->plan = num;
		} else if (!strncmp(line, TEST_PREFIX, strlen(TEST_PREFIX))) {
			list_test(run, line + strlen(TEST_PREFIX));
		} else if (!strncmp(line, RUN_PREFIX, strlen(RUN_PREFIX))) {
			run_test(run, line + strlen(RUN_PREFIX));
		} else if (judge_results &&
			   !parse_result(line, &ok, &num, name, sizeof(name), &skip)) {
			int good = num == run->reported + 1 && num <= run->count &&
			       !strcmp(name, run->names[num - 1]);
			if (!good)
				printf("# result %d (%s) is not test %d of the list\n",
				       num, name, run->reported + 1);
			run->reported++;
			skipped += good && ok && skip;
			passed += good && ok && !skip;
			failed += !good || !ok;
		}
	}
	judge_end(kmsg);
	cut_here_end(kmsg);
	fclose(f);
}

static void read_console(const char *path, struct log_judge *j)
{
	char line[MAX_LINE];
	FILE *f = fopen(path, "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		chomp(line);
		judge_line(j, line);
	}
	judge_end(j);
	cut_here_end(j);
	fclose(f);
}

static int marker_only(const char *tap, const char *status)
{
	struct log_judge kmsg = { .source = "kernel log" };
	static struct guest_run run;

	read_tap(tap, 0, &run, &kmsg);
	return run.marker && atoi(status) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct log_judge console = { .source = "console" };
	struct log_judge kmsg = { .source = "kernel log" };
	static struct guest_run run;
	char why[128];
	int status, count, i;

	if (argc == 2 && !strcmp(argv[1], "--host-checks")) {
		printf("%d\n", HOST_CHECKS);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "--marker"))
		return marker_only(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "--reports")) {
		kmsg.attribute = console.attribute = 1;
		read_tap(argv[2], 0, &run, &kmsg);
		if (!run.kmsg_end)
			read_console(argv[3], &console);
		return 0;
	}
	if (argc != 4) {
		fprintf(stderr, "usage: %s TAP_LOG CONSOLE_LOG QEMU_STATUS\n", argv[0]);
		return 2;
	}
	status = atoi(argv[3]);
	read_tap(argv[1], 1, &run, &kmsg);
	count = run.count;

	/* Keep the stream whole: a guest that never got going planned nothing. */
	if (run.plan < 0)
		printf("TAP version 13\n1..%d\n", count + HOST_CHECKS);
	if (!count)
		printf("# the guest listed no test\n");
	numbered = run.reported;
	for (i = run.reported; i < count; i++)
		result(0, run.names[i], run.test_of[i] == run.running ?
		       "the guest stopped during this test" : "never reported");

	snprintf(why, sizeof(why), "plan 1..%d, expected 1..%d", run.plan,
		 count + HOST_CHECKS);
	result(count && run.plan == count + HOST_CHECKS && run.reported == count,
	       "the guest planned and reported every test of the suite",
	       run.plan == count + HOST_CHECKS ? NULL : why);
	snprintf(why, sizeof(why), "QEMU status %d", status);
	result(status == 0, "guest powered off by itself",
	       status == TIMEOUT_STATUS ? "timed out" : status ? why : NULL);
	result(run.marker, "guest init saw every test pass", NULL);

	read_console(argv[2], &console);
	result(console.banner && console.load_line,
	       "kernel console holds the boot banner and the module's load line",
	       !console.banner ? "no boot banner" :
	       !console.load_line ? "no \"" LOAD_LINE "\"" : NULL);
	snprintf(why, sizeof(why), "%d kernel report(s)", console.bad);
	result(!console.bad, "kernel console is clean", console.bad ? why : NULL);
	snprintf(why, sizeof(why), "%d kernel report(s)", kmsg.bad);
	result(!kmsg.bad && run.kmsg_end && kmsg.banner,
	       "kernel log read back at the end is whole and clean",
	       kmsg.bad ? why : !run.kmsg_end || !kmsg.banner ?
	       "not read back whole" : NULL);
	if (console.excused || kmsg.excused)
		printf("# the expected duplicate-name warning was seen\n");
	print_kernel_races(&console);
	print_kernel_races(&kmsg);
	if (console.injected || kmsg.injected)
		printf("# %d report line(s) of injected allocation failures excused\n",
		       console.injected + kmsg.injected);

	if (skipped)
		printf("%d passed, %d failed, %d skipped\n", passed, failed,
		       skipped);
	else
		printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
