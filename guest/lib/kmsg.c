// SPDX-License-Identifier: GPL-2.0
#include "kmsg.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int kmsg_next(int fd, char *out, size_t outlen)
{
	char rec[8192];

	for (;;) {
		ssize_t len = read(fd, rec, sizeof(rec) - 1);
		char *text;

		if (len < 0 && errno == EPIPE)
			continue;	/* overwritten before we read it */
		if (len <= 0)
			return 0;
		rec[len] = '\0';
		/* "prio,seq,usec,flags;text\n", then " KEY=value" lines */
		text = strchr(rec, ';');
		if (!text)
			continue;
		text++;
		text[strcspn(text, "\n")] = '\0';
		snprintf(out, outlen, "%s", text);
		return 1;
	}
}
