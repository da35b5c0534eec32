// SPDX-License-Identifier: GPL-2.0
/*
 * wac: dio-scribble slots and what all engines share.
 *
 * The buffer of a slot is filled with random bytes once.  Before each write
 * the submitter stamps the first 8 bytes of every 512-byte sector with a
 * write sequence number, so no two writes from a slot carry the same data.
 * While the write is in flight the scribbler increments one byte in every
 * sector, at a position that moves on each pass (always past the stamp), so
 * every protection interval of the buffer changes on every pass.  Stamp and
 * scribble never touch the same bytes, which keeps the thread engine (where
 * they run in different threads) free of data races.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "scribble.h"

#define WAC_STAMP_BYTES		8

static const struct wac_engine_ops *const wac_engines[] = {
	[WAC_ENGINE_IO_URING]	= &wac_engine_io_uring,
	[WAC_ENGINE_LIBAIO]	= &wac_engine_libaio,
	[WAC_ENGINE_THREAD]	= &wac_engine_thread,
};

/* Pick the next block and stamp the buffer for a new write. */
void wac_slot_prepare(struct wac_slot *slot)
{
	const struct wac_target *t = slot->s->ctx->target;
	uint64_t stamp;
	size_t off;

	slot->offset = wac_target_pick(t, &slot->rng, slot->index);
	stamp = (++slot->seq << 16) | slot->index;
	for (off = 0; off < t->bs; off += WAC_SECTOR)
		memcpy(slot->buf + off, &stamp, sizeof(stamp));
	slot->submit_ns = wac_now_ns();
}

/* The write of @slot ended with @res (bytes, or -errno): count it in @c. */
void wac_slot_complete(struct wac_slot *slot, struct wac_counters *c,
		       ssize_t res)
{
	wac_count_write(c, res, slot->s->ctx->target->bs);
	wac_count_latency(c, wac_now_ns() - slot->submit_ns);
	atomic_store_explicit(&slot->in_flight, false, memory_order_release);
}

/* Change every sector of the buffer once. */
void wac_slot_scribble(struct wac_slot *slot)
{
	size_t bs = slot->s->ctx->target->bs;
	size_t pos, off;

	pos = WAC_STAMP_BYTES +
	      (size_t)(slot->scribble_seq++ * 61 %
		       (WAC_SECTOR - WAC_STAMP_BYTES));
	for (off = 0; off < bs; off += WAC_SECTOR)
		slot->buf[off + pos]++;
}

/* Scribble on every slot whose write is in flight; returns how many. */
unsigned int wac_scribble_pass(struct wac_scribble *s)
{
	unsigned int i, n = 0;

	for (i = 0; i < s->depth; i++) {
		if (!atomic_load_explicit(&s->slots[i].in_flight,
					  memory_order_acquire))
			continue;
		wac_slot_scribble(&s->slots[i]);
		n++;
	}
	s->counters.scribbles += n;
	return n;
}

int wac_start_thread(struct wac_scribble *s, void *(*fn)(void *))
{
	int ret = pthread_create(&s->thread, NULL, fn, s);

	s->started = !ret;
	return ret;
}

void wac_join_thread(struct wac_scribble *s)
{
	if (s->started)
		pthread_join(s->thread, NULL);
	s->started = false;
}

int wac_scribble_init(struct wac_scribble *s, const struct wac_ctx *ctx)
{
	const struct wac_target *t = ctx->target;
	struct wac_rng fill;
	struct wac_slot *slot;
	unsigned int i;
	int ret;

	*s = (struct wac_scribble) {
		.ctx = ctx,
		.ops = wac_engines[ctx->opts->engine],
		.depth = ctx->opts->iodepth,
		.threads = 1,
	};
	s->slots = calloc(s->depth, sizeof(*s->slots));
	if (!s->slots)
		return ENOMEM;
	wac_rng_init(&fill, ctx->opts->seed, wac_stream(WAC_KIND_NR, 0));
	for (i = 0; i < s->depth; i++) {
		slot = &s->slots[i];
		slot->s = s;
		slot->index = i;
		atomic_init(&slot->in_flight, false);
		wac_rng_init(&slot->rng, ctx->opts->seed,
			     wac_stream(WAC_KIND_DIO, i));
		ret = wac_target_buffer(t, &slot->buf_base, &slot->buf);
		if (ret)
			return ret;
		wac_rng_fill(&fill, slot->buf, t->bs);
	}
	return s->ops->setup(s);
}

int wac_scribble_start(struct wac_scribble *s)
{
	return s->ops->start(s);
}

void wac_scribble_join(struct wac_scribble *s)
{
	s->ops->join(s);
}

void wac_scribble_collect(const struct wac_scribble *s,
			  struct wac_counters *dst)
{
	unsigned int i;

	wac_counters_add(dst, &s->counters);
	for (i = 0; i < s->depth; i++)
		wac_counters_add(dst, &s->slots[i].counters);
}

/* Safe on a partly initialised scribble: wac_scribble_init() may fail. */
void wac_scribble_free(struct wac_scribble *s)
{
	unsigned int i;

	if (s->priv)
		s->ops->teardown(s);
	if (s->slots) {
		for (i = 0; i < s->depth; i++)
			free(s->slots[i].buf_base);
	}
	free(s->slots);
	s->slots = NULL;
}
