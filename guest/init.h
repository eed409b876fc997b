/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the guest's init writes on the second serial port after the
 * command it ran, which the host's verdict reads.
 */
#ifndef COUNTER_INIT_H
#define COUNTER_INIT_H

/* A line of its own, written only when the command exited 0. */
#define SUCCESS_MARKER "counter-guest: success"

/* Each kernel log record, read back from /dev/kmsg, as a TAP comment. */
#define KMSG_PREFIX "# kmsg: "
#define KMSG_END KMSG_PREFIX "end of the kernel log"

#endif
