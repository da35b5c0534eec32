/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wac: reading the target back after a run (--read-back).
 */
#ifndef WAC_READBACK_H
#define WAC_READBACK_H

#include <stdint.h>

#include "target.h"

/* Blocks are counted in units of this many bytes (the last may be short). */
#define WAC_READ_BACK_BLOCK	4096

struct wac_read_back {
	uint64_t blocks;		/* blocks read back */
	uint64_t unreadable;		/* ... of which a read failed */
	uint64_t eio;			/* ... with EIO */
	uint64_t eilseq;		/* ... with EILSEQ */
	int fsync_error;		/* errno of the fsync before, or 0 */
	double seconds;
};

int wac_read_back(const struct wac_target *t, struct wac_read_back *rb);

#endif /* WAC_READBACK_H */
