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
 *   completion  free the lower bio; then, in io_wq (unbound, so on any free
 *               CPU, not the interrupt or the submitter that completed the
 *               lower bio), re-verify again and complete the caller's write
 *
 * A write of at most STPI_INLINE_TUPLES intervals keeps its tuples in its
 * per-bio data; a larger one takes a page from the tuple pool.
 *
 * From presuspend to resume writes are not held, and writes waiting in
 * their hold are dispatched at once (stpi_holds_stop()), so that a suspend
 * waits only for the lower device.
 *
 * The mode decides what the lower bio carries: the caller's pages (detect,
 * block), a copy made at submit (copy), or the caller's pages and, when
 * they changed while the lower device had them or the device failed the
 * write's PI, a fresh copy under fresh PI (retry).
 *
 * map never sleeps: it allocates with GFP_NOWAIT and, when memory is short,
 * hands the write to a workqueue that allocates with GFP_NOIO from
 * mempools.  No lock is taken on the way (a mutex serializes only snapshots
 * that must wait for memory) and no data page is locked or waited on.
 *
 * Forward progress.  Three reserves back the writes of a device: tuple
 * pages, lower bios (with their integrity payloads) and snapshot pages (one
 * whole write's worth).  Only two kinds of work wait for them, each on its
 * own WQ_MEM_RECLAIM queue:
 *
 *   prep_wq   a write map could not prepare: waits for a tuple page, a bio
 *             and, in copy mode, snapshot pages; holds nothing while queued
 *   retry_wq  a re-issue: waits for a bio and snapshot pages; holds only
 *             its tuple page while queued (the lower bio and snapshot it
 *             replaces were freed before it was queued)
 *
 * Everything else never waits for memory: io_wq dispatches held writes (or
 * hands them to retry_wq) and completes writes (or hands them over).  So what a
 * waiter waits for is held only by writes the lower device, a hold timer,
 * io_wq or the single alloc_lock holder (which waits for nothing but
 * snapshot pages) will release, and retry_wq never waits for a tuple page
 * that prep_wq's items might hold.  On a shared queue a prepare blocked in
 * the rescuer could wait for tuple pages held by re-issues queued behind
 * it; separate queues rule that out.
 */

#include <linux/bio.h>
#include <linux/highmem.h>
#include <linux/module.h>
#include <linux/sched.h>

#include "stablepi.h"

#define STPI_GFP_MAP	(GFP_NOWAIT | __GFP_NOWARN)

/*
 * GFP_NOWAIT fails only near the min watermark, just short of the OOM
 * killer, so the fallback is hard to reach on purpose: force_defer takes it
 * for every write.
 */
static bool stpi_force_defer;
module_param_named(force_defer, stpi_force_defer, bool, 0644);
MODULE_PARM_DESC(force_defer,
		 "Prepare every write in the workqueue with GFP_NOIO, as when GFP_NOWAIT finds no memory (testing)");

/*
 * Writes up to this size that are not writeback are verified where they
 * complete, others in io_wq: see stpi_verify_in_place().
 */
static unsigned int stpi_verify_inline_max = 16384;
module_param_named(verify_inline_max, stpi_verify_inline_max, uint, 0644);
MODULE_PARM_DESC(verify_inline_max,
		 "Verify writes up to this many bytes that are not writeback where they complete (not in hard interrupts), others in a workqueue (default 16384; 0: always in the workqueue)");

static void stpi_lower_endio(struct bio *lower);

static void stpi_lower_set(struct stpi_io *io, struct bio *lower, bool snapshot)
{
	lower->bi_end_io = stpi_lower_endio;
	lower->bi_private = io;
	io->lower = lower;
	io->snapshot = snapshot;
}

/* The lower bio shares the caller's data pages. */
static int stpi_lower_clone(struct stpi_io *io, gfp_t gfp)
{
	struct bio *bio = stpi_io_bio(io);
	struct stpi_c *sc = io->sc;
	struct bio *lower;

	lower = bio_alloc_clone(sc->dev->bdev, bio, gfp, &sc->bs);
	if (!lower)
		return -ENOMEM;
	lower->bi_iter.bi_sector = stpi_lower_sector(sc, bio->bi_iter.bi_sector);
	stpi_lower_set(io, lower, false);
	return 0;
}

static void stpi_lower_free(struct stpi_io *io)
{
	if (!io->lower)
		return;
	if (io->snapshot)
		stpi_snapshot_free(io->sc, io->lower);
	else
		bio_put(io->lower);
	io->lower = NULL;
}

/* A small write keeps its tuples in its io; a larger one gets a page. */
static int stpi_tuples_alloc(struct stpi_io *io, gfp_t gfp)
{
	struct page *page;

	if (io->nr_intervals <= STPI_INLINE_TUPLES) {
		io->tuples = io->inline_tuples;
		return 0;
	}
	page = mempool_alloc(&io->sc->tuple_pool, gfp);
	if (!page)
		return -ENOMEM;
	io->tuples = page_address(page);
	return 0;
}

static void stpi_tuples_free(struct stpi_io *io)
{
	if (io->tuples && io->tuples != io->inline_tuples)
		mempool_free(virt_to_page(io->tuples), &io->sc->tuple_pool);
	io->tuples = NULL;
}

/* Give the lower device the write's tuples. */
static int stpi_attach(struct stpi_io *io, gfp_t gfp)
{
	u64 t = stpi_stage_begin();
	int r;

	r = stpi_pi_attach(io, io->tuples, gfp);
	stpi_stage_end(io->sc, STPI_STAGE_ATTACH, t);
	return r;
}

/* The tuples of the caller's data, which the lower bio shares. */
static void stpi_generate(struct stpi_io *io)
{
	u64 t = stpi_stage_begin();

	stpi_pi_generate(io->sc, io->data_bvecs, io->data_iter,
			 io->lower->bi_iter.bi_sector, io->tuples);
	stpi_stage_end(io->sc, STPI_STAGE_GENERATE, t);
}

/*
 * Tuples and lower bio: in copy mode a copy of the data, whose tuples are
 * computed as it is copied; otherwise the caller's pages.  When the lower
 * device checks PI the tuples are attached (a bio that arrived with a
 * payload of its own keeps it).  On failure nothing is left allocated.
 */
static int stpi_prepare(struct stpi_io *io, gfp_t gfp)
{
	struct stpi_c *sc = io->sc;
	struct bio *lower;

	if (stpi_tuples_alloc(io, gfp))
		return -ENOMEM;

	if (sc->cfg.mode == STPI_MODE_COPY) {
		lower = stpi_snapshot(io, gfp, io->tuples);
		if (!lower)
			goto free_tuples;
		stpi_lower_set(io, lower, true);
	} else {
		if (stpi_lower_clone(io, gfp))
			goto free_tuples;
		stpi_generate(io);
	}

	if (sc->lower_pi && !bio_integrity(io->lower) && stpi_attach(io, gfp)) {
		stpi_lower_free(io);
		goto free_tuples;
	}
	return 0;

free_tuples:
	stpi_tuples_free(io);
	return -ENOMEM;
}

/* Complete the caller's write. */
static void stpi_finish(struct stpi_io *io, blk_status_t status)
{
	struct bio *bio = stpi_io_bio(io);

	stpi_lower_free(io);
	stpi_tuples_free(io);
	bio->bi_status = status;
	bio_endio(bio);
}

static void stpi_submit(struct stpi_io *io)
{
	dm_submit_bio_remap(stpi_io_bio(io), io->lower);
}

/*
 * Interval @idx of the caller's data changed (guard @found now): count and
 * record it, unless an earlier check did.  @absorbed: the lower device has
 * a copy, so the change does not reach it.
 */
static void stpi_record_change(struct stpi_io *io, unsigned int idx,
			       struct page *page, unsigned int offset,
			      __be16 found, enum stpi_check where,
			      bool absorbed)
{
	struct stpi_c *sc = io->sc;

	if (__test_and_set_bit(idx, io->changed))
		return;
	io->nr_changed++;
	stpi_count(sc, where == STPI_AT_DISPATCH ? STPI_STAT_CHANGED_DISPATCH :
		  STPI_STAT_CHANGED_COMPLETION, 1);
	if (absorbed)
		stpi_count(sc, STPI_STAT_ABSORBED, 1);
	stpi_violation(io, idx, page, offset, be16_to_cpu(found), where);
}

struct stpi_check_arg {
	struct stpi_io *io;
	enum stpi_check where;
};

static void stpi_data_changed(void *arg, unsigned int idx, struct page *page,
			      unsigned int offset, __be16 found)
{
	const struct stpi_check_arg *c = arg;

	stpi_record_change(c->io, idx, page, offset, found, c->where,
			   c->io->snapshot);
}

/* Compare the caller's data with the tuples and record what changed. */
static void stpi_verify(struct stpi_io *io, enum stpi_check where)
{
	struct stpi_check_arg c = { .io = io, .where = where };
	u64 t = stpi_stage_begin();

	stpi_pi_compare(io->sc, io->data_bvecs, io->data_iter, io->tuples,
			io->nr_intervals, stpi_data_changed, &c);
	stpi_stage_end(io->sc, where == STPI_AT_DISPATCH ?
		       STPI_STAGE_VERIFY_DISPATCH :
		       STPI_STAGE_VERIFY_COMPLETION, t);
}

/* Where interval @idx of the caller's data starts. */
static void stpi_data_interval(struct stpi_io *io, unsigned int idx,
			       struct page **page, unsigned int *offset)
{
	struct bvec_iter iter = io->data_iter;
	struct bio_vec bv;

	bvec_iter_advance(io->data_bvecs, &iter, idx << io->sc->interval_shift);
	bv = bvec_iter_bvec(io->data_bvecs, iter);
	*page = bv.bv_page;
	*offset = bv.bv_offset;
}

/*
 * Interval @idx of a fresh copy differs from the tuples: the caller's data
 * changed before the copy was taken.  The copy takes that data to the
 * device under its own guard, which replaces the one computed at submit.
 */
static void stpi_copy_differs(void *arg, unsigned int idx,
			      struct page *copy_page, unsigned int copy_offset,
			     __be16 found)
{
	struct stpi_io *io = arg;
	struct page *page;
	unsigned int offset;

	if (!test_bit(idx, io->changed)) {
		stpi_data_interval(io, idx, &page, &offset);
		stpi_record_change(io, idx, page, offset, found,
				   STPI_AT_DISPATCH, false);
	}
	io->tuples[idx].guard_tag = found;
}

/*
 * Retry mode: send a fresh copy of the caller's data under fresh PI.  What
 * the lower device had before was freed when the re-issue was queued; the
 * write's tuple page is reused for the copy's tuples.
 */
static void stpi_reissue_work(struct work_struct *work)
{
	struct stpi_io *io = container_of(work, struct stpi_io, work);
	struct stpi_c *sc = io->sc;
	struct bio *lower;

	/* Not expected to fail: every allocation comes from a mempool. */
	lower = stpi_snapshot(io, GFP_NOIO, NULL);
	if (!lower) {
		stpi_finish(io, BLK_STS_RESOURCE);
		return;
	}
	stpi_lower_set(io, lower, true);
	stpi_pi_compare(sc, lower->bi_io_vec, lower->bi_iter, io->tuples,
			io->nr_intervals, stpi_copy_differs, io);
	if (sc->lower_pi && stpi_attach(io, GFP_NOIO)) {
		stpi_finish(io, BLK_STS_RESOURCE);
		return;
	}
	io->retries++;
	stpi_count(sc, STPI_STAT_REISSUED, 1);
	stpi_submit(io);
}

/*
 * Free what the lower device had (unless completion did), then queue the
 * re-issue.  Freeing first means a queued re-issue holds nothing that
 * another write's wait for memory could depend on but its tuple page.
 */
static void stpi_reissue(struct stpi_io *io)
{
	stpi_lower_free(io);
	INIT_WORK(&io->work, stpi_reissue_work);
	queue_work(io->sc->retry_wq, &io->work);
}

/* After the hold: check the caller's data again, then dispatch. */
static void stpi_dispatch_work(struct work_struct *work)
{
	struct stpi_io *io = container_of(work, struct stpi_io, work);

	stpi_verify(io, STPI_AT_DISPATCH);
	if (io->nr_changed && io->sc->cfg.mode == STPI_MODE_RETRY &&
	    !io->snapshot) {
		stpi_reissue(io);
		return;
	}
	stpi_submit(io);
}

static void stpi_queue_dispatch(struct stpi_io *io)
{
	INIT_WORK(&io->work, stpi_dispatch_work);
	queue_work(io->sc->io_wq, &io->work);
}

static enum hrtimer_restart stpi_hold_expired(struct hrtimer *timer)
{
	struct stpi_io *io = container_of(timer, struct stpi_io, hold);
	unsigned long flags;

	spin_lock_irqsave(&io->held->lock, flags);
	list_del(&io->held_entry);
	spin_unlock_irqrestore(&io->held->lock, flags);
	stpi_queue_dispatch(io);
	return HRTIMER_NORESTART;
}

/*
 * Dispatch now, or after the simulated DMA latency.  Without a hold the
 * dispatch follows generation at once and only completion is checked;
 * so it does while the device suspends (holds_off).  A held write waits on
 * the list of the CPU it was mapped on (any list would do: the lock only
 * keeps contention local), where stpi_holds_stop() can find it.  holds_off
 * is read under that lock, so a write is either on a list when
 * stpi_holds_stop() walks it or sees holds_off set.
 */
static void stpi_start(struct stpi_io *io)
{
	struct stpi_c *sc = io->sc;
	unsigned int hold_us = sc->cfg.hold_us;
	struct stpi_held *held;
	unsigned long flags;

	if (!hold_us)
		goto submit;
	held = raw_cpu_ptr(sc->held);
	spin_lock_irqsave(&held->lock, flags);
	if (unlikely(READ_ONCE(sc->holds_off))) {
		spin_unlock_irqrestore(&held->lock, flags);
		goto submit;
	}
	io->held = held;
	list_add_tail(&io->held_entry, &held->ios);
	hrtimer_init(&io->hold, CLOCK_MONOTONIC, HRTIMER_MODE_REL_SOFT);
	io->hold.function = stpi_hold_expired;
	hrtimer_start(&io->hold, ns_to_ktime((u64)hold_us * NSEC_PER_USEC),
		      HRTIMER_MODE_REL_SOFT);
	spin_unlock_irqrestore(&held->lock, flags);
	return;

submit:
	stpi_submit(io);
}

/*
 * The device is suspending (presuspend): stop holding writes, and dispatch
 * the writes waiting in their hold timer now, after the same dispatch check
 * as when the hold expires.  dm core waits for every write mapped before
 * the suspend, held ones included, so without this a suspend would wait
 * for the longest hold (up to a second), and a suspend that freezes a
 * filesystem would wait a whole hold for each write of the freeze.  A
 * timer whose callback is already running is left to it: the callback
 * waits for the list's lock, takes the write off the list and dispatches
 * it.
 */
void stpi_holds_stop(struct stpi_c *sc)
{
	struct stpi_io *io, *next;
	LIST_HEAD(cut);
	unsigned int cpu, n = 0;

	WRITE_ONCE(sc->holds_off, true);
	for_each_possible_cpu(cpu) {
		struct stpi_held *held = per_cpu_ptr(sc->held, cpu);

		spin_lock_irq(&held->lock);
		list_for_each_entry_safe(io, next, &held->ios, held_entry)
			if (hrtimer_try_to_cancel(&io->hold) == 1)
				list_move_tail(&io->held_entry, &cut);
		spin_unlock_irq(&held->lock);
	}
	list_for_each_entry_safe(io, next, &cut, held_entry) {
		list_del(&io->held_entry);
		stpi_queue_dispatch(io);
		n++;
	}
	if (n)
		stpi_count(sc, STPI_STAT_EXPEDITED, n);
}

/* The device resumes, or its suspend was cancelled: hold writes again. */
void stpi_holds_start(struct stpi_c *sc)
{
	WRITE_ONCE(sc->holds_off, false);
}

/* map found no memory without waiting: wait for it here. */
static void stpi_prepare_work(struct work_struct *work)
{
	struct stpi_io *io = container_of(work, struct stpi_io, work);

	/* Not expected: every allocation comes from a mempool. */
	if (stpi_prepare(io, GFP_NOIO)) {
		stpi_finish(io, BLK_STS_RESOURCE);
		return;
	}
	stpi_start(io);
}

/*
 * Retry mode re-issues a write the lower device failed with a protection
 * error, and a write whose data changed while the lower device had the
 * caller's pages, whatever the device said: a device that read the data
 * twice (scsi_debug checks the guards, then copies), or that checks
 * nothing, may have stored data that does not match its tags.  Other
 * errors are the device's own and reach the caller as they are.
 */
static bool stpi_wants_reissue(struct stpi_io *io, blk_status_t status)
{
	if (io->sc->cfg.mode != STPI_MODE_RETRY)
		return false;
	if (status == BLK_STS_PROTECTION)
		return true;
	return !status && !io->snapshot && io->nr_changed;
}

/*
 * The lower device is done: compare the caller's data once more, re-issue
 * (retry) or complete the caller's write.
 */
static void stpi_complete(struct stpi_io *io)
{
	blk_status_t status = io->status;
	struct stpi_c *sc = io->sc;
	u64 t = stpi_stage_begin();

	if (status == BLK_STS_PROTECTION)
		stpi_count(sc, STPI_STAT_LOWER_PI_ERRORS, 1);
	else if (status)
		stpi_count(sc, STPI_STAT_LOWER_ERRORS, 1);

	stpi_verify(io, STPI_AT_COMPLETION);

	if (stpi_wants_reissue(io, status)) {
		if (io->retries < STPI_RETRIES_MAX) {
			stpi_reissue(io);
			stpi_stage_end(sc, STPI_STAGE_COMPLETION, t);
			return;
		}
		stpi_count(sc, STPI_STAT_RETRY_FAILED, 1);
		DMERR_LIMIT("%s: write at sector %llu fails its PI check after %u re-issues",
			    sc->name, (unsigned long long)io->sector, io->retries);
		status = BLK_STS_PROTECTION;
	} else if (!status && io->retries) {
		stpi_count(sc, STPI_STAT_REPAIRED, 1);
	}

	/* What a DIX disk would have done with pages changed in flight. */
	if (!status && io->nr_changed && !io->snapshot && sc->cfg.fail_changed) {
		stpi_count(sc, STPI_STAT_CHANGED_FAILED, 1);
		status = BLK_STS_PROTECTION;
	}
	stpi_finish(io, status);
	stpi_stage_end(sc, STPI_STAGE_COMPLETION, t);
}

static void stpi_complete_work(struct work_struct *work)
{
	stpi_complete(container_of(work, struct stpi_io, work));
}

/*
 * Completion runs where the lower device completes: a hard interrupt, a
 * softirq, or the submitter itself with a synchronous device.  The lower
 * bio is freed there.  The checksum pass goes to io_wq, an unbound queue
 * whose workers run on whichever CPU is free.  One kind of write is
 * verified in place instead: a small one (verify_inline_max) that is not
 * writeback, outside hard interrupts.  Its submitter waits for it alone
 * (O_DIRECT, a buffer head), and waking a worker costs it more than the
 * pass; writeback comes in bursts that one worker wakeup serves, from a
 * flusher that is the bottleneck.
 */
static bool stpi_verify_in_place(const struct stpi_io *io)
{
	return !io->writeback && !in_hardirq() && !irqs_disabled() &&
	       io->data_iter.bi_size <= READ_ONCE(stpi_verify_inline_max);
}

static void stpi_lower_endio(struct bio *lower)
{
	struct stpi_io *io = lower->bi_private;

	io->status = lower->bi_status;
	stpi_lower_free(io);
	if (stpi_verify_in_place(io)) {
		stpi_complete(io);
		return;
	}
	INIT_WORK(&io->work, stpi_complete_work);
	queue_work(io->sc->io_wq, &io->work);
}

static int stpi_map_write(struct stpi_c *sc, struct stpi_io *io,
			  struct bio *bio)
{
	u64 t = stpi_stage_begin();

	io->write = true;
	io->snapshot = false;
	io->retries = 0;
	io->lower = NULL;
	io->nr_changed = 0;
	io->sector = bio->bi_iter.bi_sector;
	io->data_iter = bio->bi_iter;
	io->data_bvecs = bio->bi_io_vec;
	io->nr_intervals = bio->bi_iter.bi_size >> sc->interval_shift;
	io->writeback = folio_test_writeback(page_folio(bio_page(bio)));
	bitmap_zero(io->changed, io->nr_intervals);
	io->pid = task_tgid_nr(current);
	memcpy(io->comm, current->comm, sizeof(io->comm));
	io->comm[sizeof(io->comm) - 1] = '\0';

	stpi_count(sc, STPI_STAT_WRITES, 1);
	stpi_count(sc, STPI_STAT_WRITE_BYTES, bio->bi_iter.bi_size);
	stpi_count(sc, STPI_STAT_INTERVALS, io->nr_intervals);

	if (likely(!READ_ONCE(stpi_force_defer) && !stpi_prepare(io, STPI_GFP_MAP))) {
		stpi_start(io);
	} else {
		stpi_count(sc, STPI_STAT_DEFERRED, 1);
		INIT_WORK(&io->work, stpi_prepare_work);
		queue_work(sc->prep_wq, &io->work);
	}
	stpi_stage_end(sc, STPI_STAGE_MAP, t);
	return DM_MAPIO_SUBMITTED;
}

int stpi_map(struct dm_target *ti, struct bio *bio)
{
	struct stpi_io *io = dm_per_bio_data(bio, sizeof(*io));
	struct stpi_c *sc = ti->private;

	io->sc = sc;
	if (bio_op(bio) == REQ_OP_WRITE && bio_sectors(bio))
		return stpi_map_write(sc, io, bio);

	io->write = false;
	if (bio_op(bio) == REQ_OP_READ && bio_sectors(bio)) {
		stpi_count(sc, STPI_STAT_READS, 1);
		stpi_count(sc, STPI_STAT_READ_BYTES, bio->bi_iter.bi_size);
	}
	bio_set_dev(bio, sc->dev->bdev);
	if (bio_sectors(bio))
		bio->bi_iter.bi_sector = stpi_lower_sector(sc, bio->bi_iter.bi_sector);
	return DM_MAPIO_REMAPPED;
}

/* Remapped bios end here; data writes were accounted in stpi_lower_endio(). */
int stpi_end_io(struct dm_target *ti, struct bio *bio, blk_status_t *error)
{
	struct stpi_io *io = dm_per_bio_data(bio, sizeof(*io));
	struct stpi_c *sc = ti->private;

	if (io->write || !*error)
		return DM_ENDIO_DONE;
	if (*error == BLK_STS_PROTECTION && bio_op(bio) == REQ_OP_READ)
		stpi_count(sc, STPI_STAT_READ_PI_ERRORS, 1);
	else
		stpi_count(sc, STPI_STAT_LOWER_ERRORS, 1);
	return DM_ENDIO_DONE;
}
