// SPDX-License-Identifier: GPL-2.0
/*
 * dm-stablepi: snapshots of a write's data, for copy and retry modes.
 *
 * A snapshot is a lower bio over pages of the target's page mempool holding
 * a copy of the caller's data, packed from offset 0.  A write is at most
 * STPI_MAX_IO_PAGES pages and the mempool keeps that many in reserve, so one
 * snapshot can always be completed.  Allocations that may block hold
 * alloc_lock, so that two writes never each hold half of the reserve while
 * waiting for the other half; allocations with GFP_NOWAIT take what is free
 * and give everything back when a page is missing.
 *
 * The pool is not only a reserve: its pages are used first.  Debian's
 * kernel zeroes every page it allocates (init_on_alloc), which cost a
 * snapshot more than the copy itself, and a snapshot page is overwritten
 * whole anyway.  So the pool's allocator gives pages only to callers that
 * may wait (mempool_alloc() tries the reserve first for them after a
 * first, non-waiting attempt); a caller that may not wait takes reserve
 * pages and, once the reserve is empty, pages from the page allocator in
 * one bulk call.
 */

#include <linux/bio.h>
#include <linux/highmem.h>

#include "stablepi.h"

void stpi_snapshot_free(struct stpi_c *sc, struct bio *lower)
{
	struct bvec_iter_all iter;
	struct bio_vec *bv;

	bio_for_each_segment_all(bv, lower, iter)
		mempool_free(bv->bv_page, &sc->page_pool);
	bio_put(lower);
}

/* The pool's allocator: only for callers that may wait (see above). */
void *stpi_snapshot_page_alloc(gfp_t gfp, void *data)
{
	if (!gfpflags_allow_blocking(gfp))
		return NULL;
	return alloc_page(gfp);
}

void stpi_snapshot_page_free(void *page, void *data)
{
	__free_page(page);
}

/* The next page of a snapshot: from the pool, else from @bulk. */
static struct page *stpi_snapshot_page(struct stpi_c *sc, gfp_t gfp,
				       struct list_head *bulk,
				       unsigned int left)
{
	struct page *page = mempool_alloc(&sc->page_pool, gfp);

	if (page || gfpflags_allow_blocking(gfp))
		return page;
	if (list_empty(bulk))
		alloc_pages_bulk_list(gfp, left, bulk);
	page = list_first_entry_or_null(bulk, struct page, lru);
	if (page)
		list_del(&page->lru);
	return page;
}

static struct bio *stpi_snapshot_alloc(struct stpi_io *io, gfp_t gfp)
{
	unsigned int size = io->data_iter.bi_size;
	unsigned int nr = DIV_ROUND_UP(size, PAGE_SIZE);
	struct bio *bio = stpi_io_bio(io);
	struct stpi_c *sc = io->sc;
	struct page *page, *next;
	LIST_HEAD(bulk);
	struct bio *lower;
	unsigned int i, len;

	lower = bio_alloc_bioset(sc->dev->bdev, nr, bio->bi_opf, gfp, &sc->bs);
	if (!lower)
		return NULL;
	for (i = 0; i < nr; i++, size -= len) {
		page = stpi_snapshot_page(sc, gfp, &bulk, nr - i);
		if (!page) {
			stpi_snapshot_free(sc, lower);
			return NULL;
		}
		len = min_t(unsigned int, size, PAGE_SIZE);
		__bio_add_page(lower, page, len, 0);
	}
	/* The bulk call gives what it has; nothing is left over. */
	list_for_each_entry_safe(page, next, &bulk, lru) {
		list_del(&page->lru);
		mempool_free(page, &sc->page_pool);
	}
	return lower;
}

/*
 * The tuples of one full snapshot page (or the last, shorter one): pages
 * are packed from offset 0, so no interval straddles two of them.
 */
static unsigned int stpi_snapshot_protect(const struct stpi_c *sc,
					  struct page *page, unsigned int len,
					  sector_t seed,
					  struct t10_pi_tuple *tuples)
{
	struct bio_vec bv = { .bv_page = page, .bv_len = len };
	struct bvec_iter iter = { .bi_size = len };

	stpi_pi_generate(sc, &bv, iter, seed, tuples);
	return len >> sc->interval_shift;
}

/*
 * Copy the caller's data, as it is now, into the snapshot's pages.  With
 * @tuples, compute the tuples of each page right after filling it, while
 * it is still in the cache: one pass over the caller's data, not two.
 */
static void stpi_snapshot_copy(struct stpi_io *io, struct bio *lower,
			       struct t10_pi_tuple *tuples)
{
	sector_t seed = lower->bi_iter.bi_sector;
	struct bvec_iter src = io->data_iter;
	unsigned int di = 0, doff = 0, done = 0;

	while (src.bi_size) {
		struct bio_vec bv = bvec_iter_bvec(io->data_bvecs, src);
		struct page *dst = lower->bi_io_vec[di].bv_page;
		unsigned int len = min_t(unsigned int, bv.bv_len, PAGE_SIZE - doff);

		memcpy_from_page(page_address(dst) + doff, bv.bv_page,
				 bv.bv_offset, len);
		bvec_iter_advance(io->data_bvecs, &src, len);
		doff += len;
		if (doff < PAGE_SIZE && src.bi_size)
			continue;
		if (tuples)
			done += stpi_snapshot_protect(io->sc, dst, doff,
						      seed + done,
						      tuples + done);
		di++;
		doff = 0;
	}
}

/*
 * A lower bio carrying a copy of the caller's data, and with @tuples the
 * copy's tuples; NULL without memory.
 */
struct bio *stpi_snapshot(struct stpi_io *io, gfp_t gfp,
			  struct t10_pi_tuple *tuples)
{
	struct bio *bio = stpi_io_bio(io);
	bool blocking = gfpflags_allow_blocking(gfp);
	struct stpi_c *sc = io->sc;
	struct bio *lower;
	u64 t;

	if (blocking)
		mutex_lock(&sc->alloc_lock);
	lower = stpi_snapshot_alloc(io, gfp);
	if (blocking)
		mutex_unlock(&sc->alloc_lock);
	if (!lower)
		return NULL;

	lower->bi_iter.bi_sector = stpi_lower_sector(sc, io->sector);
	t = stpi_stage_begin();
	stpi_snapshot_copy(io, lower, tuples);
	stpi_stage_end(sc, STPI_STAGE_COPY, t);
	lower->bi_ioprio = bio->bi_ioprio;
	return lower;
}
