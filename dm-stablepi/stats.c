// SPDX-License-Identifier: GPL-2.0
/*
 * dm-stablepi: counters.  Each CPU counts in its own copy; status sums
 * them.  clear_stats zeroes every copy: a count racing with it may survive.
 */

#include <linux/percpu.h>
#include <linux/string.h>

#include "stablepi.h"

void spi_stats_sum(struct spi_c *sc, u64 *sum)
{
	unsigned int cpu, i;

	memset(sum, 0, sizeof(u64) * SPI_NR_STATS);
	for_each_possible_cpu(cpu) {
		struct spi_stats *s = per_cpu_ptr(sc->stats, cpu);

		for (i = 0; i < SPI_NR_STATS; i++)
			sum[i] += READ_ONCE(s->v[i]);
	}
}

void spi_stats_clear(struct spi_c *sc)
{
	unsigned int cpu, i;

	for_each_possible_cpu(cpu) {
		struct spi_stats *s = per_cpu_ptr(sc->stats, cpu);

		for (i = 0; i < SPI_NR_STATS; i++)
			WRITE_ONCE(s->v[i], 0);
	}
}
