// SPDX-License-Identifier: GPL-2.0
/*
 * wac: counting writes and errors.
 */
#include "stats.h"

/* The outcome of one write of len bytes: done bytes, or -errno. */
void wac_count_write(struct wac_counters *c, ssize_t done, size_t len)
{
	if (done < 0) {
		wac_count_error(c, (int)-done);
		return;
	}
	c->ops++;
	c->bytes += (uint64_t)done;
	if ((size_t)done < len)
		c->short_writes++;
}

void wac_count_error(struct wac_counters *c, int err)
{
	c->errors++;
	c->by_errno[err > 0 && err < WAC_ERRNO_SLOTS ? err : 0]++;
}

void wac_count_sync_error(struct wac_counters *c, int err)
{
	wac_count_error(c, err);
	c->sync_errors++;
}

void wac_count_sigbus(struct wac_counters *c)
{
	c->errors++;
	c->sigbus++;
}

void wac_count_latency(struct wac_counters *c, uint64_t ns)
{
	if (ns > c->max_latency_ns)
		c->max_latency_ns = ns;
}

void wac_counters_add(struct wac_counters *dst, const struct wac_counters *src)
{
	size_t i;

	dst->ops += src->ops;
	dst->bytes += src->bytes;
	dst->errors += src->errors;
	dst->sync_errors += src->sync_errors;
	dst->sigbus += src->sigbus;
	dst->short_writes += src->short_writes;
	dst->scribbles += src->scribbles;
	wac_count_latency(dst, src->max_latency_ns);
	for (i = 0; i < WAC_ERRNO_SLOTS; i++)
		dst->by_errno[i] += src->by_errno[i];
}
