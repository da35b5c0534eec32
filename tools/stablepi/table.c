// SPDX-License-Identifier: GPL-2.0
/*
 * stablepi: the target's table line, read and written.
 *
 *   <dev> <offset> [<#opt_params> <opt_params>...]
 *
 * The optional parameters are key:value words and the flag fail_changed
 * (dm-stablepi/config.c).  The kernel prints every value, so a table read
 * back has each has_* set.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stablepi.h"

const char *const mode_names[NR_MODES] = { "detect", "block", "copy", "retry" };
const char *const guard_names[NR_GUARDS] = { "crc", "ip" };

const char *const counter_names[NR_KNOWN_COUNTERS] = {
	"writes", "write_bytes", "intervals", "changed_dispatch",
	"changed_completion", "lower_pi_errors", "read_pi_errors", "absorbed",
	"repaired", "retry_failed", "changed_failed", "reads", "read_bytes",
	"lower_errors", "deferred", "reissued",
};

/* Block mode asks for stable pages unless told otherwise; the others not. */
bool default_stable_writes(enum mode mode)
{
	return mode == MODE_BLOCK;
}

static int name_index(const char *v, const char *const *names, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!strcmp(v, names[i]))
			return (int)i;
	return -1;
}

static void add_unknown(struct stpi_table *t, const char *word)
{
	size_t old = t->unknown ? strlen(t->unknown) : 0;

	t->unknown = xrealloc(t->unknown, old + strlen(word) + 2);
	sprintf(t->unknown + old, "%s%s", old ? " " : "", word);
}

static int parse_opt(struct stpi_table *t, const char *word)
{
	struct table_opts *o = &t->opts;
	const char *v = strchr(word, ':');
	uint64_t n;
	int i;

	if (!strcmp(word, "fail_changed")) {
		o->has_fail_changed = true;
		o->fail_changed = true;
		return 0;
	}
	if (!v) {
		add_unknown(t, word);
		return 0;
	}
	v++;
	if (!strncmp(word, "mode:", 5)) {
		i = name_index(v, mode_names, NR_MODES);
		if (i < 0)
			return -EINVAL;
		o->has_mode = true;
		o->mode = (enum mode)i;
	} else if (!strncmp(word, "guard:", 6)) {
		i = name_index(v, guard_names, NR_GUARDS);
		if (i < 0)
			return -EINVAL;
		o->has_guard = true;
		o->guard = (enum guard)i;
	} else if (!strncmp(word, "type:", 5)) {
		if (parse_u64(v, 1, 3, &n))
			return -EINVAL;
		o->has_type = true;
		o->type = (unsigned int)n;
	} else if (!strncmp(word, "interval:", 9)) {
		if (parse_u64(v, 512, 4096, &n))
			return -EINVAL;
		o->has_interval = true;
		o->interval = (unsigned int)n;
	} else if (!strncmp(word, "hold_us:", 8)) {
		if (parse_u64(v, 0, HOLD_US_MAX, &n))
			return -EINVAL;
		o->has_hold_us = true;
		o->hold_us = (unsigned int)n;
	} else if (!strncmp(word, "stable_writes:", 14)) {
		if (parse_u64(v, 0, 1, &n))
			return -EINVAL;
		o->has_stable_writes = true;
		o->stable_writes = n;
	} else if (!strncmp(word, "log:", 4)) {
		if (parse_u64(v, 1, LOG_MAX, &n))
			return -EINVAL;
		o->has_log = true;
		o->log = (unsigned int)n;
	} else {
		add_unknown(t, word);
	}
	return 0;
}

/* Parse the parameters of a stablepi target.  Returns 0 or -EINVAL. */
int parse_table(uint64_t start, uint64_t length, const char *params,
		struct stpi_table *t)
{
	char *copy = xstrdup(params), *save = NULL, *w;
	uint64_t n, i;
	int r = -EINVAL;

	memset(t, 0, sizeof(*t));
	t->start = start;
	t->length = length;

	w = strtok_r(copy, " ", &save);
	if (!w || sscanf(w, "%u:%u", &t->dev_major, &t->dev_minor) != 2)
		goto out;
	w = strtok_r(NULL, " ", &save);
	if (!w || parse_u64(w, 0, UINT64_MAX, &t->offset))
		goto out;
	w = strtok_r(NULL, " ", &save);
	if (w) {
		if (parse_u64(w, 0, 64, &n))
			goto out;
		for (i = 0; i < n; i++) {
			w = strtok_r(NULL, " ", &save);
			if (!w || parse_opt(t, w))
				goto out;
		}
		if (strtok_r(NULL, " ", &save))
			goto out;
	}
	r = 0;
out:
	free(copy);
	if (r)
		free_table(t);
	return r;
}

void free_table(struct stpi_table *t)
{
	free(t->unknown);
	t->unknown = NULL;
}

/*
 * The parameters of @t: the given optional parameters only, in the order
 * the kernel prints them, so that the kernel's defaults apply to the rest.
 */
char *table_params(const struct stpi_table *t)
{
	const struct table_opts *o = &t->opts;
	char opts[512] = "";
	unsigned int n = 0;
	size_t len = 0;

#define ADD(...) do { \
	len += (size_t)snprintf(opts + len, sizeof(opts) - len, " " __VA_ARGS__); \
	n++; \
} while (0)
	if (o->has_mode)
		ADD("mode:%s", mode_names[o->mode]);
	if (o->has_guard)
		ADD("guard:%s", guard_names[o->guard]);
	if (o->has_type)
		ADD("type:%u", o->type);
	if (o->has_interval)
		ADD("interval:%u", o->interval);
	if (o->has_hold_us)
		ADD("hold_us:%u", o->hold_us);
	if (o->has_stable_writes)
		ADD("stable_writes:%u", o->stable_writes ? 1u : 0u);
	if (o->has_log)
		ADD("log:%u", o->log);
	if (o->has_fail_changed && o->fail_changed)
		ADD("fail_changed");
#undef ADD
	if (t->unknown) {
		char *p = t->unknown;

		len += (size_t)snprintf(opts + len, sizeof(opts) - len, " %s", p);
		n++;
		while ((p = strchr(p + 1, ' ')))
			n++;
	}
	if (!n)
		return xasprintf("%u:%u %llu", t->dev_major, t->dev_minor,
				 (unsigned long long)t->offset);
	return xasprintf("%u:%u %llu %u%s", t->dev_major, t->dev_minor,
			 (unsigned long long)t->offset, n, opts);
}
