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
 * The mode decides what the lower bio carries: the caller's pages (detect,
 * block), a copy made at submit (copy), or the caller's pages and, when they
 * changed at dispatch or the lower device failed the write's PI, a fresh copy
 * under fresh PI re-issued from the workqueue (retry).
 *
 * map never sleeps: it allocates with GFP_NOWAIT and, when memory is short,
 * hands the write to the target's workqueue, which allocates with GFP_NOIO
 * from mempools.  No lock is taken on the way (a mutex serializes only
 * snapshots that must wait for memory) and no data page is locked or waited
 * on.
 */

#include <linux/bio.h>
#include <linux/highmem.h>
#include <linux/module.h>
#include <linux/sched.h>

#include "stablepi.h"

#define SPI_GFP_MAP	(GFP_NOWAIT | __GFP_NOWARN)

/*
 * GFP_NOWAIT fails only near the min watermark, just short of the OOM
 * killer, so the fallback is hard to reach on purpose: force_defer takes it
 * for every write.
 */
static bool spi_force_defer;
module_param_named(force_defer, spi_force_defer, bool, 0644);
MODULE_PARM_DESC(force_defer,
		 "Prepare every write in the workqueue with GFP_NOIO, as when GFP_NOWAIT finds no memory (testing)");

static void spi_lower_endio(struct bio *lower);

static void spi_lower_set(struct spi_io *io, struct bio *lower, bool snapshot)
{
	lower->bi_end_io = spi_lower_endio;
	lower->bi_private = io;
	io->lower = lower;
	io->snapshot = snapshot;
}

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
	spi_lower_set(io, lower, false);
	return 0;
}

static void spi_lower_free(struct spi_io *io)
{
	if (io->snapshot)
		spi_snapshot_free(io->sc, io->lower);
	else
		bio_put(io->lower);
	io->lower = NULL;
}

static struct t10_pi_tuple *spi_tuples_alloc(struct spi_c *sc, gfp_t gfp)
{
	struct page *page = mempool_alloc(&sc->tuple_pool, gfp);

	return page ? page_address(page) : NULL;
}

static void spi_tuples_free(struct spi_c *sc, struct t10_pi_tuple *tuples)
{
	if (tuples)
		mempool_free(virt_to_page(tuples), &sc->tuple_pool);
}

/*
 * Compute @tuples over what the lower bio carries and, when the lower
 * device checks PI, attach them.  A bio that arrived with a payload of its
 * own keeps it.
 */
static int spi_lower_protect(struct spi_io *io, struct t10_pi_tuple *tuples,
			     gfp_t gfp)
{
	struct bio *lower = io->lower;
	struct spi_c *sc = io->sc;

	spi_pi_generate(sc, lower->bi_io_vec, lower->bi_iter,
			lower->bi_iter.bi_sector, tuples);
	if (sc->lower_pi && !bio_integrity(lower))
		return spi_pi_attach(io, tuples, gfp);
	return 0;
}

/*
 * Tuples and lower bio: a copy of the data in copy mode, the caller's pages
 * otherwise.  On failure nothing is left allocated.
 */
static int spi_prepare(struct spi_io *io, gfp_t gfp)
{
	struct spi_c *sc = io->sc;
	struct bio *lower;

	io->tuples = spi_tuples_alloc(sc, gfp);
	if (!io->tuples)
		return -ENOMEM;

	if (sc->cfg.mode == SPI_MODE_COPY) {
		lower = spi_snapshot(io, gfp);
		if (!lower)
			goto free_tuples;
		spi_lower_set(io, lower, true);
	} else if (spi_lower_clone(io, gfp)) {
		goto free_tuples;
	}

	if (spi_lower_protect(io, io->tuples, gfp)) {
		spi_lower_free(io);
		goto free_tuples;
	}
	return 0;

free_tuples:
	spi_tuples_free(sc, io->tuples);
	io->tuples = NULL;
	return -ENOMEM;
}

/* Complete the caller's write. */
static void spi_finish(struct spi_io *io, blk_status_t status)
{
	struct bio *bio = spi_io_bio(io);

	if (io->lower)
		spi_lower_free(io);
	spi_tuples_free(io->sc, io->tuples);
	spi_tuples_free(io->sc, io->retry_tuples);
	io->tuples = NULL;
	io->retry_tuples = NULL;
	bio->bi_status = status;
	bio_endio(bio);
}

static void spi_submit(struct spi_io *io)
{
	dm_submit_bio_remap(spi_io_bio(io), io->lower);
}

/*
 * Retry mode: replace what the lower device got, or was about to get, with
 * a fresh copy of the data under fresh PI.  Called from the workqueue.
 */
static int spi_reissue_prepare(struct spi_io *io)
{
	struct spi_c *sc = io->sc;
	struct bio *lower;

	if (!io->retry_tuples) {
		io->retry_tuples = spi_tuples_alloc(sc, GFP_NOIO);
		if (!io->retry_tuples)
			return -ENOMEM;
	}
	lower = spi_snapshot(io, GFP_NOIO);
	if (!lower)
		return -ENOMEM;
	spi_lower_free(io);
	spi_lower_set(io, lower, true);
	if (spi_lower_protect(io, io->retry_tuples, GFP_NOIO))
		return -ENOMEM;
	io->retries++;
	spi_count(sc, SPI_STAT_REISSUED, 1);
	return 0;
}

static void spi_reissue_work(struct work_struct *work)
{
	struct spi_io *io = container_of(work, struct spi_io, work);

	/* Not expected: every allocation comes from a mempool. */
	if (spi_reissue_prepare(io)) {
		spi_finish(io, BLK_STS_RESOURCE);
		return;
	}
	spi_submit(io);
}

static void spi_dispatch_work(struct work_struct *work)
{
	struct spi_io *io = container_of(work, struct spi_io, work);

	spi_pi_verify(io, SPI_AT_DISPATCH);
	if (io->nr_changed && io->sc->cfg.mode == SPI_MODE_RETRY &&
	    !io->snapshot && spi_reissue_prepare(io)) {
		spi_finish(io, BLK_STS_RESOURCE);
		return;
	}
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
	hrtimer_start(&io->hold, ns_to_ktime((u64)hold_us * NSEC_PER_USEC),
		      HRTIMER_MODE_REL_SOFT);
}

/* map found no memory without waiting: wait for it here. */
static void spi_prepare_work(struct work_struct *work)
{
	struct spi_io *io = container_of(work, struct spi_io, work);

	/* Not expected: every allocation comes from a mempool. */
	if (spi_prepare(io, GFP_NOIO)) {
		spi_finish(io, BLK_STS_RESOURCE);
		return;
	}
	spi_start(io);
}

/*
 * Retry mode re-issues a write the lower device failed with a protection
 * error.  Without PI below nothing checked what the device got, so a write
 * whose pages changed in flight is re-issued too, unless the device
 * already got a copy.
 */
static bool spi_wants_reissue(struct spi_io *io, blk_status_t status,
			      bool changed_in_flight)
{
	struct spi_c *sc = io->sc;

	if (sc->cfg.mode != SPI_MODE_RETRY)
		return false;
	if (status == BLK_STS_PROTECTION)
		return true;
	return !status && !sc->lower_pi && !io->snapshot && changed_in_flight;
}

static void spi_lower_endio(struct bio *lower)
{
	struct spi_io *io = lower->bi_private;
	blk_status_t status = lower->bi_status;
	unsigned int seen = io->nr_changed;
	struct spi_c *sc = io->sc;

	if (status == BLK_STS_PROTECTION)
		spi_count(sc, SPI_STAT_LOWER_PI_ERRORS, 1);
	else if (status)
		spi_count(sc, SPI_STAT_LOWER_ERRORS, 1);

	spi_pi_verify(io, SPI_AT_COMPLETION);

	if (spi_wants_reissue(io, status, io->nr_changed != seen)) {
		if (io->retries < SPI_RETRIES_MAX) {
			INIT_WORK(&io->work, spi_reissue_work);
			queue_work(sc->wq, &io->work);
			return;
		}
		spi_count(sc, SPI_STAT_RETRY_FAILED, 1);
		DMERR_LIMIT("%s: write at sector %llu fails its PI check after %u re-issues",
			    sc->name, (unsigned long long)io->sector, io->retries);
		status = BLK_STS_PROTECTION;
	} else if (!status && io->retries) {
		spi_count(sc, SPI_STAT_REPAIRED, 1);
	}

	/* What a DIX disk would have done with pages changed in flight. */
	if (!status && io->nr_changed && !io->snapshot && sc->cfg.fail_changed) {
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
	io->retry_tuples = NULL;
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

	if (likely(!READ_ONCE(spi_force_defer) && !spi_prepare(io, SPI_GFP_MAP))) {
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
