/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wac: command line options.
 */
#ifndef WAC_OPTIONS_H
#define WAC_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Exit statuses, documented in docs/wac.rst. */
#define WAC_EXIT_OK		0	/* the run completed */
#define WAC_EXIT_SETUP		1	/* runtime setup error (open, memory, ...) */
#define WAC_EXIT_USAGE		2	/* bad command line */

#define WAC_MAX_THREADS		1024	/* per writer kind */
#define WAC_MAX_IODEPTH		1024
#define WAC_MAX_BS		(16ULL << 20)
#define WAC_MAX_SIZE		((uint64_t)INT64_MAX)
#define WAC_MAX_DURATION	1000000.0
#define WAC_SECTOR		512

#define WAC_DEFAULT_SIZE	(1ULL << 20)
#define WAC_DEFAULT_BS		4096
#define WAC_DEFAULT_PWRITERS	4
#define WAC_DEFAULT_DURATION	10.0
#define WAC_DEFAULT_IODEPTH	4

enum wac_sync {
	WAC_SYNC_NONE,
	WAC_SYNC_FILE_RANGE,
	WAC_SYNC_MSYNC,
	WAC_SYNC_FSYNC,
};

enum wac_engine {
	WAC_ENGINE_IO_URING,
	WAC_ENGINE_LIBAIO,
	WAC_ENGINE_THREAD,
};

struct wac_options {
	const char *path;
	uint64_t size;			/* 0: the default for the file type */
	const char *size_arg;		/* as typed, for messages */
	uint64_t bs;
	const char *bs_arg;
	uint64_t buf_offset;		/* of write buffers past a page boundary */
	const char *buf_offset_arg;
	unsigned int pwriters;
	unsigned int mmap_writers;
	bool direct;			/* O_DIRECT; implied by dio_scribble */
	enum wac_sync sync;
	uint64_t seed;
	bool seed_set;
	double duration;		/* seconds */
	bool dio_scribble;
	enum wac_engine engine;
	unsigned int iodepth;
	bool read_back;			/* read [0, size) back after the run */
};

enum wac_parse_result {
	WAC_PARSE_RUN,
	WAC_PARSE_HELP,
	WAC_PARSE_ERROR,		/* message already printed */
};

enum wac_parse_result wac_parse_options(struct wac_options *o,
					int argc, char *argv[]);
void wac_usage(FILE *f);
void wac_usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
const char *wac_sync_name(enum wac_sync sync);
const char *wac_engine_name(enum wac_engine engine);
unsigned int wac_direct_lanes(const struct wac_options *o);
const char *wac_lanes_options(const struct wac_options *o);

#endif /* WAC_OPTIONS_H */
