// SPDX-License-Identifier: GPL-2.0
/*
 * scsi_debug_ext: module load and unload.
 *
 * One SCSI host with num_disks RAM disks.  Each disk can be formatted with
 * protection information, and the HBA it sits behind moves data and checks
 * PI late: dma_delay_us after queuecommand.  See docs/scsi_debug_ext.rst.
 */
#include <linux/bug.h>
#include <linux/module.h>
#include <linux/printk.h>

#include "sdext.h"

static int __init sdext_init(void)
{
	int ret;

	ret = sdext_params_validate();
	if (ret)
		return ret;
	return sdext_host_create();
}

static void __exit sdext_exit(void)
{
	long live;

	sdext_host_destroy();
	live = atomic_long_read(&sdext_store_live_pages);
	WARN(live, "%s: %ld store pages leaked\n", SDEXT_NAME, live);
}

module_init(sdext_init);
module_exit(sdext_exit);

MODULE_DESCRIPTION("Emulated SCSI disk with protection information and late DMA");
MODULE_LICENSE("GPL");
