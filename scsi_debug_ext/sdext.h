/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scsi_debug_ext: an emulated SCSI disk with protection information whose
 * data transfer and PI check happen late, after queuecommand, as on a real
 * HBA.  Shared types and the interfaces between the files of the module.
 */
#ifndef SDEXT_H
#define SDEXT_H

#include <linux/atomic.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/scatterlist.h>
#include <linux/spinlock.h>
#include <linux/t10-pi.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <scsi/scsi_cmnd.h>

struct attribute_group;

#define SDEXT_NAME		"scsi_debug_ext"
#define SDEXT_VENDOR		"Linux   "
#define SDEXT_PRODUCT		"scsi_debug_ext  "
#define SDEXT_REVISION		"0001"

#define SDEXT_MAX_DISKS		16
#define SDEXT_MAX_QUEUE		256
#define SDEXT_MAX_DELAY_US	10000000U	/* 10 s */
#define SDEXT_MAX_DEV_SIZE_MB	1048576U	/* 1 TiB, sparse */
#define SDEXT_MAX_SECTORS	1024		/* 512 KiB per command */
#define SDEXT_MAX_UNMAP_BLOCKS	0x400000U	/* per UNMAP or WRITE SAME */
#define SDEXT_MAX_UNMAP_DESCS	16
#define SDEXT_FAIL_RECORDS	32
#define SDEXT_STORE_LOCKS	64
#define SDEXT_PI_SIZE		sizeof(struct t10_pi_tuple)

/* Module parameters, validated once at load; read-only afterwards. */
struct sdext_params {
	unsigned int num_disks;
	unsigned int dev_size_mb;
	unsigned int sector_size;
	unsigned int dif;
	unsigned int dix;
	unsigned int guard;
	unsigned int ato;
	unsigned int dma_delay_us;
	unsigned int completion_delay_us;
	unsigned int max_queue;
};

extern struct sdext_params sdext_params;
int sdext_params_validate(void);

/* Sparse RAM store: data pages and PI pages are allocated on first write. */
struct sdext_store {
	struct xarray data;
	struct xarray pi;
	u64 nr_blocks;
	unsigned int block_size;
	unsigned int block_shift;
	bool has_pi;
	atomic_long_t nr_pages;
	spinlock_t locks[SDEXT_STORE_LOCKS];	/* block data + PI, by LBA */
};

extern atomic_long_t sdext_store_live_pages;

void sdext_store_init(struct sdext_store *st, u64 nr_blocks,
		      unsigned int block_size, bool has_pi);
void sdext_store_destroy(struct sdext_store *st);
unsigned long sdext_store_pages(struct sdext_store *st);
int sdext_store_prepare(struct sdext_store *st, u64 lba, u32 nr, bool data,
			gfp_t gfp);
void *sdext_store_block(struct sdext_store *st, u64 lba);
struct t10_pi_tuple *sdext_store_tuple(struct sdext_store *st, u64 lba);
void sdext_store_read(struct sdext_store *st, u64 lba, void *buf,
		      struct t10_pi_tuple *t);
void sdext_store_write(struct sdext_store *st, u64 lba, const void *buf,
		       const struct t10_pi_tuple *t);
void sdext_store_unmap(struct sdext_store *st, u64 lba, u64 nr);

/* Protection information: guard computation and tuple checks. */
enum sdext_pi_check {			/* values are the ASCQ under ASC 0x10 */
	SDEXT_PI_OK	= 0,
	SDEXT_PI_GUARD	= 1,
	SDEXT_PI_APP	= 2,
	SDEXT_PI_REF	= 3,
};

struct sdext_pi_expect {
	u8 type;		/* PI type of the escape rules, 0 = as type 1 */
	bool guard;		/* check the guard tag */
	bool ip;		/* guard is the IP checksum, not the CRC */
	bool app;		/* check the application tag under app_mask */
	u16 app_tag;
	u16 app_mask;
	bool ref;		/* check the reference tag */
	u32 ref_tag;
};

__be16 sdext_pi_csum(const void *data, unsigned int len, bool ip);
void sdext_pi_generate(struct t10_pi_tuple *t, const void *data,
		       unsigned int len, bool ip, u16 app, u32 ref);
enum sdext_pi_check sdext_pi_verify(const struct sdext_pi_expect *e,
				    const void *data, unsigned int len,
				    const struct t10_pi_tuple *t,
				    u32 *expected, u32 *received);
void sdext_pi_escape(struct t10_pi_tuple *t);

/* Per-disk counters, shown in sysfs. */
enum sdext_stat {
	SDEXT_STAT_READS,
	SDEXT_STAT_WRITES,
	SDEXT_STAT_DIX_READS,
	SDEXT_STAT_DIX_WRITES,
	SDEXT_STAT_WRITE_SAME,
	SDEXT_STAT_UNMAP,
	SDEXT_STAT_SYNC,
	SDEXT_STAT_GUARD_ERRORS,
	SDEXT_STAT_APP_ERRORS,
	SDEXT_STAT_REF_ERRORS,
	SDEXT_STAT_DEFERRED,
	SDEXT_STAT_ABORTS,
	SDEXT_STAT_RESETS,
	SDEXT_NR_STATS,
};

/* Who found a protection information error. */
enum sdext_checker {
	SDEXT_BY_HBA,		/* the DIX engine, checking host PI */
	SDEXT_BY_DISK,		/* the device server, checking wire PI */
};

struct sdext_fail_rec {
	u64 seq;
	ktime_t time;
	u64 lba;
	u32 expected;
	u32 received;
	u8 check;		/* enum sdext_pi_check */
	u8 by;			/* enum sdext_checker */
	bool write;
};

struct sdext_host;

struct sdext_disk {
	struct sdext_host *host;
	unsigned int index;		/* SCSI target id */
	struct sdext_store store;
	u8 pi_type;			/* 0 (no PI), 1, 2 or 3 */
	bool ato;
	unsigned int dma_delay_us;	/* READ_ONCE/WRITE_ONCE */
	unsigned int completion_delay_us;
	atomic64_t stats[SDEXT_NR_STATS];
	spinlock_t fail_lock;		/* protects fails[] and fail_seq */
	u64 fail_seq;
	struct sdext_fail_rec fails[SDEXT_FAIL_RECORDS];
	char serial[24];
};

struct sdext_host {
	struct workqueue_struct *wq;
	spinlock_t lock;		/* protects inflight and the arming */
	struct list_head inflight;	/* commands owned by this driver */
	unsigned int nr_disks;
	struct sdext_disk *disks[SDEXT_MAX_DISKS];
};

/* What a media access command asks for, decoded in queuecommand. */
enum sdext_op {
	SDEXT_OP_NONE,
	SDEXT_OP_READ,
	SDEXT_OP_WRITE,
	SDEXT_OP_WRITE_SAME,
	SDEXT_OP_UNMAP,
};

/* Per-command driver data (scsi_cmd_priv), set up once per request. */
struct sdext_cmd {
	struct scsi_cmnd *scmd;
	struct sdext_disk *disk;
	struct hrtimer dma_timer;	/* the late data transfer */
	struct hrtimer done_timer;	/* the deferred completion */
	struct work_struct work;	/* the transfer, where it may sleep */
	struct list_head node;		/* on host->inflight while ours */
	bool inline_xfer;		/* transfer running in queuecommand */
	unsigned int done_us;
	/* decoded media command */
	u8 op;				/* enum sdext_op */
	u8 protect;			/* RDPROTECT or WRPROTECT */
	bool cdb32;			/* READ(32)/WRITE(32): tags below */
	bool ws_unmap;			/* WRITE SAME with UNMAP */
	bool ws_ndob;			/* WRITE SAME without data-out */
	u16 app_tag;
	u16 app_mask;
	u32 ref_tag;
	u64 lba;
	u32 nr_blocks;
	u32 param_len;			/* UNMAP parameter list length */
	u8 buf[];			/* one logical block, plus PI */
};

static inline struct sdext_cmd *sdext_cmd(struct scsi_cmnd *scmd)
{
	return scsi_cmd_priv(scmd);
}

static inline void sdext_count(struct sdext_disk *disk, enum sdext_stat s)
{
	atomic64_inc(&disk->stats[s]);
}

/* Sense data helpers (dispatch.c). */
void sdext_sense(struct scsi_cmnd *scmd, u8 key, u8 asc, u8 ascq);
void sdext_sense_info(struct scsi_cmnd *scmd, u8 key, u8 asc, u8 ascq,
		      u64 info);
void sdext_invalid_field(struct scsi_cmnd *scmd);
void sdext_invalid_opcode(struct scsi_cmnd *scmd);
void sdext_lba_out_of_range(struct scsi_cmnd *scmd);
int sdext_respond(struct scsi_cmnd *scmd, const void *buf, unsigned int len,
		  unsigned int alloc_len);

/* Command decoding (dispatch.c): returns true if a transfer must follow. */
bool sdext_dispatch(struct sdext_cmd *c);

/* SPC commands (spc.c) and SBC commands (sbc.c), called by dispatch. */
bool sdext_spc_tur(struct sdext_cmd *c);
bool sdext_spc_request_sense(struct sdext_cmd *c);
bool sdext_spc_inquiry(struct sdext_cmd *c);
bool sdext_spc_mode_sense(struct sdext_cmd *c);
bool sdext_spc_report_luns(struct sdext_cmd *c);
bool sdext_spc_report_opcodes(struct sdext_cmd *c);
bool sdext_sbc_read_capacity10(struct sdext_cmd *c);
bool sdext_sbc_read_capacity16(struct sdext_cmd *c);
bool sdext_sbc_rw(struct sdext_cmd *c);
bool sdext_sbc_rw32(struct sdext_cmd *c);
bool sdext_sbc_write_same16(struct sdext_cmd *c);
bool sdext_sbc_unmap(struct sdext_cmd *c);
bool sdext_sbc_sync_cache(struct sdext_cmd *c);

/* The command table, shared by dispatch and REPORT SUPPORTED OPCODES. */
struct sdext_opdesc {
	u8 opcode;
	bool has_sa;
	u16 sa;
	u8 cdb_len;
	bool (*handler)(struct sdext_cmd *c);
	u8 usage[32];		/* CDB usage data, usage[0] = opcode */
};

extern const struct sdext_opdesc sdext_opdescs[];
extern const unsigned int sdext_nr_opdescs;
const struct sdext_opdesc *sdext_find_op(u8 opcode, bool *has_sa, u16 sa);

/* The late-DMA engine (xfer.c). */
void sdext_xfer_init_cmd(struct sdext_cmd *c);
void sdext_xfer_start(struct sdext_cmd *c);
void sdext_finish(struct sdext_cmd *c);
bool sdext_cancel_cmd(struct sdext_host *h, struct sdext_cmd *c);
unsigned int sdext_cancel_all(struct sdext_host *h, struct sdext_disk *disk,
			      int result);

/* Transfers (io.c): 0, or -ENOMEM when the store could not grow. */
int sdext_io_run(struct sdext_cmd *c, gfp_t gfp, bool atomic);

/* Counters and failure records (stats.c). */
extern const struct attribute_group *sdext_sdev_groups[];
void sdext_record_failure(struct sdext_disk *disk, u64 lba, bool write,
			  enum sdext_checker by, enum sdext_pi_check check,
			  u32 expected, u32 received);

/* Host (host.c). */
int sdext_host_create(void);
void sdext_host_destroy(void);

#endif /* SDEXT_H */
