// SPDX-License-Identifier: GPL-2.0
/*
 * dm-stablepi: a device-mapper target that checks that write data stays
 * stable between the moment its T10 protection information is computed and
 * the moment the device reads it.
 *
 * Table line:
 *   <dev_path> <offset> [<#opt_params> <opt_params>...]
 *
 * See Documentation in docs/dm-stablepi.rst.
 */

#include <linux/blkdev.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "stablepi.h"

/* Reserve of the mempools: writes in flight that need no new memory. */
#define STPI_MIN_IOS		16
/* Whole writes the snapshot pool holds: copy mode copies every write. */
#define STPI_COPY_WRITES	4

static unsigned int stpi_snapshot_pages(const struct stpi_c *sc)
{
	return STPI_MAX_IO_PAGES *
	       (sc->cfg.mode == STPI_MODE_COPY ? STPI_COPY_WRITES : 1);
}

static void stpi_free(struct stpi_c *sc)
{
	stpi_vlog_exit(&sc->vlog);
	free_percpu(sc->stats);
	if (sc->retry_wq)
		destroy_workqueue(sc->retry_wq);
	if (sc->prep_wq)
		destroy_workqueue(sc->prep_wq);
	if (sc->io_wq)
		destroy_workqueue(sc->io_wq);
	mempool_exit(&sc->page_pool);
	mempool_exit(&sc->tuple_pool);
	bioset_exit(&sc->bs);
	if (sc->dev)
		dm_put_device(sc->ti, sc->dev);
	kfree(sc);
}

static int stpi_parse_location(struct dm_target *ti, struct dm_arg_set *as,
			       struct stpi_c *sc)
{
	const char *path = dm_shift_arg(as);
	unsigned long long start;
	sector_t dev_size;
	int r;

	if (kstrtoull(dm_shift_arg(as), 10, &start) || start != (sector_t)start) {
		ti->error = "Invalid offset (expected a number of 512-byte sectors)";
		return -EINVAL;
	}
	sc->start = start;

	r = dm_get_device(ti, path, dm_table_get_mode(ti->table), &sc->dev);
	if (r) {
		ti->error = "Device lookup failed";
		return r;
	}

	dev_size = bdev_nr_sectors(sc->dev->bdev);
	if (sc->start >= dev_size || ti->len > dev_size - sc->start) {
		ti->error = "Offset and length reach beyond the end of the device";
		return -EINVAL;
	}
	return 0;
}

static int stpi_check_config(struct dm_target *ti, struct stpi_c *sc)
{
	sector_t iv_sectors = sc->cfg.interval >> SECTOR_SHIFT;

	if (sc->start & (iv_sectors - 1)) {
		ti->error = "Offset is not a multiple of the interval";
		return -EINVAL;
	}
	if (ti->len & (iv_sectors - 1)) {
		ti->error = "Length is not a multiple of the interval";
		return -EINVAL;
	}
	return 0;
}

static int stpi_alloc(struct dm_target *ti, struct stpi_c *sc)
{
	int r;

	r = bioset_init(&sc->bs, STPI_MIN_IOS, 0, BIOSET_NEED_BVECS);
	if (!r && sc->lower_pi)
		r = bioset_integrity_create(&sc->bs, STPI_MIN_IOS);
	if (!r)
		r = mempool_init_page_pool(&sc->tuple_pool, STPI_MIN_IOS, 0);
	if (!r && (sc->cfg.mode == STPI_MODE_COPY || sc->cfg.mode == STPI_MODE_RETRY))
		r = mempool_init(&sc->page_pool, stpi_snapshot_pages(sc),
				 stpi_snapshot_page_alloc,
				 stpi_snapshot_page_free, NULL);
	if (r) {
		ti->error = "Cannot allocate bio, tuple and page pools";
		return -ENOMEM;
	}
	mutex_init(&sc->alloc_lock);

	sc->io_wq = alloc_workqueue("kstablepi_io/%s",
				    WQ_UNBOUND | WQ_MEM_RECLAIM, 0, sc->name);
	sc->prep_wq = alloc_workqueue("kstablepi_prep/%s", WQ_MEM_RECLAIM, 0,
				      sc->name);
	if (sc->cfg.mode == STPI_MODE_RETRY)
		sc->retry_wq = alloc_workqueue("kstablepi_retry/%s",
					       WQ_MEM_RECLAIM, 0, sc->name);
	sc->stats = alloc_percpu(struct stpi_stats);
	if (!sc->io_wq || !sc->prep_wq || !sc->stats ||
	    (sc->cfg.mode == STPI_MODE_RETRY && !sc->retry_wq)) {
		ti->error = "Cannot allocate workqueues and counters";
		return -ENOMEM;
	}
	if (stpi_vlog_init(&sc->vlog, sc->cfg.log_size)) {
		ti->error = "Cannot allocate the violation log";
		return -ENOMEM;
	}
	return 0;
}

/*
 * Construct a mapping:
 *   <dev_path> <offset> [<#opt_params> <opt_params>...]
 */
static int stpi_ctr(struct dm_target *ti, unsigned int argc, char **argv)
{
	struct dm_arg_set as = { .argc = argc, .argv = argv };
	struct stpi_c *sc;
	int r;

	if (argc < 2) {
		ti->error = "Expected <dev_path> <offset> [<#opt_params> <opt_params>...]";
		return -EINVAL;
	}

	sc = kzalloc(sizeof(*sc), GFP_KERNEL);
	if (!sc) {
		ti->error = "Cannot allocate context";
		return -ENOMEM;
	}
	sc->ti = ti;
	sc->name = dm_device_name(dm_table_get_md(ti->table));
	ratelimit_state_init(&sc->log_rs, DEFAULT_RATELIMIT_INTERVAL,
			     DEFAULT_RATELIMIT_BURST);

	r = stpi_parse_location(ti, &as, sc);
	if (!r)
		r = stpi_config_parse(ti, &as, &sc->cfg, sc->dev->bdev);
	if (!r)
		r = stpi_check_config(ti, sc);
	if (r)
		goto bad;

	sc->profile = stpi_pi_profile(sc->cfg.type, sc->cfg.guard);
	sc->lower_pi = !!bdev_get_integrity(sc->dev->bdev);
	sc->interval_shift = ilog2(sc->cfg.interval);

	r = stpi_alloc(ti, sc);
	if (r)
		goto bad;

	r = dm_set_target_max_io_len(ti, STPI_MAX_IO_SECTORS);
	if (r)
		goto bad;
	ti->num_flush_bios = 1;
	ti->num_discard_bios = 1;
	ti->num_write_zeroes_bios = 1;
	ti->per_io_data_size = sizeof(struct stpi_io);
	ti->accounts_remapped_io = true;
	ti->needs_stable_writes = sc->cfg.stable_writes;
	ti->private = sc;
	return 0;

bad:
	stpi_free(sc);
	return r;
}

static void stpi_dtr(struct dm_target *ti)
{
	stpi_free(ti->private);
}

/*
 * dm core asks for stable pages whenever a lower device does (a disk with
 * an integrity profile always does).  The table's stable_writes decides
 * instead, applied after dm core set the queue up and before I/O resumes.
 */
static void stpi_resume(struct dm_target *ti)
{
	struct request_queue *q = dm_disk(dm_table_get_md(ti->table))->queue;
	struct stpi_c *sc = ti->private;

	if (sc->cfg.stable_writes)
		blk_queue_flag_set(QUEUE_FLAG_STABLE_WRITES, q);
	else
		blk_queue_flag_clear(QUEUE_FLAG_STABLE_WRITES, q);
}

static void stpi_status(struct dm_target *ti, status_type_t type,
			unsigned int status_flags, char *result,
		       unsigned int maxlen)
{
	struct stpi_c *sc = ti->private;
	u64 sum[STPI_NR_STATS];
	unsigned int sz = 0, i;

	switch (type) {
	case STATUSTYPE_INFO:
		stpi_stats_sum(sc, sum);
		for (i = 0; i < STPI_NR_STATS; i++)
			DMEMIT("%s%llu", i ? " " : "", sum[i]);
		break;
	case STATUSTYPE_TABLE:
		DMEMIT("%s %llu", sc->dev->name, (unsigned long long)sc->start);
		stpi_config_emit(&sc->cfg, result, maxlen, &sz);
		break;
	case STATUSTYPE_IMA:
		DMEMIT_TARGET_NAME_VERSION(ti->type);
		DMEMIT(",device_name=%s,start=%llu,mode=%s,interval=%u,hold_us=%u;",
		       sc->dev->name, (unsigned long long)sc->start,
		       stpi_mode_name(sc->cfg.mode), sc->cfg.interval,
		       sc->cfg.hold_us);
		break;
	}
}

static int stpi_message_violations(struct stpi_c *sc, unsigned int argc,
				   char **argv, char *result,
				  unsigned int maxlen)
{
	unsigned int max = 16;

	if (argc > 2 || (argc == 2 && (kstrtouint(argv[1], 10, &max) ||
				       !max || max > STPI_LOG_MAX))) {
		DMWARN_LIMIT("%s: usage: violations [N], N from 1 to %u",
			     sc->name, STPI_LOG_MAX);
		return -EINVAL;
	}
	stpi_vlog_emit(&sc->vlog, max, result, maxlen);
	return 1;
}

static int stpi_message(struct dm_target *ti, unsigned int argc, char **argv,
			char *result, unsigned int maxlen)
{
	struct stpi_c *sc = ti->private;

	if (!strcmp(argv[0], "violations"))
		return stpi_message_violations(sc, argc, argv, result, maxlen);

	if (!strcmp(argv[0], "stages")) {
		if (argc != 1)
			goto no_argument;
		stpi_stages_emit(sc, result, maxlen);
		return 1;
	}
	if (!strcmp(argv[0], "clear_stats")) {
		if (argc != 1)
			goto no_argument;
		stpi_stats_clear(sc);
		return 0;
	}
	if (!strcmp(argv[0], "clear_violations")) {
		if (argc != 1)
			goto no_argument;
		stpi_vlog_clear(&sc->vlog);
		return 0;
	}

	DMWARN_LIMIT("%s: unknown message '%s': try %s", sc->name, argv[0],
		     "violations [N], stages, clear_stats, clear_violations");
	return -EINVAL;

no_argument:
	DMWARN_LIMIT("%s: %s takes no argument", sc->name, argv[0]);
	return -EINVAL;
}

static void stpi_io_hints(struct dm_target *ti, struct queue_limits *limits)
{
	unsigned int interval = ((struct stpi_c *)ti->private)->cfg.interval;

	limits->logical_block_size = max(limits->logical_block_size, interval);
	limits->physical_block_size = max(limits->physical_block_size, interval);
	blk_limits_io_min(limits, interval);
}

/*
 * Ioctls, SG_IO included, go to the lower device (sg3_utils work on the
 * stablepi device), without any check by stablepi.  Only a mapping of the
 * whole lower device passes them unprivileged, as dm-linear does.
 */
static int stpi_prepare_ioctl(struct dm_target *ti, struct block_device **bdev)
{
	struct stpi_c *sc = ti->private;

	*bdev = sc->dev->bdev;
	if (sc->start || ti->len != bdev_nr_sectors(*bdev))
		return 1;
	return 0;
}

static int stpi_iterate_devices(struct dm_target *ti,
				iterate_devices_callout_fn fn, void *data)
{
	struct stpi_c *sc = ti->private;

	return fn(ti, sc->dev, sc->start, ti->len, data);
}

static struct target_type stpi_target = {
	.name		 = "stablepi",
	.version	 = {1, 1, 0},
	.module		 = THIS_MODULE,
	.ctr		 = stpi_ctr,
	.dtr		 = stpi_dtr,
	.map		 = stpi_map,
	.end_io		 = stpi_end_io,
	.resume		 = stpi_resume,
	.status		 = stpi_status,
	.message	 = stpi_message,
	.io_hints	 = stpi_io_hints,
	.prepare_ioctl	 = stpi_prepare_ioctl,
	.iterate_devices = stpi_iterate_devices,
};

static int __init dm_stablepi_init(void)
{
	return dm_register_target(&stpi_target);
}

static void __exit dm_stablepi_exit(void)
{
	dm_unregister_target(&stpi_target);
}

module_init(dm_stablepi_init);
module_exit(dm_stablepi_exit);

MODULE_DESCRIPTION(DM_NAME " target checking that write data stays stable under T10 PI");
/*
 * Loading a table with an unknown target makes dm core request_module()
 * "dm-<target name>".  The module's own name already matches; the alias
 * keeps "dmsetup create ... stablepi ..." autoloading it whatever the
 * object file is called.
 */
MODULE_ALIAS("dm-stablepi");
MODULE_AUTHOR("dm-stablepi developers");
MODULE_LICENSE("GPL");
