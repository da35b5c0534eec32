/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wac: the file or block device being rewritten.
 */
#ifndef WAC_TARGET_H
#define WAC_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "options.h"
#include "rng.h"

struct wac_target {
	const char *path;
	int fd;
	bool blkdev;
	bool created;			/* a new regular file */
	uint64_t size;			/* bytes rewritten: [0, size) */
	uint64_t bs;
	uint64_t nr_blocks;		/* bs-aligned write slots in size */
	unsigned int lanes;		/* O_DIRECT writes in flight at once */
	unsigned int pwriter_lane;	/* the lane of the first pwriter */
	unsigned int lbs;		/* logical block size of a device */
	size_t page_size;
	size_t buf_offset;		/* of write buffers past a page boundary */
	unsigned char *map;		/* MAP_SHARED view of [0, size) */
};

int wac_target_open(struct wac_target *t, const struct wac_options *o);
int wac_target_buffer(const struct wac_target *t, void **base,
		      unsigned char **buf);
void wac_target_close(struct wac_target *t);
uint64_t wac_target_pick(const struct wac_target *t, struct wac_rng *rng,
			 unsigned int lane);

#endif /* WAC_TARGET_H */
