// SPDX-License-Identifier: GPL-2.0
/*
 * scsi_debug_ext: SBC commands.  READ CAPACITY and SYNCHRONIZE CACHE are
 * answered at once.  READ, WRITE, WRITE SAME and UNMAP are only decoded and
 * checked here, in queuecommand: their data moves later, in the late-DMA
 * engine (xfer.c, io.c).
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include <asm/unaligned.h>
#include <scsi/scsi_cmnd.h>
#include <scsi/scsi_proto.h>

#include "sdext.h"

#define SDEXT_RC16_LEN		32

bool sdext_sbc_read_capacity10(struct sdext_cmd *c)
{
	struct sdext_store *st = &c->disk->store;
	u8 *buf = c->buf;

	put_unaligned_be32(min_t(u64, st->nr_blocks - 1, 0xffffffff), &buf[0]);
	put_unaligned_be32(st->block_size, &buf[4]);
	sdext_respond(c->scmd, buf, 8, 8);
	return false;
}

bool sdext_sbc_read_capacity16(struct sdext_cmd *c)
{
	struct sdext_disk *disk = c->disk;
	const u8 *cdb = c->scmd->cmnd;
	u8 *buf = c->buf;

	memset(buf, 0, SDEXT_RC16_LEN);
	put_unaligned_be64(disk->store.nr_blocks - 1, &buf[0]);
	put_unaligned_be32(disk->store.block_size, &buf[8]);
	buf[12] = 0x10;				/* RC BASIS: last LBA */
	if (disk->pi_type)			/* P_TYPE, PROT_EN */
		buf[12] |= (disk->pi_type - 1) << 1 | 0x01;
	buf[13] = 0;				/* P_I_EXPONENT 0: PI per block */
	buf[14] = 0x80 | 0x40;			/* LBPME, LBPRZ */
	sdext_respond(c->scmd, buf, SDEXT_RC16_LEN,
		      get_unaligned_be32(&cdb[10]));
	return false;
}

/*
 * The RDPROTECT or WRPROTECT field, as SBC-3 allows it for this disk.  Type 2
 * needs the 32-byte CDBs to carry protection information.
 */
static bool sdext_check_protect(struct sdext_cmd *c)
{
	struct scsi_cmnd *scmd = c->scmd;

	if (!c->protect)
		return true;
	if (!c->disk->pi_type || c->protect > 5) {
		sdext_invalid_field(scmd);
		return false;
	}
	if (c->disk->pi_type == T10_PI_TYPE2_PROTECTION && !c->cdb32) {
		sdext_invalid_opcode(scmd);
		return false;
	}
	return true;
}

static bool sdext_check_range(struct sdext_cmd *c, u64 lba, u64 nr)
{
	u64 capacity = c->disk->store.nr_blocks;

	if (lba > capacity || nr > capacity - lba) {
		sdext_lba_out_of_range(c->scmd);
		return false;
	}
	return true;
}

static bool sdext_setup_rw(struct sdext_cmd *c, bool write, u64 lba, u32 nr)
{
	struct sdext_disk *disk = c->disk;
	unsigned int max = SDEXT_MAX_SECTORS * 512 / disk->store.block_size;

	if (!sdext_check_protect(c))
		return false;
	if (nr > max) {
		sdext_invalid_field(c->scmd);
		return false;
	}
	if (!sdext_check_range(c, lba, nr))
		return false;

	sdext_count(disk, write ? SDEXT_STAT_WRITES : SDEXT_STAT_READS);
	if (scsi_prot_sg_count(c->scmd))
		sdext_count(disk, write ? SDEXT_STAT_DIX_WRITES :
					  SDEXT_STAT_DIX_READS);
	if (!nr)
		return false;

	c->op = write ? SDEXT_OP_WRITE : SDEXT_OP_READ;
	c->lba = lba;
	c->nr_blocks = nr;
	return true;
}

/* READ(10), READ(16), WRITE(10), WRITE(16). */
bool sdext_sbc_rw(struct sdext_cmd *c)
{
	const u8 *cdb = c->scmd->cmnd;
	bool write = cdb[0] == WRITE_10 || cdb[0] == WRITE_16;
	u64 lba;
	u32 nr;

	if (cdb[0] == READ_10 || cdb[0] == WRITE_10) {
		lba = get_unaligned_be32(&cdb[2]);
		nr = get_unaligned_be16(&cdb[7]);
	} else {
		lba = get_unaligned_be64(&cdb[2]);
		nr = get_unaligned_be32(&cdb[10]);
	}
	c->protect = cdb[1] >> 5;
	return sdext_setup_rw(c, write, lba, nr);
}

/* READ(32), WRITE(32): with the expected tags of SBC-3. */
bool sdext_sbc_rw32(struct sdext_cmd *c)
{
	const u8 *cdb = c->scmd->cmnd;
	bool write = get_unaligned_be16(&cdb[8]) == WRITE_32;

	if (!c->disk->pi_type) {
		sdext_invalid_opcode(c->scmd);
		return false;
	}
	if (cdb[7] != 0x18) {			/* additional CDB length */
		sdext_invalid_field(c->scmd);
		return false;
	}
	c->cdb32 = true;
	c->protect = cdb[10] >> 5;
	c->ref_tag = get_unaligned_be32(&cdb[20]);
	c->app_tag = get_unaligned_be16(&cdb[24]);
	c->app_mask = get_unaligned_be16(&cdb[26]);
	return sdext_setup_rw(c, write, get_unaligned_be64(&cdb[12]),
			      get_unaligned_be32(&cdb[28]));
}

/*
 * WRITE SAME(16).  The device server generates the PI of every block
 * (WRPROTECT must be 0), so the range reads back and verifies.  With UNMAP
 * and a block of zeros, the range is deallocated instead (LBPRZ).
 */
bool sdext_sbc_write_same16(struct sdext_cmd *c)
{
	struct scsi_cmnd *scmd = c->scmd;
	const u8 *cdb = scmd->cmnd;
	u64 lba = get_unaligned_be64(&cdb[2]);
	u32 nr = get_unaligned_be32(&cdb[10]);

	/* WRPROTECT and ANCHOR unsupported; no zero length (WSNZ) */
	if ((cdb[1] & 0xf0) || !nr || nr > SDEXT_MAX_UNMAP_BLOCKS) {
		sdext_invalid_field(scmd);
		return false;
	}
	c->ws_unmap = cdb[1] & 0x08;
	c->ws_ndob = cdb[1] & 0x01;
	if (!c->ws_ndob && scsi_bufflen(scmd) < c->disk->store.block_size) {
		sdext_invalid_field(scmd);
		return false;
	}
	if (!sdext_check_range(c, lba, nr))
		return false;

	sdext_count(c->disk, SDEXT_STAT_WRITE_SAME);
	c->op = SDEXT_OP_WRITE_SAME;
	c->lba = lba;
	c->nr_blocks = nr;
	return true;
}

/* UNMAP: the parameter list is data-out, read by the engine. */
bool sdext_sbc_unmap(struct sdext_cmd *c)
{
	struct scsi_cmnd *scmd = c->scmd;
	const u8 *cdb = scmd->cmnd;
	u16 len = get_unaligned_be16(&cdb[7]);

	if (cdb[1] & 0x01) {			/* ANCHOR */
		sdext_invalid_field(scmd);
		return false;
	}
	sdext_count(c->disk, SDEXT_STAT_UNMAP);
	if (!len)
		return false;
	if (len < 8) {				/* PARAMETER LIST LENGTH ERROR */
		sdext_sense(scmd, ILLEGAL_REQUEST, 0x1a, 0x00);
		return false;
	}
	c->op = SDEXT_OP_UNMAP;
	c->param_len = len;
	return true;
}

/* SYNCHRONIZE CACHE(10)/(16): every write is already in the store. */
bool sdext_sbc_sync_cache(struct sdext_cmd *c)
{
	const u8 *cdb = c->scmd->cmnd;
	u64 lba;
	u32 nr;

	if (cdb[0] == SYNCHRONIZE_CACHE) {
		lba = get_unaligned_be32(&cdb[2]);
		nr = get_unaligned_be16(&cdb[7]);
	} else {
		lba = get_unaligned_be64(&cdb[2]);
		nr = get_unaligned_be32(&cdb[10]);
	}
	if (sdext_check_range(c, lba, nr))
		sdext_count(c->disk, SDEXT_STAT_SYNC);
	return false;
}
