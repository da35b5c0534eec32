/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wac: the end-of-run summary and the "wac:" result line.
 */
#ifndef WAC_REPORT_H
#define WAC_REPORT_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "readback.h"
#include "wac.h"

struct wac_result {
	pid_t pid;
	double elapsed;			/* seconds, start to last join */
	bool interrupted;		/* SIGINT or SIGTERM before deadline */
	struct wac_counters kind[WAC_KIND_NR];
	unsigned int threads[WAC_KIND_NR];
	uint64_t dio_abandoned;
	int dio_failed;			/* errno that stopped the engine */
	struct wac_read_back read_back;	/* with --read-back */
};

void wac_report(FILE *f, const struct wac_options *o,
		const struct wac_target *t, const struct wac_result *r);

#endif /* WAC_REPORT_H */
