// SPDX-License-Identifier: GPL-2.0
/*
 * stablepi: device-mapper through libdevmapper's dm_task API.
 *
 * Operations that make or remove device nodes (create, resume, remove)
 * carry a udev cookie: with udev running, libdevmapper waits until udev has
 * made /dev/mapper/NAME; without udev, or with DM_DISABLE_UDEV set, it
 * makes the node itself.  Either way the node is there when the call
 * returns.
 *
 * libdevmapper's own messages are kept (the last error is available to
 * name a failure) and printed only with -v.
 */
#include <errno.h>
#include <fcntl.h>
#include <libdevmapper.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stablepi.h"

extern char **environ;

static char last_error[512];
static int last_errno;

__attribute__((format(printf, 5, 0)))
static void dm_log(int level, const char *file, int line, int dm_errno,
		   const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	(void)file;
	(void)line;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	level &= 0x7;	/* without _LOG_STDERR and friends */
	if (level <= 3) {	/* _LOG_ERR and worse */
		snprintf(last_error, sizeof(last_error), "%s", msg);
		if (dm_errno > 0)
			last_errno = dm_errno;
	}
	if ((verbose >= 1 && level <= 4) || verbose >= 2)
		fprintf(stderr, "stablepi: libdevmapper: %s\n", msg);
}

void dm_setup(void)
{
	dm_log_with_errno_init(dm_log);
}

const char *dm_last_error(void)
{
	return last_error;
}

int dm_errno(void)
{
	return last_errno;
}

static struct dm_task *task(int type, const char *name)
{
	struct dm_task *dmt = dm_task_create(type);

	if (!dmt) {
		err("libdevmapper cannot create a task (out of memory?)");
		return NULL;
	}
	if (name && !dm_task_set_name(dmt, name)) {
		dm_task_destroy(dmt);
		return NULL;
	}
	return dmt;
}

/* Run @dmt; on failure keep the ioctl's errno for the caller. */
static int run(struct dm_task *dmt)
{
	last_error[0] = '\0';
	last_errno = 0;
	if (dm_task_run(dmt))
		return 0;
	last_errno = dm_task_get_errno(dmt);
	return last_errno ? -last_errno : -EIO;
}

/*
 * The device @name: info and the table (@status false) or the status
 * line (@status true) of each target.  Returns 0, -ENXIO when there is
 * no such device, or another -errno.
 */
int dm_get(const char *name, bool status, struct dm_dev *d)
{
	uint64_t start, length;
	char *type, *params;
	struct dm_task *dmt;
	struct dm_info info;
	void *next = NULL;
	int r;

	memset(d, 0, sizeof(*d));
	dmt = task(status ? DM_DEVICE_STATUS : DM_DEVICE_TABLE, name);
	if (!dmt)
		return -ENOMEM;
	r = run(dmt);
	if (r)
		goto out;
	if (!dm_task_get_info(dmt, &info) || !info.exists) {
		r = -ENXIO;
		goto out;
	}
	d->name = xstrdup(name);
	d->exists = 1;
	d->suspended = info.suspended;
	d->open_count = info.open_count;
	d->live_table = info.live_table;
	d->inactive_table = info.inactive_table;
	d->major = (unsigned int)info.major;
	d->minor = (unsigned int)info.minor;
	do {
		next = dm_get_next_target(dmt, next, &start, &length, &type,
					  &params);
		if (!type)
			break;
		d->targets = xrealloc(d->targets,
				      (d->nr_targets + 1) * sizeof(*d->targets));
		d->targets[d->nr_targets++] = (struct dm_target_info) {
			.start = start, .length = length,
			.type = xstrdup(type), .params = xstrdup(params ? params : ""),
		};
	} while (next);
out:
	dm_task_destroy(dmt);
	return r;
}

void dm_dev_free(struct dm_dev *d)
{
	unsigned int i;

	for (i = 0; i < d->nr_targets; i++) {
		free(d->targets[i].type);
		free(d->targets[i].params);
	}
	free(d->targets);
	free(d->name);
	memset(d, 0, sizeof(*d));
}

/* The names of all dm devices, sorted. */
static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int dm_names(char ***names, unsigned int *n)
{
	struct dm_names *nm;
	struct dm_task *dmt;
	unsigned int next;
	int r;

	*names = NULL;
	*n = 0;
	dmt = task(DM_DEVICE_LIST, NULL);
	if (!dmt)
		return -ENOMEM;
	r = run(dmt);
	if (r)
		goto out;
	nm = dm_task_get_names(dmt);
	if (nm && nm->dev) {
		do {
			*names = xrealloc(*names, (*n + 1) * sizeof(**names));
			(*names)[(*n)++] = xstrdup(nm->name);
			next = nm->next;
			nm = (struct dm_names *)((char *)nm + next);
		} while (next);
	}
	if (*n)
		qsort(*names, *n, sizeof(**names), cmp_str);
out:
	dm_task_destroy(dmt);
	return r;
}

/* The version of a registered target: 0, -ENOENT if not registered. */
int dm_target_version(const char *target, unsigned int v[3])
{
	struct dm_versions *tv, *last;
	struct dm_task *dmt;
	int r;

	dmt = task(DM_DEVICE_LIST_VERSIONS, NULL);
	if (!dmt)
		return -ENOMEM;
	r = run(dmt);
	if (r)
		goto out;
	r = -ENOENT;
	tv = dm_task_get_versions(dmt);
	do {
		last = tv;
		if (!strcmp(tv->name, target)) {
			memcpy(v, tv->version, 3 * sizeof(v[0]));
			r = 0;
			break;
		}
		tv = (struct dm_versions *)((char *)tv + tv->next);
	} while (last != tv);
out:
	dm_task_destroy(dmt);
	return r;
}

/* Send @msg to the target at @sector of @name; *response may be NULL. */
int dm_message(const char *name, uint64_t sector, const char *msg,
	       char **response)
{
	struct dm_task *dmt;
	const char *resp;
	int r;

	if (response)
		*response = NULL;
	dmt = task(DM_DEVICE_TARGET_MSG, name);
	if (!dmt)
		return -ENOMEM;
	if (!dm_task_set_sector(dmt, sector) || !dm_task_set_message(dmt, msg)) {
		dm_task_destroy(dmt);
		return -ENOMEM;
	}
	r = run(dmt);
	if (!r && response) {
		resp = dm_task_get_message_response(dmt);
		*response = xstrdup(resp ? resp : "");
	}
	dm_task_destroy(dmt);
	return r;
}

/*
 * The kernel says why it refused a table only in its log:
 *   device-mapper: table: 254:3: stablepi: Invalid mode (... ) (-EINVAL)
 * /dev/kmsg is opened at its end before the ioctl and read after it.
 */
static int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

static void kmsg_reason(int fd, char *why, size_t whylen)
{
	char rec[2048], *msg, *nl, *p;
	ssize_t n;

	if (fd < 0)
		return;
	while ((n = read(fd, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		if (n <= 0)
			continue;
		rec[n] = '\0';
		msg = strchr(rec, ';');
		if (!msg)
			continue;
		msg++;
		nl = strchr(msg, '\n');
		if (nl)
			*nl = '\0';
		if (strncmp(msg, "device-mapper: table: ", 22))
			continue;
		msg += 22;
		/* Skip the "254:3: " device prefix. */
		p = strchr(msg, ' ');
		if (p && p[-1] == ':')
			msg = p + 1;
		/* And the "stablepi: " target prefix. */
		if (!strncmp(msg, TARGET_NAME ": ", strlen(TARGET_NAME) + 2))
			msg += strlen(TARGET_NAME) + 2;
		/* And the errno the ioctl returns anyway. */
		p = strrchr(msg, '(');
		if (p && p > msg && p[-1] == ' ' && p[1] == '-' && p[2] == 'E')
			p[-1] = '\0';
		/* The first reason is the one: later lines are consequences. */
		if (!why[0])
			snprintf(why, whylen, "%s", msg);
	}
	close(fd);
}

static int add_targets(struct dm_task *dmt, unsigned int nr, uint64_t *start,
		       uint64_t *len, const char **type, char **params)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (!dm_task_add_target(dmt, start[i], len[i], type[i], params[i]))
			return -ENOMEM;
	return 0;
}

/* Run @dmt with a udev cookie and wait for udev (or make the nodes). */
static int run_with_cookie(struct dm_task *dmt)
{
	uint32_t cookie = 0;
	int r;

	if (!dm_task_set_cookie(dmt, &cookie, 0))
		return -EIO;
	r = run(dmt);
	/* Waits for udev, or creates/removes the nodes itself without it. */
	if (!dm_udev_wait(cookie) && !r)
		r = -EIO;
	return r;
}

/*
 * Create @name with the one-target table line @table_line ("START LEN
 * TYPE PARAMS").  libdevmapper creates the device, loads the table and
 * resumes it; when the load fails it removes the device again, so a
 * failure leaves nothing behind.  @why receives the kernel's reason.
 */
int dm_create_device(const char *name, const char *table_line, char *why,
		     size_t whylen)
{
	unsigned long long start, len;
	char type[64], *params;
	struct dm_task *dmt;
	int n = 0, r, fd;

	why[0] = '\0';
	if (sscanf(table_line, "%llu %llu %63s %n", &start, &len, type, &n) != 3)
		return -EINVAL;
	params = (char *)table_line + n;
	dmt = task(DM_DEVICE_CREATE, name);
	if (!dmt)
		return -ENOMEM;
	if (!dm_task_add_target(dmt, start, len, type, params)) {
		dm_task_destroy(dmt);
		return -ENOMEM;
	}
	fd = kmsg_open();
	r = run_with_cookie(dmt);
	if (r)
		kmsg_reason(fd, why, whylen);
	else if (fd >= 0)
		close(fd);
	dm_task_destroy(dmt);
	return r;
}

/* Load an inactive table into @name; @why as for dm_create_device(). */
int dm_reload_device(const char *name, unsigned int nr, uint64_t *start,
		     uint64_t *len, const char **type, char **params,
		     char *why, size_t whylen)
{
	struct dm_task *dmt;
	int r, fd;

	why[0] = '\0';
	dmt = task(DM_DEVICE_RELOAD, name);
	if (!dmt)
		return -ENOMEM;
	r = add_targets(dmt, nr, start, len, type, params);
	if (r) {
		dm_task_destroy(dmt);
		return r;
	}
	fd = kmsg_open();
	r = run(dmt);
	if (r)
		kmsg_reason(fd, why, whylen);
	else if (fd >= 0)
		close(fd);
	dm_task_destroy(dmt);
	return r;
}

int dm_resume_device(const char *name)
{
	struct dm_task *dmt = task(DM_DEVICE_RESUME, name);
	int r;

	if (!dmt)
		return -ENOMEM;
	r = run_with_cookie(dmt);
	dm_task_destroy(dmt);
	return r;
}

/* Drop an inactive table. */
int dm_clear_inactive(const char *name)
{
	struct dm_task *dmt = task(DM_DEVICE_CLEAR, name);
	int r;

	if (!dmt)
		return -ENOMEM;
	r = run(dmt);
	dm_task_destroy(dmt);
	return r;
}

int dm_remove_device(const char *name)
{
	struct dm_task *dmt = task(DM_DEVICE_REMOVE, name);
	int r;

	if (!dmt)
		return -ENOMEM;
	/* A short-lived opener (udev's blkid) makes remove fail with EBUSY. */
	dm_task_retry_remove(dmt);
	r = run_with_cookie(dmt);
	dm_task_destroy(dmt);
	return r;
}

static int run_modprobe(const char *module)
{
	char *argv[] = { "modprobe", "-q", (char *)module, NULL };
	int status;
	pid_t pid;

	if (posix_spawnp(&pid, "modprobe", NULL, NULL, argv, environ) ||
	    waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : 1;
}

bool dm_loaded(void)
{
	return !access("/sys/class/misc/device-mapper", F_OK);
}

/*
 * Is device-mapper there?  Load dm-mod if it is not and @load.  Checked
 * first so that libdevmapper does not make a /dev/mapper/control node for
 * a driver the kernel does not have.
 */
int dm_check(bool load)
{
	if (dm_loaded())
		return 0;
	if (load) {
		vnote("device-mapper is not loaded: running modprobe dm-mod");
		run_modprobe("dm-mod");
		if (dm_loaded())
			return 0;
	}
	err("device-mapper is not available: the dm-mod module is not loaded%s",
	    load ? " and 'modprobe dm-mod' could not load it" : "");
	return -ENODEV;
}

/*
 * Make sure the kernel has the stablepi target: load dm-stablepi with
 * modprobe when it has not (the kernel would also load it when the table
 * is loaded, but could not say why it failed).
 */
int ensure_target(void)
{
	unsigned int v[3];
	int r, m;

	r = dm_target_version(TARGET_NAME, v);
	if (r != -ENOENT)
		return r;
	vnote("the stablepi target is not loaded: running modprobe %s",
	      MODULE_NAME);
	m = run_modprobe(MODULE_NAME);
	if (!dm_target_version(TARGET_NAME, v))
		return 0;
	err("the stablepi target is not in the kernel, and 'modprobe %s' %s: "
	    "install the module (make install, or DKMS; see stablepi(8)) "
	    "or load it with insmod", MODULE_NAME,
	    m < 0 ? "could not run" : "could not load it");
	return -ENOENT;
}
