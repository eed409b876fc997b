/* SPDX-License-Identifier: GPL-2.0 */
/* What the base suite shares with the debug-kernel tests. */
#ifndef COUNTER_DEBUG_TEST_H
#define COUNTER_DEBUG_TEST_H

#include <stddef.h>

#include "ktap.h"

/* Where counter.ko and the helper modules are. */
extern const char *moddir;

/* Loads counter.ko, noting when; 0 or -errno. */
int load_counter(void);

/* Tests only a debug kernel makes possible, run before and after the rest. */
extern const struct tap_test debug_first[];
extern const size_t debug_first_count;
extern const struct tap_test debug_last[];
extern const size_t debug_last_count;

#endif
