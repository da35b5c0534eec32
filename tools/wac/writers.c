// SPDX-License-Identifier: GPL-2.0
/*
 * wac: pwrite and mmap writer threads.
 *
 * Both kinds loop until the deadline: pick a random bs-aligned block, fill
 * the thread's buffer with fresh pseudo-random bytes (so every write changes
 * the block's content and thus its checksum), write it, then apply the sync
 * mode to the written range.  A pwrite writer writes with pwrite(); an mmap
 * writer copies the buffer into the shared mapping.  Errors are counted and
 * the loop goes on.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fault.h"
#include "writers.h"

/* Apply the sync mode to [off, off + len); returns 0 or an errno. */
static int wac_sync_range(const struct wac_ctx *ctx, uint64_t off, size_t len)
{
	const struct wac_target *t = ctx->target;
	uint64_t start;
	int ret = 0;

	switch (ctx->opts->sync) {
	case WAC_SYNC_NONE:
		break;
	case WAC_SYNC_FILE_RANGE:
		/* Start writeback and return: the pages stay writable. */
		ret = sync_file_range(t->fd, (off_t)off, (off_t)len,
				      SYNC_FILE_RANGE_WRITE);
		break;
	case WAC_SYNC_MSYNC:
		/* MS_ASYNC does nothing on Linux; MS_SYNC writes and waits. */
		start = off & ~((uint64_t)t->page_size - 1);
		ret = msync(t->map + start, off + len - start, MS_SYNC);
		break;
	case WAC_SYNC_FSYNC:
		ret = fsync(t->fd);
		break;
	}
	return ret ? errno : 0;
}

static void *wac_pwriter(void *arg)
{
	struct wac_writer *w = arg;
	const struct wac_target *t = w->ctx->target;
	struct wac_run *run = w->ctx->run;
	uint64_t off;
	ssize_t done;
	int err;

	wac_run_wait(run);
	while (!wac_run_should_stop(run)) {
		off = wac_target_pick(t, &w->rng,
				      (t->pwriter_lane + w->index) % t->lanes);
		wac_rng_fill(&w->rng, w->buf, t->bs);
		done = pwrite(t->fd, w->buf, t->bs, (off_t)off);
		wac_count_write(&w->counters, done < 0 ? -errno : done, t->bs);
		if (done < 0)
			continue;
		err = wac_sync_range(w->ctx, off, t->bs);
		if (err)
			wac_count_sync_error(&w->counters, err);
	}
	return NULL;
}

static void *wac_mmap_writer(void *arg)
{
	struct wac_writer *w = arg;
	const struct wac_target *t = w->ctx->target;
	struct wac_run *run = w->ctx->run;
	uint64_t off;
	int err;

	wac_run_wait(run);
	while (!wac_run_should_stop(run)) {
		off = wac_rng_below(&w->rng, t->nr_blocks) * t->bs;
		wac_rng_fill(&w->rng, w->buf, t->bs);
		if (wac_store_guarded(t->map + off, w->buf, t->bs)) {
			wac_count_sigbus(&w->counters);
			continue;
		}
		wac_count_write(&w->counters, (ssize_t)t->bs, t->bs);
		err = wac_sync_range(w->ctx, off, t->bs);
		if (err)
			wac_count_sync_error(&w->counters, err);
	}
	return NULL;
}

int wac_writer_init(struct wac_writer *w, const struct wac_ctx *ctx,
		    enum wac_kind kind, unsigned int index)
{
	*w = (struct wac_writer) {
		.ctx = ctx,
		.kind = kind,
		.index = index,
	};
	wac_rng_init(&w->rng, ctx->opts->seed, wac_stream(kind, index));
	return wac_target_buffer(ctx->target, &w->buf_base, &w->buf);
}

int wac_writer_start(struct wac_writer *w)
{
	int ret;

	ret = pthread_create(&w->thread, NULL,
			     w->kind == WAC_KIND_MMAP ? wac_mmap_writer :
							wac_pwriter, w);
	w->started = !ret;
	return ret;
}

void wac_writer_join(struct wac_writer *w)
{
	if (w->started)
		pthread_join(w->thread, NULL);
	w->started = false;
}

void wac_writer_free(struct wac_writer *w)
{
	free(w->buf_base);
	w->buf_base = NULL;
	w->buf = NULL;
}
