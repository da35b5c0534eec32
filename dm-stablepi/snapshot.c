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

static struct bio *stpi_snapshot_alloc(struct stpi_io *io, gfp_t gfp)
{
	unsigned int size = io->data_iter.bi_size;
	unsigned int nr = DIV_ROUND_UP(size, PAGE_SIZE);
	struct bio *bio = stpi_io_bio(io);
	struct stpi_c *sc = io->sc;
	struct bio *lower;
	unsigned int i, len;

	lower = bio_alloc_bioset(sc->dev->bdev, nr, bio->bi_opf, gfp, &sc->bs);
	if (!lower)
		return NULL;
	for (i = 0; i < nr; i++, size -= len) {
		struct page *page = mempool_alloc(&sc->page_pool, gfp);

		if (!page) {
			stpi_snapshot_free(sc, lower);
			return NULL;
		}
		len = min_t(unsigned int, size, PAGE_SIZE);
		__bio_add_page(lower, page, len, 0);
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
