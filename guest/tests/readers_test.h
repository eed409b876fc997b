/* SPDX-License-Identifier: GPL-2.0 */
/* Readers in other users, namespaces and procfs mounts, and stalled ones. */
#ifndef COUNTER_READERS_TEST_H
#define COUNTER_READERS_TEST_H

#include <stddef.h>

#include "ktap.h"

extern const struct ktap_test readers_tests[];
extern const size_t readers_tests_count;

#endif
