/* SPDX-License-Identifier: GPL-2.0 */
/* Refusing unsigned and tampered modules where signatures are enforced. */
#ifndef COUNTER_SIGNING_TEST_H
#define COUNTER_SIGNING_TEST_H

#include <stddef.h>

#include "ktap.h"

extern const struct ktap_test signing_tests[];
extern const size_t signing_tests_count;

#endif
