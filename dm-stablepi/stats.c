// SPDX-License-Identifier: GPL-2.0
/*
 * dm-stablepi: counters.  Each CPU counts in its own copy; status sums
 * them.  clear_stats zeroes every copy: a count racing with it may survive.
 */

#include <linux/percpu.h>
#include <linux/string.h>

#include "stablepi.h"

void stpi_stats_sum(struct stpi_c *sc, u64 *sum)
{
	unsigned int cpu, i;

	memset(sum, 0, sizeof(u64) * STPI_NR_STATS);
	for_each_possible_cpu(cpu) {
		struct stpi_stats *s = per_cpu_ptr(sc->stats, cpu);

		for (i = 0; i < STPI_NR_STATS; i++)
			sum[i] += READ_ONCE(s->v[i]);
	}
}

void stpi_stats_clear(struct stpi_c *sc)
{
	unsigned int cpu, i;

	for_each_possible_cpu(cpu) {
		struct stpi_stats *s = per_cpu_ptr(sc->stats, cpu);

		for (i = 0; i < STPI_NR_STATS; i++)
			WRITE_ONCE(s->v[i], 0);
	}
}
