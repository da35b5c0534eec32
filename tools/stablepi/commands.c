// SPDX-License-Identifier: GPL-2.0
/*
 * stablepi create, reload, clear and remove.
 *
 * Each command checks everything it can before it changes anything, so
 * that an error names what is wrong and leaves the system as it was: the
 * kernel would refuse a bad table too, but only says EINVAL to the caller.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libdevmapper.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "stablepi.h"

static const char *dm_reason(int r)
{
	if (dm_last_error()[0])
		return dm_last_error();
	return strerror(-r);
}

/* The one NAME operand of @cmd, without a /dev/mapper/ prefix. */
static int one_name(const char *cmd, int argc, char **argv, int first,
		    const char **name)
{
	const char *why;

	if (first >= argc)
		return usage_error(cmd, "missing NAME (the stablepi device)");
	if (argc - first > 1)
		return usage_error(cmd, "one NAME only: '%s' is one too many",
				   argv[first + 1]);
	*name = argv[first];
	if (!strncmp(*name, "/dev/mapper/", 12))
		*name += 12;
	if (!valid_dm_name(*name, &why))
		return usage_error(cmd, "invalid device name '%s': %s", argv[first], why);
	return 0;
}

/* Something talking to device-mapper failed: say why in user terms. */
static void dm_failed(const char *what, const char *name, int r)
{
	if (r == -EACCES || r == -EPERM)
		err("%s %s: permission denied: device-mapper needs root", what, name);
	else
		err("%s %s: %s", what, name, dm_reason(r));
}

/* Who keeps the dm device @d open: a mount, a holder, or a process. */
static void in_use(const char *name, const struct dm_dev *d)
{
	char path[PATH_MAX], *mp;
	struct dirent *de;
	DIR *dir;

	mp = mount_point_of(d->major, d->minor, NULL);
	if (mp) {
		err("%s is in use: mounted on %s; unmount it first", name, mp);
		free(mp);
		return;
	}
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/holders", d->major, d->minor);
	dir = opendir(path);
	if (dir) {
		while ((de = readdir(dir))) {
			if (de->d_name[0] == '.')
				continue;
			err("%s is in use: held by %s (a device stacked on it); remove that first",
			    name, de->d_name);
			closedir(dir);
			return;
		}
		closedir(dir);
	}
	err("%s is in use: open %d time%s (by a process?); close it first", name,
	    d->open_count, d->open_count == 1 ? "" : "s");
}

/*
 * @path (@lo) is held exclusively: by whom?  Returns 0 when only dm
 * devices hold it (they share it with the new one), else says why not.
 */
static int lower_busy(const char *path, const struct lower *lo)
{
	char dir[64], *mp, *holders = NULL;
	struct dirent *de;
	bool other = false;
	size_t len = 0;
	DIR *d;

	mp = mount_point_of(lo->major, lo->minor, NULL);
	if (mp) {
		err("%s is in use: mounted on %s", path, mp);
		free(mp);
		return -EBUSY;
	}
	snprintf(dir, sizeof(dir), "/sys/dev/block/%u:%u/holders", lo->major, lo->minor);
	d = opendir(dir);
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		other |= strncmp(de->d_name, "dm-", 3) != 0;
		holders = xrealloc(holders, len + strlen(de->d_name) + 3);
		len += (size_t)sprintf(holders + len, "%s%s", len ? ", " : "", de->d_name);
	}
	if (d)
		closedir(d);
	if (!holders) {
		err("%s is in use: opened exclusively (swap, or another program)", path);
		return -EBUSY;
	}
	if (other) {
		err("%s is in use: held by %s", path, holders);
		free(holders);
		return -EBUSY;
	}
	note("%s is also used by %s: the new device shares it", path, holders);
	free(holders);
	return 0;
}

/* The lower device's name for messages: "/dev/sda" or "8:0 (sda)". */
static void lower_label(const struct lower *lo, char *buf, size_t len)
{
	snprintf(buf, len, "%u:%u (%s)", lo->major, lo->minor, lo->kname);
}

int cmd_create(int argc, char **argv)
{
	char *params, *line, *node, why[512];
	const char *name, *path, *bad;
	struct stpi_table t = { 0 };
	struct cmd_opts o;
	struct lower lo;
	struct dm_dev d;
	unsigned int interval;
	uint64_t iv_sectors, size;
	struct stat st;
	int first, r, fd;

	r = parse_cmd_opts("create", A_TABLE | A(OPT_OFFSET) | A(OPT_SIZE) | A(OPT_DRY_RUN),
			   argc, argv, &o, &first);
	if (r)
		return r < 0 ? EXIT_OK : r;
	if (argc - first < 2)
		return usage_error("create", argc - first ? "missing DEVICE (the lower block device)" :
				   "missing NAME and DEVICE");
	if (argc - first > 2)
		return usage_error("create", "unexpected argument '%s' (options start with --)",
				   argv[first + 2]);
	name = argv[first];
	path = argv[first + 1];
	if (!valid_dm_name(name, &bad))
		return usage_error("create", "invalid device name '%s': %s", name, bad);

	/* The lower device. */
	if (stat(path, &st)) {
		err("%s: %s", path, strerror(errno));
		return EXIT_FAILED;
	}
	if (!S_ISBLK(st.st_mode)) {
		err("%s is not a block device", path);
		return EXIT_FAILED;
	}
	if (lower_probe(major(st.st_rdev), minor(st.st_rdev), &lo)) {
		err("%s: cannot read its size and block size from /sys/dev/block/%u:%u",
		    path, major(st.st_rdev), minor(st.st_rdev));
		return EXIT_FAILED;
	}
	if (lower_check(&lo, path, &o.t, &interval))
		return EXIT_FAILED;
	iv_sectors = interval >> SECTOR_SHIFT;
	if (!lo.sectors) {
		err("%s is empty (0 sectors)", path);
		return EXIT_FAILED;
	}
	if (o.offset >= lo.sectors) {
		err("--offset %" PRIu64 " is not inside %s (%" PRIu64 " sectors)",
		    o.offset, path, lo.sectors);
		return EXIT_FAILED;
	}
	if (o.offset % iv_sectors) {
		err("--offset %" PRIu64 " is not a multiple of the %u-byte interval (%" PRIu64
		    " sectors)", o.offset, interval, iv_sectors);
		return EXIT_FAILED;
	}
	if (o.has_size) {
		size = o.size;
		if (size > lo.sectors - o.offset) {
			err("--size %" PRIu64 " reaches beyond the end of %s: %" PRIu64
			    " sectors from offset %" PRIu64, size, path,
			    lo.sectors - o.offset, o.offset);
			return EXIT_FAILED;
		}
		if (size % iv_sectors) {
			err("--size %" PRIu64 " is not a multiple of the %u-byte interval (%" PRIu64
			    " sectors)", size, interval, iv_sectors);
			return EXIT_FAILED;
		}
	} else {
		size = (lo.sectors - o.offset) / iv_sectors * iv_sectors;
		if (!size) {
			err("%s has no whole %u-byte interval after offset %" PRIu64,
			    path, interval, o.offset);
			return EXIT_FAILED;
		}
		if (size != lo.sectors - o.offset)
			note("the device ends in a partial %u-byte interval: using %" PRIu64
			     " of its %" PRIu64 " sectors", interval, size, lo.sectors - o.offset);
	}

	t.start = 0;
	t.length = size;
	t.dev_major = lo.major;
	t.dev_minor = lo.minor;
	t.offset = o.offset;
	t.opts = o.t;
	params = table_params(&t);
	line = xasprintf("0 %" PRIu64 " %s %s", size, TARGET_NAME, params);
	free(params);
	vnote("table: %s", line);

	/* The name: free?  (Without device-mapper, only --dry-run goes on.) */
	if (!o.dry_run && dm_check(true))
		goto fail;
	r = dm_loaded() ? dm_get(name, false, &d) : -ENXIO;
	if (!r) {
		err("a device-mapper device named %s exists already", name);
		dm_dev_free(&d);
		goto fail;
	}
	if (r != -ENXIO) {
		dm_failed("cannot look up", name, r);
		goto fail;
	}

	/*
	 * Nobody but device-mapper may have the lower device: a filesystem
	 * or md holds it exclusively and the kernel would refuse, while dm
	 * devices share their lower devices (as LVM's do).
	 */
	fd = open(path, O_RDWR | O_EXCL | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
	} else if (errno != EBUSY) {
		if (errno == EROFS || errno == EACCES)
			err("%s cannot be opened for writing: %s", path, strerror(errno));
		else
			err("cannot open %s: %s", path, strerror(errno));
		goto fail;
	} else if (lower_busy(path, &lo)) {
		goto fail;
	}

	if (o.dry_run) {
		puts(line);
		free(line);
		return EXIT_OK;
	}
	if (ensure_target())
		goto fail;

	r = dm_create_device(name, line, why, sizeof(why));
	if (r) {
		if (why[0])
			err("cannot create %s: the kernel refused the table '%s': %s",
			    name, line, why);
		else if (r == -EBUSY)
			err("cannot create %s: %s is in use", name, path);
		else
			dm_failed("cannot create", name, r);
		goto fail;
	}
	node = node_path(name);
	if (access(node, F_OK) && !dm_mknodes(name))
		note("created %s, but could not make its node %s", name, node);
	puts(node);
	free(node);
	free(line);
	return EXIT_OK;
fail:
	free(line);
	return EXIT_FAILED;
}

struct change {
	char buf[512];
	size_t len;
};

static void changed(struct change *c, const char *key, const char *from, const char *to)
{
	if (!strcmp(from, to))
		return;
	c->len += (size_t)snprintf(c->buf + c->len, sizeof(c->buf) - c->len, "%s%s %s -> %s",
				   c->len ? ", " : "", key, from, to);
}

static const char *opt_str(const struct table_opts *o, int which, char *buf, size_t len)
{
	switch (which) {
	case 0: return o->has_mode ? mode_names[o->mode] : "default";
	case 1: return o->has_guard ? guard_names[o->guard] : "default";
	case 2: if (!o->has_type) return "default"; snprintf(buf, len, "%u", o->type); return buf;
	case 3: if (!o->has_interval) return "default"; snprintf(buf, len, "%u", o->interval); return buf;
	case 4: if (!o->has_hold_us) return "0"; snprintf(buf, len, "%u", o->hold_us); return buf;
	case 6: if (!o->has_log) return "default"; snprintf(buf, len, "%u", o->log); return buf;
	case 7: return o->fail_changed ? "on" : "off";
	}
	return "?";
}

int cmd_reload(int argc, char **argv)
{
	static const char *const keys[] = { "mode", "guard", "type", "interval",
					    "hold_us", "stable_writes", "log", "fail_changed" };
	struct stpi_table t, n;
	struct table_opts *no;
	struct change ch = { .len = 0 };
	struct cmd_opts o;
	struct lower lo;
	struct dm_dev d;
	char why[512], a[32], b[32], label[96], *params, *line;
	const char *name, *type = TARGET_NAME;
	unsigned int interval, i;
	uint64_t iv_sectors;
	int first, r, rc = EXIT_FAILED;

	r = parse_cmd_opts("reload", A_TABLE | A(OPT_NO_FAIL_CHANGED) | A(OPT_DRY_RUN),
			   argc, argv, &o, &first);
	if (r)
		return r < 0 ? EXIT_OK : r;
	r = one_name("reload", argc, argv, first, &name);
	if (r)
		return r;
	if (!(o.t.has_mode || o.t.has_guard || o.t.has_type || o.t.has_interval ||
	      o.t.has_hold_us || o.t.has_stable_writes || o.t.has_log ||
	      o.t.has_fail_changed))
		return usage_error("reload", "nothing to change: give at least one option (--mode, --hold-us, ...)");

	if (find_stablepi(name, false, &d, &t))
		return EXIT_FAILED;
	if (d.suspended) {
		err("%s is suspended: resume it first (dmsetup resume %s)", name, name);
		goto out;
	}

	n = t;
	n.unknown = t.unknown ? xstrdup(t.unknown) : NULL;
	no = &n.opts;
#define TAKE(f) do { if (o.t.has_##f) { no->has_##f = true; no->f = o.t.f; } } while (0)
	TAKE(mode);
	TAKE(guard);
	TAKE(type);
	TAKE(interval);
	TAKE(hold_us);
	TAKE(log);
	TAKE(fail_changed);
#undef TAKE
	if (o.t.has_stable_writes) {
		no->has_stable_writes = true;
		no->stable_writes = o.t.stable_writes;
	} else if (o.t.has_mode && t.opts.has_mode && t.opts.has_stable_writes &&
		   t.opts.stable_writes == default_stable_writes(t.opts.mode)) {
		/* It was the old mode's default: take the new mode's. */
		no->has_stable_writes = false;
		no->stable_writes = default_stable_writes(no->mode);
	}
	if (o.t.has_fail_changed && !o.t.fail_changed)
		no->has_fail_changed = false;

	if (lower_probe(t.dev_major, t.dev_minor, &lo)) {
		err("%s: cannot read the lower device %u:%u from sysfs", name,
		    t.dev_major, t.dev_minor);
		goto out_n;
	}
	lower_label(&lo, label, sizeof(label));
	if (lower_check(&lo, label, no, &interval))
		goto out_n;
	iv_sectors = interval >> SECTOR_SHIFT;
	if (t.offset % iv_sectors || t.length % iv_sectors) {
		err("%s: its offset %" PRIu64 " and size %" PRIu64 " are not multiples of "
		    "a %u-byte interval (%" PRIu64 " sectors): remove and create it again",
		    name, t.offset, t.length, interval, iv_sectors);
		goto out_n;
	}

	for (i = 0; i < 8; i++) {
		if (i == 5) {
			bool old = t.opts.stable_writes;
			bool new = no->has_stable_writes ? no->stable_writes :
				   default_stable_writes(no->has_mode ? no->mode : MODE_DETECT);

			changed(&ch, keys[i], old ? "on" : "off", new ? "on" : "off");
			continue;
		}
		snprintf(a, sizeof(a), "%s", opt_str(&t.opts, (int)i, b, sizeof(b)));
		changed(&ch, keys[i], a, opt_str(no, (int)i, b, sizeof(b)));
	}
	if (!ch.len) {
		printf("%s: nothing to change\n", name);
		rc = EXIT_OK;
		goto out_n;
	}

	params = table_params(&n);
	line = xasprintf("%" PRIu64 " %" PRIu64 " %s %s", n.start, n.length, type, params);
	vnote("table: %s", line);
	if (o.dry_run) {
		puts(line);
		free(line);
		free(params);
		rc = EXIT_OK;
		goto out_n;
	}
	r = dm_reload_device(name, 1, &n.start, &n.length, &type, &params, why, sizeof(why));
	if (r) {
		if (why[0])
			err("cannot reload %s: the kernel refused the table '%s': %s", name, line, why);
		else
			dm_failed("cannot reload", name, r);
	} else {
		r = dm_resume_device(name);
		if (r) {
			dm_failed("cannot switch to the new table of", name, r);
			if (dm_clear_inactive(name))
				err("%s: the new table stays loaded but inactive: "
				    "dmsetup clear %s drops it", name, name);
		} else {
			printf("%s: %s; counters and violation records start again\n",
			       name, ch.buf);
			rc = EXIT_OK;
		}
	}
	free(line);
	free(params);
out_n:
	free_table(&n);
out:
	dm_dev_free(&d);
	free_table(&t);
	return rc;
}

int cmd_clear(int argc, char **argv)
{
	struct stpi_table t;
	struct cmd_opts o;
	struct dm_dev d;
	const char *name;
	int first, r, rc = EXIT_OK;

	r = parse_cmd_opts("clear", A(OPT_STATS) | A(OPT_VIOLATIONS), argc, argv, &o, &first);
	if (r)
		return r < 0 ? EXIT_OK : r;
	r = one_name("clear", argc, argv, first, &name);
	if (r)
		return r;
	if (!o.stats && !o.violations)
		o.stats = o.violations = true;
	if (find_stablepi(name, false, &d, &t))
		return EXIT_FAILED;
	if (o.stats) {
		r = dm_message(name, t.start, "clear_stats", NULL);
		if (r) {
			dm_failed("cannot clear the counters of", name, r);
			rc = EXIT_FAILED;
		}
	}
	if (o.violations && rc == EXIT_OK) {
		r = dm_message(name, t.start, "clear_violations", NULL);
		if (r) {
			dm_failed("cannot clear the violation records of", name, r);
			rc = EXIT_FAILED;
		}
	}
	dm_dev_free(&d);
	free_table(&t);
	return rc;
}

int cmd_remove(int argc, char **argv)
{
	struct stpi_table t;
	struct cmd_opts o;
	struct dm_dev d;
	const char *name;
	int first, r, rc = EXIT_OK;

	r = parse_cmd_opts("remove", 0, argc, argv, &o, &first);
	if (r)
		return r < 0 ? EXIT_OK : r;
	r = one_name("remove", argc, argv, first, &name);
	if (r)
		return r;
	if (find_stablepi(name, false, &d, &t))
		return EXIT_FAILED;
	if (d.open_count > 0) {
		in_use(name, &d);
		rc = EXIT_FAILED;
		goto out;
	}
	r = dm_remove_device(name);
	if (r == -EBUSY) {
		in_use(name, &d);
		rc = EXIT_FAILED;
	} else if (r) {
		dm_failed("cannot remove", name, r);
		rc = EXIT_FAILED;
	}
out:
	dm_dev_free(&d);
	free_table(&t);
	return rc;
}
