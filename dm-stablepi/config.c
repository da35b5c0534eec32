// SPDX-License-Identifier: GPL-2.0
/*
 * dm-stablepi: the table line's optional parameters.
 *
 *   [<#opt_params> <opt_params>...]
 *
 * Each optional parameter is key:value, or the flag fail_changed.  Defaults
 * for guard, type and interval come from the lower device's integrity
 * profile when it has one, and a value that contradicts the profile is an
 * error.  Without a profile they are crc, 1 and the logical block size,
 * which must then be 512 or 4096 bytes to serve as the interval.
 */

#include <linux/blkdev.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "stablepi.h"

static const char * const stpi_mode_names[] = {
	[STPI_MODE_DETECT] = "detect",
	[STPI_MODE_BLOCK] = "block",
	[STPI_MODE_COPY] = "copy",
	[STPI_MODE_RETRY] = "retry",
};

static const char * const stpi_guard_names[] = {
	[STPI_GUARD_CRC] = "crc",
	[STPI_GUARD_IP] = "ip",
};

const char *stpi_mode_name(enum stpi_mode mode)
{
	return stpi_mode_names[mode];
}

/* What the table line said, before defaults are applied. */
struct stpi_given {
	bool mode, guard, type, interval, hold_us, stable_writes, log;
	bool fail_changed;
};

static int stpi_parse_uint(const char *val, unsigned int min, unsigned int max,
			   unsigned int *out)
{
	unsigned int v;

	if (kstrtouint(val, 10, &v) || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int stpi_parse_name(const char *val, const char * const *names,
			   unsigned int n, unsigned int *out)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (!strcmp(val, names[i])) {
			*out = i;
			return 0;
		}
	}
	return -EINVAL;
}

#define STPI_KEYS "mode, guard, type, interval, hold_us, stable_writes, log, fail_changed"

static const char * const stpi_value_keys[] = {
	"mode", "guard", "type", "interval", "hold_us", "stable_writes", "log",
};

/* Is the key of "key:value" (@keylen bytes of @arg) @name? */
static bool stpi_key_is(const char *arg, size_t keylen, const char *name)
{
	return keylen == strlen(name) && !strncmp(arg, name, keylen);
}

/* Parse one key:value (or flag) into @cfg, noting it in @given. */
static int stpi_parse_one(struct dm_target *ti, const char *arg,
			  struct stpi_config *cfg, struct stpi_given *given)
{
	const char *val = strchr(arg, ':');
	size_t keylen = val ? val - arg : strlen(arg);
	unsigned int v;

	if (stpi_key_is(arg, keylen, "fail_changed")) {
		if (val) {
			ti->error = "fail_changed takes no value";
			return -EINVAL;
		}
		if (given->fail_changed)
			goto duplicate;
		given->fail_changed = true;
		cfg->fail_changed = true;
		return 0;
	}

	if (!val) {
		if (!stpi_parse_name(arg, stpi_value_keys,
				     ARRAY_SIZE(stpi_value_keys), &v)) {
			ti->error = "Optional parameter needs a value (key:value)";
			return -EINVAL;
		}
		goto unknown;
	}
	val++;

	if (stpi_key_is(arg, keylen, "mode")) {
		if (given->mode)
			goto duplicate;
		given->mode = true;
		if (stpi_parse_name(val, stpi_mode_names,
				    ARRAY_SIZE(stpi_mode_names), &v)) {
			ti->error = "Invalid mode (expected detect, block, copy or retry)";
			return -EINVAL;
		}
		cfg->mode = v;
	} else if (stpi_key_is(arg, keylen, "guard")) {
		if (given->guard)
			goto duplicate;
		given->guard = true;
		if (stpi_parse_name(val, stpi_guard_names,
				    ARRAY_SIZE(stpi_guard_names), &v)) {
			ti->error = "Invalid guard (expected crc or ip)";
			return -EINVAL;
		}
		cfg->guard = v;
	} else if (stpi_key_is(arg, keylen, "type")) {
		if (given->type)
			goto duplicate;
		given->type = true;
		if (stpi_parse_uint(val, 1, 3, &v) || v == 2) {
			ti->error = "Invalid type (expected 1 or 3)";
			return -EINVAL;
		}
		cfg->type = v;
	} else if (stpi_key_is(arg, keylen, "interval")) {
		if (given->interval)
			goto duplicate;
		given->interval = true;
		if (stpi_parse_uint(val, 512, 4096, &v) ||
		    (v != 512 && v != 4096)) {
			ti->error = "Invalid interval (expected 512 or 4096)";
			return -EINVAL;
		}
		cfg->interval = v;
	} else if (stpi_key_is(arg, keylen, "hold_us")) {
		if (given->hold_us)
			goto duplicate;
		given->hold_us = true;
		if (stpi_parse_uint(val, 0, STPI_HOLD_US_MAX, &cfg->hold_us)) {
			ti->error = "Invalid hold_us (expected 0 to 1000000)";
			return -EINVAL;
		}
	} else if (stpi_key_is(arg, keylen, "stable_writes")) {
		if (given->stable_writes)
			goto duplicate;
		given->stable_writes = true;
		if (stpi_parse_uint(val, 0, 1, &v)) {
			ti->error = "Invalid stable_writes (expected 0 or 1)";
			return -EINVAL;
		}
		cfg->stable_writes = v;
	} else if (stpi_key_is(arg, keylen, "log")) {
		if (given->log)
			goto duplicate;
		given->log = true;
		if (stpi_parse_uint(val, 1, STPI_LOG_MAX, &cfg->log_size)) {
			ti->error = "Invalid log (expected 1 to 65536)";
			return -EINVAL;
		}
	} else {
		goto unknown;
	}
	return 0;

duplicate:
	ti->error = "Duplicate optional parameter";
	return -EINVAL;
unknown:
	ti->error = "Unknown optional parameter (expected " STPI_KEYS ")";
	return -EINVAL;
}

/*
 * Take guard, type and interval from the lower device's integrity profile
 * where the table line did not give them, and refuse contradictions.
 */
static int stpi_config_from_profile(struct dm_target *ti,
				    struct blk_integrity *bi,
				   struct stpi_config *cfg,
				   const struct stpi_given *given)
{
	static const unsigned int types[] = { 1, 3 };
	static const enum stpi_guard guards[] = { STPI_GUARD_CRC, STPI_GUARD_IP };
	unsigned int t, g, interval;

	for (t = 0; t < ARRAY_SIZE(types); t++)
		for (g = 0; g < ARRAY_SIZE(guards); g++)
			if (bi->profile == stpi_pi_profile(types[t], guards[g]))
				goto found;
	ti->error = "Unsupported integrity profile (needs T10 PI type 1 or 3, CRC or IP guard)";
	return -EINVAL;

found:
	interval = 1U << bi->interval_exp;
	if (bi->tuple_size != sizeof(struct t10_pi_tuple) ||
	    (interval != 512 && interval != 4096)) {
		ti->error = "Unsupported integrity profile (tuple or interval size)";
		return -EINVAL;
	}
	if (given->type && cfg->type != types[t]) {
		ti->error = "type conflicts with the device's integrity profile";
		return -EINVAL;
	}
	if (given->guard && cfg->guard != guards[g]) {
		ti->error = "guard conflicts with the device's integrity profile";
		return -EINVAL;
	}
	if (given->interval && cfg->interval != interval) {
		ti->error = "interval conflicts with the device's integrity profile";
		return -EINVAL;
	}
	cfg->type = types[t];
	cfg->guard = guards[g];
	cfg->interval = interval;
	return 0;
}

int stpi_config_parse(struct dm_target *ti, struct dm_arg_set *as,
		      struct stpi_config *cfg, struct block_device *bdev)
{
	struct blk_integrity *bi = bdev_get_integrity(bdev);
	struct stpi_given given = { };
	unsigned int n;
	int r;

	*cfg = (struct stpi_config) {
		.mode = STPI_MODE_DETECT,
		.guard = STPI_GUARD_CRC,
		.type = 1,
		.interval = bdev_logical_block_size(bdev),
		.log_size = STPI_LOG_DEFAULT,
	};

	if (as->argc) {
		/*
		 * Not dm_read_arg_group(): its sscanf("%u") takes 4294967296
		 * for 0 and 4294967297 for 1.
		 */
		if (kstrtouint(dm_shift_arg(as), 10, &n) || n > 8 ||
		    n > as->argc) {
			ti->error = "Invalid number of optional parameters (expected 0 to 8)";
			return -EINVAL;
		}
		while (n--) {
			r = stpi_parse_one(ti, dm_shift_arg(as), cfg, &given);
			if (r)
				return r;
		}
		if (as->argc) {
			ti->error = "Too many arguments after the optional parameters";
			return -EINVAL;
		}
	}

	if (bi) {
		r = stpi_config_from_profile(ti, bi, cfg, &given);
		if (r)
			return r;
	}
	if (cfg->interval != 512 && cfg->interval != 4096) {
		ti->error = "Logical block size is not 512 or 4096: give interval:4096";
		return -EINVAL;
	}
	if (cfg->interval % bdev_logical_block_size(bdev)) {
		ti->error = "interval is not a multiple of the device's logical block size";
		return -EINVAL;
	}
	if (!given.stable_writes)
		cfg->stable_writes = cfg->mode == STPI_MODE_BLOCK;
	return 0;
}

/* The canonical optional parameters: every value, so the line round-trips. */
void stpi_config_emit(const struct stpi_config *cfg, char *result,
		      unsigned int maxlen, unsigned int *psz)
{
	unsigned int sz = *psz;

	DMEMIT(" %u mode:%s guard:%s type:%u interval:%u hold_us:%u stable_writes:%u log:%u%s",
	       cfg->fail_changed ? 8 : 7, stpi_mode_names[cfg->mode],
	       stpi_guard_names[cfg->guard], cfg->type, cfg->interval,
	       cfg->hold_us, cfg->stable_writes, cfg->log_size,
	       cfg->fail_changed ? " fail_changed" : "");
	*psz = sz;
}
