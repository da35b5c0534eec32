/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wac: what every worker thread shares.
 */
#ifndef WAC_H
#define WAC_H

#include "options.h"
#include "run.h"
#include "stats.h"
#include "target.h"

/* In-flight writes still running this long after the deadline are left. */
#define WAC_DRAIN_NS		(10 * WAC_NSEC_PER_SEC)
/* How long one wait for completions may last, so the deadline is seen. */
#define WAC_WAIT_NS		(100 * 1000 * 1000ULL)

struct wac_ctx {
	const struct wac_options *opts;
	const struct wac_target *target;
	struct wac_run *run;
};

/* Stream numbers for wac_rng_init(): one per thread or in-flight slot. */
static inline uint64_t wac_stream(enum wac_kind kind, unsigned int index)
{
	return ((uint64_t)kind << 32) | index;
}

#endif /* WAC_H */
