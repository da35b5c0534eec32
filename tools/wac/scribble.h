/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wac: dio-scribble, the positive control.
 *
 * A set of iodepth slots, each a bs-sized buffer that is the source of one
 * O_DIRECT write at a time.  While a slot's write is in flight its buffer is
 * changed again and again ("scribbled"), so the data the device reads is not
 * the data the block layer computed protection information for.  Engines
 * differ only in how the writes are issued and completed.
 */
#ifndef WAC_SCRIBBLE_H
#define WAC_SCRIBBLE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "rng.h"
#include "wac.h"

struct wac_scribble;

struct wac_slot {
	struct wac_scribble *s;
	unsigned int index;
	void *buf_base;			/* allocation holding buf */
	unsigned char *buf;		/* bs bytes, --buf-offset past a page */
	uint64_t offset;		/* of the current write */
	uint64_t seq;			/* writes issued from this slot */
	uint64_t scribble_seq;		/* changes made to the buffer */
	uint64_t submit_ns;		/* when the current write was issued */
	atomic_bool in_flight;
	struct wac_rng rng;
	struct wac_counters counters;	/* thread engine: per writer thread */
	pthread_t thread;		/* thread engine only */
	bool started;
};

struct wac_engine_ops {
	int (*setup)(struct wac_scribble *s);	/* 0 or an errno */
	int (*start)(struct wac_scribble *s);	/* 0 or an errno */
	void (*join)(struct wac_scribble *s);
	void (*teardown)(struct wac_scribble *s);
};

struct wac_scribble {
	const struct wac_ctx *ctx;
	const struct wac_engine_ops *ops;
	unsigned int depth;
	unsigned int threads;		/* for the report */
	struct wac_slot *slots;
	struct wac_counters counters;
	uint64_t abandoned;		/* writes still in flight at exit */
	int failed;			/* errno that stopped the engine */
	pthread_t thread;
	bool started;
	void *priv;			/* engine state */
};

extern const struct wac_engine_ops wac_engine_io_uring;
extern const struct wac_engine_ops wac_engine_libaio;
extern const struct wac_engine_ops wac_engine_thread;

int wac_scribble_init(struct wac_scribble *s, const struct wac_ctx *ctx);
int wac_scribble_start(struct wac_scribble *s);
void wac_scribble_join(struct wac_scribble *s);
void wac_scribble_collect(const struct wac_scribble *s,
			  struct wac_counters *dst);
void wac_scribble_free(struct wac_scribble *s);

/* For the engines. */
void wac_slot_prepare(struct wac_slot *slot);
void wac_slot_scribble(struct wac_slot *slot);
void wac_slot_complete(struct wac_slot *slot, struct wac_counters *c,
		       ssize_t res);
unsigned int wac_scribble_pass(struct wac_scribble *s);
int wac_start_thread(struct wac_scribble *s, void *(*fn)(void *));
void wac_join_thread(struct wac_scribble *s);

#endif /* WAC_SCRIBBLE_H */
