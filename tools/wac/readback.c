// SPDX-License-Identifier: GPL-2.0
/*
 * wac: reading the target back after a run (--read-back).
 *
 * A write whose data changed after its protection information was computed
 * can reach the medium with tags that do not match it: the write succeeded,
 * but the block cannot be read any more.  After the writers have stopped
 * (and after fsync), the whole range [0, size) is read with
 * O_DIRECT, so that the device's own checks see every block.  Reads go in
 * large chunks; a chunk that fails is read again block by block to count
 * exactly the blocks that cannot be read.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "readback.h"
#include "run.h"

#define WAC_READ_BACK_CHUNK	(1024 * 1024)

static int read_back_error(const struct wac_target *t, const char *what,
			   int err)
{
	fprintf(stderr, "wac: %s: read-back: %s: %s\n", t->path, what,
		strerror(err));
	return WAC_EXIT_SETUP;
}

/* Read [off, off + len) whole; returns 0 or an errno. */
static int read_range(int fd, unsigned char *buf, uint64_t off, size_t len)
{
	ssize_t n;
	size_t done = 0;

	while (done < len) {
		n = pread(fd, buf + done, len - done, (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno;
		if (n == 0)
			return EIO;	/* the target shrank under us */
		done += (size_t)n;
	}
	return 0;
}

static void count_block(struct wac_read_back *rb, int err)
{
	rb->blocks++;
	if (!err)
		return;
	rb->unreadable++;
	if (err == EIO)
		rb->eio++;
	else if (err == EILSEQ)
		rb->eilseq++;
}

/* A chunk failed: read it again one block at a time. */
static void read_blocks(int fd, unsigned char *buf, uint64_t off, size_t len,
			struct wac_read_back *rb)
{
	size_t pos, n;

	for (pos = 0; pos < len; pos += n) {
		n = len - pos < WAC_READ_BACK_BLOCK ? len - pos :
						       WAC_READ_BACK_BLOCK;
		count_block(rb, read_range(fd, buf, off + pos, n));
	}
}

int wac_read_back(const struct wac_target *t, struct wac_read_back *rb)
{
	uint64_t start = wac_now_ns(), off;
	unsigned char *buf;
	void *base;
	size_t len;
	int fd, ret;

	memset(rb, 0, sizeof(*rb));
	/*
	 * Buffered writes must be on the device before it is read.  A
	 * failed fsync (writeback of a rejected write) is noted, and the
	 * read-back shows which blocks suffered.
	 */
	if (fsync(t->fd))
		rb->fsync_error = errno;
	fd = open(t->path, O_RDONLY | O_DIRECT | O_CLOEXEC);
	if (fd < 0)
		return read_back_error(t, "cannot open with O_DIRECT", errno);
	ret = posix_memalign(&base, t->page_size, WAC_READ_BACK_CHUNK);
	if (ret) {
		close(fd);
		return read_back_error(t, "cannot allocate a buffer", ret);
	}
	buf = base;
	for (off = 0; off < t->size; off += len) {
		len = t->size - off < WAC_READ_BACK_CHUNK ?
		      (size_t)(t->size - off) : WAC_READ_BACK_CHUNK;
		if (!read_range(fd, buf, off, len)) {
			rb->blocks += (len + WAC_READ_BACK_BLOCK - 1) /
				      WAC_READ_BACK_BLOCK;
			continue;
		}
		read_blocks(fd, buf, off, len, rb);
	}
	free(base);
	close(fd);
	rb->seconds = (double)(wac_now_ns() - start) / WAC_NSEC_PER_SEC;
	return WAC_EXIT_OK;
}
