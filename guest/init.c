// SPDX-License-Identifier: GPL-2.0
/*
 * init - PID 1 of the test guest. Mounts what the tests need, runs the
 * command given after "--" on the kernel command line with its output on
 * the second serial port, then writes the whole kernel log there, says
 * SUCCESS_MARKER only if the command exited 0, and powers the machine off.
 *
 * The kernel console stays on the first serial port, so the host reads
 * the kernel's own reports apart from the tests' output. The log is read
 * back as well because a console may print late (PREEMPT_RT defers it) or
 * drop messages: what the kernel logged is judged either way.
 *
 * With guest_shell= on the command line the command reads the port too,
 * as its controlling terminal: an interactive shell.
 *
 * Where the machine has one UART, the second port is a virtio console:
 * the host names it with guest_output= on the command line (the kernel
 * hands that to init as an environment variable) and puts the modules it
 * needs in /lib/boot, numbered in load order.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "init.h"
#include "kmsg.h"

#define OUTPUT_TTY "/dev/ttyS1"
#define BOOT_MODULES "/lib/boot"
/* A virtio console appears once its driver has probed the device. */
#define OUTPUT_WAIT_MS 10000

static void mount_or_warn(const char *fs, const char *dir)
{
	mkdir(dir, 0755);
	if (mount(fs, dir, fs, 0, NULL) && errno != EBUSY)
		fprintf(stderr, "init: mount %s on %s: %s\n", fs, dir,
			strerror(errno));
}

static void load_boot_modules(void)
{
	struct dirent **names;
	char path[512];
	int n, i;

	n = scandir(BOOT_MODULES, &names, NULL, alphasort);
	for (i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.') {
			int fd;

			snprintf(path, sizeof(path), BOOT_MODULES "/%s",
				 names[i]->d_name);
			fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd < 0 || syscall(SYS_finit_module, fd, "", 0))
				fprintf(stderr, "init: load %s: %s\n", path,
					strerror(errno));
			if (fd >= 0)
				close(fd);
		}
		free(names[i]);
	}
	if (n >= 0)
		free(names);
}

static int open_output(const char *tty)
{
	int waited, fd = -1;

	for (waited = 0; waited <= OUTPUT_WAIT_MS; waited += 10) {
		fd = open(tty, O_RDWR | O_NOCTTY);
		/* No node yet, or a node whose port is not up yet. */
		if (fd >= 0 || (errno != ENOENT && errno != ENODEV &&
				errno != ENXIO))
			break;
		usleep(10000);
	}
	if (fd < 0)
		fprintf(stderr, "init: open %s: %s\n", tty, strerror(errno));
	return fd;
}

/* Every record of the kernel log, a line each. */
static void dump_kernel_log(void)
{
	char text[8192];
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);

	while (fd >= 0 && kmsg_next(fd, text, sizeof(text)))
		printf("%s%s\n", KMSG_PREFIX, text);
	if (fd >= 0)
		close(fd);
	printf("%s\n", KMSG_END);
}

static void power_off(void)
{
	sync();
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	const char *output = getenv("guest_output");
	int shell = getenv("guest_shell") != NULL;
	int status = 0, fd;
	pid_t child;

	fprintf(stderr, "%s\n", INIT_BEGAN);
	mount_or_warn("proc", "/proc");
	mount_or_warn("sysfs", "/sys");
	mount_or_warn("devtmpfs", "/dev");
	mount_or_warn("tmpfs", "/tmp");
	mount_or_warn("debugfs", "/sys/kernel/debug");

	load_boot_modules();
	fd = open_output(output ? output : OUTPUT_TTY);
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
	/* An interactive shell reads the port; anything else reads nothing. */
	fd = shell ? dup(STDOUT_FILENO) : open("/dev/null", O_RDONLY);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		close(fd);
	}
	unsetenv("guest_output");
	unsetenv("guest_shell");
	setenv("PATH", "/bin:/sbin", 1);
	setenv("HOME", "/", 1);

	if (argc < 2) {
		fprintf(stderr, "init: no command after -- on the kernel command line\n");
		power_off();
	}

	child = fork();
	if (child == 0) {
		/* The port as controlling terminal: job control, ^C. */
		if (shell && setsid() >= 0)
			ioctl(STDIN_FILENO, TIOCSCTTY, 0);
		execv(argv[1], argv + 1);
		fprintf(stderr, "init: exec %s: %s\n", argv[1], strerror(errno));
		_exit(127);
	}
	/* As PID 1 we also reap orphans; wait for our child in particular. */
	while (child > 0 && waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	dump_kernel_log();
	if (child > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		printf("%s\n", SUCCESS_MARKER);
	else
		printf("init: %s failed (status %#x)\n", argv[1], status);
	fflush(stdout);
	/* Let the UART send it all: powering off cuts what is still queued. */
	tcdrain(STDOUT_FILENO);
	power_off();
	return 0;
}
