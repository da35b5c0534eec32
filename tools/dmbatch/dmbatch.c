// SPDX-License-Identifier: GPL-2.0
/*
 * dmbatch - run device-mapper commands from a script in one process.
 *
 * Usage: dmbatch [-k] [-v] [-n] [SCRIPT]
 *
 *   -k   after each command, print the kernel log lines it produced
 *        (read from /dev/kmsg)
 *   -v   print libdevmapper's own messages too
 *   -n   check the script only: run nothing, print nothing but errors
 *
 * The script (standard input without SCRIPT) has one command per line;
 * blank lines and lines starting with '#' are skipped:
 *
 *   create NAME START LEN TARGET [PARAMS]   create a device with one target
 *   reload NAME START LEN TARGET [PARAMS]   load an inactive table
 *   clear NAME                              drop the inactive table
 *   remove NAME                             remove (once, no retry)
 *   suspend NAME [nolockfs] [noflush]
 *   resume NAME
 *   message NAME SECTOR MESSAGE             MESSAGE is the rest of the line
 *   status NAME | table NAME | info NAME
 *   io NAME OFFSET_KIB LEN_KIB              write a pattern to /dev/mapper/NAME
 *                                           with O_DIRECT, read it back, compare
 *   sleep MS
 *   make-it-fail                            run the ioctls of the next command
 *                                           with /proc/self/make-it-fail set, for
 *                                           the kernel's fault injection with
 *                                           task-filter (debug kernels)
 *
 * PARAMS is the rest of the line, passed as is (it may be empty).  For each
 * command dmbatch prints
 *
 *   LINE OP NAME ok us=MICROSECONDS
 *   LINE OP NAME err=ERRNO us=MICROSECONDS
 *
 * (create adds "at=create|reload|resume", the step that failed, and io
 * "at=open|write|fsync|read"; io says "err=EMISMATCH" when it read back
 * other data than it wrote), then the command's output as "LINE out: ..."
 * lines (status, table, info, message responses, "the write buffer
 * changed" when io's buffer no longer holds what it wrote) and, with -k,
 * the kernel log lines as "LINE kmsg: ...".
 * The last line is "dmbatch: commands=N ok=N failed=N".  A failed command
 * does not stop the script: dmbatch exits 0 when every line was a valid
 * command, 2 at the first line that is not (nothing after it runs), 1 when
 * it cannot read the script or /dev/kmsg.
 *
 * One process runs the whole script, so a command costs an ioctl rather
 * than a dmsetup start-up (about 0.2 s in the test VM under QEMU TCG).
 * Without udev (DM_DISABLE_UDEV=1) libdevmapper creates the /dev/mapper
 * nodes itself, as dmsetup does.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libdevmapper.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum op {
	OP_CREATE, OP_RELOAD, OP_CLEAR, OP_REMOVE, OP_SUSPEND, OP_RESUME, OP_MESSAGE,
	OP_STATUS, OP_TABLE, OP_INFO, OP_IO, OP_SLEEP, OP_MAKE_IT_FAIL,
};

static const struct {
	const char *name;
	enum op op;
} ops[] = {
	{ "create", OP_CREATE }, { "reload", OP_RELOAD },
	{ "clear", OP_CLEAR },
	{ "remove", OP_REMOVE }, { "suspend", OP_SUSPEND },
	{ "resume", OP_RESUME }, { "message", OP_MESSAGE },
	{ "status", OP_STATUS }, { "table", OP_TABLE },
	{ "info", OP_INFO }, { "io", OP_IO }, { "sleep", OP_SLEEP },
	{ "make-it-fail", OP_MAKE_IT_FAIL },
};

/* One parsed script line. */
struct cmd {
	enum op op;
	const char *opname;
	char *name;
	uint64_t start, len;		/* create, reload */
	char *target, *params;		/* create, reload */
	uint64_t sector;		/* message */
	char *message;			/* message */
	bool nolockfs, noflush;		/* suspend */
	uint64_t offset_kib, len_kib;	/* io */
	unsigned long ms;		/* sleep */
};

static bool verbose;
/* Run the ioctls of the next command with make-it-fail set. */
static bool fail_next;
static unsigned long lineno;
/* A command's output, printed after its result line. */
static FILE *out;

/* libdevmapper's messages, shown with -v only. */
__attribute__((format(printf, 5, 6)))
static void dm_log(int level, const char *file, int line, int dm_errno,
		   const char *f, ...)
{
	va_list ap;

	(void)file;
	(void)line;
	(void)dm_errno;
	if (!verbose || (level & 7) > 4)	/* _LOG_WARN */
		return;
	printf("%lu lib: ", lineno);
	va_start(ap, f);
	vprintf(f, ap);
	va_end(ap);
	putchar('\n');
}

static char *next_word(char **s)
{
	char *w = *s + strspn(*s, " \t");
	char *end;

	if (!*w)
		return NULL;
	end = w + strcspn(w, " \t");
	if (*end)
		*end++ = '\0';
	*s = end;
	return w;
}

/* A decimal unsigned 64-bit number, the whole word. */
static bool parse_u64(const char *w, uint64_t *out)
{
	char *end;

	if (!w || *w < '0' || *w > '9')
		return false;
	errno = 0;
	*out = strtoull(w, &end, 10);
	return !errno && !*end;
}

/*
 * Parse one line into @c (pointing into @line).  Returns 0, or -1 after
 * printing why the line is not a command.
 */
static int parse(char *line, struct cmd *c)
{
	char *s = line, *w, *rest;
	uint64_t v;
	size_t i;

	memset(c, 0, sizeof(*c));
	w = next_word(&s);
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcmp(w, ops[i].name))
			break;
	if (i == sizeof(ops) / sizeof(ops[0])) {
		fprintf(stderr, "dmbatch: line %lu: unknown command '%s'\n",
			lineno, w);
		return -1;
	}
	c->op = ops[i].op;
	c->opname = ops[i].name;

	if (c->op == OP_MAKE_IT_FAIL) {
		if (next_word(&s)) {
			fprintf(stderr, "dmbatch: line %lu: make-it-fail takes no argument\n",
				lineno);
			return -1;
		}
		return 0;
	}
	if (c->op == OP_SLEEP) {
		w = next_word(&s);
		if (!parse_u64(w, &v) || v > 3600000 || next_word(&s)) {
			fprintf(stderr, "dmbatch: line %lu: usage: sleep MS (0 to 3600000)\n",
				lineno);
			return -1;
		}
		c->ms = v;
		return 0;
	}

	c->name = next_word(&s);
	if (!c->name) {
		fprintf(stderr, "dmbatch: line %lu: %s needs a device name\n",
			lineno, c->opname);
		return -1;
	}

	switch (c->op) {
	case OP_CREATE:
	case OP_RELOAD:
		if (!parse_u64(next_word(&s), &c->start) ||
		    !parse_u64(next_word(&s), &c->len) ||
		    !(c->target = next_word(&s))) {
			fprintf(stderr, "dmbatch: line %lu: usage: %s NAME START LEN TARGET [PARAMS]\n",
				lineno, c->opname);
			return -1;
		}
		c->params = s + strspn(s, " \t");
		return 0;
	case OP_MESSAGE:
		if (!parse_u64(next_word(&s), &c->sector)) {
			fprintf(stderr, "dmbatch: line %lu: usage: message NAME SECTOR MESSAGE\n",
				lineno);
			return -1;
		}
		/* The message is the rest of the line, even empty. */
		c->message = s;
		return 0;
	case OP_IO:
		if (!parse_u64(next_word(&s), &c->offset_kib) ||
		    !parse_u64(next_word(&s), &c->len_kib) || !c->len_kib ||
		    c->len_kib > 65536 || c->offset_kib > (UINT64_MAX >> 11) ||
		    next_word(&s)) {
			fprintf(stderr, "dmbatch: line %lu: usage: io NAME OFFSET_KIB LEN_KIB (LEN_KIB 1 to 65536)\n",
				lineno);
			return -1;
		}
		return 0;
	case OP_SUSPEND:
		while ((w = next_word(&s))) {
			if (!strcmp(w, "nolockfs")) {
				c->nolockfs = true;
			} else if (!strcmp(w, "noflush")) {
				c->noflush = true;
			} else {
				fprintf(stderr, "dmbatch: line %lu: suspend takes nolockfs and noflush, not '%s'\n",
					lineno, w);
				return -1;
			}
		}
		return 0;
	default:
		rest = next_word(&s);
		if (rest) {
			fprintf(stderr, "dmbatch: line %lu: %s takes only a device name, not '%s'\n",
				lineno, c->opname, rest);
			return -1;
		}
		return 0;
	}
}

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

/* Print the kernel log records that arrived since the last call. */
static void kmsg_drain(int fd)
{
	char buf[8192], *msg, *nl;
	ssize_t n;

	if (fd < 0)
		return;
	for (;;) {
		n = read(fd, buf, sizeof(buf) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* records were overwritten */
		if (n <= 0)
			return;
		buf[n] = '\0';
		msg = strchr(buf, ';');
		if (!msg)
			continue;
		msg++;
		nl = strchr(msg, '\n');
		if (nl)
			*nl = '\0';
		printf("%lu kmsg: %s\n", lineno, msg);
	}
}

/* Print each line of a command's text output. */
static void print_out(const char *text)
{
	const char *p = text, *nl;

	while (p && *p) {
		nl = strchr(p, '\n');
		if (!nl) {
			fprintf(out, "%lu out: %s\n", lineno, p);
			return;
		}
		fprintf(out, "%lu out: %.*s\n", lineno, (int)(nl - p), p);
		p = nl + 1;
	}
}

static void print_targets(struct dm_task *dmt)
{
	uint64_t start, len;
	char *type, *params;
	void *next = NULL;

	do {
		next = dm_get_next_target(dmt, next, &start, &len, &type,
					  &params);
		if (type)
			fprintf(out, "%lu out: %" PRIu64 " %" PRIu64 " %s %s\n",
			       lineno, start, len, type, params ? params : "");
	} while (next);
}

static void print_info(struct dm_task *dmt)
{
	struct dm_info info;

	if (!dm_task_get_info(dmt, &info))
		return;
	fprintf(out, "%lu out: exists=%d suspended=%d open=%d targets=%d live=%d inactive=%d\n",
	       lineno, info.exists, info.suspended, info.open_count,
	       info.target_count, info.live_table, info.inactive_table);
}

static const int task_types[] = {
	[OP_CREATE] = DM_DEVICE_CREATE, [OP_RELOAD] = DM_DEVICE_RELOAD,
	[OP_CLEAR] = DM_DEVICE_CLEAR,
	[OP_REMOVE] = DM_DEVICE_REMOVE, [OP_SUSPEND] = DM_DEVICE_SUSPEND,
	[OP_RESUME] = DM_DEVICE_RESUME, [OP_MESSAGE] = DM_DEVICE_TARGET_MSG,
	[OP_STATUS] = DM_DEVICE_STATUS, [OP_TABLE] = DM_DEVICE_TABLE,
	[OP_INFO] = DM_DEVICE_INFO,
};

/* Set /proc/self/make-it-fail to @on; false (errno set) when it cannot. */
static bool set_make_it_fail(bool on)
{
	int fd = open("/proc/self/make-it-fail", O_WRONLY);
	bool ok = fd >= 0 && write(fd, on ? "1" : "0", 1) == 1;
	int err = errno;

	if (fd >= 0)
		close(fd);
	errno = err;
	return ok;
}

/*
 * Run one ioctl of command @c: @type is the task type (create runs three).
 * Returns 0 or the errno (-1 when the task could not be set up, or when the
 * ioctl failed without an errno), and prints the command's output.
 */
static int task(const struct cmd *c, int type)
{
	struct dm_task *dmt;
	int err = 0, ok;

	dmt = dm_task_create(type);
	if (!dmt)
		return -1;
	if (!dm_task_set_name(dmt, c->name))
		goto setup;
	switch (type) {
	case DM_DEVICE_RELOAD:
		if (!dm_task_add_target(dmt, c->start, c->len, c->target,
					c->params))
			goto setup;
		break;
	case DM_DEVICE_TARGET_MSG:
		if (!dm_task_set_sector(dmt, c->sector) ||
		    !dm_task_set_message(dmt, c->message))
			goto setup;
		break;
	case DM_DEVICE_SUSPEND:
		if ((c->nolockfs && !dm_task_skip_lockfs(dmt)) ||
		    (c->noflush && !dm_task_no_flush(dmt)))
			goto setup;
		break;
	default:
		break;
	}

	if (fail_next && !set_make_it_fail(true))
		fprintf(out, "%lu out: cannot set make-it-fail: %s\n", lineno,
			strerror(errno));
	ok = dm_task_run(dmt);
	if (fail_next)
		set_make_it_fail(false);
	if (!ok) {
		err = dm_task_get_errno(dmt);
		if (!err)
			err = -1;
	} else if (c->op == OP_MESSAGE) {
		print_out(dm_task_get_message_response(dmt));
	} else if (c->op == OP_STATUS || c->op == OP_TABLE) {
		print_targets(dmt);
	} else if (c->op == OP_INFO) {
		print_info(dmt);
	}
	dm_task_update_nodes();
	dm_task_destroy(dmt);
	return err;

setup:
	dm_task_destroy(dmt);
	return -1;
}

/*
 * create runs as dmsetup create does: create the device, load the table,
 * resume; when the load or the resume fails, remove the device again.
 */
static int create(const struct cmd *c, const char **step)
{
	int err;

	*step = "create";
	err = task(c, DM_DEVICE_CREATE);
	if (err)
		return err;
	*step = "reload";
	err = task(c, DM_DEVICE_RELOAD);
	if (!err) {
		*step = "resume";
		err = task(c, DM_DEVICE_RESUME);
	}
	if (err && task(c, DM_DEVICE_REMOVE))
		fprintf(out, "%lu out: the device could not be removed again\n",
			lineno);
	return err;
}

/* The byte at offset @i of the pattern of script line @line. */
static unsigned char pattern(unsigned long line, size_t i)
{
	return (unsigned char)(line * 131 + i / 512 * 7 + i);
}

/*
 * io: write LEN_KIB KiB of a pattern unique to this line at OFFSET_KIB of
 * the device with O_DIRECT, fsync, read it back with O_DIRECT and compare
 * with the pattern.  Returns 0, an errno (with *step the call that failed),
 * or EMISMATCH_ERR when the data read back is not the pattern.  Sets
 * *changed when the write buffer itself no longer holds the pattern after
 * the write (something below changed the caller's pages).
 */
#define EMISMATCH_ERR	-2

static int io(const struct cmd *c, const char **step, bool *changed)
{
	size_t len = c->len_kib << 10, i;
	off_t off = (off_t)(c->offset_kib << 10);
	unsigned char *wbuf = NULL, *rbuf = NULL;
	char path[PATH_MAX];
	int fd, err = 0;

	*changed = false;
	*step = "open";
	snprintf(path, sizeof(path), "/dev/mapper/%s", c->name);
	fd = open(path, O_RDWR | O_DIRECT);
	if (fd < 0)
		return errno;
	if (posix_memalign((void **)&wbuf, 4096, len) ||
	    posix_memalign((void **)&rbuf, 4096, len)) {
		err = ENOMEM;
		goto out;
	}
	for (i = 0; i < len; i++)
		wbuf[i] = pattern(lineno, i);
	errno = 0;
	*step = "write";
	if (pwrite(fd, wbuf, len, off) != (ssize_t)len) {
		err = errno ? errno : EIO;
		goto out;
	}
	for (i = 0; i < len; i++)
		if (wbuf[i] != pattern(lineno, i))
			*changed = true;
	*step = "fsync";
	if (fsync(fd)) {
		err = errno;
		goto out;
	}
	*step = "read";
	if (pread(fd, rbuf, len, off) != (ssize_t)len) {
		err = errno ? errno : EIO;
		goto out;
	}
	for (i = 0; i < len; i++)
		if (rbuf[i] != pattern(lineno, i))
			err = EMISMATCH_ERR;
	*step = NULL;
out:
	free(wbuf);
	free(rbuf);
	close(fd);
	return err;
}

/* Run one command; returns true when it succeeded. */
static bool run(const struct cmd *c)
{
	const char *step = NULL, *e;
	bool changed = false;
	char *text = NULL;
	size_t size = 0;
	long long t0, us;
	int err;

	if (c->op == OP_SLEEP) {
		usleep(c->ms * 1000);
		printf("%lu sleep %lu ok\n", lineno, c->ms);
		return true;
	}
	if (c->op == OP_MAKE_IT_FAIL) {
		/* Check now that the kernel has it: make-it-fail 0. */
		if (!set_make_it_fail(false)) {
			e = strerrorname_np(errno);
			printf("%lu make-it-fail err=%s\n", lineno, e ? e : "failed");
			return false;
		}
		fail_next = true;
		printf("%lu make-it-fail ok\n", lineno);
		return true;
	}

	out = open_memstream(&text, &size);
	if (!out) {
		perror("dmbatch: open_memstream");
		exit(1);
	}
	t0 = now_us();
	if (c->op == OP_CREATE)
		err = create(c, &step);
	else if (c->op == OP_IO)
		err = io(c, &step, &changed);
	else
		err = task(c, task_types[c->op]);
	us = now_us() - t0;
	fail_next = false;
	if (changed)
		fprintf(out, "%lu out: the write buffer changed\n", lineno);
	fclose(out);

	if (!err) {
		printf("%lu %s %s ok us=%lld\n", lineno, c->opname, c->name, us);
	} else {
		e = err > 0 ? strerrorname_np(err) : NULL;
		if (err == EMISMATCH_ERR)
			e = "EMISMATCH";
		printf("%lu %s %s err=%s us=%lld%s%s\n", lineno, c->opname,
		       c->name, e ? e : "failed", us, step ? " at=" : "",
		       step ? step : "");
	}
	fputs(text, stdout);
	free(text);
	return !err;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: dmbatch [-k] [-v] [-n] [SCRIPT]\n"
		"  -k  print the kernel log lines of each command\n"
		"  -v  print libdevmapper's messages too\n"
		"  -n  check the script only\n");
}

int main(int argc, char **argv)
{
	unsigned long nr = 0, nr_ok = 0;
	bool kmsg = false, check = false;
	char *line = NULL, *p;
	size_t cap = 0;
	ssize_t n;
	struct cmd c;
	FILE *in = stdin;
	int opt, kfd = -1, status = 0;

	while ((opt = getopt(argc, argv, "kvnh")) != -1) {
		switch (opt) {
		case 'k':
			kmsg = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 'n':
			check = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind > 1) {
		usage(stderr);
		return 2;
	}
	if (argc - optind == 1) {
		in = fopen(argv[optind], "r");
		if (!in) {
			fprintf(stderr, "dmbatch: cannot open %s: %s\n",
				argv[optind], strerror(errno));
			return 1;
		}
	}
	if (kmsg && !check) {
		kfd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
		if (kfd < 0 || lseek(kfd, 0, SEEK_END) < 0) {
			fprintf(stderr, "dmbatch: cannot read /dev/kmsg: %s\n",
				strerror(errno));
			return 1;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	dm_log_with_errno_init(dm_log);
	dm_udev_set_sync_support(0);

	while ((n = getline(&line, &cap, in)) >= 0) {
		lineno++;
		if (n && line[n - 1] == '\n')
			line[--n] = '\0';
		p = line + strspn(line, " \t");
		if (!*p || *p == '#')
			continue;
		if (parse(p, &c)) {
			status = 2;
			break;
		}
		if (check)
			continue;
		nr++;
		if (run(&c))
			nr_ok++;
		kmsg_drain(kfd);
	}
	if (!status && ferror(in)) {
		fprintf(stderr, "dmbatch: cannot read the script: %s\n",
			strerror(errno));
		status = 1;
	}
	free(line);
	if (in != stdin)
		fclose(in);
	if (kfd >= 0)
		close(kfd);
	if (!check)
		printf("dmbatch: commands=%lu ok=%lu failed=%lu\n", nr, nr_ok,
		       nr - nr_ok);
	dm_lib_release();
	return status;
}
