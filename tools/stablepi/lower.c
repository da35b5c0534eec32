// SPDX-License-Identifier: GPL-2.0
/*
 * stablepi: what the lower device is, from sysfs, and whether a table's
 * options fit it.  The checks are the kernel's (dm-stablepi/config.c and
 * target.c), made here first so that the error can name what is wrong: the
 * kernel only answers EINVAL to the ioctl.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stablepi.h"

/* Attribute @attr of the sysfs directory @dir. */
static int attr(const char *dir, const char *name, char *buf, size_t len)
{
	char *path = xasprintf("%s/%s", dir, name);
	int r = read_sysfs(path, buf, len);

	free(path);
	return r;
}

static int attr_u64(const char *dir, const char *name, uint64_t *v)
{
	char buf[32];
	int r = attr(dir, name, buf, sizeof(buf));

	return r ? r : parse_u64(buf, 0, UINT64_MAX, v);
}

int lower_probe(unsigned int major, unsigned int minor, struct lower *lo)
{
	char path[64], real[PATH_MAX], disk[PATH_MAX], buf[64];
	uint64_t v;
	char *slash;

	memset(lo, 0, sizeof(*lo));
	lo->major = major;
	lo->minor = minor;
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u", major, minor);
	if (!realpath(path, real))
		return -errno;
	slash = strrchr(real, '/');
	snprintf(lo->kname, sizeof(lo->kname), "%s", slash + 1);
	if (attr_u64(real, "size", &lo->sectors))
		return -EIO;

	/* A partition has its queue and integrity in the disk above it. */
	memcpy(disk, real, sizeof(disk));
	if (!attr(real, "partition", buf, sizeof(buf))) {
		slash = strrchr(disk, '/');
		*slash = '\0';
	}

	if (attr_u64(disk, "queue/logical_block_size", &v) || !v || v > 65536)
		return -EIO;
	lo->lbs = (unsigned int)v;

	if (attr(disk, "integrity/format", lo->format, sizeof(lo->format)))
		snprintf(lo->format, sizeof(lo->format), "none");
	if (!strcmp(lo->format, "none"))
		return 0;

	if (!strncmp(lo->format, "T10-DIF-TYPE1-", 14))
		lo->pi_type = 1;
	else if (!strncmp(lo->format, "T10-DIF-TYPE3-", 14))
		lo->pi_type = 3;
	if (lo->pi_type) {
		const char *g = lo->format + 14;

		if (!strcmp(g, "CRC"))
			lo->pi_guard = GUARD_CRC;
		else if (!strcmp(g, "IP"))
			lo->pi_guard = GUARD_IP;
		else
			lo->pi_type = 0;
	}
	if (!attr_u64(disk, "integrity/protection_interval_bytes", &v) && v <= 65536)
		lo->pi_interval = (unsigned int)v;
	else
		lo->pi_interval = lo->lbs;
	lo->pi = lo->pi_type &&
		 (lo->pi_interval == 512 || lo->pi_interval == 4096);
	return 0;
}

/*
 * Would the kernel accept options @o over @lo?  @what names the device in
 * messages.  Sets *interval to the interval the target will use.
 */
int lower_check(const struct lower *lo, const char *what,
		const struct table_opts *o, unsigned int *interval)
{
	if (strcmp(lo->format, "none") && !lo->pi) {
		err("%s has the integrity profile %s, which stablepi cannot use "
		    "(it needs T10-DIF type 1 or 3 with a CRC or IP guard and "
		    "512- or 4096-byte intervals)", what, lo->format);
		return -EINVAL;
	}
	if (lo->pi) {
		if (o->has_type && o->type != lo->pi_type) {
			err("--type %u conflicts with the integrity profile of %s "
			    "(%s: type %u); leave --type out to use the profile's",
			    o->type, what, lo->format, lo->pi_type);
			return -EINVAL;
		}
		if (o->has_guard && o->guard != lo->pi_guard) {
			err("--guard %s conflicts with the integrity profile of %s "
			    "(%s: guard %s); leave --guard out to use the profile's",
			    guard_names[o->guard], what, lo->format,
			    guard_names[lo->pi_guard]);
			return -EINVAL;
		}
		if (o->has_interval && o->interval != lo->pi_interval) {
			err("--interval %u conflicts with the integrity profile of %s "
			    "(%u-byte protection intervals); leave --interval out",
			    o->interval, what, lo->pi_interval);
			return -EINVAL;
		}
		*interval = lo->pi_interval;
		return 0;
	}
	if (o->has_interval) {
		if (o->interval % lo->lbs) {
			err("--interval %u is not a multiple of the %u-byte logical "
			    "block size of %s", o->interval, lo->lbs, what);
			return -EINVAL;
		}
		*interval = o->interval;
		return 0;
	}
	if (lo->lbs != 512 && lo->lbs != 4096) {
		err("the logical block size of %s is %u bytes, which is not a "
		    "protection interval: give --interval 4096", what, lo->lbs);
		return -EINVAL;
	}
	*interval = lo->lbs;
	return 0;
}
