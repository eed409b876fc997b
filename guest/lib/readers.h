/* SPDX-License-Identifier: GPL-2.0 */
/* Threads that read /proc/counter in a loop and record what they saw. */
#ifndef COUNTER_READERS_H
#define COUNTER_READERS_H

#include <pthread.h>

struct reader {
	pthread_t thread;
	int hold;		/* pread a held descriptor, else open/read/close */
	volatile int *stop;
	long good, bad_lines, went_back, last_err, first_err_after_good;
	unsigned long last;
	char other_err[64];
};

/* The first holders of count pread a held descriptor; the rest reopen. */
void readers_start(struct reader *r, int count, int holders,
		   volatile int *stop);
void readers_stop(struct reader *r, int count, volatile int *stop);

#endif
