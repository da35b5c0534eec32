// SPDX-License-Identifier: GPL-2.0
/*
 * scsi_debug_ext: the sparse RAM store of a disk.
 *
 * Data and protection information live in two xarrays of pages, indexed by
 * page number.  A page is allocated the first time a block in it is written;
 * a block whose data page does not exist reads as zeros, and a block whose PI
 * page does not exist has the escape tuple (all ones), which is what a disk
 * formatted with PI returns for a block never written.  Pages are freed only
 * when the disk goes away, so a pointer into the store stays valid for the
 * lifetime of the disk; UNMAP and WRITE SAME change the contents in place.
 *
 * A block and its tuple are read and written together under one of a few
 * spinlocks chosen by LBA, so a block is atomic, as on a real disk: a reader
 * never sees new data with an old guard.
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/string.h>

#include "sdext.h"

#define SDEXT_TUPLES_PER_PAGE	(PAGE_SIZE / SDEXT_PI_SIZE)
#define SDEXT_PI_FILL		0xff	/* escape: app 0xffff, ref 0xffffffff */

atomic_long_t sdext_store_live_pages = ATOMIC_LONG_INIT(0);

void sdext_store_init(struct sdext_store *st, u64 nr_blocks,
		      unsigned int block_size, bool has_pi)
{
	unsigned int i;

	xa_init(&st->data);
	xa_init(&st->pi);
	st->nr_blocks = nr_blocks;
	st->block_size = block_size;
	st->block_shift = ilog2(block_size);
	st->has_pi = has_pi;
	atomic_long_set(&st->nr_pages, 0);
	for (i = 0; i < SDEXT_STORE_LOCKS; i++)
		spin_lock_init(&st->locks[i]);
}

static void sdext_store_free(struct sdext_store *st, struct xarray *xa)
{
	struct page *page;
	unsigned long idx;

	xa_for_each(xa, idx, page) {
		__free_page(page);
		atomic_long_dec(&st->nr_pages);
		atomic_long_dec(&sdext_store_live_pages);
	}
	xa_destroy(xa);
}

void sdext_store_destroy(struct sdext_store *st)
{
	sdext_store_free(st, &st->data);
	sdext_store_free(st, &st->pi);
}

unsigned long sdext_store_pages(struct sdext_store *st)
{
	return atomic_long_read(&st->nr_pages);
}

static spinlock_t *sdext_store_lock(struct sdext_store *st, u64 lba)
{
	return &st->locks[lba % SDEXT_STORE_LOCKS];
}

/* The page at @idx, allocated and filled with @fill if it is not there. */
static struct page *sdext_store_get(struct sdext_store *st, struct xarray *xa,
				    unsigned long idx, gfp_t gfp, int fill)
{
	struct page *page, *old;

	page = xa_load(xa, idx);
	if (page)
		return page;

	page = alloc_page(gfp | __GFP_NOWARN);
	if (!page)
		return NULL;
	memset(page_address(page), fill, PAGE_SIZE);

	/* Publishes the filled page; a racing allocator keeps the first. */
	old = xa_cmpxchg(xa, idx, NULL, page, gfp | __GFP_NOWARN);
	if (old) {
		__free_page(page);
		return xa_is_err(old) ? NULL : old;
	}
	atomic_long_inc(&st->nr_pages);
	atomic_long_inc(&sdext_store_live_pages);
	return page;
}

/*
 * Make sure the pages backing blocks [lba, lba + nr) exist: the PI pages,
 * and the data pages too if @data.  Returns 0 or -ENOMEM.
 */
int sdext_store_prepare(struct sdext_store *st, u64 lba, u32 nr, bool data,
			gfp_t gfp)
{
	unsigned long first, last, idx;

	if (!nr)
		return 0;

	if (data) {
		first = (lba << st->block_shift) >> PAGE_SHIFT;
		last = (((lba + nr) << st->block_shift) - 1) >> PAGE_SHIFT;
		for (idx = first; idx <= last; idx++)
			if (!sdext_store_get(st, &st->data, idx, gfp, 0))
				return -ENOMEM;
	}

	if (!st->has_pi)
		return 0;

	first = lba / SDEXT_TUPLES_PER_PAGE;
	last = (lba + nr - 1) / SDEXT_TUPLES_PER_PAGE;
	for (idx = first; idx <= last; idx++)
		if (!sdext_store_get(st, &st->pi, idx, gfp, SDEXT_PI_FILL))
			return -ENOMEM;
	return 0;
}

/* The data of block @lba, or NULL if it was never written (zeros). */
void *sdext_store_block(struct sdext_store *st, u64 lba)
{
	u64 pos = lba << st->block_shift;
	struct page *page;

	page = xa_load(&st->data, pos >> PAGE_SHIFT);
	return page ? page_address(page) + offset_in_page(pos) : NULL;
}

/* The PI of block @lba, or NULL if it was never written (escape). */
struct t10_pi_tuple *sdext_store_tuple(struct sdext_store *st, u64 lba)
{
	struct t10_pi_tuple *tuples;
	struct page *page;

	if (!st->has_pi)
		return NULL;
	page = xa_load(&st->pi, lba / SDEXT_TUPLES_PER_PAGE);
	if (!page)
		return NULL;
	tuples = page_address(page);
	return &tuples[lba % SDEXT_TUPLES_PER_PAGE];
}

/* Copy block @lba and its tuple (if the disk has PI) out of the store. */
void sdext_store_read(struct sdext_store *st, u64 lba, void *buf,
		      struct t10_pi_tuple *t)
{
	spinlock_t *lock = sdext_store_lock(st, lba);
	struct t10_pi_tuple *pi;
	unsigned long flags;
	void *data;

	spin_lock_irqsave(lock, flags);
	data = sdext_store_block(st, lba);
	if (data)
		memcpy(buf, data, st->block_size);
	else
		memset(buf, 0, st->block_size);
	if (st->has_pi) {
		pi = sdext_store_tuple(st, lba);
		if (pi)
			*t = *pi;
		else
			memset(t, SDEXT_PI_FILL, sizeof(*t));
	}
	spin_unlock_irqrestore(lock, flags);
}

/*
 * Write block @lba and its tuple; the pages must have been prepared.  A NULL
 * @buf writes zeros, and allocates nothing for a data page that is not there.
 */
void sdext_store_write(struct sdext_store *st, u64 lba, const void *buf,
		       const struct t10_pi_tuple *t)
{
	spinlock_t *lock = sdext_store_lock(st, lba);
	struct t10_pi_tuple *pi;
	unsigned long flags;
	void *data;

	spin_lock_irqsave(lock, flags);
	data = sdext_store_block(st, lba);
	if (data && buf)
		memcpy(data, buf, st->block_size);
	else if (data)
		memset(data, 0, st->block_size);
	if (st->has_pi) {
		pi = sdext_store_tuple(st, lba);
		if (pi)
			*pi = *t;
	}
	spin_unlock_irqrestore(lock, flags);
}

/* Return block @lba to the unmapped state: zeros and the escape tuple. */
static void sdext_store_deallocate(struct sdext_store *st, u64 lba)
{
	spinlock_t *lock = sdext_store_lock(st, lba);
	struct t10_pi_tuple *pi;
	unsigned long flags;
	void *data;

	spin_lock_irqsave(lock, flags);
	data = sdext_store_block(st, lba);
	if (data)
		memset(data, 0, st->block_size);
	pi = sdext_store_tuple(st, lba);
	if (pi)
		memset(pi, SDEXT_PI_FILL, sizeof(*pi));
	spin_unlock_irqrestore(lock, flags);
}

/* Deallocate the blocks of [lba, end) that lie in the pages of @xa. */
static void sdext_store_deallocate_pages(struct sdext_store *st,
					 struct xarray *xa, u64 lba, u64 end,
					 unsigned int blocks_per_page)
{
	unsigned long idx;
	struct page *page;
	u64 b, first, last;

	xa_for_each_range(xa, idx, page, lba / blocks_per_page,
			  (end - 1) / blocks_per_page) {
		first = max_t(u64, lba, (u64)idx * blocks_per_page);
		last = min_t(u64, end, (u64)(idx + 1) * blocks_per_page);
		for (b = first; b < last; b++)
			sdext_store_deallocate(st, b);
		cond_resched();
	}
}

/*
 * Deallocate blocks [lba, lba + nr): they read back as zeros with the escape
 * tuple (LBPRZ).  Only pages that exist are visited.  May sleep.
 */
void sdext_store_unmap(struct sdext_store *st, u64 lba, u64 nr)
{
	if (!nr)
		return;
	sdext_store_deallocate_pages(st, &st->data, lba, lba + nr,
				     PAGE_SIZE >> st->block_shift);
	if (st->has_pi)
		sdext_store_deallocate_pages(st, &st->pi, lba, lba + nr,
					     SDEXT_TUPLES_PER_PAGE);
}
