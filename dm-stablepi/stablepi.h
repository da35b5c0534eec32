/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dm-stablepi: shared definitions.
 *
 * A write is mapped in three steps.  At submit (map) the target computes the
 * T10 PI tuple of every protection interval of the caller's data.  At
 * dispatch, after an optional simulated DMA latency (hold_us), it compares
 * the data with those tuples again and hands the write to the lower device;
 * with an integrity profile below, the lower device receives exactly the
 * tuples computed at submit.  At completion it compares once more.  Every
 * interval whose guard tag changed is a violation: it is counted once, at
 * the first check that saw it, and recorded with what owns the page.
 */
#ifndef DM_STABLEPI_H
#define DM_STABLEPI_H

#include <linux/bio.h>
#include <linux/blk-integrity.h>
#include <linux/device-mapper.h>
#include <linux/hrtimer.h>
#include <linux/mempool.h>
#include <linux/ratelimit.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/spinlock.h>
#include <linux/t10-pi.h>
#include <linux/workqueue.h>

#define DM_MSG_PREFIX "stablepi"

/*
 * Writes are split at 256 KiB, so that the tuples of one write fit one page
 * (512 intervals of 512 bytes) and a bounce copy needs at most 64 pages.
 */
#define STPI_MAX_IO_SECTORS	512
#define STPI_MAX_INTERVALS	(STPI_MAX_IO_SECTORS * SECTOR_SIZE / 512)
#define STPI_MAX_IO_PAGES	(STPI_MAX_IO_SECTORS * SECTOR_SIZE / PAGE_SIZE)

/* The tuples of a write of at most this many intervals live in its io. */
#define STPI_INLINE_TUPLES	8

#define STPI_HOLD_US_MAX		1000000
#define STPI_LOG_DEFAULT		256
#define STPI_LOG_MAX		65536
#define STPI_RETRIES_MAX		4

enum stpi_mode {
	STPI_MODE_DETECT,
	STPI_MODE_BLOCK,
	STPI_MODE_COPY,
	STPI_MODE_RETRY,
};

enum stpi_guard {
	STPI_GUARD_CRC,
	STPI_GUARD_IP,
};

/* Where a change was seen. */
enum stpi_check {
	STPI_AT_DISPATCH,
	STPI_AT_COMPLETION,
};

/* The table line, parsed (config.c). */
struct stpi_config {
	enum stpi_mode mode;
	enum stpi_guard guard;
	unsigned int type;		/* 1 or 3 */
	unsigned int interval;		/* bytes: 512 or 4096 */
	unsigned int hold_us;
	bool stable_writes;
	unsigned int log_size;
	bool fail_changed;
};

/* Counters, in the order dmsetup status prints them (stats.c). */
enum stpi_stat {
	STPI_STAT_WRITES,
	STPI_STAT_WRITE_BYTES,
	STPI_STAT_INTERVALS,
	STPI_STAT_CHANGED_DISPATCH,
	STPI_STAT_CHANGED_COMPLETION,
	STPI_STAT_LOWER_PI_ERRORS,
	STPI_STAT_READ_PI_ERRORS,
	STPI_STAT_ABSORBED,
	STPI_STAT_REPAIRED,
	STPI_STAT_RETRY_FAILED,
	STPI_STAT_CHANGED_FAILED,
	STPI_STAT_READS,
	STPI_STAT_READ_BYTES,
	STPI_STAT_LOWER_ERRORS,
	STPI_STAT_DEFERRED,
	STPI_STAT_REISSUED,
	STPI_STAT_EXPEDITED,
	STPI_NR_STATS
};

/*
 * Stages of a write whose CPU time is measured with the stage_timing module
 * parameter (stats.c, message "stages").  map and completion include the
 * stages they run.
 */
enum stpi_stage {
	STPI_STAGE_MAP,			/* map's work for a data write */
	STPI_STAGE_GENERATE,		/* tuples of the caller's data at submit */
	STPI_STAGE_COPY,		/* snapshot copies (with their tuples) */
	STPI_STAGE_ATTACH,		/* integrity payloads */
	STPI_STAGE_VERIFY_DISPATCH,
	STPI_STAGE_VERIFY_COMPLETION,
	STPI_STAGE_COMPLETION,		/* completion's work for a data write */
	STPI_NR_STAGES
};

struct stpi_stats {
	u64 v[STPI_NR_STATS];
	u64 stage_ns[STPI_NR_STAGES];
	u64 stage_n[STPI_NR_STAGES];
};

/* One violation, as kept in the ring and shown by "violations". */
struct stpi_violation {
	u64 seq;
	u64 time_ns;			/* CLOCK_REALTIME */
	sector_t sector;		/* dm sector of the interval */
	unsigned int interval;		/* index of the interval in the write */
	u16 guard_submit;
	u16 guard_found;
	enum stpi_check where;
	bool file;			/* page-cache page under writeback */
	dev_t s_dev;
	char s_id[32];
	unsigned long ino;
	loff_t offset;			/* file offset of the interval */
	pid_t pid;			/* submitter (thread group id) */
	char comm[TASK_COMM_LEN];
};

/* Ring of the newest violations (violation.c). */
struct stpi_vlog {
	spinlock_t lock;		/* protects ring and next_seq */
	struct stpi_violation *ring;
	unsigned int size;
	u64 next_seq;
};

/*
 * Writes waiting in their hold timer.  Each CPU has its own list, so that
 * holding a write takes no lock shared by every CPU; a write stays on the
 * list it was added to, whichever CPU its timer fires on.
 */
struct stpi_held {
	spinlock_t lock;		/* protects ios */
	struct list_head ios;
};

/* Per target. */
struct stpi_c {
	struct dm_dev *dev;
	sector_t start;
	struct stpi_config cfg;
	struct dm_target *ti;
	const char *name;		/* the dm device's kernel name */

	/* The kernel's T10 PI profile used to generate tuples. */
	const struct blk_integrity_profile *profile;
	/* The lower device checks PI: send it our tuples. */
	bool lower_pi;
	unsigned int interval_shift;

	struct bio_set bs;		/* bios sent to the lower device */
	mempool_t tuple_pool;		/* one page of tuples per write */
	mempool_t page_pool;		/* snapshot pages (copy, retry) */
	struct mutex alloc_lock;	/* one blocking snapshot at a time */

	/*
	 * Work that never waits for memory (dispatch after a hold,
	 * completion) and work that does (preparing a write map could not,
	 * re-issuing a write) each have their own queue: see "Forward
	 * progress" in io.c.
	 */
	struct workqueue_struct *io_wq;
	struct workqueue_struct *prep_wq;
	struct workqueue_struct *retry_wq;	/* retry mode only */

	struct stpi_stats __percpu *stats;
	struct stpi_held __percpu *held;
	/*
	 * Set from presuspend to resume: writes are not held, and the holds
	 * of writes already waiting were cut short (see stpi_holds_stop()).
	 */
	bool holds_off;
	struct stpi_vlog vlog;
	struct ratelimit_state log_rs;	/* kernel log lines of violations */
};

/* Per bio: the dm clone's per-bio data. */
struct stpi_io {
	struct stpi_c *sc;
	struct bio *lower;		/* what goes to the lower device */
	struct t10_pi_tuple *tuples;	/* computed at submit, or of the copy re-issued */
	unsigned int nr_intervals;
	unsigned int nr_changed;
	sector_t sector;		/* dm sector of the write */
	struct bvec_iter data_iter;	/* the caller's data */
	struct bio_vec *data_bvecs;
	bool write;
	bool snapshot;			/* the lower bio carries a copy */
	bool writeback;			/* page-cache pages under writeback */
	u8 retries;
	blk_status_t status;		/* what the lower device said */
	pid_t pid;
	char comm[TASK_COMM_LEN];
	struct hrtimer hold;
	struct stpi_held *held;		/* the list it waits on while held */
	struct list_head held_entry;
	struct work_struct work;
	DECLARE_BITMAP(changed, STPI_MAX_INTERVALS);
	struct t10_pi_tuple inline_tuples[STPI_INLINE_TUPLES];
};

static inline struct bio *stpi_io_bio(struct stpi_io *io)
{
	return dm_bio_from_per_bio_data(io, sizeof(*io));
}

/* The lower device's sector for dm sector @sector. */
static inline sector_t stpi_lower_sector(struct stpi_c *sc, sector_t sector)
{
	return sc->start + dm_target_offset(sc->ti, sector);
}

/* config.c */
int stpi_config_parse(struct dm_target *ti, struct dm_arg_set *as,
		      struct stpi_config *cfg, struct block_device *bdev);
void stpi_config_emit(const struct stpi_config *cfg, char *result,
		      unsigned int maxlen, unsigned int *sz);
const char *stpi_mode_name(enum stpi_mode mode);

/* pi.c */
const struct blk_integrity_profile *stpi_pi_profile(unsigned int type,
						    enum stpi_guard guard);
void stpi_pi_generate(const struct stpi_c *sc, struct bio_vec *bvecs,
		      struct bvec_iter iter, sector_t seed,
		     struct t10_pi_tuple *tuples);
typedef void (*stpi_pi_mismatch_fn)(void *arg, unsigned int idx,
				   struct page *page, unsigned int offset,
				   __be16 found);
void stpi_pi_compare(const struct stpi_c *sc, struct bio_vec *bvecs,
		     struct bvec_iter iter, const struct t10_pi_tuple *tuples,
		    unsigned int nr, stpi_pi_mismatch_fn fn, void *arg);
int stpi_pi_attach(struct stpi_io *io, struct t10_pi_tuple *tuples, gfp_t gfp);

/* snapshot.c */
void *stpi_snapshot_page_alloc(gfp_t gfp, void *data);
void stpi_snapshot_page_free(void *page, void *data);
struct bio *stpi_snapshot(struct stpi_io *io, gfp_t gfp,
			  struct t10_pi_tuple *tuples);
void stpi_snapshot_free(struct stpi_c *sc, struct bio *lower);

/* io.c */
int stpi_map(struct dm_target *ti, struct bio *bio);
int stpi_end_io(struct dm_target *ti, struct bio *bio, blk_status_t *error);
void stpi_holds_stop(struct stpi_c *sc);
void stpi_holds_start(struct stpi_c *sc);

/* violation.c */
int stpi_vlog_init(struct stpi_vlog *vlog, unsigned int size);
void stpi_vlog_exit(struct stpi_vlog *vlog);
void stpi_vlog_clear(struct stpi_vlog *vlog);
void stpi_violation(struct stpi_io *io, unsigned int interval,
		    struct page *page, unsigned int offset, u16 found,
		   enum stpi_check where);
void stpi_vlog_emit(struct stpi_vlog *vlog, unsigned int max, char *result,
		    unsigned int maxlen);

/* stats.c */
static inline void stpi_count(struct stpi_c *sc, enum stpi_stat s, u64 n)
{
	this_cpu_add(sc->stats->v[s], n);
}

void stpi_stats_sum(struct stpi_c *sc, u64 *sum);
void stpi_stats_clear(struct stpi_c *sc);

extern bool stpi_stage_timing;

/* The start of a timed stage: 0 when stage_timing is off. */
static inline u64 stpi_stage_begin(void)
{
	return READ_ONCE(stpi_stage_timing) ? local_clock() : 0;
}

static inline void stpi_stage_end(struct stpi_c *sc, enum stpi_stage stage,
				  u64 begin)
{
	if (!begin)
		return;
	this_cpu_add(sc->stats->stage_ns[stage], local_clock() - begin);
	this_cpu_inc(sc->stats->stage_n[stage]);
}

void stpi_stages_emit(struct stpi_c *sc, char *result, unsigned int maxlen);

#endif
