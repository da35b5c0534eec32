// SPDX-License-Identifier: GPL-2.0
/*
 * scsi_debug_ext: the SCSI host, its disks, queuecommand and the error
 * handler.
 *
 * One host under a root device /sys/devices/scsi_debug_ext, with one disk
 * (LUN 0) per target id.  The host declares DIF types 1-3, and with dix=1
 * also DIX types 0-3 with the guard chosen by the guard parameter, so sd
 * enables the matching integrity profile for the protection type the disks
 * are formatted with.
 */
#include <linux/device.h>
#include <linux/kernel.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <scsi/scsi.h>
#include <scsi/scsi_cmnd.h>
#include <scsi/scsi_device.h>
#include <scsi/scsi_host.h>

#include "sdext.h"

static struct device *sdext_root;
static struct Scsi_Host *sdext_shost;

static int sdext_queuecommand(struct Scsi_Host *shost, struct scsi_cmnd *scmd)
{
	struct sdext_disk *disk = scmd->device->hostdata;
	struct sdext_cmd *c = sdext_cmd(scmd);

	if (!disk) {
		scmd->result = DID_NO_CONNECT << 16;
		scsi_done(scmd);
		return 0;
	}

	c->disk = disk;
	c->op = SDEXT_OP_NONE;
	c->protect = 0;
	c->cdb32 = false;
	c->ws_unmap = false;
	c->ws_ndob = false;
	c->app_tag = 0;
	c->app_mask = 0;
	c->ref_tag = 0;
	c->lba = 0;
	c->nr_blocks = 0;
	c->param_len = 0;
	scmd->result = 0;
	scsi_set_resid(scmd, 0);

	if (!sdext_dispatch(c))
		c->op = SDEXT_OP_NONE;
	sdext_xfer_start(c);
	return 0;
}

static int sdext_init_cmd_priv(struct Scsi_Host *shost, struct scsi_cmnd *scmd)
{
	struct sdext_cmd *c = sdext_cmd(scmd);

	c->scmd = scmd;
	sdext_xfer_init_cmd(c);
	return 0;
}

static struct sdext_host *sdext_host_of(struct scsi_cmnd *scmd)
{
	return shost_priv(scmd->device->host);
}

static int sdext_eh_abort(struct scsi_cmnd *scmd)
{
	struct sdext_disk *disk = scmd->device->hostdata;

	if (sdext_cancel_cmd(sdext_host_of(scmd), sdext_cmd(scmd)) && disk)
		sdext_count(disk, SDEXT_STAT_ABORTS);
	return SUCCESS;
}

static int sdext_eh_device_reset(struct scsi_cmnd *scmd)
{
	struct sdext_disk *disk = scmd->device->hostdata;

	if (disk) {
		sdext_cancel_all(sdext_host_of(scmd), disk, DID_RESET << 16);
		sdext_count(disk, SDEXT_STAT_RESETS);
	}
	return SUCCESS;
}

static void sdext_reset_all(struct sdext_host *h)
{
	unsigned int i;

	sdext_cancel_all(h, NULL, DID_RESET << 16);
	for (i = 0; i < h->nr_disks; i++)
		sdext_count(h->disks[i], SDEXT_STAT_RESETS);
}

/* Bus and host reset: every disk. */
static int sdext_eh_host_reset(struct scsi_cmnd *scmd)
{
	sdext_reset_all(sdext_host_of(scmd));
	return SUCCESS;
}

/* A reset asked for through /sys/class/scsi_host/hostN/host_reset. */
static int sdext_host_reset(struct Scsi_Host *shost, int reset_type)
{
	sdext_reset_all(shost_priv(shost));
	return 0;
}

static int sdext_slave_alloc(struct scsi_device *sdev)
{
	struct sdext_host *h = shost_priv(sdev->host);

	if (sdev->channel || sdev->lun || sdev->id >= h->nr_disks)
		return -ENXIO;
	sdev->hostdata = h->disks[sdev->id];
	return 0;
}

static void sdext_slave_destroy(struct scsi_device *sdev)
{
	sdev->hostdata = NULL;
}

static struct scsi_host_template sdext_template = {
	.module			= THIS_MODULE,
	.name			= SDEXT_NAME,
	.proc_name		= SDEXT_NAME,
	.queuecommand		= sdext_queuecommand,
	.init_cmd_priv		= sdext_init_cmd_priv,
	.eh_abort_handler	= sdext_eh_abort,
	.eh_device_reset_handler = sdext_eh_device_reset,
	.eh_target_reset_handler = sdext_eh_device_reset,
	.eh_bus_reset_handler	= sdext_eh_host_reset,
	.eh_host_reset_handler	= sdext_eh_host_reset,
	.host_reset		= sdext_host_reset,
	.slave_alloc		= sdext_slave_alloc,
	.slave_destroy		= sdext_slave_destroy,
	.this_id		= -1,
	.sg_tablesize		= SG_ALL,
	.max_sectors		= SDEXT_MAX_SECTORS,
	.max_segment_size	= -1U,
	.skip_settle_delay	= 1,
	.sdev_groups		= sdext_sdev_groups,
};

static struct sdext_disk *sdext_disk_alloc(struct sdext_host *h,
					   unsigned int index)
{
	const struct sdext_params *p = &sdext_params;
	struct sdext_disk *disk;
	u64 nr_blocks;

	disk = kzalloc(sizeof(*disk), GFP_KERNEL);
	if (!disk)
		return NULL;
	disk->host = h;
	disk->index = index;
	nr_blocks = ((u64)p->dev_size_mb << 20) >> ilog2(p->sector_size);
	sdext_store_init(&disk->store, nr_blocks, p->sector_size, p->dif);
	disk->pi_type = p->dif;
	disk->ato = p->ato;
	disk->dma_delay_us = p->dma_delay_us;
	disk->completion_delay_us = p->completion_delay_us;
	spin_lock_init(&disk->fail_lock);
	snprintf(disk->serial, sizeof(disk->serial), "SDEXT%04u", index);
	return disk;
}

static void sdext_disks_free(struct sdext_host *h)
{
	unsigned int i;

	for (i = 0; i < h->nr_disks; i++) {
		sdext_store_destroy(&h->disks[i]->store);
		kfree(h->disks[i]);
		h->disks[i] = NULL;
	}
	h->nr_disks = 0;
}

static void sdext_set_protection(struct Scsi_Host *shost)
{
	const struct sdext_params *p = &sdext_params;
	unsigned int prot = SHOST_DIF_TYPE1_PROTECTION |
			    SHOST_DIF_TYPE2_PROTECTION |
			    SHOST_DIF_TYPE3_PROTECTION;

	if (p->dix)
		prot |= SHOST_DIX_TYPE0_PROTECTION |
			SHOST_DIX_TYPE1_PROTECTION |
			SHOST_DIX_TYPE2_PROTECTION |
			SHOST_DIX_TYPE3_PROTECTION;
	scsi_host_set_prot(shost, prot);
	if (p->dix)
		scsi_host_set_guard(shost, p->guard ? SHOST_DIX_GUARD_IP :
						      SHOST_DIX_GUARD_CRC);
}

int sdext_host_create(void)
{
	const struct sdext_params *p = &sdext_params;
	struct Scsi_Host *shost;
	struct sdext_host *h;
	unsigned int i;
	int ret;

	sdext_root = root_device_register(SDEXT_NAME);
	if (IS_ERR(sdext_root))
		return PTR_ERR(sdext_root);

	sdext_template.can_queue = p->max_queue;
	sdext_template.cmd_per_lun = p->max_queue;
	sdext_template.cmd_size = sizeof(struct sdext_cmd) + p->sector_size +
				  SDEXT_PI_SIZE;

	ret = -ENOMEM;
	shost = scsi_host_alloc(&sdext_template, sizeof(*h));
	if (!shost)
		goto out_root;
	h = shost_priv(shost);
	spin_lock_init(&h->lock);
	INIT_LIST_HEAD(&h->inflight);

	h->wq = alloc_workqueue("sdext_h%u", WQ_MEM_RECLAIM | WQ_HIGHPRI, 0,
				shost->host_no);
	if (!h->wq)
		goto out_put;
	for (i = 0; i < p->num_disks; i++) {
		h->disks[i] = sdext_disk_alloc(h, i);
		if (!h->disks[i])
			goto out_disks;
		h->nr_disks++;
	}

	shost->max_id = p->num_disks;
	shost->max_lun = 1;
	shost->max_channel = 0;
	shost->max_cmd_len = 32;
	sdext_set_protection(shost);

	ret = scsi_add_host(shost, sdext_root);
	if (ret)
		goto out_disks;
	sdext_shost = shost;
	scsi_scan_host(shost);

	pr_info("%s: host%u: %u disk(s) of %u MiB, %u-byte blocks, PI type %u, DIX %s, dma_delay_us=%u, completion_delay_us=%u\n",
		SDEXT_NAME, shost->host_no, p->num_disks, p->dev_size_mb,
		p->sector_size, p->dif,
		!p->dix ? "off" : p->guard ? "ip" : "crc",
		p->dma_delay_us, p->completion_delay_us);
	return 0;

out_disks:
	sdext_disks_free(h);
	destroy_workqueue(h->wq);
out_put:
	scsi_host_put(shost);
out_root:
	root_device_unregister(sdext_root);
	return ret;
}

void sdext_host_destroy(void)
{
	struct Scsi_Host *shost = sdext_shost;
	struct sdext_host *h = shost_priv(shost);

	/* Removes the disks: waits for every request to complete. */
	scsi_remove_host(shost);
	WARN_ON(!list_empty(&h->inflight));
	destroy_workqueue(h->wq);
	sdext_disks_free(h);
	scsi_host_put(shost);
	root_device_unregister(sdext_root);
}
