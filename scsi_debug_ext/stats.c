// SPDX-License-Identifier: GPL-2.0
/*
 * scsi_debug_ext: the per-disk sysfs attributes: the late-DMA knobs, the
 * counters and the records of protection information failures.  They are
 * in the "sdext" group of the SCSI device:
 *
 *   /sys/bus/scsi/devices/H:C:T:L/sdext/    (= /sys/block/sdX/device/sdext/)
 *
 * dma_delay_us and completion_delay_us are writable at any time and apply to
 * the commands queued after the write.  Writing anything to reset_stats zeroes
 * the counters and forgets the failure records.
 */
#include <linux/device.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/sysfs.h>
#include <scsi/scsi_device.h>

#include "sdext.h"

static struct sdext_disk *sdext_dev_disk(struct device *dev)
{
	return to_scsi_device(dev)->hostdata;
}

static ssize_t sdext_delay_show(unsigned int *delay, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(*delay));
}

static ssize_t sdext_delay_store(unsigned int *delay, const char *buf,
				 size_t count)
{
	unsigned int val;
	int ret;

	ret = kstrtouint(buf, 0, &val);
	if (ret)
		return ret;
	if (val > SDEXT_MAX_DELAY_US)
		return -EINVAL;
	WRITE_ONCE(*delay, val);
	return count;
}

static ssize_t dma_delay_us_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	return sdext_delay_show(&sdext_dev_disk(dev)->dma_delay_us, buf);
}

static ssize_t dma_delay_us_store(struct device *dev,
				  struct device_attribute *attr,
				  const char *buf, size_t count)
{
	return sdext_delay_store(&sdext_dev_disk(dev)->dma_delay_us, buf,
				 count);
}
static DEVICE_ATTR_RW(dma_delay_us);

static ssize_t completion_delay_us_show(struct device *dev,
					struct device_attribute *attr,
					char *buf)
{
	return sdext_delay_show(&sdext_dev_disk(dev)->completion_delay_us,
				buf);
}

static ssize_t completion_delay_us_store(struct device *dev,
					 struct device_attribute *attr,
					 const char *buf, size_t count)
{
	return sdext_delay_store(&sdext_dev_disk(dev)->completion_delay_us,
				 buf, count);
}
static DEVICE_ATTR_RW(completion_delay_us);

struct sdext_stat_attr {
	struct device_attribute attr;
	enum sdext_stat stat;
};

static ssize_t sdext_stat_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct sdext_stat_attr *sa = container_of(attr, struct sdext_stat_attr,
						  attr);

	return sysfs_emit(buf, "%lld\n",
			  atomic64_read(&sdext_dev_disk(dev)->stats[sa->stat]));
}

#define SDEXT_STAT_ATTR(_name, _stat)					\
	static struct sdext_stat_attr sdext_attr_##_name = {		\
		.attr = __ATTR(_name, 0444, sdext_stat_show, NULL),	\
		.stat = _stat,						\
	}

SDEXT_STAT_ATTR(reads, SDEXT_STAT_READS);
SDEXT_STAT_ATTR(writes, SDEXT_STAT_WRITES);
SDEXT_STAT_ATTR(dix_reads, SDEXT_STAT_DIX_READS);
SDEXT_STAT_ATTR(dix_writes, SDEXT_STAT_DIX_WRITES);
SDEXT_STAT_ATTR(write_same, SDEXT_STAT_WRITE_SAME);
SDEXT_STAT_ATTR(unmap, SDEXT_STAT_UNMAP);
SDEXT_STAT_ATTR(sync_cache, SDEXT_STAT_SYNC);
SDEXT_STAT_ATTR(guard_errors, SDEXT_STAT_GUARD_ERRORS);
SDEXT_STAT_ATTR(app_errors, SDEXT_STAT_APP_ERRORS);
SDEXT_STAT_ATTR(ref_errors, SDEXT_STAT_REF_ERRORS);
SDEXT_STAT_ATTR(deferred, SDEXT_STAT_DEFERRED);
SDEXT_STAT_ATTR(aborts, SDEXT_STAT_ABORTS);
SDEXT_STAT_ATTR(resets, SDEXT_STAT_RESETS);

static ssize_t store_pages_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lu\n",
			  sdext_store_pages(&sdext_dev_disk(dev)->store));
}
static DEVICE_ATTR_RO(store_pages);

static const char *const sdext_check_names[] = {
	[SDEXT_PI_GUARD]	= "guard",
	[SDEXT_PI_APP]		= "app",
	[SDEXT_PI_REF]		= "ref",
};

/* As the SCSI sense strings say it, which the test runner looks for. */
static const char *const sdext_check_log_names[] = {
	[SDEXT_PI_GUARD]	= "guard",
	[SDEXT_PI_APP]		= "application tag",
	[SDEXT_PI_REF]		= "reference tag",
};

static const char *const sdext_checker_names[] = {
	[SDEXT_BY_HBA]		= "hba",
	[SDEXT_BY_DISK]		= "disk",
};

static const enum sdext_stat sdext_check_stats[] = {
	[SDEXT_PI_GUARD]	= SDEXT_STAT_GUARD_ERRORS,
	[SDEXT_PI_APP]		= SDEXT_STAT_APP_ERRORS,
	[SDEXT_PI_REF]		= SDEXT_STAT_REF_ERRORS,
};

/*
 * Count a protection information failure and keep its record; the last
 * SDEXT_FAIL_RECORDS records are kept.  Also logged, rate limited.
 */
void sdext_record_failure(struct sdext_disk *disk, u64 lba, bool write,
			  enum sdext_checker by, enum sdext_pi_check check,
			  u32 expected, u32 received)
{
	struct sdext_fail_rec *rec;
	unsigned long flags;

	sdext_count(disk, sdext_check_stats[check]);

	spin_lock_irqsave(&disk->fail_lock, flags);
	rec = &disk->fails[disk->fail_seq % SDEXT_FAIL_RECORDS];
	rec->seq = ++disk->fail_seq;
	rec->time = ktime_get();
	rec->lba = lba;
	rec->expected = expected;
	rec->received = received;
	rec->check = check;
	rec->by = by;
	rec->write = write;
	spin_unlock_irqrestore(&disk->fail_lock, flags);

	pr_notice_ratelimited("%s: disk %u: %s: %s check failed (%s) at LBA %llu: expected 0x%x, received 0x%x\n",
			      SDEXT_NAME, disk->index,
			      write ? "write" : "read",
			      sdext_check_log_names[check],
			      sdext_checker_names[by], lba, expected,
			      received);
}

/* One line per record, oldest first. */
static ssize_t failures_show(struct device *dev,
			     struct device_attribute *attr, char *buf)
{
	struct sdext_disk *disk = sdext_dev_disk(dev);
	struct sdext_fail_rec rec;
	unsigned long flags;
	u64 seq, first;
	int len = 0;

	spin_lock_irqsave(&disk->fail_lock, flags);
	seq = disk->fail_seq;
	spin_unlock_irqrestore(&disk->fail_lock, flags);
	first = seq > SDEXT_FAIL_RECORDS ? seq - SDEXT_FAIL_RECORDS : 0;

	for (; first < seq; first++) {
		struct timespec64 ts;

		spin_lock_irqsave(&disk->fail_lock, flags);
		rec = disk->fails[first % SDEXT_FAIL_RECORDS];
		spin_unlock_irqrestore(&disk->fail_lock, flags);
		if (rec.seq != first + 1)	/* overwritten meanwhile */
			continue;
		ts = ktime_to_timespec64(rec.time);
		len += sysfs_emit_at(buf, len,
				     "seq=%llu time=%lld.%06ld op=%s by=%s check=%s lba=%llu expected=0x%x received=0x%x\n",
				     rec.seq, (s64)ts.tv_sec,
				     ts.tv_nsec / NSEC_PER_USEC,
				     rec.write ? "write" : "read",
				     sdext_checker_names[rec.by],
				     sdext_check_names[rec.check], rec.lba,
				     rec.expected, rec.received);
	}
	return len;
}
static DEVICE_ATTR_RO(failures);

static ssize_t reset_stats_store(struct device *dev,
				 struct device_attribute *attr,
				 const char *buf, size_t count)
{
	struct sdext_disk *disk = sdext_dev_disk(dev);
	unsigned long flags;
	unsigned int i;

	for (i = 0; i < SDEXT_NR_STATS; i++)
		atomic64_set(&disk->stats[i], 0);
	spin_lock_irqsave(&disk->fail_lock, flags);
	disk->fail_seq = 0;
	memset(disk->fails, 0, sizeof(disk->fails));
	spin_unlock_irqrestore(&disk->fail_lock, flags);
	return count;
}
static DEVICE_ATTR_WO(reset_stats);

static struct attribute *sdext_attrs[] = {
	&dev_attr_dma_delay_us.attr,
	&dev_attr_completion_delay_us.attr,
	&sdext_attr_reads.attr.attr,
	&sdext_attr_writes.attr.attr,
	&sdext_attr_dix_reads.attr.attr,
	&sdext_attr_dix_writes.attr.attr,
	&sdext_attr_write_same.attr.attr,
	&sdext_attr_unmap.attr.attr,
	&sdext_attr_sync_cache.attr.attr,
	&sdext_attr_guard_errors.attr.attr,
	&sdext_attr_app_errors.attr.attr,
	&sdext_attr_ref_errors.attr.attr,
	&sdext_attr_deferred.attr.attr,
	&sdext_attr_aborts.attr.attr,
	&sdext_attr_resets.attr.attr,
	&dev_attr_store_pages.attr,
	&dev_attr_failures.attr,
	&dev_attr_reset_stats.attr,
	NULL,
};

static const struct attribute_group sdext_group = {
	.name	= "sdext",
	.attrs	= sdext_attrs,
};

const struct attribute_group *sdext_sdev_groups[] = {
	&sdext_group,
	NULL,
};
