/* SPDX-License-Identifier: GPL-2.0 */
/* Reading the kernel log record by record from /dev/kmsg. */
#ifndef COUNTER_KMSG_H
#define COUNTER_KMSG_H

#include <stddef.h>

/*
 * The text of the next record, from /dev/kmsg opened with O_NONBLOCK,
 * into out: 1 read, 0 at the end of the log.
 */
int kmsg_next(int fd, char *out, size_t outlen);

#endif
