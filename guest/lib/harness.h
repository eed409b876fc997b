/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A test harness in the manner of the kernel's kselftest_harness.h, as one
 * TAP stream. TEST(fixture, name) { ... return 0; } registers a test; tests
 * run in the order they are defined (files in link order), each in a child
 * process of its own with a timeout, after its fixture's setup. The
 * fixture's teardown runs in the harness afterwards whatever happened, so
 * a failure cannot leave the kernel in a state that fails the tests after
 * it. ASSERT*() end the test at the first failure, EXPECT() records one and
 * goes on, SKIP() ends it as skipped; a failure says where, what was
 * expected and what was seen. TEST_RESULTS() names several results of one
 * test, and next_result() closes one and opens the next, so that what one
 * measurement shows is judged where it is measured.
 */
#ifndef COUNTER_HARNESS_H
#define COUNTER_HARNESS_H

#include <stddef.h>

struct fixture {
	const char *name;
	/* In the test's process, before it; non-zero fails the test. */
	int (*setup)(void);
	/*
	 * In the harness, after the test's process has ended; non-zero if
	 * the kernel could not be put back, which fails the test and ends
	 * the run: no test after it could be trusted.
	 */
	int (*teardown)(void);
};

/*
 * The harness's exit status when the kernel could not be put back after a
 * test (its process stuck in the kernel, or its fixture's teardown failed):
 * the guest scripts that run one module after another in a boot
 * (guest/grade.sh, guest/mutants.sh) end the boot on it.
 */
#define EXIT_NOT_PUT_BACK 3

struct test {
	const char *const *names;	/* its results, NULL-terminated */
	int (*run)(void);		/* -1: the open result failed */
	const struct fixture *fixture;
	const char *file;
	int line;
	int timeout_s;
	int debug;			/* enum debug_level: where it runs */
	int file_rank;			/* set when registered */
};

void test_register(struct test *t);

/* The kernels a test needs: each level runs the tests of those below it. */
enum debug_level {
	ANY_KERNEL,
	DEBUG_KERNEL,		/* --debug: KASAN's, or --kcsan: KCSAN's */
	KCSAN_KERNEL,		/* --kcsan only */
};

#define DEFAULT_TIMEOUT_S 60
/* How long a test's process may outlive its timeout and SIGKILL. */
#define STUCK_GRACE_S 10

/*
 * Set by --contract: the run grades another implementation of the
 * module, so a test checks only what the assignment asks of any of them,
 * not this tree's own choices (its errnos, its log lines).
 */
extern int contract_only;

#define TEST_DEFINE(fix, fn, tmo, dbg, ...)				\
	static int fn(void);						\
	static const char *const fn##_names[] = { __VA_ARGS__, NULL };	\
	static struct test fn##_test = {				\
		.names = fn##_names, .run = fn, .fixture = &fix##_fixture,	\
		.file = __FILE__, .line = __LINE__, .timeout_s = (tmo),	\
		.debug = (dbg),						\
	};								\
	__attribute__((constructor)) static void fn##_register(void)	\
	{								\
		test_register(&fn##_test);				\
	}								\
	static int fn(void)

/* One result, named as the test; fix is a fixture's name (below). */
#define TEST(fix, name)							\
	TEST_DEFINE(fix, name, DEFAULT_TIMEOUT_S, ANY_KERNEL, #name)
/* Several results from one test: the names of each, in order. */
#define TEST_RESULTS(fix, fn, tmo, ...)					\
	TEST_DEFINE(fix, fn, tmo, ANY_KERNEL, __VA_ARGS__)
/* Only on a debug kernel: KASAN's or KCSAN's. */
#define TEST_DEBUG(fix, name, tmo)					\
	TEST_DEFINE(fix, name, tmo, DEBUG_KERNEL, #name)
/* Only on the KCSAN kernel. */
#define TEST_KCSAN(fix, name, tmo)					\
	TEST_DEFINE(fix, name, tmo, KCSAN_KERNEL, #name)

/*
 * fixtures.c: kernel loads nothing; counter loads counter.ko and opens
 * /proc/counter as counter_fd for the test. Both put the kernel back.
 */
extern const struct fixture kernel_fixture, counter_fixture;
extern int counter_fd;

/* Closes the open result (failed if anything failed in it), opens the next. */
void next_result(void);

/* A "# ..." diagnostic line. */
void test_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void test_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "ESRCH (No such process)", or "success" for 0; takes e or -e. */
const char *errname(long e);

#define ASSERT(cond, fmt, ...)						\
	do {								\
		if (!(cond)) {						\
			test_fail(__FILE__, __LINE__, "%s: " fmt, #cond,	\
				  ##__VA_ARGS__);			\
			return -1;					\
		}							\
	} while (0)

#define EXPECT(cond, fmt, ...)						\
	do {								\
		if (!(cond))						\
			test_fail(__FILE__, __LINE__, "%s: " fmt, #cond,	\
				  ##__VA_ARGS__);			\
	} while (0)

/* Integers compared: on failure both expressions and both values. */
#define ASSERT_CMP(a, op, b)						\
	do {								\
		long long _a = (long long)(a), _b = (long long)(b);	\
		if (!(_a op _b)) {					\
			test_fail(__FILE__, __LINE__,			\
				  "expected %s " #op " %s, saw %lld and %lld",	\
				  #a, #b, _a, _b);			\
			return -1;					\
		}							\
	} while (0)
#define ASSERT_EQ(a, b) ASSERT_CMP(a, ==, b)
#define ASSERT_GE(a, b) ASSERT_CMP(a, >=, b)

/* A 0-or-negative-errno return, against the errno expected (0 for success). */
#define ASSERT_ERRNO(ret, want)						\
	do {								\
		long _r = (long)(ret), _w = (long)(want);		\
		if (_r != _w) {						\
			test_fail(__FILE__, __LINE__,			\
				  "%s: expected %s, saw %s", #ret,	\
				  errname(_w), errname(_r));		\
			return -1;					\
		}							\
	} while (0)
#define ASSERT_OK(ret) ASSERT_ERRNO(ret, 0)

/* A string that must be NULL: on failure, what it holds. */
#define ASSERT_NULL(s)							\
	do {								\
		const char *_s = (s);					\
		if (_s) {						\
			test_fail(__FILE__, __LINE__,			\
				  "expected %s to be NULL, saw \"%s\"",	\
				  #s, _s);				\
			return -1;					\
		}							\
	} while (0)

#define SKIP(fmt, ...)							\
	do {								\
		test_skip(fmt, ##__VA_ARGS__);				\
		return 0;						\
	} while (0)

#endif
