/* SPDX-License-Identifier: GPL-2.0 */
/* Tests only a debug kernel makes possible, run before and after the rest. */
#ifndef COUNTER_DEBUG_TEST_H
#define COUNTER_DEBUG_TEST_H

#include <stddef.h>

#include "ktap.h"

extern const struct ktap_test debug_first[];
extern const size_t debug_first_count;
extern const struct ktap_test debug_last[];
extern const size_t debug_last_count;

#endif
