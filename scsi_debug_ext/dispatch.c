// SPDX-License-Identifier: GPL-2.0
/*
 * scsi_debug_ext: the command table, CDB dispatch and sense data.
 *
 * Every command the disk supports has one entry below, with its handler and
 * its CDB usage data.  The table drives both the dispatch and REPORT
 * SUPPORTED OPERATION CODES, so what the disk reports is what it does.
 * Anything not in the table fails with ILLEGAL REQUEST, INVALID COMMAND
 * OPERATION CODE (or INVALID FIELD IN CDB for an unknown service action).
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include <asm/unaligned.h>
#include <scsi/scsi_cmnd.h>
#include <scsi/scsi_common.h>
#include <scsi/scsi_proto.h>

#include "sdext.h"

#define SDEXT_SAI_READ_CAPACITY_16	0x10
#define SDEXT_MI_REPORT_OPCODES		0x0c
#define SDEXT_VLC_READ_32		0x0009
#define SDEXT_VLC_WRITE_32		0x000b

/* Byte 1 of a READ or WRITE: RDPROTECT/WRPROTECT, DPO, FUA. */
#define SDEXT_RW_FLAGS			0xf8

const struct sdext_opdesc sdext_opdescs[] = {
	{ TEST_UNIT_READY, false, 0, 6, sdext_spc_tur,
	  { TEST_UNIT_READY, 0, 0, 0, 0, 0 } },
	{ REQUEST_SENSE, false, 0, 6, sdext_spc_request_sense,
	  { REQUEST_SENSE, 0x01, 0, 0, 0xff, 0 } },
	{ INQUIRY, false, 0, 6, sdext_spc_inquiry,
	  { INQUIRY, 0x01, 0xff, 0xff, 0xff, 0 } },
	{ MODE_SENSE, false, 0, 6, sdext_spc_mode_sense,
	  { MODE_SENSE, 0x08, 0xff, 0xff, 0xff, 0 } },
	{ READ_CAPACITY, false, 0, 10, sdext_sbc_read_capacity10,
	  { READ_CAPACITY, 0, 0, 0, 0, 0, 0, 0, 0, 0 } },
	{ READ_10, false, 0, 10, sdext_sbc_rw,
	  { READ_10, SDEXT_RW_FLAGS, 0xff, 0xff, 0xff, 0xff, 0, 0xff, 0xff,
	    0 } },
	{ WRITE_10, false, 0, 10, sdext_sbc_rw,
	  { WRITE_10, SDEXT_RW_FLAGS, 0xff, 0xff, 0xff, 0xff, 0, 0xff, 0xff,
	    0 } },
	{ SYNCHRONIZE_CACHE, false, 0, 10, sdext_sbc_sync_cache,
	  { SYNCHRONIZE_CACHE, 0, 0xff, 0xff, 0xff, 0xff, 0, 0xff, 0xff,
	    0 } },
	{ UNMAP, false, 0, 10, sdext_sbc_unmap,
	  { UNMAP, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0 } },
	{ MODE_SENSE_10, false, 0, 10, sdext_spc_mode_sense,
	  { MODE_SENSE_10, 0x08, 0xff, 0xff, 0, 0, 0, 0xff, 0xff, 0 } },
	{ VARIABLE_LENGTH_CMD, true, SDEXT_VLC_READ_32, 32, sdext_sbc_rw32,
	  { VARIABLE_LENGTH_CMD, 0, 0, 0, 0, 0, 0, 0x18, 0, 0xff,
	    SDEXT_RW_FLAGS, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff } },
	{ VARIABLE_LENGTH_CMD, true, SDEXT_VLC_WRITE_32, 32, sdext_sbc_rw32,
	  { VARIABLE_LENGTH_CMD, 0, 0, 0, 0, 0, 0, 0x18, 0, 0xff,
	    SDEXT_RW_FLAGS, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff } },
	{ READ_16, false, 0, 16, sdext_sbc_rw,
	  { READ_16, SDEXT_RW_FLAGS, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0, 0 } },
	{ WRITE_16, false, 0, 16, sdext_sbc_rw,
	  { WRITE_16, SDEXT_RW_FLAGS, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0, 0 } },
	{ SYNCHRONIZE_CACHE_16, false, 0, 16, sdext_sbc_sync_cache,
	  { SYNCHRONIZE_CACHE_16, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0, 0 } },
	{ WRITE_SAME_16, false, 0, 16, sdext_sbc_write_same16,
	  { WRITE_SAME_16, 0xe9, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0, 0 } },
	{ SERVICE_ACTION_IN_16, true, SDEXT_SAI_READ_CAPACITY_16, 16,
	  sdext_sbc_read_capacity16,
	  { SERVICE_ACTION_IN_16, SDEXT_SAI_READ_CAPACITY_16, 0, 0, 0, 0, 0, 0,
	    0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0 } },
	{ REPORT_LUNS, false, 0, 12, sdext_spc_report_luns,
	  { REPORT_LUNS, 0, 0xff, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0 } },
	{ MAINTENANCE_IN, true, SDEXT_MI_REPORT_OPCODES, 12,
	  sdext_spc_report_opcodes,
	  { MAINTENANCE_IN, SDEXT_MI_REPORT_OPCODES, 0x07, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0, 0 } },
};

const unsigned int sdext_nr_opdescs = ARRAY_SIZE(sdext_opdescs);

/*
 * The entry for @opcode (and @sa, if the opcode has service actions).
 * *@has_sa tells whether the opcode has service actions at all.
 */
const struct sdext_opdesc *sdext_find_op(u8 opcode, bool *has_sa, u16 sa)
{
	unsigned int i;

	*has_sa = false;
	for (i = 0; i < sdext_nr_opdescs; i++) {
		const struct sdext_opdesc *d = &sdext_opdescs[i];

		if (d->opcode != opcode)
			continue;
		*has_sa = d->has_sa;
		if (!d->has_sa || d->sa == sa)
			return d;
	}
	return NULL;
}

void sdext_sense(struct scsi_cmnd *scmd, u8 key, u8 asc, u8 ascq)
{
	memset(scmd->sense_buffer, 0, SCSI_SENSE_BUFFERSIZE);
	scsi_build_sense(scmd, 0, key, asc, ascq);
}

/* Sense data with the INFORMATION field, e.g. the LBA that failed. */
void sdext_sense_info(struct scsi_cmnd *scmd, u8 key, u8 asc, u8 ascq,
		      u64 info)
{
	sdext_sense(scmd, key, asc, ascq);
	scsi_set_sense_information(scmd->sense_buffer, SCSI_SENSE_BUFFERSIZE,
				   info);
}

void sdext_invalid_field(struct scsi_cmnd *scmd)
{
	sdext_sense(scmd, ILLEGAL_REQUEST, 0x24, 0x00);
}

void sdext_invalid_opcode(struct scsi_cmnd *scmd)
{
	sdext_sense(scmd, ILLEGAL_REQUEST, 0x20, 0x00);
}

void sdext_lba_out_of_range(struct scsi_cmnd *scmd)
{
	sdext_sense(scmd, ILLEGAL_REQUEST, 0x21, 0x00);
}

/* Return @len bytes of parameter data, cut to the allocation length. */
int sdext_respond(struct scsi_cmnd *scmd, const void *buf, unsigned int len,
		  unsigned int alloc_len)
{
	int copied;

	copied = scsi_sg_copy_from_buffer(scmd, buf, min(len, alloc_len));
	scsi_set_resid(scmd, scsi_bufflen(scmd) - copied);
	return copied;
}

/*
 * Decode the CDB of @c and run it.  Commands without a data transfer to or
 * from the medium are answered here; for the others the handler only decodes
 * and checks the CDB, and this returns true: the late-DMA engine moves the
 * data.
 */
bool sdext_dispatch(struct sdext_cmd *c)
{
	struct scsi_cmnd *scmd = c->scmd;
	const u8 *cdb = scmd->cmnd;
	const struct sdext_opdesc *d;
	bool has_sa;
	u16 sa = 0;

	switch (cdb[0]) {
	case SERVICE_ACTION_IN_16:
	case MAINTENANCE_IN:
		sa = cdb[1] & 0x1f;
		break;
	case VARIABLE_LENGTH_CMD:
		if (scmd->cmd_len >= 10)
			sa = get_unaligned_be16(&cdb[8]);
		break;
	}

	d = sdext_find_op(cdb[0], &has_sa, sa);
	if (!d) {
		if (has_sa)
			sdext_invalid_field(scmd);
		else
			sdext_invalid_opcode(scmd);
		return false;
	}
	if (scmd->cmd_len < d->cdb_len) {
		sdext_invalid_opcode(scmd);
		return false;
	}
	return d->handler(c);
}
