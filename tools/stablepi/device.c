// SPDX-License-Identifier: GPL-2.0
/*
 * stablepi: finding the stablepi device a command names, and what is
 * mounted where.
 *
 * The commands work on devices whose table is one stablepi target, which is
 * what "stablepi create" makes.  A device with another table is named as
 * such in the error ("not a stablepi device").
 */
#include <errno.h>
#include <libdevmapper.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stablepi.h"

/* "a linear target", "2 targets (stablepi, linear)" */
static char *describe_table(const struct dm_dev *d)
{
	char buf[256] = "";
	size_t len = 0;
	unsigned int i;

	if (!d->nr_targets)
		return xstrdup("no table loaded");
	if (d->nr_targets == 1)
		return xasprintf("a table of one %s target", d->targets[0].type);
	for (i = 0; i < d->nr_targets && len < sizeof(buf) - 64; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s",
					i ? ", " : "", d->targets[i].type);
	return xasprintf("a table of %u targets (%s)", d->nr_targets, buf);
}

/*
 * Look @name up.  With @status, d's targets hold status lines; *t is
 * filled from the table in either case.  Prints the error and returns
 * -ENXIO (no such device), -EINVAL (not a stablepi device) or -errno.
 */
int find_stablepi(const char *name, bool status, struct dm_dev *d,
		  struct stpi_table *t)
{
	struct dm_dev table;
	char *what;
	int r;

	if (!dm_loaded()) {
		err("%s: no such device-mapper device (device-mapper is not loaded)", name);
		return -ENXIO;
	}
	r = dm_get(name, false, &table);
	if (r == -ENXIO) {
		err("%s: no such device-mapper device", name);
		return r;
	}
	if (r == -EACCES || r == -EPERM) {
		err("%s: permission denied: device-mapper needs root (CAP_SYS_ADMIN)", name);
		return r;
	}
	if (r) {
		err("%s: cannot read its table: %s", name,
		    dm_last_error()[0] ? dm_last_error() : strerror(-r));
		return r;
	}
	if (table.nr_targets != 1 || strcmp(table.targets[0].type, TARGET_NAME)) {
		what = describe_table(&table);
		err("%s is not a stablepi device: it has %s", name, what);
		free(what);
		dm_dev_free(&table);
		return -EINVAL;
	}
	if (parse_table(table.targets[0].start, table.targets[0].length,
			table.targets[0].params, t)) {
		err("%s: cannot read its stablepi table '%s'", name,
		    table.targets[0].params);
		dm_dev_free(&table);
		return -EINVAL;
	}
	if (!status) {
		*d = table;
		return 0;
	}
	dm_dev_free(&table);
	r = dm_get(name, true, d);
	if (!r && (d->nr_targets != 1 || strcmp(d->targets[0].type, TARGET_NAME))) {
		/* Reloaded in between. */
		err("%s changed while it was read: try again", name);
		dm_dev_free(d);
		r = -EAGAIN;
	} else if (r) {
		err("%s: cannot read its status: %s", name,
		    r == -ENXIO ? "it was removed" : strerror(-r));
	}
	if (r)
		free_table(t);
	return r;
}

char *node_path(const char *name)
{
	return xasprintf("%s/%s", dm_dir(), name);
}

/* Undo mountinfo's octal escapes (\040 for a blank). */
static void unescape(char *s)
{
	char *d = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 4;
		} else {
			*d++ = *s++;
		}
	}
	*d = '\0';
}

/*
 * Where the filesystem of device @major:@minor is mounted: a mount of its
 * root if there is one, else any mount (then *root is the directory of the
 * filesystem it shows).  NULL when not mounted.
 */
char *mount_point_of(unsigned int major, unsigned int minor, char **root)
{
	char line[3 * PATH_MAX], mroot[PATH_MAX], mpoint[PATH_MAX];
	char *best = NULL, *best_root = NULL;
	unsigned int ma, mi;
	FILE *f;

	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*u %*u %u:%u %4095s %4095s", &ma, &mi,
			   mroot, mpoint) != 4 || ma != major || mi != minor)
			continue;
		unescape(mroot);
		unescape(mpoint);
		if (!best || (strcmp(best_root, "/") && !strcmp(mroot, "/"))) {
			free(best);
			free(best_root);
			best = xstrdup(mpoint);
			best_root = xstrdup(mroot);
		}
	}
	fclose(f);
	if (root)
		*root = best_root;
	else
		free(best_root);
	return best;
}
