// SPDX-License-Identifier: GPL-2.0
/*
 * wac: opening, sizing and mapping the target.
 *
 * One descriptor is shared by every thread.  A regular file is created or
 * extended to --size (allocated with fallocate where the filesystem can, so
 * that the run rewrites allocated blocks); it is never shrunk.  A block
 * device is used from offset 0 up to --size or its whole size.
 *
 * No two O_DIRECT writes that wac has in flight at once cover the same
 * block: each of the "lanes" (dio-scribble slots, then --direct pwriters)
 * writes only the blocks whose index modulo the number of lanes is its
 * own.  The order in which a device applies overlapping writes is not
 * defined, and a device may apply the data and the protection information
 * of one write in two steps (QEMU's NVMe does), so overlapping writes could
 * leave a block whose data and tags come from different writes: an
 * unreadable block that no write-after-checksum caused.  Buffered writers
 * share every block; the page cache orders them.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "target.h"

static int open_error(const struct wac_target *t, const char *what, int err)
{
	fprintf(stderr, "wac: %s: %s: %s\n", t->path, what, strerror(err));
	return WAC_EXIT_SETUP;
}

static int size_blkdev(struct wac_target *t, const struct wac_options *o)
{
	uint64_t dev_size;
	int lbs;

	if (ioctl(t->fd, BLKGETSIZE64, &dev_size))
		return open_error(t, "cannot read the device size", errno);
	if (ioctl(t->fd, BLKSSZGET, &lbs))
		return open_error(t, "cannot read the logical block size",
				  errno);
	t->lbs = (unsigned int)lbs;
	if (o->size > dev_size) {
		wac_usage_error("--size %s is larger than the block device %s (%llu bytes)",
				o->size_arg, t->path,
				(unsigned long long)dev_size);
		return WAC_EXIT_USAGE;
	}
	t->size = o->size ? o->size : dev_size;
	if (t->size < o->bs) {
		wac_usage_error("--bs %s is larger than the block device %s (%llu bytes)",
				o->bs_arg, t->path,
				(unsigned long long)t->size);
		return WAC_EXIT_USAGE;
	}
	if (o->direct && o->bs % t->lbs) {
		wac_usage_error("--bs %s is not a multiple of the logical block size of %s (%u)",
				o->bs_arg, t->path, t->lbs);
		return WAC_EXIT_USAGE;
	}
	return WAC_EXIT_OK;
}

static int size_file(struct wac_target *t, const struct wac_options *o,
		     const struct stat *st)
{
	int ret;

	t->size = o->size ? o->size : WAC_DEFAULT_SIZE;
	if (!o->size && t->size < o->bs)
		t->size = o->bs;	/* --bs above the default size */
	if ((uint64_t)st->st_size >= t->size)
		return WAC_EXIT_OK;

	ret = fallocate(t->fd, 0, 0, (off_t)t->size);
	if (ret && errno == EOPNOTSUPP)
		ret = ftruncate(t->fd, (off_t)t->size);
	if (ret)
		return open_error(t, "cannot extend the file to --size",
				  errno);
	return WAC_EXIT_OK;
}

static int map_target(struct wac_target *t)
{
	void *map;

	map = mmap(NULL, t->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   t->fd, 0);
	if (map == MAP_FAILED)
		return open_error(t, "cannot mmap", errno);
	t->map = map;
	return WAC_EXIT_OK;
}

/*
 * A write buffer of bs bytes starting buf_offset bytes past a page
 * boundary; free *base when done.  Returns 0 or an errno.
 */
int wac_target_buffer(const struct wac_target *t, void **base,
		      unsigned char **buf)
{
	int ret = posix_memalign(base, t->page_size, t->bs + t->buf_offset);

	if (ret)
		return ret;
	*buf = (unsigned char *)*base + t->buf_offset;
	return 0;
}

int wac_target_open(struct wac_target *t, const struct wac_options *o)
{
	int flags = O_RDWR | O_CLOEXEC;
	struct stat st;
	int ret;

	*t = (struct wac_target) {
		.path = o->path,
		.fd = -1,
		.bs = o->bs,
		.page_size = (size_t)sysconf(_SC_PAGESIZE),
		.buf_offset = o->buf_offset,
	};

	if (stat(t->path, &st)) {
		if (errno != ENOENT)
			return open_error(t, "cannot stat", errno);
		flags |= O_CREAT | O_EXCL;
		t->created = true;
	} else if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		fprintf(stderr, "wac: %s: not a regular file or a block device\n",
			t->path);
		return WAC_EXIT_SETUP;
	}
	if (o->direct)
		flags |= O_DIRECT;

	t->fd = open(t->path, flags, 0644);
	if (t->fd < 0) {
		t->created = false;
		if (errno == EINVAL && o->direct)
			return open_error(t, "cannot open with O_DIRECT (does the filesystem support it?)",
					  EINVAL);
		return open_error(t, "cannot open", errno);
	}
	if (fstat(t->fd, &st)) {
		ret = open_error(t, "cannot stat", errno);
		goto fail;
	}
	t->blkdev = S_ISBLK(st.st_mode);
	if (t->blkdev)
		ret = size_blkdev(t, o);
	else
		ret = size_file(t, o, &st);
	if (ret)
		goto fail;
	t->nr_blocks = t->size / t->bs;
	t->lanes = wac_direct_lanes(o);
	t->pwriter_lane = o->dio_scribble ? o->iodepth : 0;
	if (t->nr_blocks < t->lanes) {
		fprintf(stderr, "wac: %s: %" PRIu64 " bytes hold %" PRIu64
			" blocks of %" PRIu64 ", fewer than the %u O_DIRECT writes in flight at once (%s): each needs blocks of its own\n",
			t->path, t->size, t->nr_blocks, t->bs, t->lanes,
			wac_lanes_options(o));
		ret = WAC_EXIT_USAGE;
		goto fail;
	}

	if (o->mmap_writers || o->sync == WAC_SYNC_MSYNC) {
		ret = map_target(t);
		if (ret)
			goto fail;
	}
	return WAC_EXIT_OK;
fail:
	wac_target_close(t);
	if (t->created)
		unlink(t->path);	/* do not leave a half-made file */
	return ret;
}

/* The offset of a random block of lane @lane (see above). */
uint64_t wac_target_pick(const struct wac_target *t, struct wac_rng *rng,
			 unsigned int lane)
{
	uint64_t n = (t->nr_blocks - lane + t->lanes - 1) / t->lanes;

	return (lane + wac_rng_below(rng, n) * t->lanes) * t->bs;
}

void wac_target_close(struct wac_target *t)
{
	if (t->map)
		munmap(t->map, t->size);
	t->map = NULL;
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}
