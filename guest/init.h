/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the guest writes for the host's verdict to read: init's lines on
 * the second serial port after the command it ran, and the marks the
 * suite puts in the kernel log.
 */
#ifndef COUNTER_INIT_H
#define COUNTER_INIT_H

/*
 * init's first line, on the kernel's console: a guest whose console
 * lacks it stopped before init ran, so before any module was loaded
 * (run/boot.sh boots such a guest again, and greps for this text).
 */
#define INIT_BEGAN "init: began"

/* A line of its own, written only when the command exited 0. */
#define SUCCESS_MARKER "counter-guest: success"

/*
 * The suite's own account of what it runs, after its plan: a line for each
 * test it will run, naming its results in order, then, before each test,
 * the line naming the test it starts (its first result), as
 * kselftest_harness.h prints "# RUN" lines. The verdict reads its list of
 * tests from them, and names the test a guest died in.
 */
#define TEST_PREFIX "# TEST "
#define RUN_PREFIX "# RUN "

/*
 * In a graded run (--contract), the kernel log record written as each test
 * begins: a kernel report after it and before the next is that test's.
 */
#define KMSG_RUN_MARK "counter_test: RUN "

/* Each kernel log record, read back from /dev/kmsg, as a TAP comment. */
#define KMSG_PREFIX "# kmsg: "
#define KMSG_END KMSG_PREFIX "end of the kernel log"

/*
 * Around a deliberate fault injection: the kernel's reports of the
 * allocation failures injected between them (warn_alloc()'s message and
 * stack dump) are expected there, and only there.
 */
#define FAULTS_ON_MARK "counter_test: injecting allocation failures"
#define FAULTS_OFF_MARK "counter_test: no more injected failures"

/*
 * KCSAN's report titles, which the suite and the verdict both judge: a
 * title naming a function of the module ("counter_show [counter]", or
 * "[counter_kunit]" when counter.c is built with its KUnit suite) is a
 * race of the module; any other is the kernel's own.
 */
#define KCSAN_TITLE "BUG: KCSAN: "
#define MODULE_TAG " [counter]"
#define KUNIT_MODULE_TAG " [counter_kunit]"

#endif
