// SPDX-License-Identifier: GPL-2.0
/*
 * dm-stablepi: a device-mapper target that checks that write data stays
 * stable between the moment its protection information is computed and the
 * moment the device reads it.
 *
 * This is the skeleton: a pass-through mapping "<dev_path> <offset>".
 */

#include <linux/blkdev.h>
#include <linux/device-mapper.h>
#include <linux/module.h>
#include <linux/slab.h>

#define DM_MSG_PREFIX "stablepi"

struct stablepi_c {
	struct dm_dev *dev;
	sector_t start;
};

/* Construct a pass-through mapping: <dev_path> <offset> */
static int stablepi_ctr(struct dm_target *ti, unsigned int argc, char **argv)
{
	struct stablepi_c *sc;
	unsigned long long start;
	char dummy;
	int r;

	if (argc != 2) {
		ti->error = "Expected <dev_path> <offset>";
		return -EINVAL;
	}

	sc = kzalloc(sizeof(*sc), GFP_KERNEL);
	if (!sc) {
		ti->error = "Cannot allocate context";
		return -ENOMEM;
	}

	if (sscanf(argv[1], "%llu%c", &start, &dummy) != 1 ||
	    start != (sector_t)start) {
		ti->error = "Invalid offset";
		r = -EINVAL;
		goto bad;
	}
	sc->start = start;

	r = dm_get_device(ti, argv[0], dm_table_get_mode(ti->table), &sc->dev);
	if (r) {
		ti->error = "Device lookup failed";
		goto bad;
	}

	ti->num_flush_bios = 1;
	ti->num_discard_bios = 1;
	ti->num_write_zeroes_bios = 1;
	ti->private = sc;
	return 0;

bad:
	kfree(sc);
	return r;
}

static void stablepi_dtr(struct dm_target *ti)
{
	struct stablepi_c *sc = ti->private;

	dm_put_device(ti, sc->dev);
	kfree(sc);
}

static int stablepi_map(struct dm_target *ti, struct bio *bio)
{
	struct stablepi_c *sc = ti->private;

	bio_set_dev(bio, sc->dev->bdev);
	if (bio_sectors(bio) || op_is_zone_mgmt(bio_op(bio)))
		bio->bi_iter.bi_sector = sc->start +
			dm_target_offset(ti, bio->bi_iter.bi_sector);

	return DM_MAPIO_REMAPPED;
}

static void stablepi_status(struct dm_target *ti, status_type_t type,
			    unsigned int status_flags, char *result,
			    unsigned int maxlen)
{
	struct stablepi_c *sc = ti->private;
	unsigned int sz = 0;

	switch (type) {
	case STATUSTYPE_INFO:
		result[0] = '\0';
		break;
	case STATUSTYPE_TABLE:
		DMEMIT("%s %llu", sc->dev->name, (unsigned long long)sc->start);
		break;
	case STATUSTYPE_IMA:
		result[0] = '\0';
		break;
	}
}

static int stablepi_iterate_devices(struct dm_target *ti,
				    iterate_devices_callout_fn fn, void *data)
{
	struct stablepi_c *sc = ti->private;

	return fn(ti, sc->dev, sc->start, ti->len, data);
}

static struct target_type stablepi_target = {
	.name		 = "stablepi",
	.version	 = {0, 1, 0},
	.module		 = THIS_MODULE,
	.ctr		 = stablepi_ctr,
	.dtr		 = stablepi_dtr,
	.map		 = stablepi_map,
	.status		 = stablepi_status,
	.iterate_devices = stablepi_iterate_devices,
};

static int __init dm_stablepi_init(void)
{
	return dm_register_target(&stablepi_target);
}

static void __exit dm_stablepi_exit(void)
{
	dm_unregister_target(&stablepi_target);
}

module_init(dm_stablepi_init);
module_exit(dm_stablepi_exit);

MODULE_DESCRIPTION(DM_NAME " target checking that write data stays stable under PI");
MODULE_AUTHOR("dm-stablepi developers");
MODULE_LICENSE("GPL");
