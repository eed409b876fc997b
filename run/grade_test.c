// SPDX-License-Identifier: GPL-2.0
/*
 * grade_test - runs the grader's split and report on crafted guest output
 * and streams, and checks what they write: which submission each line goes
 * to, what a guest that died costs, the score, and the feedback.
 *
 * Usage: grade_test PATH/TO/grade
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../guest/init.h"

#define MAX_FILES 8
#define MAX_CHECKS 14

struct file {
	const char *path, *text;
};

/* A file the command wrote (or "stdout") must hold needle, or must not. */
struct check {
	const char *path, *needle;
	int absent;
};

#define HAS(path, needle) { path, needle, 0 }
#define LACKS(path, needle) { path, needle, 1 }

struct grade_case {
	const char *name, *env, *args;
	struct file files[MAX_FILES];
	struct check checks[MAX_CHECKS];
};

/* ---- split: one boot's output cut by submission ---- */

#define SPLIT_ARGS "split debian list output console reports out"
/* A ran both its tests; B died in its second, which has two results. */
#define OUTPUT_A_DONE \
	"# submission: A\nTAP version 13\n1..2\n" \
	TEST_PREFIX "alpha\n" TEST_PREFIX "beta gamma\n" \
	RUN_PREFIX "alpha\nok 1 - alpha\n" KMSG_PREFIX "counter: loaded\n" \
	RUN_PREFIX "beta\nok 2 - beta\nok 3 - gamma\n# submission done: A\n"
#define OUTPUT_B_DIES \
	"# submission: B\nTAP version 13\n1..3\n" \
	TEST_PREFIX "alpha\n" TEST_PREFIX "beta gamma\n" TEST_PREFIX "delta\n" \
	RUN_PREFIX "alpha\nok 1 - alpha\n" RUN_PREFIX "beta\n"
#define CONSOLE_A_B \
	"[    1.0] counter_test: submission A\n" \
	"[    1.1] " KMSG_RUN_MARK "alpha\n" \
	"[    1.2] " KMSG_RUN_MARK "beta\n" \
	"[    1.3] WARNING: a line of A's\n" \
	"[    2.0] counter_test: submission B\n" \
	"[    2.1] " KMSG_RUN_MARK "alpha\n" \
	"[    2.5] " KMSG_RUN_MARK "beta\n" \
	"[    2.6] BUG: kernel NULL pointer dereference, address: 0\n" \
	"[    2.7] RIP: 0010:counter_show+0x5/0x20 [counter]\n"

/* ---- report: a submission's streams scored by a rubric ---- */

#define REPORT_ARGS "report rubric out X tests.md mutants"
#define RUBRIC \
	"# a comment\n" \
	"section one debian Title one\nalpha 3\nbeta 2\nkernel_reports_nothing 1\n" \
	"\nsection two debug Title two\ndelta 4 hidden\n"
#define TESTS_MD \
	"| Result | Test | What it shows |\n|---|---|---|\n" \
	"| `betamax` | `beta_test` | not this row |\n" \
	"| `beta` | `beta_test` | beta is `right` |\n"
#define HINT_PATCH \
	"Promise: Meaning: beta\nKilled-by: beta\nHint: beta's likely bug\n\n" \
	"--- a/counter.c\n+++ b/counter.c\nHint: not a header\n"
#define DEBUG_OK RUN_PREFIX "delta\nok 1 - delta\n# took 2.0 s\n"
#define REPORT_FILES \
	{ "rubric", RUBRIC }, { "tests.md", TESTS_MD }, \
	{ "mutants/beta-bug.patch", HINT_PATCH }

static const struct grade_case cases[] = {
	{ "split: each submission's lines to its stream, a death to its test",
	  NULL, SPLIT_ARGS,
	  { { "list", "A\nB\nC\n" },
	    { "output", OUTPUT_A_DONE OUTPUT_B_DIES },
	    { "console", CONSOLE_A_B },
	    { "reports", "REPORT\tB\tbeta\tBUG\t[    2.6] BUG: kernel NULL\n"
			 "not a report\n" },
	    { "out/A/.keep", "" }, { "out/B/.keep", "" }, { "out/C/.keep", "" } },
	  { HAS("stdout", "A done -\n"),
	    HAS("stdout", "B died delta\n"),
	    HAS("stdout", "C absent all\n"),
	    HAS("out/A/debian.tap", "ok 3 - gamma\n"),
	    LACKS("out/A/debian.tap", KMSG_PREFIX),
	    LACKS("out/A/debian.tap", "delta"),
	    HAS("out/B/debian.tap", "not ok 0 - beta # the guest stopped during this test\n"),
	    HAS("out/B/debian.tap", "not ok 0 - gamma # the guest stopped during this test\n"),
	    HAS("out/B/debian.tap", "# kernel report during beta (BUG): [    2.6] BUG: kernel NULL\n"),
	    HAS("out/B/debian.tap", "# the console, from line 8:\n#   [    2.6] BUG: kernel NULL"),
	    LACKS("out/B/debian.tap", "a line of A's"),
	    LACKS("out/B/debian.tap", "not ok 0 - alpha"),
	    LACKS("out/C/debian.tap", "ok") } },
	{ "split: a submission that left the kernel changed, one that died before a test",
	  NULL, SPLIT_ARGS,
	  { { "list", "A\nB\n" },
	    { "output", OUTPUT_A_DONE
		"# submission left the kernel changed: A\n"
		"# submission: B\nTAP version 13\n1..2\n"
		TEST_PREFIX "alpha\n" TEST_PREFIX "beta gamma\n" },
	    { "console", "" }, { "reports", "" },
	    { "out/A/.keep", "" }, { "out/B/.keep", "" } },
	  { HAS("stdout", "A left -\n"),
	    HAS("stdout", "B died alpha,beta,gamma\n"),
	    LACKS("out/B/debian.tap", "not ok") } },
	{ "split: a death the console kept no mark of shows no other submission's lines",
	  NULL, SPLIT_ARGS,
	  { { "list", "A\nB\n" },
	    { "output", OUTPUT_A_DONE OUTPUT_B_DIES },
	    { "console", "[    1.0] counter_test: submission A\n"
		"[    1.2] " KMSG_RUN_MARK "beta\n[    1.3] WARNING: a line of A's\n" },
	    { "reports", "" },
	    { "out/A/.keep", "" }, { "out/B/.keep", "" } },
	  { HAS("out/B/debian.tap", "not ok 0 - beta # the guest stopped during this test\n"),
	    LACKS("out/B/debian.tap", "the console"),
	    LACKS("out/A/debian.tap", "the console") } },
	{ "report: points, times, and what was expected, seen and likely",
	  NULL, REPORT_ARGS,
	  { REPORT_FILES,
	    { "out/X/debian.tap", RUN_PREFIX "alpha\nok 1 - alpha\n# took 1.5 s\n"
		RUN_PREFIX "beta\n# expected 1, saw 2\nnot ok 2 - beta\n# took 0.5 s\n" },
	    { "out/X/debug.tap", DEBUG_OK } },
	  { HAS("stdout", "Score: 8/10\n"),
	    HAS("out/X/report.txt", "one (debian kernel): Title one, 6 point(s)\n"),
	    HAS("out/X/report.txt", "  alpha                                    OK     1.5 s   3/3\n"),
	    HAS("out/X/report.txt", "  beta                                     FAIL   0.5 s   0/2\n"),
	    HAS("out/X/report.txt", "      expected: beta is right\n"),
	    HAS("out/X/report.txt", "      seen: expected 1, saw 2\n"),
	    HAS("out/X/report.txt", "      a possible cause: beta's likely bug\n"),
	    LACKS("out/X/report.txt", "not a header"),
	    HAS("out/X/grade.tap", "ok 1 - one/alpha # 3/3\nnot ok 2 - one/beta # 0/2\n"),
	    HAS("out/X/grade.tap", "ok 4 - two/delta # 4/4\n# Score: 8/10\n"),
	    HAS("out/X/results.json", "\"score\": 8,\n  \"execution_time\": 4,\n"),
	    HAS("out/X/results.json", "\"max_score\": 4, \"status\": \"passed\", \"tags\": [\"two\", \"debug\"], \"output\": \"\", \"visibility\": \"after_published\"}\n"),
	    HAS("out/X/junit.xml", "<testsuite name=\"one\" tests=\"3\" failures=\"1\">"),
	    HAS("out/X/junit.xml", "<failure message=\"0/2\">expected: beta is right\n") } },
	{ "report: a kernel report fails its test and the grader's check",
	  NULL, REPORT_ARGS,
	  { REPORT_FILES,
	    { "out/X/debian.tap", RUN_PREFIX "alpha\nok 1 - alpha\n"
		"# kernel report during alpha (KASAN): BUG: KASAN: slab-out-of-bounds\n"
		RUN_PREFIX "beta\nok 2 - beta\n" },
	    { "out/X/debug.tap", DEBUG_OK } },
	  { HAS("stdout", "Score: 6/10\n"),
	    HAS("out/X/report.txt", "the kernel reported, during alpha: KASAN: BUG: KASAN"),
	    HAS("out/X/report.txt", "the kernel's memory checker caught a bad access"),
	    HAS("out/X/report.txt", "expected no kernel report; the kernel reported, during alpha"),
	    HAS("out/X/grade.tap", "not ok 1 - one/alpha # 0/3\nok 2 - one/beta # 2/2\n"
		"not ok 3 - one/kernel_reports_nothing # 0/1\n") } },
	{ "report: a test never reached costs its points, and the check is not judged",
	  NULL, REPORT_ARGS,
	  { REPORT_FILES,
	    { "out/X/debian.tap", RUN_PREFIX "alpha\nok 1 - alpha\n" },
	    { "out/X/debug.tap", "# X: 4 boots on the debug kernel; not run: delta\n" } },
	  { HAS("stdout", "Score: 3/10\n"),
	    HAS("out/X/report.txt", "not run: the guest never reached this test\n"),
	    HAS("out/X/report.txt", "not judged: not every test ran on this kernel\n"),
	    HAS("out/X/report.txt", "not run: X: 4 boots on the debug kernel, each ended by the module\n") } },
	{ "report: a skip counts, with its reason",
	  NULL, REPORT_ARGS,
	  { REPORT_FILES,
	    { "out/X/debian.tap", RUN_PREFIX "alpha\nok 1 - alpha\n"
		RUN_PREFIX "beta\nok 2 - beta # SKIP no such device\n" },
	    { "out/X/debug.tap", DEBUG_OK } },
	  { HAS("stdout", "Score: 10/10\n"),
	    HAS("out/X/results.json", "\"output\": \"skipped here, counted: no such device\"") } },
	{ "report: a build that failed scores 0, with its errors and the 5.6 hint",
	  NULL, REPORT_ARGS,
	  { REPORT_FILES,
	    { "out/X/build-failed-all", "" },
	    { "out/X/build.log", "make: Entering directory\n"
		"/b/X/src.debian/counter.c:70:9: error: passing argument 4 of "
		"'proc_create' from incompatible pointer type\n" } },
	  { HAS("stdout", "Score: 0/10\n"),
	    HAS("out/X/report.txt", "not run: the module did not build\n"),
	    HAS("out/X/report.txt", "  counter.c:70:9: error: passing argument 4"),
	    HAS("out/X/report.txt", "likely: proc_create() takes a struct proc_ops since Linux 5.6"),
	    LACKS("out/X/report.txt", "Entering directory"),
	    HAS("out/X/results.json", "\"output\": \"the module did not build") } },
	{ "report: GRADE_SECTIONS keeps only the sections it names",
	  "GRADE_SECTIONS=two", REPORT_ARGS,
	  { REPORT_FILES,
	    { "out/X/debian.tap", "" },
	    { "out/X/debug.tap", DEBUG_OK } },
	  { HAS("stdout", "Score: 4/4\n"),
	    HAS("out/X/grade.tap", "1..1\nok 1 - two/delta # 4/4\n"),
	    LACKS("out/X/report.txt", "alpha") } },
};

/* Writes text to dir/path, making the directories on the way. */
static int write_file(const char *dir, const char *path, const char *text)
{
	char full[PATH_MAX];
	FILE *f;
	char *slash;

	snprintf(full, sizeof(full), "%s/%s", dir, path);
	for (slash = strchr(full + strlen(dir) + 1, '/'); slash;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(full, 0755) && errno != EEXIST)
			return -1;
		*slash = '/';
	}
	f = fopen(full, "w");
	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static char *read_whole(const char *dir, const char *path)
{
	char full[PATH_MAX];
	char *text = NULL;
	size_t size = 0;
	FILE *f, *m;
	int c;

	snprintf(full, sizeof(full), "%s/%s", dir, path);
	f = fopen(full, "r");
	if (!f)
		return NULL;
	m = open_memstream(&text, &size);
	if (!m) {
		fclose(f);
		return NULL;
	}
	while ((c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(f);
	fclose(m);
	return text;
}

/* Runs one case in a fresh directory; the first check it fails, or NULL. */
static const struct check *run_case(const char *grade, const struct grade_case *c,
				    int *status)
{
	char dir[] = "/tmp/grade_test.XXXXXX", cmd[2 * PATH_MAX];
	const struct check *failed = NULL;
	const struct check *k;
	int i;

	*status = -1;
	if (!mkdtemp(dir))
		return &c->checks[0];
	for (i = 0; i < MAX_FILES && c->files[i].path; i++)
		if (write_file(dir, c->files[i].path, c->files[i].text))
			return &c->checks[0];
	snprintf(cmd, sizeof(cmd), "cd %s && %s '%s' %s >stdout 2>stderr", dir,
		 c->env ? c->env : "", grade, c->args);
	*status = system(cmd);
	for (k = c->checks; !failed && k < c->checks + MAX_CHECKS && k->path; k++) {
		char *text = read_whole(dir, k->path);
		int found = text && strstr(text, k->needle);

		if (!text || found == k->absent)
			failed = k;
		free(text);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		fprintf(stderr, "grade_test: could not remove %s\n", dir);
	return failed;
}

int main(int argc, char **argv)
{
	char grade[PATH_MAX];
	int passed = 0, failed = 0;
	size_t i, n = sizeof(cases) / sizeof(cases[0]);

	if (argc != 2 || !realpath(argv[1], grade) || strchr(grade, '\'')) {
		fprintf(stderr, "usage: %s PATH/TO/grade\n", argv[0]);
		return 2;
	}
	/* The cases say which sections they keep: none from outside. */
	unsetenv("GRADE_SECTIONS");
	printf("TAP version 13\n1..%zu\n", n);
	for (i = 0; i < n; i++) {
		int status;
		const struct check *k = run_case(grade, &cases[i], &status);

		passed += !k && !status;
		failed += k || status;
		printf("%sok %zu - %s\n", k || status ? "not " : "", i + 1, cases[i].name);
		if (status)
			printf("# grade exited with status %d\n", status);
		if (k)
			printf("# %s %s \"%s\"\n", k->path,
			       k->absent ? "holds" : "does not hold", k->needle);
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
