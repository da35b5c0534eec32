// SPDX-License-Identifier: GPL-2.0
/*
 * scsi_debug_ext: module parameters and their validation.
 *
 * Every parameter is read-only once the module is loaded.  A value out of
 * range makes the load fail with -EINVAL and a message naming the parameter
 * and the value.  dma_delay_us and completion_delay_us are the initial values
 * of the per-disk sysfs attributes of the same names.
 */
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/printk.h>

#include "sdext.h"

struct sdext_params sdext_params = {
	.num_disks		= 1,
	.dev_size_mb		= 64,
	.sector_size		= 512,
	.dif			= 1,
	.dix			= 1,
	.guard			= 0,
	.ato			= 1,
	.dma_delay_us		= 0,
	.completion_delay_us	= 0,
	.max_queue		= 64,
};

module_param_named(num_disks, sdext_params.num_disks, uint, 0444);
MODULE_PARM_DESC(num_disks, "number of disks on the host, 1-16 (default 1)");
module_param_named(dev_size_mb, sdext_params.dev_size_mb, uint, 0444);
MODULE_PARM_DESC(dev_size_mb, "size of each disk in MiB, RAM allocated on first write (default 64)");
module_param_named(sector_size, sdext_params.sector_size, uint, 0444);
MODULE_PARM_DESC(sector_size, "logical block size, 512 or 4096 (default 512)");
module_param_named(dif, sdext_params.dif, uint, 0444);
MODULE_PARM_DESC(dif, "protection type the disks are formatted with, 0-3 (default 1)");
module_param_named(dix, sdext_params.dix, uint, 0444);
MODULE_PARM_DESC(dix, "1: the HBA exchanges PI with the host (DIX), 0: it does not (default 1)");
module_param_named(guard, sdext_params.guard, uint, 0444);
MODULE_PARM_DESC(guard, "DIX guard: 0 = T10 CRC, 1 = IP checksum (default 0)");
module_param_named(ato, sdext_params.ato, uint, 0444);
MODULE_PARM_DESC(ato, "application tag owned by the host (control mode page ATO), 0 or 1 (default 1)");
module_param_named(dma_delay_us, sdext_params.dma_delay_us, uint, 0444);
MODULE_PARM_DESC(dma_delay_us, "initial delay from queuecommand to the data transfer and PI check, in us (default 0)");
module_param_named(completion_delay_us, sdext_params.completion_delay_us, uint, 0444);
MODULE_PARM_DESC(completion_delay_us, "initial delay from the transfer to the completion, in us (default 0)");
module_param_named(max_queue, sdext_params.max_queue, uint, 0444);
MODULE_PARM_DESC(max_queue, "commands the host accepts at once, 1-256 (default 64)");

static int sdext_bad(const char *name, unsigned int val, const char *rule)
{
	pr_err("%s: invalid %s=%u: %s\n", SDEXT_NAME, name, val, rule);
	return -EINVAL;
}

int sdext_params_validate(void)
{
	const struct sdext_params *p = &sdext_params;

	if (p->num_disks < 1 || p->num_disks > SDEXT_MAX_DISKS)
		return sdext_bad("num_disks", p->num_disks, "must be 1-16");
	if (p->dev_size_mb < 1 || p->dev_size_mb > SDEXT_MAX_DEV_SIZE_MB)
		return sdext_bad("dev_size_mb", p->dev_size_mb,
				 "must be 1-1048576");
	if (p->sector_size != 512 && p->sector_size != 4096)
		return sdext_bad("sector_size", p->sector_size,
				 "must be 512 or 4096");
	if (p->dif > T10_PI_TYPE3_PROTECTION)
		return sdext_bad("dif", p->dif, "must be 0, 1, 2 or 3");
	if (p->dix > 1)
		return sdext_bad("dix", p->dix, "must be 0 or 1");
	if (p->guard > 1)
		return sdext_bad("guard", p->guard, "must be 0 (CRC) or 1 (IP)");
	if (p->guard && !p->dix)
		return sdext_bad("guard", p->guard,
				 "the IP checksum guard needs dix=1");
	if (p->ato > 1)
		return sdext_bad("ato", p->ato, "must be 0 or 1");
	if (p->dma_delay_us > SDEXT_MAX_DELAY_US)
		return sdext_bad("dma_delay_us", p->dma_delay_us,
				 "must be at most 10000000");
	if (p->completion_delay_us > SDEXT_MAX_DELAY_US)
		return sdext_bad("completion_delay_us", p->completion_delay_us,
				 "must be at most 10000000");
	if (p->max_queue < 1 || p->max_queue > SDEXT_MAX_QUEUE)
		return sdext_bad("max_queue", p->max_queue, "must be 1-256");
	return 0;
}
