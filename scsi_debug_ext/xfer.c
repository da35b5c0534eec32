// SPDX-License-Identifier: GPL-2.0
/*
 * scsi_debug_ext: the late-DMA engine.
 *
 * A command goes through up to three stages, each started by the one before:
 *
 *   queuecommand --dma_delay_us--> transfer --completion_delay_us--> done
 *
 * The transfer (io.c) is where data and PI move and are checked.  With
 * dma_delay_us > 0 an hrtimer fires after the delay and queues the transfer
 * on the host's workqueue, where it may sleep to grow the store (GFP_NOIO).
 * With dma_delay_us = 0 a READ or WRITE is transferred at once, inside
 * queuecommand, as scsi_debug does, unless the store needs memory that
 * GFP_NOWAIT cannot give; WRITE SAME and UNMAP always go to the workqueue.
 * The completion is then immediate, or deferred by a second hrtimer.
 *
 * A command is on host->inflight from queuecommand until it is completed or
 * taken back by the error handler.  Whoever removes it from the list owns it:
 * the completion path calls scsi_done only if it removed it, and the error
 * handler, once it removed it, cancels its timers and work synchronously, so
 * nothing touches the command or its buffers afterwards.  Timers and work are
 * armed only under host->lock and only while the command is on the list.
 */
#include <linux/delay.h>
#include <linux/gfp.h>
#include <scsi/scsi.h>
#include <scsi/scsi_cmnd.h>
#include <scsi/scsi_host.h>

#include "sdext.h"

static ktime_t sdext_us(unsigned int us)
{
	return ns_to_ktime((u64)us * NSEC_PER_USEC);
}

/* Take @c off the in-flight list; whoever does so owns it. */
static bool sdext_take(struct sdext_host *h, struct sdext_cmd *c)
{
	unsigned long flags;
	bool owned;

	spin_lock_irqsave(&h->lock, flags);
	owned = !list_empty(&c->node);
	list_del_init(&c->node);
	spin_unlock_irqrestore(&h->lock, flags);
	return owned;
}

static void sdext_complete(struct sdext_cmd *c)
{
	if (sdext_take(c->disk->host, c))
		scsi_done(c->scmd);
}

/* After the transfer: complete now, or completion_delay_us later. */
void sdext_finish(struct sdext_cmd *c)
{
	struct sdext_host *h = c->disk->host;
	unsigned long flags;

	spin_lock_irqsave(&h->lock, flags);
	c->inline_xfer = false;
	if (list_empty(&c->node)) {		/* taken back by EH */
		spin_unlock_irqrestore(&h->lock, flags);
		return;
	}
	if (c->done_us) {
		hrtimer_start(&c->done_timer, sdext_us(c->done_us),
			      HRTIMER_MODE_REL);
		spin_unlock_irqrestore(&h->lock, flags);
		return;
	}
	list_del_init(&c->node);
	spin_unlock_irqrestore(&h->lock, flags);
	scsi_done(c->scmd);
}

static void sdext_work_fn(struct work_struct *work)
{
	struct sdext_cmd *c = container_of(work, struct sdext_cmd, work);

	if (sdext_io_run(c, GFP_NOIO, false) == -ENOMEM)
		c->scmd->result = SAM_STAT_BUSY;	/* retried later */
	sdext_finish(c);
}

static enum hrtimer_restart sdext_dma_timer_fn(struct hrtimer *timer)
{
	struct sdext_cmd *c = container_of(timer, struct sdext_cmd, dma_timer);

	queue_work(c->disk->host->wq, &c->work);
	return HRTIMER_NORESTART;
}

static enum hrtimer_restart sdext_done_timer_fn(struct hrtimer *timer)
{
	struct sdext_cmd *c = container_of(timer, struct sdext_cmd, done_timer);

	sdext_complete(c);
	return HRTIMER_NORESTART;
}

/* Once per request, when the host's tag set is built. */
void sdext_xfer_init_cmd(struct sdext_cmd *c)
{
	INIT_LIST_HEAD(&c->node);
	hrtimer_init(&c->dma_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	c->dma_timer.function = sdext_dma_timer_fn;
	hrtimer_init(&c->done_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	c->done_timer.function = sdext_done_timer_fn;
	INIT_WORK(&c->work, sdext_work_fn);
}

/*
 * From queuecommand, once the CDB is decoded: start the transfer (if @c has
 * one) and the completion.  Never sleeps.
 */
void sdext_xfer_start(struct sdext_cmd *c)
{
	struct sdext_disk *disk = c->disk;
	struct sdext_host *h = disk->host;
	unsigned int dma_us = READ_ONCE(disk->dma_delay_us);
	unsigned long flags;

	c->done_us = READ_ONCE(disk->completion_delay_us);

	spin_lock_irqsave(&h->lock, flags);
	list_add_tail(&c->node, &h->inflight);
	if (c->op == SDEXT_OP_NONE) {
		spin_unlock_irqrestore(&h->lock, flags);
		sdext_finish(c);
		return;
	}
	if (dma_us) {
		hrtimer_start(&c->dma_timer, sdext_us(dma_us),
			      HRTIMER_MODE_REL);
		spin_unlock_irqrestore(&h->lock, flags);
		sdext_count(disk, SDEXT_STAT_DEFERRED);
		return;
	}
	if (c->op != SDEXT_OP_READ && c->op != SDEXT_OP_WRITE) {
		queue_work(h->wq, &c->work);
		spin_unlock_irqrestore(&h->lock, flags);
		return;
	}
	c->inline_xfer = true;
	spin_unlock_irqrestore(&h->lock, flags);

	if (sdext_io_run(c, GFP_NOWAIT, true) != -ENOMEM) {
		sdext_finish(c);
		return;
	}

	/* The store must grow: do the transfer where that may sleep. */
	spin_lock_irqsave(&h->lock, flags);
	c->inline_xfer = false;
	if (!list_empty(&c->node))
		queue_work(h->wq, &c->work);
	spin_unlock_irqrestore(&h->lock, flags);
	sdext_count(disk, SDEXT_STAT_DEFERRED);
}

static bool sdext_inline_busy(struct sdext_host *h, struct sdext_cmd *c)
{
	unsigned long flags;
	bool busy;

	spin_lock_irqsave(&h->lock, flags);
	busy = c->inline_xfer;
	spin_unlock_irqrestore(&h->lock, flags);
	return busy;
}

/* Wait until nothing of the engine runs or will run for @c.  Sleeps. */
static void sdext_quiesce(struct sdext_host *h, struct sdext_cmd *c)
{
	hrtimer_cancel(&c->dma_timer);
	cancel_work_sync(&c->work);
	hrtimer_cancel(&c->done_timer);
	while (sdext_inline_busy(h, c))
		usleep_range(50, 100);
}

/*
 * Take @c back for the error handler: after this, the engine no longer
 * touches it and will not complete it.  Returns whether @c was still ours.
 */
bool sdext_cancel_cmd(struct sdext_host *h, struct sdext_cmd *c)
{
	bool owned = sdext_take(h, c);

	if (owned)
		sdext_quiesce(h, c);
	return owned;
}

/*
 * A reset: take back every command of @disk (of all disks if NULL).  Those
 * the midlayer still waits for complete with @result; those it already
 * timed out belong to the error handler and are left to it.  Sleeps.
 */
unsigned int sdext_cancel_all(struct sdext_host *h, struct sdext_disk *disk,
			      int result)
{
	unsigned int nr = 0;
	struct sdext_cmd *c, *found;
	unsigned long flags;

	for (;;) {
		found = NULL;
		spin_lock_irqsave(&h->lock, flags);
		list_for_each_entry(c, &h->inflight, node) {
			if (!disk || c->disk == disk) {
				found = c;
				list_del_init(&c->node);
				break;
			}
		}
		spin_unlock_irqrestore(&h->lock, flags);
		if (!found)
			return nr;

		sdext_quiesce(h, found);
		if (!test_bit(SCMD_STATE_COMPLETE, &found->scmd->state)) {
			found->scmd->result = result;
			scsi_done(found->scmd);
		}
		nr++;
	}
}
