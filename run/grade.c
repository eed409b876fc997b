// SPDX-License-Identifier: GPL-2.0
/*
 * grade - scores another implementation of the module by the rubric, from
 * what its guests ran (run/grade.sh boots them).
 *
 * Usage:
 *   grade tests RUBRIC KERNEL
 *	the results the rubric's sections on KERNEL ask for, a line each
 *   grade kernels RUBRIC
 *	the kernels its sections run on, in order
 *   grade split KERNEL LIST OUTPUT CONSOLE REPORTS DIR
 *	one boot's output (guest/grade.sh's, of the submissions LIST names)
 *	cut into DIR/NAME/KERNEL.tap, with the kernel reports REPORTS
 *	(verdict --reports) put to the test each came in; prints a line for
 *	each submission: "NAME done|left|died|absent TESTS", TESTS the
 *	comma-separated results still to run ("-" if none)
 *   grade report RUBRIC DIR NAME TESTS_MD MUTANTS
 *	the grade of DIR/NAME: report.txt (also printed), grade.tap,
 *	results.json (Gradescope's) and junit.xml, in DIR/NAME
 *
 * A test's feedback is what it promises (its line in TESTS_MD, generated
 * from the suite), what it saw (its own diagnostics), and the likely bug:
 * the Hint of each mutant in MUTANTS that the same result kills.
 * GRADE_SECTIONS, a list of the rubric's section names, keeps only those.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../guest/init.h"

#define MAX_LINE 4096
#define MAX_ITEMS 128
#define MAX_RESULTS 256
#define MAX_DIAG 20
#define MAX_HINTS 4
#define NAME_LEN 128
#define GRADER_CHECK "kernel_reports_nothing"

struct item {
	char section[64], kernel[16], title[160], test[NAME_LEN];
	int points, hidden;
};

static struct item items[MAX_ITEMS];
static int nitems;

/* A string cut to fit, as snprintf() would, without its warnings. */
static __attribute__((noinline)) void copy(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void chomp(char *s)
{
	s[strcspn(s, "\r\n")] = '\0';
}

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("grade: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

static FILE *open_or_die(const char *path, const char *mode)
{
	FILE *f = fopen(path, mode);

	if (!f)
		die("%s: %m", path);
	return f;
}

/* Whether GRADE_SECTIONS, if set, names the section (words or commas). */
static int chosen(const char *section)
{
	const char *list = getenv("GRADE_SECTIONS"), *p;
	size_t n = strlen(section);

	if (!list || !*list)
		return 1;
	for (p = strstr(list, section); p; p = strstr(p + 1, section))
		if ((p == list || p[-1] == ' ' || p[-1] == ',') &&
		    (!p[n] || p[n] == ' ' || p[n] == ','))
			return 1;
	return 0;
}

/* The rubric: "section NAME KERNEL TITLE", then "RESULT POINTS [hidden]". */
static void read_rubric(const char *path)
{
	char line[MAX_LINE], section[64] = "", kernel[16] = "", title[160] = "";
	FILE *f = open_or_die(path, "r");
	int n = 0;

	while (fgets(line, sizeof(line), f)) {
		char word[NAME_LEN], extra[32] = "";
		int points, off;

		n++;
		chomp(line);
		if (!line[strspn(line, " \t")] || line[strspn(line, " \t")] == '#')
			continue;
		if (sscanf(line, "section %63s %15s %n", section, kernel, &off) == 2) {
			if (strcmp(kernel, "debian") && strcmp(kernel, "debug"))
				die("%s:%d: kernel %s is neither debian nor debug",
				    path, n, kernel);
			copy(title, sizeof(title), line + off);
			continue;
		}
		if (sscanf(line, "%127s %d %31s", word, &points, extra) < 2 || points < 0 ||
		    (extra[0] && strcmp(extra, "hidden")))
			die("%s:%d: not \"RESULT POINTS [hidden]\": %s", path, n, line);
		if (!section[0])
			die("%s:%d: a result before any section", path, n);
		if (!chosen(section))
			continue;
		if (nitems == MAX_ITEMS)
			die("%s: more than %d results", path, MAX_ITEMS);
		copy(items[nitems].section, sizeof(items[0].section), section);
		copy(items[nitems].kernel, sizeof(items[0].kernel), kernel);
		copy(items[nitems].title, sizeof(items[0].title), title);
		copy(items[nitems].test, sizeof(items[0].test), word);
		items[nitems].points = points;
		items[nitems].hidden = !!extra[0];
		nitems++;
	}
	fclose(f);
	if (!nitems)
		die("%s: no results", path);
}

static int cmd_tests(const char *kernel)
{
	int i, j, found = 0;

	for (i = 0; i < nitems; i++) {
		if (strcmp(items[i].kernel, kernel) || !strcmp(items[i].test, GRADER_CHECK))
			continue;
		for (j = 0; j < i; j++)
			if (!strcmp(items[j].kernel, kernel) &&
			    !strcmp(items[j].test, items[i].test))
				break;
		if (j == i)
			printf("%s\n", items[i].test);
		found = 1;
	}
	return !found;
}

static int cmd_kernels(void)
{
	int debian = 0, debug = 0, i;

	for (i = 0; i < nitems; i++) {
		debian |= !strcmp(items[i].kernel, "debian");
		debug |= !strcmp(items[i].kernel, "debug");
	}
	if (debian)
		printf("debian\n");
	if (debug)
		printf("debug\n");
	return 0;
}

/* ---- split: one boot's output, cut per submission ---- */

struct part {
	char name[NAME_LEN];
	int started, done, left;
	char listed[MAX_RESULTS][NAME_LEN];	/* the results it listed */
	int test_of[MAX_RESULTS], nlisted, ntests;
	int reported[MAX_RESULTS];
	char running[NAME_LEN];		/* the last test it started */
	FILE *tap;
};

static void list_results(struct part *p, const char *line)
{
	char buf[MAX_LINE], *name, *save;

	copy(buf, sizeof(buf), line);
	p->ntests++;
	for (name = strtok_r(buf, " ", &save); name && p->nlisted < MAX_RESULTS;
	     name = strtok_r(NULL, " ", &save)) {
		copy(p->listed[p->nlisted], NAME_LEN, name);
		p->test_of[p->nlisted++] = p->ntests;
	}
}

static int result_name(const char *line, char *name, int *ok)
{
	const char *p = line, *dash;

	*ok = strncmp(p, "not ", 4) != 0;
	if (!*ok)
		p += 4;
	if (strncmp(p, "ok ", 3))
		return -1;
	dash = strstr(p, " - ");
	if (!dash)
		return -1;
	snprintf(name, NAME_LEN, "%.*s", (int)strcspn(dash + 3, " "), dash + 3);
	return 0;
}

static void mark_reported(struct part *p, const char *name)
{
	int i;

	for (i = 0; i < p->nlisted; i++)
		if (!strcmp(p->listed[i], name))
			p->reported[i] = 1;
}

/* The test (by its first result) that a result name belongs to. */
static int test_number(const struct part *p, const char *name)
{
	int i;

	for (i = 0; i < p->nlisted; i++)
		if (!strcmp(p->listed[i], name))
			return p->test_of[i];
	return 0;
}

/* The console's lines after the test's mark: what the kernel said as it died. */
static void console_excerpt(FILE *tap, const char *console, const char *sub,
			    const char *test)
{
	char line[MAX_LINE], mark[MAX_LINE], submark[MAX_LINE];
	FILE *f = fopen(console, "r");
	long from = -1, n = 0, shown = 0, first;
	int in_sub = 0;

	if (!f)
		return;
	snprintf(mark, sizeof(mark), "%s%.*s", KMSG_RUN_MARK, NAME_LEN, test);
	snprintf(submark, sizeof(submark), "counter_test: submission %.*s", NAME_LEN, sub);
	while (fgets(line, sizeof(line), f)) {
		chomp(line);
		n++;
		if (strstr(line, "counter_test: submission ")) {
			const char *at = strstr(line, submark);

			in_sub = at && !at[strlen(submark)];
		}
		if (in_sub && strstr(line, mark) && !line[strstr(line, mark) - line + strlen(mark)])
			from = n;
	}
	if (from < 0) {
		fclose(f);
		return;
	}
	/* From just before the kernel's first report after it, if any. */
	rewind(f);
	for (n = 0, first = -1; first < 0 && fgets(line, sizeof(line), f);)
		if (++n > from && (strstr(line, "BUG") || strstr(line, "Oops") ||
				   strstr(line, "WARNING") || strstr(line, "panic") ||
				   strstr(line, "general protection")))
			first = n;
	from = first > from + 2 ? first - 2 : from;
	rewind(f);
	n = 0;
	fprintf(tap, "# the console, from line %ld:\n", from + 1);
	while (fgets(line, sizeof(line), f) && shown < 14) {
		chomp(line);
		if (++n <= from)
			continue;
		fprintf(tap, "#   %s\n", line);
		shown++;
	}
	fclose(f);
}

static int cmd_split(const char *kernel, const char *list, const char *output,
		     const char *console, const char *reports, const char *dir)
{
	static struct part parts[64];
	char line[MAX_LINE], path[2 * MAX_LINE];
	struct part *cur = NULL;
	int nparts = 0, i, j;
	FILE *f = open_or_die(list, "r");

	while (nparts < 64 && fgets(line, sizeof(line), f)) {
		chomp(line);
		if (!line[0])
			continue;
		copy(parts[nparts].name, NAME_LEN, line);
		snprintf(path, sizeof(path), "%s/%s/%s.tap", dir, line, kernel);
		parts[nparts++].tap = open_or_die(path, "a");
	}
	fclose(f);

	f = fopen(output, "r");
	while (f && fgets(line, sizeof(line), f)) {
		char name[NAME_LEN];
		int ok;

		chomp(line);
		if (!strncmp(line, "# submission: ", 14)) {
			cur = NULL;
			for (i = 0; i < nparts; i++)
				if (!strcmp(parts[i].name, line + 14))
					cur = &parts[i];
			if (cur)
				cur->started = 1;
			continue;
		}
		if (!strncmp(line, "# submission done: ", 19)) {
			if (cur)
				cur->done = 1;
			cur = NULL;
			continue;
		}
		if (!strncmp(line, "# submission left the kernel changed: ", 38)) {
			for (i = 0; i < nparts; i++)
				if (!strcmp(parts[i].name, line + 38))
					parts[i].left = 1;
			continue;
		}
		if (!cur || !strncmp(line, KMSG_PREFIX, strlen(KMSG_PREFIX)))
			continue;
		fprintf(cur->tap, "%s\n", line);
		if (!strncmp(line, TEST_PREFIX, strlen(TEST_PREFIX)))
			list_results(cur, line + strlen(TEST_PREFIX));
		else if (!strncmp(line, RUN_PREFIX, strlen(RUN_PREFIX)))
			copy(cur->running, NAME_LEN, line + strlen(RUN_PREFIX));
		else if (!result_name(line, name, &ok))
			mark_reported(cur, name);
	}
	if (f)
		fclose(f);

	/* Kernel reports, each to the test it came in. */
	f = fopen(reports, "r");
	while (f && fgets(line, sizeof(line), f)) {
		char *sub, *test, *det, *text, *save;

		chomp(line);
		if (strncmp(line, "REPORT\t", 7))
			continue;
		sub = strtok_r(line + 7, "\t", &save);
		test = strtok_r(NULL, "\t", &save);
		det = strtok_r(NULL, "\t", &save);
		text = strtok_r(NULL, "", &save);
		for (i = 0; sub && test && det && text && i < nparts; i++)
			if (!strcmp(parts[i].name, sub))
				fprintf(parts[i].tap, "# kernel report during %s (%s): %s\n",
					test, det, text);
	}
	if (f)
		fclose(f);

	for (i = 0; i < nparts; i++) {
		struct part *p = &parts[i];
		const char *status = p->done ? (p->left ? "left" : "done") :
				     p->started ? "died" : "absent";
		if (p->started && !p->done && p->running[0]) {
			/* The guest stopped in this test: it fails, the rest go on. */
			int dying = test_number(p, p->running);

			console_excerpt(p->tap, console, p->name, p->running);
			for (j = 0; j < p->nlisted; j++)
				if (p->test_of[j] == dying && !p->reported[j]) {
					fprintf(p->tap, "not ok 0 - %s # the guest stopped during this test\n",
						p->listed[j]);
					p->reported[j] = 1;
				}
		}
		printf("%s %s ", p->name, status);
		if (!p->started || !p->nlisted) {
			printf("all\n");
		} else {
			int first = 1;

			for (j = 0; j < p->nlisted; j++)
				if (!p->reported[j]) {
					printf("%s%s", first ? "" : ",", p->listed[j]);
					first = 0;
				}
			printf("%s\n", first ? "-" : "");
		}
		fclose(p->tap);
	}
	return 0;
}

/* ---- report ---- */

struct result {
	char name[NAME_LEN], kernel[16], test[NAME_LEN], directive[256];
	int ok, skip;
	double seconds;
	char *diag[MAX_DIAG];
	int ndiag;
};

struct report {
	char kernel[16], test[NAME_LEN], text[512];
};

static struct result results[2 * MAX_RESULTS];
static struct report reports[64];
static int nresults, nreports;
/* Why a kernel's tests left were not run (run/grade.sh's boots). */
static char not_run[2][512];

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d)
		die("out of memory");
	return d;
}

/*
 * A submission's stream on one kernel: its results, each with its test (the
 * test's first result), the test's diagnostics and time; and the kernel's
 * reports, by the test they came in.
 */
static void read_stream(const char *path, const char *kernel)
{
	char line[MAX_LINE], running[NAME_LEN] = "";
	char *diag[MAX_DIAG];
	int ndiag = 0, first = nresults, i;
	FILE *f = fopen(path, "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char name[NAME_LEN], det[64];
		double secs;
		int ok, off = 0;

		chomp(line);
		if (strstr(line, " boots on the ") && strstr(line, "; not run: "))
			snprintf(not_run[!strcmp(kernel, "debug")], sizeof(not_run[0]),
				 "%.*s", (int)(strstr(line, "; not run: ") - line - 2), line + 2);
		if (!strncmp(line, RUN_PREFIX, strlen(RUN_PREFIX))) {
			copy(running, sizeof(running), line + strlen(RUN_PREFIX));
			for (i = 0; i < ndiag; i++)
				free(diag[i]);
			ndiag = 0;
		} else if (sscanf(line, "# took %lf s", &secs) == 1) {
			for (i = first; i < nresults; i++)
				if (!strcmp(results[i].test, running))
					results[i].seconds = secs;
		} else if (sscanf(line, "# kernel report during %127s (%63[^)]): %n",
				  name, det, &off) == 2 && off) {
			if (nreports < 64) {
				struct report *rep = &reports[nreports++];

				copy(rep->kernel, sizeof(rep->kernel), kernel);
				copy(rep->test, sizeof(rep->test), name);
				snprintf(rep->text, sizeof(rep->text), "%s: %s", det, line + off);
			}
		} else if (!result_name(line, name, &ok)) {
			const char *hash = strstr(line, " # ");
			struct result *r;

			if (nresults == 2 * MAX_RESULTS)
				continue;
			r = &results[nresults++];
			memset(r, 0, sizeof(*r));
			copy(r->name, sizeof(r->name), name);
			copy(r->kernel, sizeof(r->kernel), kernel);
			copy(r->test, sizeof(r->test), running);
			r->ok = ok;
			if (hash) {
				copy(r->directive, sizeof(r->directive), hash + 3);
				r->skip = ok && !strncmp(hash + 3, "SKIP", 4);
			}
			for (i = 0; i < ndiag; i++)
				r->diag[r->ndiag++] = xstrdup(diag[i]);
		} else if (line[0] == '#' && ndiag < MAX_DIAG &&
			   strncmp(line, TEST_PREFIX, strlen(TEST_PREFIX)) &&
			   strncmp(line, "# guest: ", 9)) {
			diag[ndiag++] = xstrdup(line + (line[1] == ' ' ? 2 : 1));
		}
	}
	for (i = 0; i < ndiag; i++)
		free(diag[i]);
	fclose(f);
}

static const struct result *find_result(const char *kernel, const char *name)
{
	const struct result *found = NULL;
	int i;

	for (i = 0; i < nresults; i++)
		if (!strcmp(results[i].kernel, kernel) && !strcmp(results[i].name, name))
			found = &results[i];
	return found;
}

static const struct result *find_result(const char *kernel, const char *name);

/* Whether every test of the rubric on the kernel ran: no report unseen. */
static int all_ran(const char *kernel)
{
	int i;

	for (i = 0; i < nitems; i++)
		if (!strcmp(items[i].kernel, kernel) && strcmp(items[i].test, GRADER_CHECK) &&
		    !find_result(kernel, items[i].test))
			return 0;
	return 1;
}

static const struct report *report_during(const char *kernel, const char *test)
{
	int i;

	for (i = 0; i < nreports; i++)
		if (!strcmp(reports[i].kernel, kernel) &&
		    (!test || !strcmp(reports[i].test, test)))
			return &reports[i];
	return NULL;
}

/* What a result promises: its row's last cell in the generated docs/tests.md. */
static void describe(const char *tests_md, const char *name, char *out, size_t len)
{
	char line[MAX_LINE], key[NAME_LEN + 4];
	FILE *f = fopen(tests_md, "r");

	out[0] = '\0';
	if (!f)
		return;
	snprintf(key, sizeof(key), "| `%s`", name);
	while (fgets(line, sizeof(line), f)) {
		char *last;

		chomp(line);
		if (strncmp(line, key, strlen(key)) ||
		    (line[strlen(key)] != ' ' && line[strlen(key)] != '`'))
			continue;
		line[strlen(line) - 1] = '\0';	/* the closing "|" */
		last = strrchr(line, '|');
		if (last)
			copy(out, len, last + 2);
		for (size_t n = strlen(out); n && out[n - 1] == ' ';)
			out[--n] = '\0';
		break;
	}
	fclose(f);
	/* Markdown's code marks and "(same test)" mean nothing in a report. */
	for (char *p = out; *p; p++)
		if (*p == '`')
			memmove(p, p + 1, strlen(p)), p--;
	if (!strncmp(out, "(same test) ", 12))
		memmove(out, out + 12, strlen(out + 12) + 1);
}

/* The Hints of the mutants the result kills: the likely bugs. */
static int hints(const char *mutants, const char *name, char out[][512])
{
	struct dirent **ents;
	int n = scandir(mutants, &ents, NULL, alphasort), i, found = 0;

	for (i = 0; i < n; i++) {
		if (strstr(ents[i]->d_name, ".patch") && found < MAX_HINTS) {
			char path[MAX_LINE], line[MAX_LINE], hint[512] = "", killer[NAME_LEN] = "";
			FILE *f;

			snprintf(path, sizeof(path), "%s/%s", mutants, ents[i]->d_name);
			f = fopen(path, "r");
			while (f && fgets(line, sizeof(line), f) && strncmp(line, "---", 3)) {
				chomp(line);
				if (!strncmp(line, "Hint: ", 6))
					copy(hint, sizeof(hint), line + 6);
				else if (!strncmp(line, "Killed-by: ", 11))
					snprintf(killer, sizeof(killer), "%s",
						 strrchr(line, ' ') + 1);
			}
			if (f)
				fclose(f);
			if (hint[0] && !strcmp(killer, name))
				copy(out[found++], 512, hint);
		}
		free(ents[i]);
	}
	if (n >= 0)
		free(ents);
	return found;
}

/* What a kernel report, or a guest that stopped, most likely means. */
static const char *crash_hint(const struct report *rep)
{
	if (rep && (strstr(rep->text, "KASAN") || strstr(rep->text, "SLUB") ||
		    strstr(rep->text, "kmalloc") || strstr(rep->text, "Redzone") ||
		    strstr(rep->text, "Poison")))
		return "the kernel's memory checker caught a bad access: a buffer "
		       "smaller than what is written to it, or one used after kfree() "
		       "(one buffer shared by every open): size it for the whole line, "
		       "one per open (single_open() and seq_printf() do both)";
	return "the kernel stopped or complained in this test: its console "
	       "above says where (the function at the top of the call trace)";
}

/* Growing text, for the report and each test's feedback. */
struct text {
	char *s;
	size_t len, cap;
};

static void add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (t->len + n + 1 > t->cap) {
		t->cap = (t->len + n + 1) * 2;
		t->s = realloc(t->s, t->cap);
		if (!t->s)
			die("out of memory");
	}
	va_start(ap, fmt);
	vsnprintf(t->s + t->len, n + 1, fmt, ap);
	va_end(ap);
	t->len += n;
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else if (c >= 0x80)	/* the guest's bytes need not be UTF-8 */
			fputc('?', f);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void xml_text(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = *s;

		if (c == '<')
			fputs("&lt;", f);
		else if (c == '>')
			fputs("&gt;", f);
		else if (c == '&')
			fputs("&amp;", f);
		else if (c == '"')
			fputs("&quot;", f);
		else if ((c < 0x20 && c != '\n' && c != '\t') || c >= 0x80)
			fputc(c >= 0x80 ? '?' : ' ', f);
		else
			fputc(c, f);
	}
}

/* What the build log says, with a hint where the error is a known one. */
static void build_failure(const char *log, struct text *t)
{
	char line[MAX_LINE], *from;
	int shown = 0, proc_ops = 0;
	FILE *f = fopen(log, "r");

	add(t, "the module did not build against the guest's kernel headers:\n");
	while (f && fgets(line, sizeof(line), f)) {
		chomp(line);
		if (strstr(line, "proc_create") || strstr(line, "proc_ops"))
			proc_ops = 1;
		/* The grader's directories mean nothing to the student. */
		from = strstr(line, "/src.debian/") ?: strstr(line, "/src.debug/");
		from = from ? strchr(from + 1, '/') + 1 : line;
		if (shown < 25 && (strstr(line, "error") || strstr(line, "warning") ||
				   strstr(line, "note:")))
			add(t, "  %s\n", from), shown++;
	}
	if (f)
		fclose(f);
	if (proc_ops)
		add(t, "likely: proc_create() takes a struct proc_ops since Linux 5.6, not a "
		       "struct file_operations: give it .proc_open, .proc_read, .proc_lseek and "
		       ".proc_release (single_open(), seq_read, seq_lseek, single_release)\n");
}

static int cmd_report(const char *dir, const char *name, const char *tests_md,
		      const char *mutants)
{
	char path[MAX_LINE], built[MAX_LINE], desc[MAX_LINE], hint[MAX_HINTS][512];
	struct text report = { 0 }, build = { 0 };
	struct text feedback[MAX_ITEMS] = { { 0 } };
	int i, j, score = 0, total = 0, did_build, failed = 0;
	int got[MAX_ITEMS] = { 0 }, passed[MAX_ITEMS] = { 0 }, failed_on[2];
	double seconds = 0;
	const char *section = "";
	FILE *f;

	for (i = 0; i < 2; i++) {
		snprintf(built, sizeof(built), "%s/%s/build-failed-%s", dir, name,
			 i ? "debug" : "debian");
		failed_on[i] = !access(built, F_OK);
	}
	snprintf(built, sizeof(built), "%s/%s/build-failed-all", dir, name);
	if (!access(built, F_OK))
		failed_on[0] = failed_on[1] = 1;
	did_build = !failed_on[0] && !failed_on[1];
	if (!did_build) {
		snprintf(path, sizeof(path), "%s/%s/build.log", dir, name);
		build_failure(path, &build);
	}
	snprintf(path, sizeof(path), "%s/%s/debian.tap", dir, name);
	read_stream(path, "debian");
	snprintf(path, sizeof(path), "%s/%s/debug.tap", dir, name);
	read_stream(path, "debug");
	for (i = 0; i < nresults; i++)
		seconds += results[i].seconds;

	add(&report, "== grade of %s\n", name);
	for (i = 0; i < nitems; i++) {
		const struct item *it = &items[i];
		const struct result *r = find_result(it->kernel, it->test);
		const struct report *rep = NULL;
		struct text *fb = &feedback[i];
		int ok, built_here = !failed_on[!strcmp(it->kernel, "debug")];

		if (strcmp(section, it->section)) {
			int pts = 0;

			section = it->section;
			for (j = i; j < nitems && !strcmp(items[j].section, section); j++)
				pts += items[j].points;
			add(&report, "%s (%s kernel): %s, %d point(s)\n", section,
			    it->kernel, it->title, pts);
		}
		if (!strcmp(it->test, GRADER_CHECK)) {
			rep = report_during(it->kernel, NULL);
			ok = built_here && !rep && all_ran(it->kernel);
			if (!built_here)
				add(fb, "not run: the module did not build");
			else if (rep)
				add(fb, "expected no kernel report; the kernel reported, during %s: %s",
				    rep->test, rep->text);
			else if (!ok)
				add(fb, "not judged: not every test ran on this kernel");
		} else if (!built_here) {
			ok = 0;
			add(fb, "not run: the module did not build");
		} else if (!r) {
			ok = 0;
			if (not_run[!strcmp(it->kernel, "debug")][0])
				add(fb, "not run: %s, each ended by the module",
				    not_run[!strcmp(it->kernel, "debug")]);
			else
				add(fb, "not run: the guest never reached this test");
		} else {
			rep = report_during(it->kernel, r->test);
			ok = r->ok && !rep;
			if (!ok) {
				describe(tests_md, it->test, desc, sizeof(desc));
				add(fb, "expected: %s\n", desc[0] ? desc : it->test);
				if (r->directive[0] && !r->skip)
					add(fb, "seen: %s\n", r->directive);
				for (j = 0; j < r->ndiag; j++)
					add(fb, "%s%s\n", j || r->directive[0] ? "      " : "seen: ",
					    r->diag[j]);
				if (rep)
					add(fb, "the kernel reported, during %s: %s\n", r->test,
					    rep->text);
				if (rep || strstr(r->directive, "the guest stopped"))
					add(fb, "%s\n", crash_hint(rep));
				for (j = 0; j < r->ndiag; j++)
					if (strstr(r->diag[j], "its exit is stuck"))
						break;
				if (j < r->ndiag)
					add(fb, "the module's exit never returned: kthread_stop() "
						"wakes the thread and waits for it to return, so its "
						"loop must end once kthread_should_stop() is true\n");
				for (j = hints(mutants, it->test, hint) - 1; j >= 0; j--)
					add(fb, "a possible cause: %s\n", hint[j]);
			} else if (r->skip) {
				add(fb, "skipped here, counted: %s", r->directive + 5);
			}
		}
		passed[i] = ok;
		got[i] = ok ? it->points : 0;
		score += got[i];
		total += it->points;
		failed += !ok;
		add(&report, "  %-40s %-4s %5.1f s %3d/%d\n", it->test, ok ? "OK" : "FAIL",
		    r ? r->seconds : 0.0, got[i], it->points);
		if (!ok && fb->s) {
			char *line, *save, *lines = xstrdup(fb->s);

			for (line = strtok_r(lines, "\n", &save); line;
			     line = strtok_r(NULL, "\n", &save))
				add(&report, "      %s\n", line);
			free(lines);
		}
	}
	if (build.s)
		add(&report, "%s", build.s);
	add(&report, "Score: %d/%d\n", score, total);

	snprintf(path, sizeof(path), "%s/%s/report.txt", dir, name);
	f = open_or_die(path, "w");
	fputs(report.s, f);
	fclose(f);
	fputs(report.s, stdout);

	/* TAP: a result per rubric line. */
	snprintf(path, sizeof(path), "%s/%s/grade.tap", dir, name);
	f = open_or_die(path, "w");
	fprintf(f, "TAP version 13\n1..%d\n", nitems);
	for (i = 0; i < nitems; i++) {
		fprintf(f, "%sok %d - %s/%s # %d/%d\n", passed[i] ? "" : "not ", i + 1,
			items[i].section, items[i].test, got[i], items[i].points);
	}
	fprintf(f, "# Score: %d/%d\n", score, total);
	fclose(f);

	/* Gradescope's results.json. */
	snprintf(path, sizeof(path), "%s/%s/results.json", dir, name);
	f = open_or_die(path, "w");
	fprintf(f, "{\n  \"score\": %d,\n  \"execution_time\": %.0f,\n  \"output\": ",
		score, seconds);
	json_string(f, build.s ? build.s : "");
	fprintf(f, ",\n  \"stdout_visibility\": \"visible\",\n  \"tests\": [\n");
	for (i = 0; i < nitems; i++) {
		fprintf(f, "    {\"name\": ");
		json_string(f, items[i].test);
		fprintf(f, ", \"name_format\": \"text\", \"number\": \"%d\", \"score\": %d, "
			"\"max_score\": %d, \"status\": \"%s\", \"tags\": [",
			i + 1, got[i], items[i].points,
			passed[i] ? "passed" : "failed");
		json_string(f, items[i].section);
		fprintf(f, ", ");
		json_string(f, items[i].kernel);
		fprintf(f, "], \"output\": ");
		json_string(f, feedback[i].s ? feedback[i].s : "");
		fprintf(f, ", \"visibility\": \"%s\"}%s\n",
			items[i].hidden ? "after_published" : "visible",
			i + 1 < nitems ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
	fclose(f);

	/* JUnit XML, a test suite per section. */
	snprintf(path, sizeof(path), "%s/%s/junit.xml", dir, name);
	f = open_or_die(path, "w");
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"");
	xml_text(f, name);
	fprintf(f, "\" tests=\"%d\" failures=\"%d\" time=\"%.1f\">\n", nitems, failed, seconds);
	for (i = 0; i < nitems; i = j) {
		int n = 0, fails = 0;

		for (j = i; j < nitems && !strcmp(items[j].section, items[i].section); j++)
			n++, fails += !passed[j];
		fprintf(f, "  <testsuite name=\"%s\" tests=\"%d\" failures=\"%d\">\n",
			items[i].section, n, fails);
		for (j = i; j < nitems && !strcmp(items[j].section, items[i].section); j++) {
			const struct result *r = find_result(items[j].kernel, items[j].test);

			fprintf(f, "    <testcase classname=\"%s.%s\" name=\"%s\" time=\"%.1f\"",
				name, items[j].section, items[j].test, r ? r->seconds : 0.0);
			if (passed[j]) {
				fprintf(f, "/>\n");
				continue;
			}
			fprintf(f, ">\n      <failure message=\"0/%d\">", items[j].points);
			xml_text(f, feedback[j].s);
			fprintf(f, "</failure>\n    </testcase>\n");
		}
		fprintf(f, "  </testsuite>\n");
	}
	fprintf(f, "</testsuites>\n");
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "tests"))
		return read_rubric(argv[2]), cmd_tests(argv[3]);
	if (argc == 3 && !strcmp(argv[1], "kernels"))
		return read_rubric(argv[2]), cmd_kernels();
	if (argc == 8 && !strcmp(argv[1], "split"))
		return cmd_split(argv[2], argv[3], argv[4], argv[5], argv[6], argv[7]);
	if (argc == 7 && !strcmp(argv[1], "report"))
		return read_rubric(argv[2]), cmd_report(argv[3], argv[4], argv[5], argv[6]);
	fprintf(stderr, "usage: grade tests RUBRIC KERNEL | kernels RUBRIC |\n"
			"       split KERNEL LIST OUTPUT CONSOLE REPORTS DIR |\n"
			"       report RUBRIC DIR NAME TESTS_MD MUTANTS\n");
	return 2;
}
