// SPDX-License-Identifier: GPL-2.0
/*
 * verdict - judges one guest run from the host.
 *
 * Usage: verdict TAP_LOG CONSOLE_LOG QEMU_STATUS
 *
 * The run passes only if QEMU powered off by itself (status 0: not the
 * timeout's 124, nor QEMU's own error), the guest's init wrote its success marker, every planned
 * TAP test ran and passed, and the kernel console holds no report of a
 * kernel problem. One warning is allowed: the proc core's complaint about a
 * duplicate /proc/counter, which the failed-load test provokes on purpose.
 *
 * The host's own checks are reported as TAP lines after the guest's, and
 * the last line is "N passed, N failed".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINE 4096
#define TIMEOUT_STATUS 124
#define SUCCESS_MARKER "counter-guest: success"
#define ALLOWED_WARNING "proc_dir_entry '/proc/counter' already registered"

/* Console text that only appears when the kernel found a problem. */
static const struct {
	const char *text, *detector;
} reports[] = {
	{ "KASAN:", "KASAN" },
	{ "UBSAN:", "UBSAN" },
	{ "suspected memory leak", "kmemleak" },
	{ "unreferenced object", "kmemleak" },
	{ "ODEBUG:", "DEBUG_OBJECTS" },
	{ "possible recursive locking", "lockdep" },
	{ "possible circular locking", "lockdep" },
	{ "inconsistent lock state", "lockdep" },
	{ "suspicious RCU usage", "lockdep" },
	{ "sleeping function called from invalid context", "DEBUG_ATOMIC_SLEEP" },
	{ "scheduling while atomic", "DEBUG_ATOMIC_SLEEP" },
	{ "list_add corruption", "DEBUG_LIST" },
	{ "list_del corruption", "DEBUG_LIST" },
	{ "Redzone", "SLUB debug" },
	{ "Poison overwritten", "SLUB debug" },
	{ "Object padding overwritten", "SLUB debug" },
	{ "refcount_t:", "refcount" },
	{ "INFO: task", "hung task" },
	{ "soft lockup", "lockup detector" },
	{ "hard LOCKUP", "lockup detector" },
	{ "detected stall", "RCU stall" },
	{ "self-detected stall", "RCU stall" },
	{ "general protection fault", "oops" },
	{ "Unable to handle", "oops" },
	{ "Oops", "oops" },
	{ "Kernel panic", "panic" },
	{ "WARNING:", "WARN" },
	{ "BUG:", "BUG" },
	{ "BUG ", "BUG" },
};

static int passed, failed;

static void result(int ok, const char *what, const char *why)
{
	if (ok)
		passed++;
	else
		failed++;
	printf("%sok - %s%s%s\n", ok ? "" : "not ", what, why ? " # " : "",
	       why ? why : "");
}

static void chomp(char *s)
{
	s[strcspn(s, "\r\n")] = '\0';
}

/* Counts the guest's TAP results; returns the plan, or -1 if none. */
static int read_tap(const char *path, int *marker)
{
	char line[MAX_LINE];
	int plan = -1, next = 1;
	FILE *f = fopen(path, "r");

	*marker = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		int num;

		chomp(line);
		if (sscanf(line, "1..%d", &num) == 1) {
			plan = num;
		} else if (!strncmp(line, "ok ", 3) && sscanf(line + 3, "%d", &num) == 1) {
			passed += num == next;
			failed += num != next;
			next++;
		} else if (!strncmp(line, "not ok ", 7)) {
			failed++;
			next++;
		} else if (strstr(line, SUCCESS_MARKER)) {
			*marker = 1;
		}
	}
	fclose(f);
	if (plan > 0 && next - 1 < plan) {
		printf("# %d planned tests never reported\n", plan - (next - 1));
		failed += plan - (next - 1);
	}
	return plan;
}

/* Returns the number of unexpected reports, printing each. */
static int read_console(const char *path)
{
	char line[MAX_LINE], recent[3][MAX_LINE] = { "", "", "" };
	int bad = 0, allowed = 0;
	FILE *f = fopen(path, "r");
	size_t i;

	if (!f) {
		printf("# no console log at %s\n", path);
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		chomp(line);
		for (i = 0; i < sizeof(reports) / sizeof(reports[0]); i++)
			if (strstr(line, reports[i].text))
				break;
		if (i < sizeof(reports) / sizeof(reports[0])) {
			int excused = 0;

			/* The WARN's message is printed just before its header. */
			if (!strcmp(reports[i].text, "WARNING:") && !allowed &&
			    (strstr(recent[0], ALLOWED_WARNING) ||
			     strstr(recent[1], ALLOWED_WARNING) ||
			     strstr(recent[2], ALLOWED_WARNING)))
				excused = allowed = 1;
			if (!excused) {
				printf("# console (%s): %s\n",
				       reports[i].detector, line);
				bad++;
			}
		}
		memmove(recent[1], recent[0], sizeof(recent[0]) * 2);
		snprintf(recent[0], sizeof(recent[0]), "%s", line);
	}
	fclose(f);
	if (allowed)
		printf("# console: the expected duplicate-name warning was seen\n");
	return bad;
}

int main(int argc, char **argv)
{
	int status, marker, plan, bad;
	char why[64];

	if (argc != 4) {
		fprintf(stderr, "usage: %s TAP_LOG CONSOLE_LOG QEMU_STATUS\n", argv[0]);
		return 2;
	}
	status = atoi(argv[3]);
	plan = read_tap(argv[1], &marker);
	if (plan < 0)
		result(0, "guest printed a test plan", NULL);

	snprintf(why, sizeof(why), "QEMU status %d", status);
	result(status == 0, "guest powered off by itself",
	       status == TIMEOUT_STATUS ? "timed out" : status ? why : NULL);
	result(marker, "guest init saw every test pass", NULL);
	bad = read_console(argv[2]);
	snprintf(why, sizeof(why), "%d kernel report(s)", bad);
	result(!bad, "kernel console is clean", bad ? why : NULL);

	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
