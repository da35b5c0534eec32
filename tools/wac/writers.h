/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wac: pwrite and mmap writer threads.
 */
#ifndef WAC_WRITERS_H
#define WAC_WRITERS_H

#include <pthread.h>
#include <stdbool.h>

#include "rng.h"
#include "wac.h"

struct wac_writer {
	pthread_t thread;
	bool started;
	const struct wac_ctx *ctx;
	enum wac_kind kind;		/* WAC_KIND_PWRITE or WAC_KIND_MMAP */
	unsigned int index;
	struct wac_rng rng;
	void *buf_base;			/* allocation holding buf */
	unsigned char *buf;		/* bs bytes, --buf-offset past a page */
	struct wac_counters counters;
};

int wac_writer_init(struct wac_writer *w, const struct wac_ctx *ctx,
		    enum wac_kind kind, unsigned int index);
int wac_writer_start(struct wac_writer *w);
void wac_writer_join(struct wac_writer *w);
void wac_writer_free(struct wac_writer *w);

#endif /* WAC_WRITERS_H */
