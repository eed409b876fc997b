/* SPDX-License-Identifier: GPL-2.0 */
/* What one part of the suite lends another. */
#ifndef COUNTER_TESTS_H
#define COUNTER_TESTS_H

/* counter_test.c: 0 at once and 0.9 s after the last counter_load(). */
int zero_through_the_first_second(int fd);

#endif
