// SPDX-License-Identifier: GPL-2.0
/*
 * Module signing, last but the taint test: once signatures are enforced (booted
 * with module.sig_enforce=1, or switched on here, which cannot be undone),
 * an unsigned counter.ko and a signed one changed after signing are
 * refused, and nothing of either is left. The host puts both beside
 * counter.ko: counter_unsigned.ko always, counter_tampered.ko when it
 * signed counter.ko.
 */
#define _GNU_SOURCE
#include "counter_lib.h"
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define SIG_ENFORCE "/sys/module/module/parameters/sig_enforce"

static int sig_enforced(void)
{
	char buf[8];

	return !read_text(SIG_ENFORCE, buf, sizeof(buf)) && buf[0] == 'Y';
}

static int module_there(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s.ko", module_dir, name);
	return access(path, R_OK) == 0;
}

/* Loads a variant that must be refused; the kernel log says why, if given. */
static int refused(const char *name, const char *why)
{
	char line[512];
	int kfd = why ? kmsg_from_now() : -1;
	int ret = module_load(name);
	int found = why && kmsg_since(kfd, why, line, sizeof(line));

	ASSERT(ret == -EKEYREJECTED, "loading %s.ko gave %s, expected EKEYREJECTED",
	       name, errname(ret));
	ASSERT_NULL(counter_left());
	if (why) {
		ASSERT(found, "no \"%s\" in the kernel log", why);
		test_msg("%s", line);
	}
	return 0;
}

/*
 * Result unsigned_module_is_refused: with signatures enforced (booted with
 * `module.sig_enforce=1`, or switched on by this test, which cannot be undone),
 * an unsigned `counter.ko` fails with `EKEYREJECTED` and leaves nothing; the
 * log says `Loading of unsigned module is rejected`
 */
TEST(kernel, unsigned_module_is_refused)
{
	if (!module_there("counter_unsigned"))
		SKIP("no counter_unsigned.ko beside counter.ko");
	if (!sig_enforced() && write_file(SIG_ENFORCE, "1"))
		SKIP("the kernel cannot enforce module signatures (CONFIG_MODULE_SIG)");
	ASSERT(sig_enforced(), "%s did not turn on", SIG_ENFORCE);
	return refused("counter_unsigned", "Loading of unsigned module is rejected");
}

/*
 * Result tampered_module_is_refused: (where `counter.ko` is signed: the debug
 * kernel) a signed `counter.ko` with one byte changed after signing fails with
 * `EKEYREJECTED`
 */
TEST(kernel, tampered_module_is_refused)
{
	if (!module_there("counter_tampered"))
		SKIP("counter.ko is not signed here (make sign), nothing to tamper with");
	ASSERT(sig_enforced(), "signatures are not enforced");
	/* A signature that does not match is refused without a word. */
	return refused("counter_tampered", NULL);
}
