// SPDX-License-Identifier: GPL-2.0
/*
 * wac: command line parsing and validation.
 *
 * Every rejected invocation prints one line naming the option and the value
 * that is wrong, then a hint to --help, and makes wac exit with status 2.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "options.h"

enum {
	OPT_FILE = 256,
	OPT_SIZE,
	OPT_BS,
	OPT_BUF_OFFSET,
	OPT_PWRITERS,
	OPT_MMAP_WRITERS,
	OPT_DIRECT,
	OPT_SYNC,
	OPT_SEED,
	OPT_DURATION,
	OPT_DIO_SCRIBBLE,
	OPT_ENGINE,
	OPT_IODEPTH,
	OPT_READ_BACK,
	OPT_HELP = 'h',
};

static const struct option wac_long_options[] = {
	{ "file",		required_argument,	NULL, OPT_FILE },
	{ "size",		required_argument,	NULL, OPT_SIZE },
	{ "bs",			required_argument,	NULL, OPT_BS },
	{ "buf-offset",		required_argument,	NULL, OPT_BUF_OFFSET },
	{ "pwriters",		required_argument,	NULL, OPT_PWRITERS },
	{ "mmap-writers",	required_argument,	NULL, OPT_MMAP_WRITERS },
	{ "direct",		no_argument,		NULL, OPT_DIRECT },
	{ "sync",		required_argument,	NULL, OPT_SYNC },
	{ "seed",		required_argument,	NULL, OPT_SEED },
	{ "duration",		required_argument,	NULL, OPT_DURATION },
	{ "dio-scribble",	no_argument,		NULL, OPT_DIO_SCRIBBLE },
	{ "engine",		required_argument,	NULL, OPT_ENGINE },
	{ "iodepth",		required_argument,	NULL, OPT_IODEPTH },
	{ "read-back",		no_argument,		NULL, OPT_READ_BACK },
	{ "help",		no_argument,		NULL, OPT_HELP },
	{ NULL,			0,			NULL, 0 },
};

static const char *const wac_sync_names[] = {
	[WAC_SYNC_NONE]		= "none",
	[WAC_SYNC_FILE_RANGE]	= "sync_file_range",
	[WAC_SYNC_MSYNC]	= "msync",
	[WAC_SYNC_FSYNC]	= "fsync",
};

static const char *const wac_engine_names[] = {
	[WAC_ENGINE_IO_URING]	= "io_uring",
	[WAC_ENGINE_LIBAIO]	= "libaio",
	[WAC_ENGINE_THREAD]	= "thread",
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

const char *wac_sync_name(enum wac_sync sync)
{
	return wac_sync_names[sync];
}

const char *wac_engine_name(enum wac_engine engine)
{
	return wac_engine_names[engine];
}

void wac_usage(FILE *f)
{
	fprintf(f,
"Usage: wac --file PATH [OPTION]...\n"
"Write-after-checksum workload generator: threads rewrite random blocks of\n"
"one file or block device, so that pages change while they are written.\n"
"\n"
"Target:\n"
"  --file PATH         file or block device to rewrite (required); a regular\n"
"                      file is created or extended to --size\n"
"  --size SIZE         bytes to use: default 1m for a regular file, the whole\n"
"                      device for a block device (--size may shrink it)\n"
"  --bs SIZE           bytes per write (default 4096; a multiple of 512 with\n"
"                      --direct or --dio-scribble)\n"
"  --buf-offset SIZE   start write buffers SIZE bytes past a page boundary\n"
"                      (default 0; below the page size, a multiple of 512\n"
"                      with --direct): O_DIRECT buffers aligned to sectors\n"
"                      but not to pages\n"
"\n"
"Writers:\n"
"  --pwriters N        pwrite() threads (default 4, or 0 with --dio-scribble)\n"
"  --mmap-writers N    threads storing into a shared mapping (default 0)\n"
"  --direct            open with O_DIRECT\n"
"  --sync MODE         after each write: none, sync_file_range (default;\n"
"                      starts writeback, does not wait), msync (MS_SYNC of\n"
"                      the written range) or fsync\n"
"\n"
"dio-scribble (positive control):\n"
"  --dio-scribble      keep changing the buffer of each O_DIRECT write while\n"
"                      the write is in flight (implies --direct)\n"
"  --engine ENGINE     io_uring (default), libaio, or thread (a blocking\n"
"                      pwrite per in-flight write plus a scribbler thread)\n"
"  --iodepth N         writes in flight at once (default 4), each on blocks\n"
"                      of its own (see docs/wac.rst)\n"
"\n"
"Run:\n"
"  --seed S            seed for offsets and contents, decimal or 0x-hex\n"
"                      (default: from the clock and pid; printed at the end)\n"
"  --duration SECONDS  run time, fractions allowed (default 10)\n"
"  --read-back         after the run, read the whole range back with O_DIRECT\n"
"                      and count the 4 KiB blocks that cannot be read\n"
"  -h, --help          show this help and exit\n"
"\n"
"SIZE is a number of bytes with an optional k, m, g or t suffix (powers of\n"
"1024).  At the end wac prints a summary and one line of key=value words\n"
"starting with \"wac:\".  I/O errors are counted, not fatal.\n"
"Exit status: 0 run completed, 1 setup error, 2 bad command line.\n");
}

void wac_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("wac: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'wac --help' for more information.\n", stderr);
}

/* Parse a decimal (or, with hex_ok, 0x-prefixed) unsigned number prefix. */
static int parse_u64_prefix(const char *s, bool hex_ok, uint64_t *val,
			    const char **end)
{
	int base = 10;
	char *e;

	if (hex_ok && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		if (!isxdigit((unsigned char)s[0]))
			return -EINVAL;
	} else if (!isdigit((unsigned char)s[0])) {
		return -EINVAL;	/* no sign, no blanks */
	}
	errno = 0;
	*val = strtoull(s, &e, base);
	if (errno == ERANGE)
		return -ERANGE;
	*end = e;
	return 0;
}

static bool parse_count(const char *opt, const char *arg, unsigned int min,
			unsigned int max, unsigned int *out)
{
	const char *end;
	uint64_t v;

	if (parse_u64_prefix(arg, false, &v, &end) || *end ||
	    v < min || v > max) {
		wac_usage_error("%s: '%s' is not a whole number from %u to %u",
				opt, arg, min, max);
		return false;
	}
	*out = (unsigned int)v;
	return true;
}

static bool parse_size(const char *opt, const char *arg, uint64_t min,
		       uint64_t max, uint64_t *out)
{
	const char *end;
	unsigned int shift = 0;
	uint64_t v;
	int ret;

	ret = parse_u64_prefix(arg, false, &v, &end);
	if (!ret && *end) {
		switch (tolower((unsigned char)*end++)) {
		case 'k':
			shift = 10;
			break;
		case 'm':
			shift = 20;
			break;
		case 'g':
			shift = 30;
			break;
		case 't':
			shift = 40;
			break;
		default:
			ret = -EINVAL;
			break;
		}
		if (*end)
			ret = -EINVAL;
	}
	if (ret == -EINVAL) {
		wac_usage_error("%s: '%s' is not a size (bytes, with an optional k, m, g or t suffix)",
				opt, arg);
		return false;
	}
	if (ret == -ERANGE || v > (max >> shift) || (v << shift) < min) {
		wac_usage_error("%s: '%s' is out of range (%llu to %llu bytes)",
				opt, arg, (unsigned long long)min,
				(unsigned long long)max);
		return false;
	}
	*out = v << shift;
	return true;
}

static bool parse_duration(const char *arg, double *out)
{
	char *end;
	double v;

	/* strtod would also take signs, blanks, "inf" and "nan". */
	if (!isdigit((unsigned char)arg[0]) && arg[0] != '.')
		goto bad;
	errno = 0;
	v = strtod(arg, &end);
	if (*end || end == arg || errno == ERANGE || !isfinite(v))
		goto bad;
	if (v <= 0 || v > WAC_MAX_DURATION) {
		wac_usage_error("--duration: '%s' is out of range (more than 0, at most %.0f seconds)",
				arg, WAC_MAX_DURATION);
		return false;
	}
	*out = v;
	return true;
bad:
	wac_usage_error("--duration: '%s' is not a positive number of seconds", arg);
	return false;
}

static bool parse_name(const char *opt, const char *arg,
		       const char *const *names, size_t nr, int *out)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		if (!strcmp(arg, names[i])) {
			*out = (int)i;
			return true;
		}
	}
	if (nr == ARRAY_SIZE(wac_sync_names))
		wac_usage_error("%s: unknown mode '%s' (none, sync_file_range, msync or fsync)",
				opt, arg);
	else
		wac_usage_error("%s: unknown engine '%s' (io_uring, libaio or thread)",
				opt, arg);
	return false;
}

static const char *long_name(int val)
{
	const struct option *opt;

	for (opt = wac_long_options; opt->name; opt++)
		if (opt->val == val)
			return opt->name;
	return NULL;
}

static uint64_t default_seed(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec) ^
	       ((uint64_t)getpid() << 40);
}

/*
 * How many O_DIRECT writes can be in flight at once, each in a lane of
 * blocks of its own (target.c): dio-scribble's slots and --direct
 * pwriters.  Buffered writers share one lane.
 */
unsigned int wac_direct_lanes(const struct wac_options *o)
{
	if (!o->direct)
		return 1;
	return (o->dio_scribble ? o->iodepth : 0) + o->pwriters;
}

/* The options that set wac_direct_lanes(), for messages. */
const char *wac_lanes_options(const struct wac_options *o)
{
	if (!o->dio_scribble)
		return "--pwriters";
	return o->pwriters ? "--iodepth + --pwriters" : "--iodepth";
}

/* Rules between options, once every option is known. */
static bool check_options(struct wac_options *o, bool pwriters_set,
			  bool sync_set, bool engine_set, bool iodepth_set)
{
	if (!o->path) {
		wac_usage_error("--file is required");
		return false;
	}
	if (!o->path[0]) {
		wac_usage_error("--file: the path is empty");
		return false;
	}
	if (o->dio_scribble) {
		if (o->mmap_writers) {
			wac_usage_error("--dio-scribble cannot be combined with --mmap-writers %u (it writes with O_DIRECT only)",
					o->mmap_writers);
			return false;
		}
		if (!pwriters_set)
			o->pwriters = 0;
		if (sync_set && !o->pwriters) {
			wac_usage_error("--sync %s: the sync mode applies to --pwriters and --mmap-writers, and this --dio-scribble run has neither",
					wac_sync_name(o->sync));
			return false;
		}
		if (!sync_set && !o->pwriters)
			o->sync = WAC_SYNC_NONE;
		o->direct = true;
	} else {
		if (engine_set) {
			wac_usage_error("--engine %s only applies to --dio-scribble",
					wac_engine_name(o->engine));
			return false;
		}
		if (iodepth_set) {
			wac_usage_error("--iodepth %u only applies to --dio-scribble",
					o->iodepth);
			return false;
		}
		if (!o->pwriters && !o->mmap_writers) {
			wac_usage_error("no writers: --pwriters and --mmap-writers are both 0");
			return false;
		}
	}
	if (o->direct && o->bs % WAC_SECTOR) {
		wac_usage_error("--bs %s: must be a multiple of %d with %s",
				o->bs_arg, WAC_SECTOR,
				o->dio_scribble ? "--dio-scribble" : "--direct");
		return false;
	}
	if (o->direct && o->buf_offset % WAC_SECTOR) {
		wac_usage_error("--buf-offset %s: must be a multiple of %d with %s",
				o->buf_offset_arg, WAC_SECTOR,
				o->dio_scribble ? "--dio-scribble" : "--direct");
		return false;
	}
	if (o->size && o->size < o->bs) {
		wac_usage_error("--size %s is smaller than --bs %s",
				o->size_arg, o->bs_arg);
		return false;
	}
	if (o->size && o->size / o->bs < wac_direct_lanes(o)) {
		wac_usage_error("--size %s holds %" PRIu64 " blocks of --bs %s, fewer than the %u O_DIRECT writes in flight at once (%s): each needs blocks of its own",
				o->size_arg, o->size / o->bs, o->bs_arg,
				wac_direct_lanes(o), wac_lanes_options(o));
		return false;
	}
	if (!o->seed_set)
		o->seed = default_seed();
	return true;
}

enum wac_parse_result wac_parse_options(struct wac_options *o,
					int argc, char *argv[])
{
	bool pwriters_set = false, sync_set = false;
	bool engine_set = false, iodepth_set = false;
	const char *end;
	const char *name;
	int c, v;

	*o = (struct wac_options) {
		.bs		= WAC_DEFAULT_BS,
		.bs_arg		= "4096",
		.pwriters	= WAC_DEFAULT_PWRITERS,
		.sync		= WAC_SYNC_FILE_RANGE,
		.duration	= WAC_DEFAULT_DURATION,
		.engine		= WAC_ENGINE_IO_URING,
		.iodepth	= WAC_DEFAULT_IODEPTH,
	};

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", wac_long_options,
				NULL)) != -1) {
		switch (c) {
		case OPT_FILE:
			o->path = optarg;
			break;
		case OPT_SIZE:
			if (!parse_size("--size", optarg, 1, WAC_MAX_SIZE,
					&o->size))
				return WAC_PARSE_ERROR;
			o->size_arg = optarg;
			break;
		case OPT_BS:
			if (!parse_size("--bs", optarg, 1, WAC_MAX_BS, &o->bs))
				return WAC_PARSE_ERROR;
			o->bs_arg = optarg;
			break;
		case OPT_BUF_OFFSET:
			if (!parse_size("--buf-offset", optarg, 0,
					(uint64_t)sysconf(_SC_PAGESIZE) - 1,
					&o->buf_offset))
				return WAC_PARSE_ERROR;
			o->buf_offset_arg = optarg;
			break;
		case OPT_PWRITERS:
			if (!parse_count("--pwriters", optarg, 0,
					 WAC_MAX_THREADS, &o->pwriters))
				return WAC_PARSE_ERROR;
			pwriters_set = true;
			break;
		case OPT_MMAP_WRITERS:
			if (!parse_count("--mmap-writers", optarg, 0,
					 WAC_MAX_THREADS, &o->mmap_writers))
				return WAC_PARSE_ERROR;
			break;
		case OPT_DIRECT:
			o->direct = true;
			break;
		case OPT_SYNC:
			if (!parse_name("--sync", optarg, wac_sync_names,
					ARRAY_SIZE(wac_sync_names), &v))
				return WAC_PARSE_ERROR;
			o->sync = v;
			sync_set = true;
			break;
		case OPT_SEED:
			if (parse_u64_prefix(optarg, true, &o->seed, &end) ||
			    *end) {
				wac_usage_error("--seed: '%s' is not a number from 0 to 2^64-1 (decimal or 0x-hex)",
						optarg);
				return WAC_PARSE_ERROR;
			}
			o->seed_set = true;
			break;
		case OPT_DURATION:
			if (!parse_duration(optarg, &o->duration))
				return WAC_PARSE_ERROR;
			break;
		case OPT_DIO_SCRIBBLE:
			o->dio_scribble = true;
			break;
		case OPT_ENGINE:
			if (!parse_name("--engine", optarg, wac_engine_names,
					ARRAY_SIZE(wac_engine_names), &v))
				return WAC_PARSE_ERROR;
			o->engine = v;
			engine_set = true;
			break;
		case OPT_IODEPTH:
			if (!parse_count("--iodepth", optarg, 1,
					 WAC_MAX_IODEPTH, &o->iodepth))
				return WAC_PARSE_ERROR;
			iodepth_set = true;
			break;
		case OPT_READ_BACK:
			o->read_back = true;
			break;
		case OPT_HELP:
			return WAC_PARSE_HELP;
		case ':':
			wac_usage_error("option '%s' needs a value",
					argv[optind - 1]);
			return WAC_PARSE_ERROR;
		default:
			name = long_name(optopt);
			if (name && optopt > 255)
				wac_usage_error("option '--%s' takes no value",
						name);
			else if (optopt && optopt < 256)
				wac_usage_error("unknown option '-%c'", optopt);
			else
				wac_usage_error("unknown option '%s'",
						argv[optind - 1]);
			return WAC_PARSE_ERROR;
		}
	}
	if (optind < argc) {
		wac_usage_error("unexpected argument '%s' (options are --name value pairs; the file goes with --file)",
				argv[optind]);
		return WAC_PARSE_ERROR;
	}
	if (!check_options(o, pwriters_set, sync_set, engine_set, iodepth_set))
		return WAC_PARSE_ERROR;
	return WAC_PARSE_RUN;
}
