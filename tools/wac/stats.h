/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wac: per-thread counters.
 *
 * Each thread owns its counters and is the only one writing them; main adds
 * them up after joining the thread, so no atomics are needed.
 */
#ifndef WAC_STATS_H
#define WAC_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum wac_kind {
	WAC_KIND_PWRITE,
	WAC_KIND_MMAP,
	WAC_KIND_DIO,
	WAC_KIND_NR,
};

/* errno values counted one by one; anything larger lands in slot 0. */
#define WAC_ERRNO_SLOTS		256

struct wac_counters {
	uint64_t ops;			/* successful writes (short ones too) */
	uint64_t bytes;
	uint64_t errors;		/* failed writes, syncs and stores */
	uint64_t sync_errors;		/* ... of which sync calls */
	uint64_t sigbus;		/* ... of which SIGBUS on a store */
	uint64_t short_writes;
	uint64_t scribbles;		/* buffer changes during a write */
	uint64_t max_latency_ns;	/* slowest write, submit to completion */
	uint64_t by_errno[WAC_ERRNO_SLOTS];
};

void wac_count_write(struct wac_counters *c, ssize_t done, size_t len);
void wac_count_error(struct wac_counters *c, int err);
void wac_count_sync_error(struct wac_counters *c, int err);
void wac_count_sigbus(struct wac_counters *c);
void wac_count_latency(struct wac_counters *c, uint64_t ns);
void wac_counters_add(struct wac_counters *dst,
		      const struct wac_counters *src);

#endif /* WAC_STATS_H */
