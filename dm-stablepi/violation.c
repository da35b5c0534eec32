// SPDX-License-Identifier: GPL-2.0
/*
 * dm-stablepi: violation records.
 *
 * Every changed interval is kept in a ring of the newest log_size records,
 * emitted as the stablepi:violation tracepoint and, rate-limited, in the
 * kernel log.  A record names what owns the page: for a page-cache page
 * under writeback, the superblock, inode and file offset; for any other page
 * (an O_DIRECT user buffer, a buffer head written without PG_writeback),
 * "anon" and the process that submitted the write.
 */

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/ratelimit.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>

#include "stablepi.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

/* The ring's slot of record @seq. */
static unsigned int stpi_vlog_slot(const struct stpi_vlog *vlog, u64 seq)
{
	u32 slot;

	div_u64_rem(seq, vlog->size, &slot);
	return slot;
}

int stpi_vlog_init(struct stpi_vlog *vlog, unsigned int size)
{
	spin_lock_init(&vlog->lock);
	/*
	 * No allocation warning: the table line fails with "Cannot allocate
	 * the violation log", which says it.
	 */
	vlog->ring = kvcalloc(size, sizeof(*vlog->ring),
			      GFP_KERNEL | __GFP_NOWARN);
	if (!vlog->ring)
		return -ENOMEM;
	vlog->size = size;
	vlog->next_seq = 0;
	return 0;
}

void stpi_vlog_exit(struct stpi_vlog *vlog)
{
	kvfree(vlog->ring);
	vlog->ring = NULL;
}

/* Forget every record; sequence numbers go on. */
void stpi_vlog_clear(struct stpi_vlog *vlog)
{
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&vlog->lock, flags);
	for (i = 0; i < vlog->size; i++)
		vlog->ring[i].seq = U64_MAX;
	spin_unlock_irqrestore(&vlog->lock, flags);
}

/*
 * Who owns @page.  Only a folio under writeback is known to stay in its
 * mapping (truncation waits for writeback), so only then is it a file page;
 * a slab page (a kmalloc'ed buffer) has no mapping at all.
 * Inodes and superblocks are freed after an RCU grace period, so reading
 * them under rcu_read_lock() is safe even if another writer's writeback
 * ends meanwhile; the worst case is a stale name.
 */
static void stpi_owner(struct page *page, unsigned int offset,
		       struct stpi_violation *v)
{
	struct folio *folio = page_folio(page);
	struct address_space *mapping;
	struct inode *inode;

	v->file = false;
	if (folio_test_slab(folio) || !folio_test_writeback(folio) ||
	    folio_test_anon(folio) || folio_test_swapcache(folio))
		return;

	rcu_read_lock();
	mapping = READ_ONCE(folio->mapping);
	if (mapping && !((unsigned long)mapping & PAGE_MAPPING_FLAGS)) {
		inode = READ_ONCE(mapping->host);
		if (inode) {
			v->file = true;
			v->ino = inode->i_ino;
			v->s_dev = inode->i_sb->s_dev;
			strscpy(v->s_id, inode->i_sb->s_id, sizeof(v->s_id));
			v->offset = folio_pos(folio) +
				    ((loff_t)folio_page_idx(folio, page) << PAGE_SHIFT) +
				    offset;
		}
	}
	rcu_read_unlock();
}

static const char *stpi_check_name(enum stpi_check where)
{
	return where == STPI_AT_DISPATCH ? "dispatch" : "completion";
}

static void stpi_violation_log(struct stpi_c *sc,
			       const struct stpi_violation *v)
{
	char owner[96];

	if (v->file)
		snprintf(owner, sizeof(owner), "file ino %lu offset %lld on %s",
			 v->ino, v->offset, v->s_id);
	else
		snprintf(owner, sizeof(owner), "anon, submitted by pid %d (%s)",
			 v->pid, v->comm);
	DMWARN("%s: data changed after PI: sector %llu guard %04x -> %04x at %s; %s",
	       sc->name, (unsigned long long)v->sector, v->guard_submit,
	       v->guard_found, stpi_check_name(v->where), owner);
}

static void stpi_vlog_add(struct stpi_vlog *vlog, struct stpi_violation *v)
{
	unsigned long flags;

	spin_lock_irqsave(&vlog->lock, flags);
	v->seq = vlog->next_seq++;
	vlog->ring[stpi_vlog_slot(vlog, v->seq)] = *v;
	spin_unlock_irqrestore(&vlog->lock, flags);
}

/* Record that interval @interval of @io changed; @page holds its start. */
void stpi_violation(struct stpi_io *io, unsigned int interval,
		    struct page *page, unsigned int offset, u16 found,
		   enum stpi_check where)
{
	struct stpi_c *sc = io->sc;
	struct stpi_violation v = {
		.time_ns = ktime_get_real_ns(),
		.sector = io->sector + ((sector_t)interval <<
					(sc->interval_shift - SECTOR_SHIFT)),
		.interval = interval,
		.guard_submit = be16_to_cpu(io->tuples[interval].guard_tag),
		.guard_found = found,
		.where = where,
		.pid = io->pid,
	};

	memcpy(v.comm, io->comm, sizeof(v.comm));
	stpi_owner(page, offset, &v);
	stpi_vlog_add(&sc->vlog, &v);
	trace_violation(sc->name, &v);

	if (__ratelimit(&sc->log_rs))
		stpi_violation_log(sc, &v);
}

static void stpi_violation_emit(const struct stpi_violation *v, char *result,
				unsigned int maxlen, unsigned int *psz)
{
	unsigned int sz = *psz;
	u32 nsec;
	u64 sec = div_u64_rem(v->time_ns, NSEC_PER_SEC, &nsec);

	DMEMIT("seq=%llu time=%llu.%09u sector=%llu interval=%u guard=%04x/%04x at=%s",
	       v->seq, sec, nsec, (unsigned long long)v->sector, v->interval,
	       v->guard_submit, v->guard_found, stpi_check_name(v->where));
	if (v->file)
		DMEMIT(" owner=file sb=%s dev=%u:%u ino=%lu offset=%lld",
		       v->s_id, MAJOR(v->s_dev), MINOR(v->s_dev), v->ino,
		       v->offset);
	else
		DMEMIT(" owner=anon");
	/* comm last: it may contain spaces */
	DMEMIT(" pid=%d comm=%s\n", v->pid, v->comm);
	*psz = sz;
}

/*
 * The newest @max records, newest first, after a summary line.  Records are
 * copied one at a time, so the lock is never held while formatting.
 */
void stpi_vlog_emit(struct stpi_vlog *vlog, unsigned int max, char *result,
		    unsigned int maxlen)
{
	struct stpi_violation v;
	unsigned long flags;
	unsigned int sz = 0, shown = 0;
	u64 total, seq;

	spin_lock_irqsave(&vlog->lock, flags);
	total = vlog->next_seq;
	spin_unlock_irqrestore(&vlog->lock, flags);

	DMEMIT("violations total=%llu log=%u\n", total, vlog->size);
	for (seq = total; seq-- > 0 && shown < max && total - seq <= vlog->size;) {
		spin_lock_irqsave(&vlog->lock, flags);
		v = vlog->ring[stpi_vlog_slot(vlog, seq)];
		spin_unlock_irqrestore(&vlog->lock, flags);
		if (v.seq != seq)	/* cleared, or overwritten meanwhile */
			break;
		stpi_violation_emit(&v, result, maxlen, &sz);
		shown++;
	}
}
