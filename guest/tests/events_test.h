/* SPDX-License-Identifier: GPL-2.0 */
/* What a real machine does to a running module, after the base tests. */
#ifndef COUNTER_EVENTS_TEST_H
#define COUNTER_EVENTS_TEST_H

#include <stddef.h>

#include "ktap.h"

extern const struct ktap_test events_tests[];
extern const size_t events_tests_count;

#endif
