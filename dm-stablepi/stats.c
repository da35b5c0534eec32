// SPDX-License-Identifier: GPL-2.0
/*
 * dm-stablepi: counters.  Each CPU counts in its own copy; status sums
 * them.  clear_stats zeroes every copy: a count racing with it may survive.
 *
 * With the stage_timing module parameter, each stage of a write also adds
 * the time it took (local_clock(), preemption included) to per-CPU sums,
 * which the "stages" message prints.
 */

#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/string.h>

#include "stablepi.h"

bool stpi_stage_timing;
module_param_named(stage_timing, stpi_stage_timing, bool, 0644);
MODULE_PARM_DESC(stage_timing,
		 "Measure the time of each stage of a write (message \"stages\"); off by default");

static const char * const stpi_stage_names[STPI_NR_STAGES] = {
	[STPI_STAGE_MAP] = "map",
	[STPI_STAGE_GENERATE] = "generate",
	[STPI_STAGE_COPY] = "copy",
	[STPI_STAGE_ATTACH] = "attach",
	[STPI_STAGE_VERIFY_DISPATCH] = "verify_dispatch",
	[STPI_STAGE_VERIFY_COMPLETION] = "verify_completion",
	[STPI_STAGE_COMPLETION] = "completion",
};

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
		for (i = 0; i < STPI_NR_STAGES; i++) {
			WRITE_ONCE(s->stage_ns[i], 0);
			WRITE_ONCE(s->stage_n[i], 0);
		}
	}
}

/* One line per stage: how often it ran and for how long in all. */
void stpi_stages_emit(struct stpi_c *sc, char *result, unsigned int maxlen)
{
	unsigned int cpu, i, sz = 0;

	DMEMIT("stages timing=%s\n", READ_ONCE(stpi_stage_timing) ? "on" : "off");
	for (i = 0; i < STPI_NR_STAGES; i++) {
		u64 ns = 0, n = 0;

		for_each_possible_cpu(cpu) {
			struct stpi_stats *s = per_cpu_ptr(sc->stats, cpu);

			ns += READ_ONCE(s->stage_ns[i]);
			n += READ_ONCE(s->stage_n[i]);
		}
		DMEMIT("stage=%s count=%llu ns=%llu avg_ns=%llu\n",
		       stpi_stage_names[i], n, ns, n ? div64_u64(ns, n) : 0);
	}
}
