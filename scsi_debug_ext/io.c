// SPDX-License-Identifier: GPL-2.0
/*
 * scsi_debug_ext: the data transfers and the PI checks.
 *
 * This is what the emulated HBA and disk do when the late-DMA engine decides
 * the transfer happens.  A write reads each block from the command's data
 * scatterlist into a bounce buffer, once: that copy is what the HBA "DMAed",
 * and every check is made on it, so a page changed after its guard was
 * computed is caught here just as a real HBA or disk would catch it.
 *
 * Two checkers, as on real hardware:
 *  - the HBA (DIX engine) checks the PI exchanged with the host, as the
 *    command's prot_flags ask, and converts an IP checksum guard to the CRC
 *    used on the wire; it inserts or strips PI when only one side has it.
 *    A failure is ILLEGAL REQUEST, ASC 0x10 (host detected).
 *  - the disk checks the PI it receives or stores, as RDPROTECT/WRPROTECT
 *    ask (SBC-3).  A failure is ABORTED COMMAND, ASC 0x10.
 * ASCQ 1, 2 or 3 says guard, application or reference tag; the INFORMATION
 * field holds the LBA.  Blocks before the failing one are transferred.
 *
 * Without DIX, a command sent through SG_IO with RDPROTECT/WRPROTECT set
 * carries its PI interleaved with the data, 8 bytes after each block, as on
 * the wire.
 */
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <asm/unaligned.h>
#include <scsi/scsi.h>
#include <scsi/scsi_cmnd.h>
#include <scsi/scsi_device.h>
#include <scsi/scsi_proto.h>

#include "sdext.h"

/* A cursor that copies bytes to or from a scatterlist, in order. */
struct sdext_sgcur {
	struct sg_mapping_iter miter;
	size_t off;
	size_t len;
};

/* One transfer: a command and what travels with its data. */
struct sdext_xfer {
	struct sdext_cmd *c;
	struct scsi_cmnd *scmd;
	struct sdext_disk *disk;
	unsigned int bs;
	unsigned int stride;		/* data bytes per block, PI included */
	u8 prot_op;
	u8 prot_flags;
	bool dix;			/* PI in the protection scatterlist */
	bool interleaved;		/* PI after each block, in the data */
	bool write;
	u32 host_ref;			/* host reference tag of block 0 */
	struct sdext_sgcur data;
	struct sdext_sgcur prot;
};

static void sdext_sg_begin(struct sdext_sgcur *cur, struct scatterlist *sgl,
			   unsigned int nents, bool to_sg, bool atomic)
{
	unsigned int flags = to_sg ? SG_MITER_TO_SG : SG_MITER_FROM_SG;

	if (atomic)
		flags |= SG_MITER_ATOMIC;
	sg_miter_start(&cur->miter, sgl, nents, flags);
	cur->off = 0;
	cur->len = 0;
}

static size_t sdext_sg_copy(struct sdext_sgcur *cur, void *buf, size_t len,
			    bool to_sg)
{
	size_t done = 0, n;

	while (done < len) {
		if (cur->off == cur->len) {
			if (!sg_miter_next(&cur->miter))
				break;
			cur->off = 0;
			cur->len = cur->miter.length;
		}
		n = min(len - done, cur->len - cur->off);
		if (to_sg)
			memcpy(cur->miter.addr + cur->off, buf + done, n);
		else
			memcpy(buf + done, cur->miter.addr + cur->off, n);
		cur->off += n;
		done += n;
	}
	return done;
}

/* The protection scatterlist has no length of its own: add it up. */
static u64 sdext_sg_bytes(struct scatterlist *sgl, unsigned int nents)
{
	struct scatterlist *sg;
	unsigned int i;
	u64 len = 0;

	for_each_sg(sgl, sg, nents, i)
		len += sg->length;
	return len;
}

static bool sdext_xfer_begin(struct sdext_xfer *x, struct sdext_cmd *c,
			     bool write, bool atomic)
{
	struct scsi_cmnd *scmd = c->scmd;

	x->c = c;
	x->scmd = scmd;
	x->disk = c->disk;
	x->bs = c->disk->store.block_size;
	x->write = write;
	x->prot_op = scsi_get_prot_op(scmd);
	x->prot_flags = scmd->prot_flags;
	x->dix = scsi_prot_sg_count(scmd) &&
		 (x->prot_op == SCSI_PROT_READ_INSERT ||
		  x->prot_op == SCSI_PROT_READ_PASS ||
		  x->prot_op == SCSI_PROT_WRITE_STRIP ||
		  x->prot_op == SCSI_PROT_WRITE_PASS);
	x->interleaved = x->prot_op == SCSI_PROT_NORMAL && c->protect;
	x->stride = x->bs + (x->interleaved ? SDEXT_PI_SIZE : 0);
	x->host_ref = scsi_prot_ref_tag(scmd);

	/* An initiator that gives less room than the CDB asks for. */
	if (scsi_bufflen(scmd) < (u64)c->nr_blocks * x->stride ||
	    (x->dix && sdext_sg_bytes(scsi_prot_sglist(scmd),
				      scsi_prot_sg_count(scmd)) <
		       c->nr_blocks * SDEXT_PI_SIZE)) {
		scmd->result = DID_ERROR << 16;
		return false;
	}

	sdext_sg_begin(&x->data, scsi_sglist(scmd), scsi_sg_count(scmd),
		       !write, atomic);
	if (x->dix)
		sdext_sg_begin(&x->prot, scsi_prot_sglist(scmd),
			       scsi_prot_sg_count(scmd), !write, atomic);
	return true;
}

static void sdext_xfer_end(struct sdext_xfer *x, u32 done)
{
	sg_miter_stop(&x->data.miter);
	if (x->dix)
		sg_miter_stop(&x->prot.miter);
	scsi_set_resid(x->scmd, scsi_bufflen(x->scmd) - done * x->stride);
}

static void sdext_pi_failed(struct sdext_xfer *x, u64 lba,
			    enum sdext_checker by, enum sdext_pi_check check,
			    u32 expected, u32 received)
{
	sdext_record_failure(x->disk, lba, x->write, by, check, expected,
			     received);
	sdext_sense_info(x->scmd, by == SDEXT_BY_HBA ? ILLEGAL_REQUEST :
			 ABORTED_COMMAND, 0x10, check, lba);
}

/*
 * The disk's check of block @i, per RDPROTECT/WRPROTECT.  @guard_known: the
 * guard of @t is already known to match @block (the HBA computed or checked
 * that same CRC), so the disk need not compute it again.
 */
static bool sdext_disk_check(struct sdext_xfer *x, u32 i, const void *block,
			     const struct t10_pi_tuple *t, bool guard_known)
{
	struct sdext_cmd *c = x->c;
	struct sdext_disk *disk = x->disk;
	struct sdext_pi_expect e = { .type = disk->pi_type };
	enum sdext_pi_check check;
	u64 lba = c->lba + i;
	u32 expected, received;

	switch (c->protect) {
	case 0:		/* a read without PI: the disk still checks */
	case 1:
	case 5:
		e.guard = true;
		e.app = true;
		e.ref = true;
		break;
	case 2:
		e.app = true;
		e.ref = true;
		break;
	case 4:
		e.guard = true;
		break;
	default:
		return true;
	}
	e.guard = e.guard && !guard_known;
	/* Only a 32-byte CDB says which application tag to expect. */
	e.app = e.app && c->cdb32 && disk->ato;
	e.app_tag = c->app_tag;
	e.app_mask = c->app_mask;
	e.ref = e.ref && disk->pi_type != T10_PI_TYPE3_PROTECTION;
	if (disk->pi_type == T10_PI_TYPE2_PROTECTION && c->cdb32)
		e.ref_tag = c->ref_tag + i;
	else
		e.ref_tag = lower_32_bits(lba);

	check = sdext_pi_verify(&e, block, x->bs, t, &expected, &received);
	if (check == SDEXT_PI_OK)
		return true;
	sdext_pi_failed(x, lba, SDEXT_BY_DISK, check, expected, received);
	return false;
}

/* The HBA's check of block @i, per the command's prot_flags. */
static bool sdext_hba_check(struct sdext_xfer *x, u32 i, const void *block,
			    const struct t10_pi_tuple *t, bool ip, bool guard)
{
	struct sdext_pi_expect e = {
		.type	= scsi_get_prot_type(x->scmd),
		.guard	= guard && (x->prot_flags & SCSI_PROT_GUARD_CHECK),
		.ip	= ip,
		.ref	= x->prot_flags & SCSI_PROT_REF_CHECK,
		.ref_tag = x->host_ref,
	};
	enum sdext_pi_check check;
	u32 expected, received;

	if (x->prot_flags & SCSI_PROT_REF_INCREMENT)
		e.ref_tag += i;
	check = sdext_pi_verify(&e, block, x->bs, t, &expected, &received);
	if (check == SDEXT_PI_OK)
		return true;
	sdext_pi_failed(x, x->c->lba + i, SDEXT_BY_HBA, check, expected,
			received);
	return false;
}

/* The tuple a disk (or an inserting HBA) generates for a block. */
static void sdext_generate(struct sdext_xfer *x, u32 i, const void *block,
			   struct t10_pi_tuple *t)
{
	struct sdext_cmd *c = x->c;
	u8 type = x->disk->pi_type;
	u32 ref;

	if (type == T10_PI_TYPE3_PROTECTION)
		ref = 0xffffffff;
	else if (type == T10_PI_TYPE2_PROTECTION && c->cdb32)
		ref = c->ref_tag + i;
	else
		ref = lower_32_bits(c->lba + i);
	sdext_pi_generate(t, block, x->bs, false, 0, ref);
}

static void sdext_io_write(struct sdext_cmd *c, bool atomic)
{
	struct sdext_disk *disk = c->disk;
	struct t10_pi_tuple host, wire;
	struct sdext_xfer x;
	u8 *block = c->buf;
	bool ip, have_wire, guard_known;
	u32 i;

	if (!sdext_xfer_begin(&x, c, true, atomic))
		return;
	ip = x.prot_flags & SCSI_PROT_IP_CHECKSUM;

	for (i = 0; i < c->nr_blocks; i++) {
		have_wire = false;
		guard_known = false;
		memset(&wire, 0, sizeof(wire));

		/* The DMA: this copy is the data the disk receives. */
		sdext_sg_copy(&x.data, block, x.bs, false);
		if (x.interleaved) {
			sdext_sg_copy(&x.data, &wire, sizeof(wire), false);
			have_wire = true;
		}
		if (x.dix) {
			sdext_sg_copy(&x.prot, &host, sizeof(host), false);
			if (!sdext_hba_check(&x, i, block, &host, ip, true))
				break;
			if (x.prot_op == SCSI_PROT_WRITE_PASS) {
				wire = host;
				if (ip)		/* the HBA converts to the CRC */
					wire.guard_tag =
						sdext_pi_csum(block, x.bs, false);
				guard_known = ip ||
					(x.prot_flags & SCSI_PROT_GUARD_CHECK);
				have_wire = true;
			}
		}
		if (disk->pi_type) {
			if (!have_wire)		/* inserted or generated */
				sdext_generate(&x, i, block, &wire);
			else if (!sdext_disk_check(&x, i, block, &wire,
						   guard_known))
				break;
		}
		sdext_store_write(&disk->store, c->lba + i, block, &wire);
	}
	sdext_xfer_end(&x, i);
}

static void sdext_io_read(struct sdext_cmd *c, bool atomic)
{
	struct sdext_disk *disk = c->disk;
	struct t10_pi_tuple host, wire;
	struct sdext_xfer x;
	u8 *block = c->buf;
	bool ip, disk_guard;
	u32 i;

	if (!sdext_xfer_begin(&x, c, false, atomic))
		return;
	ip = x.prot_flags & SCSI_PROT_IP_CHECKSUM;
	/* Whether the disk checks the guard, making the HBA's check moot. */
	disk_guard = c->protect <= 1 || c->protect >= 4;

	memset(&wire, 0, sizeof(wire));
	memset(&host, 0, sizeof(host));
	for (i = 0; i < c->nr_blocks; i++) {
		sdext_store_read(&disk->store, c->lba + i, block, &wire);
		if (disk->pi_type &&
		    !sdext_disk_check(&x, i, block, &wire, false))
			break;

		if (x.prot_op == SCSI_PROT_READ_INSERT) {
			sdext_pi_generate(&host, block, x.bs, ip, 0,
					  x.host_ref + i);
		} else if (x.prot_op == SCSI_PROT_READ_PASS ||
			   x.prot_op == SCSI_PROT_READ_STRIP) {
			if (!sdext_hba_check(&x, i, block, &wire, false,
					     !disk_guard))
				break;
			host = wire;
			if (ip)
				host.guard_tag = sdext_pi_csum(block, x.bs, true);
		}

		sdext_sg_copy(&x.data, block, x.bs, true);
		if (x.interleaved)
			sdext_sg_copy(&x.data, &wire, sizeof(wire), true);
		if (x.dix)
			sdext_sg_copy(&x.prot, &host, sizeof(host), true);
	}
	sdext_xfer_end(&x, i);
}

/*
 * WRITE SAME(16): one block of data-out (or zeros with NDOB) written to every
 * LBA of the range, with PI generated by the disk.  Runs in the worker.
 */
static int sdext_io_write_same(struct sdext_cmd *c, gfp_t gfp)
{
	struct sdext_store *st = &c->disk->store;
	struct scsi_cmnd *scmd = c->scmd;
	struct t10_pi_tuple wire = {};
	unsigned int bs = st->block_size;
	u8 type = c->disk->pi_type;
	u8 *block = c->buf;
	bool zero;
	u64 lba;

	if (c->ws_ndob)
		memset(block, 0, bs);
	else if (scsi_sg_copy_to_buffer(scmd, block, bs) < bs)
		memset(block, 0, bs);	/* checked at dispatch */
	zero = !memchr_inv(block, 0, bs);

	if (zero && c->ws_unmap) {
		sdext_store_unmap(st, c->lba, c->nr_blocks);
		return 0;
	}

	if (type)
		sdext_pi_generate(&wire, block, bs, false, 0, 0);
	for (lba = c->lba; lba < c->lba + c->nr_blocks; lba++) {
		/* zeros need no data page where there is none */
		if (sdext_store_prepare(st, lba, 1, !zero, gfp))
			return -ENOMEM;
		if (type == T10_PI_TYPE3_PROTECTION)
			wire.ref_tag = T10_PI_REF_ESCAPE;
		else
			wire.ref_tag = cpu_to_be32(lower_32_bits(lba));
		sdext_store_write(st, lba, zero ? NULL : block, &wire);
		if (!(lba % 1024))
			cond_resched();
	}
	return 0;
}

/* UNMAP: read the parameter list, check every descriptor, deallocate. */
static void sdext_io_unmap(struct sdext_cmd *c)
{
	struct sdext_store *st = &c->disk->store;
	struct scsi_cmnd *scmd = c->scmd;
	unsigned int len, nr, i;
	u64 total = 0;
	u8 *buf = c->buf;
	u8 *d;

	len = min_t(unsigned int, c->param_len, 8 + 16 * SDEXT_MAX_UNMAP_DESCS);
	len = scsi_sg_copy_to_buffer(scmd, buf, len);
	if (len < 8) {
		sdext_sense(scmd, ILLEGAL_REQUEST, 0x1a, 0x00);
		return;
	}
	nr = min_t(unsigned int, get_unaligned_be16(&buf[2]), len - 8) / 16;
	if (get_unaligned_be16(&buf[2]) / 16 > SDEXT_MAX_UNMAP_DESCS) {
		sdext_sense(scmd, ILLEGAL_REQUEST, 0x26, 0x00);
		return;
	}

	for (i = 0, d = &buf[8]; i < nr; i++, d += 16) {
		u64 lba = get_unaligned_be64(&d[0]);
		u32 count = get_unaligned_be32(&d[8]);

		if (lba > st->nr_blocks || count > st->nr_blocks - lba) {
			sdext_lba_out_of_range(scmd);
			return;
		}
		total += count;
	}
	if (total > SDEXT_MAX_UNMAP_BLOCKS) {
		sdext_sense(scmd, ILLEGAL_REQUEST, 0x26, 0x00);
		return;
	}

	for (i = 0, d = &buf[8]; i < nr; i++, d += 16)
		sdext_store_unmap(st, get_unaligned_be64(&d[0]),
				  get_unaligned_be32(&d[8]));
}

/*
 * Run the transfer of @c now.  @atomic: called where it must not sleep
 * (queuecommand); then only READ and WRITE may run, with @gfp GFP_NOWAIT.
 * Returns -ENOMEM, with nothing transferred, when the store could not grow.
 */
int sdext_io_run(struct sdext_cmd *c, gfp_t gfp, bool atomic)
{
	switch (c->op) {
	case SDEXT_OP_READ:
		sdext_io_read(c, atomic);
		return 0;
	case SDEXT_OP_WRITE:
		if (sdext_store_prepare(&c->disk->store, c->lba, c->nr_blocks,
					true, gfp))
			return -ENOMEM;
		sdext_io_write(c, atomic);
		return 0;
	case SDEXT_OP_WRITE_SAME:
		return sdext_io_write_same(c, gfp);
	case SDEXT_OP_UNMAP:
		sdext_io_unmap(c);
		return 0;
	}
	return 0;
}
