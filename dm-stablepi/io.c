// SPDX-License-Identifier: GPL-2.0
/*
 * dm-stablepi: the I/O path.
 *
 * Reads, flushes, discards and write-zeroes are remapped to the lower
 * device.  A data write gets its own lower bio, so that the target decides
 * when it is dispatched and what it carries:
 *
 *   map         compute the tuples of the caller's data, prepare the lower
 *               bio (with those tuples attached when the lower device has an
 *               integrity profile), then dispatch it, or hold it hold_us
 *   dispatch    after the hold, re-verify the caller's data, then submit
 *   completion  re-verify again, then complete the caller's write
 *
 * map never sleeps: it allocates with GFP_NOWAIT and, when memory is short,
 * hands the write to the target's workqueue, which allocates with GFP_NOIO
 * from mempools.  No lock is taken and no data page is locked or waited on.
 */

#include <linux/bio.h>
#include <linux/highmem.h>
#include <linux/sched.h>

#include "stablepi.h"

#define SPI_GFP_MAP	(GFP_NOWAIT | __GFP_NOWARN)

static sector_t spi_lower_sector(struct spi_c *sc, sector_t sector)
{
	return sc->start + dm_target_offset(sc->ti, sector);
}

static void spi_lower_endio(struct bio *lower);

/* The lower bio shares the caller's data pages. */
static int spi_lower_clone(struct spi_io *io, gfp_t gfp)
{
	struct bio *bio = spi_io_bio(io);
	struct spi_c *sc = io->sc;
	struct bio *lower;

	lower = bio_alloc_clone(sc->dev->bdev, bio, gfp, &sc->bs);
	if (!lower)
		return -ENOMEM;
	lower->bi_iter.bi_sector = spi_lower_sector(sc, bio->bi_iter.bi_sector);
	lower->bi_end_io = spi_lower_endio;
	lower->bi_private = io;
	io->lower = lower;
	return 0;
}

static void spi_lower_free(struct spi_io *io)
{
	bio_put(io->lower);
	io->lower = NULL;
}

/* Tuples and lower bio; on failure nothing is left allocated. */
static int spi_prepare(struct spi_io *io, gfp_t gfp)
{
	struct spi_c *sc = io->sc;
	struct page *page;
	int r;

	page = mempool_alloc(&sc->tuple_pool, gfp);
	if (!page)
		return -ENOMEM;
	io->tuples = page_address(page);

	r = spi_lower_clone(io, gfp);
	if (r)
		goto free_tuples;

	spi_pi_generate(sc, io->lower->bi_io_vec, io->lower->bi_iter,
			io->lower->bi_iter.bi_sector, io->tuples);

	if (sc->lower_pi && !bio_integrity(io->lower)) {
		r = spi_pi_attach(io, gfp);
		if (r)
			goto free_lower;
	}
	return 0;

free_lower:
	spi_lower_free(io);
free_tuples:
	mempool_free(virt_to_page(io->tuples), &sc->tuple_pool);
	io->tuples = NULL;
	return r;
}

/* Complete the caller's write. */
static void spi_finish(struct spi_io *io, blk_status_t status)
{
	struct bio *bio = spi_io_bio(io);

	mempool_free(virt_to_page(io->tuples), &io->sc->tuple_pool);
	io->tuples = NULL;
	bio->bi_status = status;
	bio_endio(bio);
}

static void spi_submit(struct spi_io *io)
{
	dm_submit_bio_remap(spi_io_bio(io), io->lower);
}

static void spi_dispatch_work(struct work_struct *work)
{
	struct spi_io *io = container_of(work, struct spi_io, work);

	spi_pi_verify(io, SPI_AT_DISPATCH);
	spi_submit(io);
}

static enum hrtimer_restart spi_hold_expired(struct hrtimer *timer)
{
	struct spi_io *io = container_of(timer, struct spi_io, hold);

	INIT_WORK(&io->work, spi_dispatch_work);
	queue_work(io->sc->wq, &io->work);
	return HRTIMER_NORESTART;
}

/*
 * Dispatch now, or after the simulated DMA latency.  Without a hold the
 * dispatch follows generation at once and only completion is checked.
 */
static void spi_start(struct spi_io *io)
{
	unsigned int hold_us = io->sc->cfg.hold_us;

	if (!hold_us) {
		spi_submit(io);
		return;
	}
	hrtimer_init(&io->hold, CLOCK_MONOTONIC, HRTIMER_MODE_REL_SOFT);
	io->hold.function = spi_hold_expired;
	hrtimer_start(&io->hold, ns_to_ktime((u64)hold_us * NSEC_PER_USEC), HRTIMER_MODE_REL_SOFT);
}

/* map found no memory without waiting: wait for it here. */
static void spi_prepare_work(struct work_struct *work)
{
	struct spi_io *io = container_of(work, struct spi_io, work);

	if (spi_prepare(io, GFP_NOIO)) {
		/* Not expected: every allocation comes from a mempool. */
		spi_io_bio(io)->bi_status = BLK_STS_RESOURCE;
		bio_endio(spi_io_bio(io));
		return;
	}
	spi_start(io);
}

static void spi_lower_endio(struct bio *lower)
{
	struct spi_io *io = lower->bi_private;
	blk_status_t status = lower->bi_status;
	struct spi_c *sc = io->sc;

	if (status == BLK_STS_PROTECTION)
		spi_count(sc, SPI_STAT_LOWER_PI_ERRORS, 1);
	else if (status)
		spi_count(sc, SPI_STAT_LOWER_ERRORS, 1);

	spi_pi_verify(io, SPI_AT_COMPLETION);
	spi_lower_free(io);

	if (!status && io->nr_changed && sc->cfg.fail_changed) {
		spi_count(sc, SPI_STAT_CHANGED_FAILED, 1);
		status = BLK_STS_PROTECTION;
	}
	spi_finish(io, status);
}

static int spi_map_write(struct spi_c *sc, struct spi_io *io, struct bio *bio)
{
	io->write = true;
	io->snapshot = false;
	io->retries = 0;
	io->lower = NULL;
	io->nr_changed = 0;
	io->sector = bio->bi_iter.bi_sector;
	io->data_iter = bio->bi_iter;
	io->data_bvecs = bio->bi_io_vec;
	io->nr_intervals = bio->bi_iter.bi_size >> sc->interval_shift;
	bitmap_zero(io->changed, io->nr_intervals);
	io->pid = task_tgid_nr(current);
	memcpy(io->comm, current->comm, sizeof(io->comm));
	io->comm[sizeof(io->comm) - 1] = '\0';

	spi_count(sc, SPI_STAT_WRITES, 1);
	spi_count(sc, SPI_STAT_WRITE_BYTES, bio->bi_iter.bi_size);
	spi_count(sc, SPI_STAT_INTERVALS, io->nr_intervals);

	if (likely(!spi_prepare(io, SPI_GFP_MAP))) {
		spi_start(io);
	} else {
		spi_count(sc, SPI_STAT_DEFERRED, 1);
		INIT_WORK(&io->work, spi_prepare_work);
		queue_work(sc->wq, &io->work);
	}
	return DM_MAPIO_SUBMITTED;
}

int spi_map(struct dm_target *ti, struct bio *bio)
{
	struct spi_io *io = dm_per_bio_data(bio, sizeof(*io));
	struct spi_c *sc = ti->private;

	io->sc = sc;
	if (bio_op(bio) == REQ_OP_WRITE && bio_sectors(bio))
		return spi_map_write(sc, io, bio);

	io->write = false;
	if (bio_op(bio) == REQ_OP_READ && bio_sectors(bio)) {
		spi_count(sc, SPI_STAT_READS, 1);
		spi_count(sc, SPI_STAT_READ_BYTES, bio->bi_iter.bi_size);
	}
	bio_set_dev(bio, sc->dev->bdev);
	if (bio_sectors(bio))
		bio->bi_iter.bi_sector = spi_lower_sector(sc, bio->bi_iter.bi_sector);
	return DM_MAPIO_REMAPPED;
}

/* Remapped bios end here; data writes were accounted in spi_lower_endio(). */
int spi_end_io(struct dm_target *ti, struct bio *bio, blk_status_t *error)
{
	struct spi_io *io = dm_per_bio_data(bio, sizeof(*io));
	struct spi_c *sc = ti->private;

	if (io->write || !*error)
		return DM_ENDIO_DONE;
	if (*error == BLK_STS_PROTECTION && bio_op(bio) == REQ_OP_READ)
		spi_count(sc, SPI_STAT_READ_PI_ERRORS, 1);
	else
		spi_count(sc, SPI_STAT_LOWER_ERRORS, 1);
	return DM_ENDIO_DONE;
}
