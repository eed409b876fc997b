// SPDX-License-Identifier: GPL-2.0
#include "counter_lib.h"
#include "readers.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void *reader_run(void *arg)
{
	struct reader *r = arg;
	int fd = r->hold ? open(COUNTER_PROC, O_RDONLY) : -1;

	if (r->hold && fd < 0) {
		r->last_err = errno;
		return NULL;
	}
	while (!__atomic_load_n(r->stop, __ATOMIC_RELAXED)) {
		unsigned long n;
		int ret = r->hold ? counter_pread(fd, &n) : counter_read(&n);

		if (ret == -EBADMSG) {
			r->bad_lines++;
		} else if (ret) {
			r->last_err = -ret;
			if (-ret != ENOENT && -ret != EIO)
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

void readers_start(struct reader *r, int count, int holders,
			  volatile int *stop)
{
	int i;

	*stop = 0;
	for (i = 0; i < count; i++) {
		memset(&r[i], 0, sizeof(r[i]));
		r[i].hold = i < holders;
		r[i].stop = stop;
		pthread_create(&r[i].thread, NULL, reader_run, &r[i]);
	}
}

void readers_stop(struct reader *r, int count, volatile int *stop)
{
	int i;

	__atomic_store_n(stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < count; i++)
		pthread_join(r[i].thread, NULL);
}

