// SPDX-License-Identifier: GPL-2.0
/*
 * scsi_debug_ext: SPC commands: INQUIRY and its VPD pages, MODE SENSE,
 * REPORT LUNS, REQUEST SENSE, TEST UNIT READY and REPORT SUPPORTED OPERATION
 * CODES.  None of them moves data to or from the medium, so each is answered
 * at once, from queuecommand.  Responses are built in the command's block
 * buffer (at least 520 bytes).
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include <asm/unaligned.h>
#include <scsi/scsi_cmnd.h>
#include <scsi/scsi_device.h>
#include <scsi/scsi_proto.h>

#include "sdext.h"

#define SDEXT_STD_INQ_LEN	96
#define SDEXT_VPD_LEN		64	/* 0x86, 0xb0 and 0xb1 */
#define SDEXT_NAA3_ID		0x3000534445585400ULL	/* "SDEXT" */

static const u8 sdext_vpd_pages[] = { 0x00, 0x80, 0x83, 0x86, 0xb0, 0xb1, 0xb2 };

bool sdext_spc_tur(struct sdext_cmd *c)
{
	return false;
}

/* No deferred errors or unit attentions are kept: always NO SENSE. */
bool sdext_spc_request_sense(struct sdext_cmd *c)
{
	const u8 *cdb = c->scmd->cmnd;
	u8 *buf = c->buf;
	unsigned int len;

	if (cdb[1] & 0x01) {		/* DESC: descriptor format */
		len = 8;
		memset(buf, 0, len);
		buf[0] = 0x72;
	} else {
		len = 18;
		memset(buf, 0, len);
		buf[0] = 0x70;
		buf[7] = len - 8;
	}
	sdext_respond(c->scmd, buf, len, cdb[4]);
	return false;
}

static unsigned int sdext_std_inquiry(struct sdext_cmd *c, u8 *buf)
{
	memset(buf, 0, SDEXT_STD_INQ_LEN);
	buf[0] = TYPE_DISK;
	buf[2] = 0x06;				/* SPC-4 */
	buf[3] = 0x12;				/* HISUP, response format 2 */
	buf[4] = SDEXT_STD_INQ_LEN - 5;
	buf[5] = c->disk->pi_type ? 0x01 : 0;	/* PROTECT */
	buf[7] = 0x02;				/* CMDQUE */
	memcpy(&buf[8], SDEXT_VENDOR, 8);
	memcpy(&buf[16], SDEXT_PRODUCT, 16);
	memcpy(&buf[32], SDEXT_REVISION, 4);
	put_unaligned_be16(0x00a0, &buf[58]);	/* SAM-5 */
	put_unaligned_be16(0x0460, &buf[60]);	/* SPC-4 */
	put_unaligned_be16(0x04c0, &buf[62]);	/* SBC-3 */
	return SDEXT_STD_INQ_LEN;
}

static unsigned int sdext_vpd_supported(struct sdext_cmd *c, u8 *buf)
{
	memcpy(&buf[4], sdext_vpd_pages, sizeof(sdext_vpd_pages));
	return 4 + sizeof(sdext_vpd_pages);
}

static unsigned int sdext_vpd_serial(struct sdext_cmd *c, u8 *buf)
{
	unsigned int len = strlen(c->disk->serial);

	memcpy(&buf[4], c->disk->serial, len);
	return 4 + len;
}

/* Device identification: a T10 vendor ID and an NAA locally assigned ID. */
static unsigned int sdext_vpd_devid(struct sdext_cmd *c, u8 *buf)
{
	unsigned int slen = strlen(c->disk->serial);
	u8 *d = &buf[4];

	d[0] = 0x02;				/* code set: ASCII */
	d[1] = 0x01;				/* LU, T10 vendor ID */
	d[3] = 8 + slen;
	memcpy(&d[4], SDEXT_VENDOR, 8);
	memcpy(&d[12], c->disk->serial, slen);
	d += 4 + d[3];

	d[0] = 0x01;				/* code set: binary */
	d[1] = 0x03;				/* LU, NAA */
	d[3] = 8;
	put_unaligned_be64(SDEXT_NAA3_ID | c->disk->index, &d[4]);
	d += 12;

	return d - buf;
}

/* Extended INQUIRY data: which protection types and checks the disk has. */
static unsigned int sdext_vpd_extended(struct sdext_cmd *c, u8 *buf)
{
	static const u8 spt[] = { 0, 0x0, 0x2, 0x4 };	/* type 1, 2, 3 only */
	struct sdext_disk *disk = c->disk;

	memset(&buf[4], 0, SDEXT_VPD_LEN - 4);
	if (disk->pi_type) {
		buf[4] = spt[disk->pi_type] << 3 | 0x04;	/* GRD_CHK */
		if (disk->ato)
			buf[4] |= 0x02;				/* APP_CHK */
		if (disk->pi_type != T10_PI_TYPE3_PROTECTION)
			buf[4] |= 0x01;				/* REF_CHK */
	}
	buf[5] = 0x01;				/* SIMPSUP */
	buf[6] = 0x01;				/* V_SUP: volatile cache */
	return SDEXT_VPD_LEN;
}

static unsigned int sdext_vpd_block_limits(struct sdext_cmd *c, u8 *buf)
{
	unsigned int bs = c->disk->store.block_size;

	memset(&buf[4], 0, SDEXT_VPD_LEN - 4);
	buf[4] = 0x01;				/* WSNZ */
	put_unaligned_be16(max(4096U / bs, 1U), &buf[6]);
	put_unaligned_be32(SDEXT_MAX_SECTORS * 512 / bs, &buf[8]);
	put_unaligned_be32(SDEXT_MAX_UNMAP_BLOCKS, &buf[20]);
	put_unaligned_be32(SDEXT_MAX_UNMAP_DESCS, &buf[24]);
	put_unaligned_be32(1, &buf[28]);	/* unmap granularity */
	put_unaligned_be64(SDEXT_MAX_UNMAP_BLOCKS, &buf[36]);
	return SDEXT_VPD_LEN;
}

static unsigned int sdext_vpd_characteristics(struct sdext_cmd *c, u8 *buf)
{
	memset(&buf[4], 0, SDEXT_VPD_LEN - 4);
	put_unaligned_be16(1, &buf[4]);		/* non-rotating medium */
	return SDEXT_VPD_LEN;
}

/* Logical block provisioning: UNMAP, WRITE SAME(16) with UNMAP, LBPRZ. */
static unsigned int sdext_vpd_provisioning(struct sdext_cmd *c, u8 *buf)
{
	buf[4] = 0;
	buf[5] = 0x80 | 0x40 | 0x04;		/* LBPU, LBPWS, LBPRZ = 001b */
	buf[6] = 0x02;				/* thin provisioned */
	buf[7] = 0;
	return 8;
}

static void sdext_vpd(struct sdext_cmd *c, u8 page, unsigned int alloc_len)
{
	u8 *buf = c->buf;
	unsigned int len;

	memset(buf, 0, 4);
	buf[0] = TYPE_DISK;
	buf[1] = page;
	switch (page) {
	case 0x00:
		len = sdext_vpd_supported(c, buf);
		break;
	case 0x80:
		len = sdext_vpd_serial(c, buf);
		break;
	case 0x83:
		len = sdext_vpd_devid(c, buf);
		break;
	case 0x86:
		len = sdext_vpd_extended(c, buf);
		break;
	case 0xb0:
		len = sdext_vpd_block_limits(c, buf);
		break;
	case 0xb1:
		len = sdext_vpd_characteristics(c, buf);
		break;
	case 0xb2:
		len = sdext_vpd_provisioning(c, buf);
		break;
	default:
		sdext_invalid_field(c->scmd);
		return;
	}
	put_unaligned_be16(len - 4, &buf[2]);
	sdext_respond(c->scmd, buf, len, alloc_len);
}

bool sdext_spc_inquiry(struct sdext_cmd *c)
{
	const u8 *cdb = c->scmd->cmnd;
	unsigned int alloc_len = get_unaligned_be16(&cdb[3]);
	unsigned int len;

	if (cdb[1] & 0x02) {			/* CMDDT is obsolete */
		sdext_invalid_field(c->scmd);
	} else if (cdb[1] & 0x01) {		/* EVPD */
		sdext_vpd(c, cdb[2], alloc_len);
	} else if (cdb[2]) {
		sdext_invalid_field(c->scmd);
	} else {
		len = sdext_std_inquiry(c, c->buf);
		sdext_respond(c->scmd, c->buf, len, alloc_len);
	}
	return false;
}

/* Caching mode page: write cache enabled (flushes are free), read cache on. */
static unsigned int sdext_caching_page(u8 *p, u8 pc)
{
	memset(p, 0, 20);
	p[0] = 0x08;
	p[1] = 18;
	if (pc != 1)				/* nothing is changeable */
		p[2] = 0x04;			/* WCE */
	return 20;
}

/* Control mode page: fixed sense format, unrestricted reordering, ATO. */
static unsigned int sdext_control_page(u8 *p, u8 pc, bool ato)
{
	memset(p, 0, 12);
	p[0] = 0x0a;
	p[1] = 10;
	if (pc != 1) {
		p[3] = 0x10;			/* unrestricted reordering */
		p[5] = ato ? 0x80 : 0;		/* ATO */
		put_unaligned_be16(0xffff, &p[8]);
	}
	return 12;
}

bool sdext_spc_mode_sense(struct sdext_cmd *c)
{
	struct scsi_cmnd *scmd = c->scmd;
	struct sdext_disk *disk = c->disk;
	const u8 *cdb = scmd->cmnd;
	bool ten = cdb[0] == MODE_SENSE_10;
	bool dbd = cdb[1] & 0x08;
	u8 pc = cdb[2] >> 6, page = cdb[2] & 0x3f, subpage = cdb[3];
	unsigned int hdr = ten ? 8 : 4, bd = dbd ? 0 : 8, len;
	unsigned int alloc_len = ten ? get_unaligned_be16(&cdb[7]) : cdb[4];
	u8 *buf = c->buf;

	if (pc == 3) {				/* saved values */
		sdext_sense(scmd, ILLEGAL_REQUEST, 0x39, 0x00);
		return false;
	}
	if (subpage && !(page == 0x3f && subpage == 0xff)) {
		sdext_invalid_field(scmd);
		return false;
	}

	len = hdr + bd;
	switch (page) {
	case 0x08:
		len += sdext_caching_page(&buf[len], pc);
		break;
	case 0x0a:
		len += sdext_control_page(&buf[len], pc, disk->ato);
		break;
	case 0x3f:
		len += sdext_caching_page(&buf[len], pc);
		len += sdext_control_page(&buf[len], pc, disk->ato);
		break;
	default:
		sdext_invalid_field(scmd);
		return false;
	}

	memset(buf, 0, hdr + bd);
	if (ten) {
		put_unaligned_be16(len - 2, &buf[0]);
		buf[3] = 0x10;			/* DPOFUA */
		put_unaligned_be16(bd, &buf[6]);
	} else {
		buf[0] = len - 1;
		buf[2] = 0x10;			/* DPOFUA */
		buf[3] = bd;
	}
	if (bd) {
		put_unaligned_be32(min_t(u64, disk->store.nr_blocks, 0xffffffff),
				   &buf[hdr]);
		put_unaligned_be24(disk->store.block_size, &buf[hdr + 5]);
	}
	sdext_respond(scmd, buf, len, alloc_len);
	return false;
}

/* One logical unit per target: LUN 0. */
bool sdext_spc_report_luns(struct sdext_cmd *c)
{
	const u8 *cdb = c->scmd->cmnd;
	unsigned int alloc_len = get_unaligned_be32(&cdb[6]);
	u8 *buf = c->buf;
	unsigned int nr;

	switch (cdb[2]) {
	case 0x00:
	case 0x02:
	case 0x10:
	case 0x12:
		nr = 1;
		break;
	case 0x01:
	case 0x11:
		nr = 0;			/* no well known logical units */
		break;
	default:
		sdext_invalid_field(c->scmd);
		return false;
	}
	if (alloc_len < 4) {
		sdext_invalid_field(c->scmd);
		return false;
	}
	memset(buf, 0, 8 + 8 * nr);
	put_unaligned_be32(8 * nr, &buf[0]);
	sdext_respond(c->scmd, buf, 8 + 8 * nr, alloc_len);
	return false;
}

/* REPORT SUPPORTED OPERATION CODES, all commands: 8-byte descriptors. */
static unsigned int sdext_report_all_opcodes(u8 *buf)
{
	unsigned int i;
	u8 *d = &buf[4];

	for (i = 0; i < sdext_nr_opdescs; i++, d += 8) {
		const struct sdext_opdesc *op = &sdext_opdescs[i];

		memset(d, 0, 8);
		d[0] = op->opcode;
		put_unaligned_be16(op->sa, &d[2]);
		d[5] = op->has_sa ? 0x01 : 0;	/* SERVACTV */
		put_unaligned_be16(op->cdb_len, &d[6]);
	}
	put_unaligned_be32(d - buf - 4, &buf[0]);
	return d - buf;
}

bool sdext_spc_report_opcodes(struct sdext_cmd *c)
{
	const u8 *cdb = c->scmd->cmnd;
	u8 options = cdb[2] & 0x07, opcode = cdb[3];
	u16 sa = get_unaligned_be16(&cdb[4]);
	unsigned int alloc_len = get_unaligned_be32(&cdb[6]);
	const struct sdext_opdesc *op;
	u8 *buf = c->buf;
	unsigned int len;
	bool has_sa;

	switch (options) {
	case 0:
		len = sdext_report_all_opcodes(buf);
		sdext_respond(c->scmd, buf, len, alloc_len);
		return false;
	case 1:			/* opcode, which must have no service action */
	case 2:			/* opcode and service action */
	case 3:			/* opcode, and service action if it has them */
		break;
	default:
		sdext_invalid_field(c->scmd);
		return false;
	}

	op = sdext_find_op(opcode, &has_sa, sa);
	if ((options == 1 && has_sa) || (options == 2 && !has_sa && op)) {
		sdext_invalid_field(c->scmd);
		return false;
	}

	memset(buf, 0, 4);
	len = 4;
	if (op) {
		buf[1] = 0x03;			/* SUPPORT: supported */
		put_unaligned_be16(op->cdb_len, &buf[2]);
		memcpy(&buf[4], op->usage, op->cdb_len);
		len += op->cdb_len;
	} else {
		buf[1] = 0x01;			/* SUPPORT: not supported */
	}
	sdext_respond(c->scmd, buf, len, alloc_len);
	return false;
}
