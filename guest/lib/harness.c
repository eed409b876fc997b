// SPDX-License-Identifier: GPL-2.0
/*
 * The harness of harness.h: the registry, and a run of the selected tests,
 * each in a child process, as one TAP stream.
 */
#define _GNU_SOURCE
#include "harness.h"
#include "../init.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_TESTS 128
#define MAX_RESULTS 8

static struct test *tests[MAX_TESTS];
static int ntests;

int contract_only;

/* Where a test's process records its results: shared with the harness. */
static struct results {
	int open;			/* the result being reported */
	struct {
		int reached, failed;
		char skip[256];
	} r[MAX_RESULTS];
} *res;

/*
 * Files in the order their constructors ran (link order: one file's run
 * together), tests within a file by line: the order they are written in,
 * whatever order the compiler emitted the constructors in.
 */
void test_register(struct test *t)
{
	const struct test *prev = ntests ? tests[ntests - 1] : NULL;

	if (ntests == MAX_TESTS) {
		fprintf(stderr, "harness: more than %d tests\n", MAX_TESTS);
		exit(2);
	}
	t->file_rank = !prev ? 0 : prev->file_rank + !!strcmp(prev->file, t->file);
	tests[ntests++] = t;
}

static int count_names(const struct test *t)
{
	int n = 0;

	while (t->names[n])
		n++;
	return n;
}

static int by_place(const void *a, const void *b)
{
	const struct test *x = *(struct test *const *)a;
	const struct test *y = *(struct test *const *)b;

	return (x->file_rank - y->file_rank) ?: (x->line - y->line);
}

static void print_msg(const char *prefix, const char *fmt, va_list ap)
{
	printf("# %s", prefix);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
}

void test_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	print_msg("", fmt, ap);
	va_end(ap);
}

void test_fail(const char *file, int line, const char *fmt, ...)
{
	char where[300];
	va_list ap;

	res->r[res->open].failed = 1;
	snprintf(where, sizeof(where), "%s:%d: ", file, line);
	va_start(ap, fmt);
	print_msg(where, fmt, ap);
	va_end(ap);
}

void test_skip(const char *fmt, ...)
{
	char *skip = res->r[res->open].skip;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(skip, sizeof(res->r[0].skip), fmt, ap);
	va_end(ap);
	/* The reason ends the result line: keep it on one line. */
	skip[strcspn(skip, "\n")] = '\0';
}

const char *errname(long e)
{
	/* Two at once in one message: expected and seen. */
	static char bufs[2][96];
	static int next;
	char *buf = bufs[next++ % 2];
	const char *name;

	if (!e)
		return "success";
	if (e < 0)
		e = -e;
	name = strerrorname_np((int)e);
	snprintf(buf, sizeof(bufs[0]), "%s (%s)", name ? name : "?",
		 strerror((int)e));
	return buf;
}

void next_result(void)
{
	if (res->open + 1 >= MAX_RESULTS)
		return;
	res->open++;
	res->r[res->open].reached = 1;
}

/* In the child: setup, the test, and nothing after. */
static void run_child(const struct test *t, int forced)
{
	res->r[0].reached = 1;
	if (t->fixture->setup && t->fixture->setup()) {
		test_fail(t->file, t->line, "the %s fixture's setup failed",
			  t->fixture->name);
		_exit(0);
	}
	if (forced) {
		test_fail(t->file, t->line, "forced to fail after setup");
		_exit(0);
	}
	if (t->run() < 0)
		res->r[res->open].failed = 1;
	_exit(0);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/*
 * Waits for the child; its alarm is the timeout. Kills its group after.
 * A child stuck in the kernel (an rmmod whose module's exit never
 * returns) outlives its alarm and SIGKILL: the harness waits a grace
 * period more, then leaves it, and the run ends there. Returns non-zero
 * then.
 */
static int wait_child(pid_t pid, int timeout_s)
{
	struct sigaction sa = { .sa_handler = on_alarm }, old;
	int status, stuck = 0;

	sigaction(SIGALRM, &sa, &old);
	alarm(timeout_s + STUCK_GRACE_S);
	if (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
		kill(-pid, SIGKILL);
		alarm(STUCK_GRACE_S);
		if (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			stuck = 1;
	}
	alarm(0);
	sigaction(SIGALRM, &old, NULL);
	if (stuck) {
		res->r[res->open].failed = 1;
		test_msg("timed out after %d s, its process stuck in the kernel",
			 timeout_s);
		return -1;
	}
	if (WIFSIGNALED(status)) {
		res->r[res->open].failed = 1;
		if (WTERMSIG(status) == SIGALRM)
			test_msg("timed out after %d s", timeout_s);
		else
			test_msg("the test's process was killed by %s",
				 strsignal(WTERMSIG(status)));
	}
	/* What the test forked and left behind goes with it. */
	kill(-pid, SIGKILL);
	return 0;
}

/* In contract mode, where each test begins, in the kernel log too. */
static void mark_kmsg(const char *name)
{
	char line[192];
	int fd, len;

	if (!contract_only)
		return;
	fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	len = snprintf(line, sizeof(line), "%s%s\n", KMSG_RUN_MARK, name);
	if (write(fd, line, len) < 0)
		test_msg("/dev/kmsg: %s", strerror(errno));
	close(fd);
}

struct tally {
	int num, passed, failed, skipped, broken;
};

static void run_test(const struct test *t, int forced, int timeout_scale,
		     struct tally *tally)
{
	int i, n = count_names(t);
	struct timespec t0, t1;
	pid_t pid;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(res, 0, sizeof(*res));
	printf(RUN_PREFIX "%s\n", t->names[0]);
	fflush(stdout);
	mark_kmsg(t->names[0]);
	pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		alarm(t->timeout_s * timeout_scale);
		run_child(t, forced);
	}
	if (pid < 0) {
		res->r[0].failed = 1;
		test_msg("fork: %s", strerror(errno));
	} else {
		setpgid(pid, pid);
		if (wait_child(pid, t->timeout_s * timeout_scale))
			tally->broken = 1;
	}
	if (!tally->broken && t->fixture->teardown && t->fixture->teardown()) {
		res->r[res->open].failed = 1;
		tally->broken = 1;
	}

	for (i = 0; i < n; i++) {
		const char *name = t->names[i];

		/* A test that skips skips what it had left to report. */
		if (!res->r[i].reached && i > 0 && res->r[i - 1].skip[0] &&
		    !res->r[i - 1].failed) {
			res->r[i].reached = 1;
			memcpy(res->r[i].skip, res->r[i - 1].skip,
			       sizeof(res->r[i].skip));
		}
		tally->num++;
		if (!res->r[i].reached) {
			printf("not ok %d - %s # not reached\n", tally->num, name);
			tally->failed++;
		} else if (res->r[i].failed) {
			printf("not ok %d - %s\n", tally->num, name);
			tally->failed++;
		} else if (res->r[i].skip[0]) {
			printf("ok %d - %s # SKIP %s\n", tally->num, name,
			       res->r[i].skip);
			tally->skipped++;
		} else {
			printf("ok %d - %s\n", tally->num, name);
			tally->passed++;
		}
	}
	/* A grade reports each test's time. */
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (contract_only)
		printf("# took %.1f s\n", (double)(t1.tv_sec - t0.tv_sec) +
		       (t1.tv_nsec - t0.tv_nsec) / 1e9);
	fflush(stdout);
}

/* Whether any of the test's results matches one of the comma-separated globs. */
static int matches(const struct test *t, const char *globs)
{
	char *buf, *g, *save;
	int i, found = 0;

	if (!globs)
		return 0;
	/* Every glob, however long the list: never a quiet subset. */
	buf = strdup(globs);
	if (!buf) {
		perror("strdup");
		exit(2);
	}
	for (g = strtok_r(buf, ",", &save); g && !found; g = strtok_r(NULL, ",", &save))
		for (i = 0; t->names[i] && !found; i++)
			found = !fnmatch(g, t->names[i], 0);
	free(buf);
	return found;
}

/* The globs in a file, as one comma-separated string; NULL, said, if none. */
static char *read_globs(const char *path)
{
	FILE *f = fopen(path, "r");
	char *globs = NULL;
	size_t size = 0;
	ssize_t len;

	if (!f) {
		perror(path);
		return NULL;
	}
	len = getdelim(&globs, &size, '\0', f);
	fclose(f);
	if (len <= 0) {
		fprintf(stderr, "%s: no globs\n", path);
		free(globs);
		return NULL;
	}
	/* A glob a line, or several a line separated by commas: all of them. */
	while (len > 0 && globs[len - 1] == '\n')
		globs[--len] = '\0';
	for (char *nl = strchr(globs, '\n'); nl; nl = strchr(nl, '\n'))
		*nl = ',';
	return globs;
}

/* Set by the positional argument; the suite's own (counter_lib.h). */
extern const char *module_dir;

/*
 * harness [MODULE_DIR] [-l|--list] [-t GLOB[,GLOB...]|-T FILE] [--debug|--kcsan]
 *         [--fail-fast] [--host-checks=K] [--timeout-scale=K]
 *         [--force-fail=GLOB] [--contract]
 * -l lists the results in the order they run; -t runs only the tests
 * with a result that matches a GLOB (-T: the GLOBs in FILE, of any length,
 * which the kernel command line could not carry); K results, appended by whoever reads
 * the stream, count in the plan; --force-fail makes tests fail right
 * after their fixture's setup; --contract judges only what any module
 * of the assignment must do (contract_only), and marks each test's
 * beginning in the kernel log. Exits 0 if every test passed, 1 if one
 * failed, 2 on bad usage, and EXIT_NOT_PUT_BACK if a test's process
 * stayed stuck in the kernel or its fixture's teardown could not put the
 * kernel back: nothing after it in this boot is sound.
 */
int main(int argc, char **argv)
{
	const char *only = NULL, *force = NULL;
	int list = 0, debug = 0, fail_fast = 0, host = 0, scale = 1;
	struct tally tally = { 0 };
	struct test *run[MAX_TESTS] = { NULL };
	int i, a, nrun = 0, planned = 0;

	for (a = 1; a < argc; a++) {
		const char *arg = argv[a];

		if (!strcmp(arg, "-l") || !strcmp(arg, "--list"))
			list = 1;
		else if (!strcmp(arg, "-t") && a + 1 < argc)
			only = argv[++a];
		else if (!strcmp(arg, "-T") && a + 1 < argc) {
			only = read_globs(argv[++a]);
			if (!only)
				return 2;
		}
		else if (!strcmp(arg, "--debug"))
			debug = DEBUG_KERNEL;
		else if (!strcmp(arg, "--kcsan"))
			debug = KCSAN_KERNEL;
		else if (!strcmp(arg, "--fail-fast"))
			fail_fast = 1;
		else if (!strcmp(arg, "--contract"))
			contract_only = 1;
		else if (sscanf(arg, "--host-checks=%d", &host) == 1 ||
			 sscanf(arg, "--timeout-scale=%d", &scale) == 1)
			;
		else if (!strncmp(arg, "--force-fail=", 13))
			force = arg + 13;
		else if (arg[0] != '-')
			module_dir = arg;
		else
			return fprintf(stderr, "%s: unknown option %s\n", argv[0], arg), 2;
	}
	qsort(tests, ntests, sizeof(tests[0]), by_place);
	for (i = 0; i < ntests; i++)
		if (tests[i]->debug <= debug && (!only || matches(tests[i], only))) {
			run[nrun++] = tests[i];
			planned += count_names(tests[i]);
		}
	for (i = 0; list && i < nrun; i++)
		for (a = 0; run[i]->names[a]; a++)
			printf("%s\n", run[i]->names[a]);
	if (list || !nrun)
		return list ? 0 : (fprintf(stderr, "no test matches %s\n", only), 2);

	res = mmap(NULL, sizeof(*res), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED)
		return perror("mmap"), 2;
	setvbuf(stdout, NULL, _IOLBF, 0);

	printf("TAP version 13\n1..%d\n", planned + host);
	for (i = 0; i < nrun; i++) {
		fputs(TEST_PREFIX, stdout);
		for (a = 0; run[i]->names[a]; a++)
			printf("%s%s", a ? " " : "", run[i]->names[a]);
		putchar('\n');
	}
	for (i = 0; i < nrun && !(tally.failed && fail_fast) && !tally.broken; i++)
		run_test(run[i], matches(run[i], force), scale, &tally);
	if (i < nrun)
		printf("# %s: no test after this one\n", tally.broken ?
		       "the kernel could not be put back" : "fail-fast");
	printf("# guest: %d passed, %d failed, %d skipped\n", tally.passed,
	       tally.failed, tally.skipped);
	if (tally.broken)
		return EXIT_NOT_PUT_BACK;
	return tally.failed ? 1 : 0;
}
