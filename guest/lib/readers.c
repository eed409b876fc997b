// SPDX-License-Identifier: GPL-2.0
#include "counter_lib.h"
#include "readers.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define BEFORE_TICK_NS (2 * NSEC_PER_MSEC)
#define AFTER_TICK_NS ((int64_t)(MAX_PHASE_LAG_MS * NSEC_PER_MSEC))
/*
 * A reader that finds no entry tries again 1 ms later: spinning on ENOENT
 * took the CPU from the load that makes it (the debug kernel's stress:
 * 268 ms a cycle, 193 ms with the wait, and five times the lines read).
 */
#define NO_ENTRY_WAIT_NS NSEC_PER_MSEC

/* One set of readers runs at a time. */
static int stop;

/* Sleeps until the window around the next load + N s, if not in one. */
static void wait_for_tick(int64_t *end)
{
	int64_t now = now_ns(), k, start;

	if (now < *end)
		return;
	k = (now - counter_load_after - AFTER_TICK_NS) / NSEC_PER_SEC + 1;
	start = counter_load_before + k * NSEC_PER_SEC - BEFORE_TICK_NS;
	*end = counter_load_after + k * NSEC_PER_SEC + AFTER_TICK_NS;
	if (start > now)
		sleep_ns(start - now);
}

static void *reader_run(void *arg)
{
	struct reader *r = arg;
	int fd = r->hold ? open(COUNTER_PROC, O_RDONLY) : -1;
	int64_t end = 0;

	if (r->hold && fd < 0) {
		r->last_err = errno;
		return NULL;
	}
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		unsigned long n;
		int64_t a;
		int ret;

		if (r->at_ticks)
			wait_for_tick(&end);
		a = now_ns();
		ret = r->hold ? counter_pread(fd, &n) : counter_read(&n);
		if (!ret && r->at_ticks &&
		    !count_fits_clock_within(n, a, now_ns(), READERS_MAX_LAG_MS)) {
			r->off_clock++;
			r->off_value = n;
		}

		if (ret == -EBADMSG) {
			r->bad_lines++;
		} else if (ret) {
			r->last_err = -ret;
			if (-ret == ENOENT)
				sleep_ns(NO_ENTRY_WAIT_NS);
			else if (-ret != EIO)
				snprintf(r->other_err, sizeof(r->other_err),
					 "%s", strerror(-ret));
		} else {
			if (r->last_err)
				r->first_err_after_good = r->last_err;
			if (n < r->last)
				r->went_back++;
			r->last = n;
			r->good++;
		}
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

void readers_start(struct reader *r, int count, int holders, int at_ticks)
{
	int i;

	stop = 0;
	for (i = 0; i < count; i++) {
		memset(&r[i], 0, sizeof(r[i]));
		r[i].hold = i < holders;
		r[i].at_ticks = at_ticks;
		pthread_create(&r[i].thread, NULL, reader_run, &r[i]);
	}
}

void readers_stop(struct reader *r, int count)
{
	int i;

	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < count; i++)
		pthread_join(r[i].thread, NULL);
}

