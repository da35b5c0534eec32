/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stablepi: the command-line tool of the dm-stablepi device-mapper target.
 * See docs/stablepi.8.rst.
 */
#ifndef STABLEPI_H
#define STABLEPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Exit statuses (docs/stablepi.8.rst, EXIT STATUS). */
#define EXIT_OK		0
#define EXIT_FAILED	1	/* the command could not be carried out */
#define EXIT_USAGE	2	/* the command line is wrong */

#define TARGET_NAME	"stablepi"
#define MODULE_NAME	"dm-stablepi"

/* Limits of the table line (dm-stablepi/config.c). */
#define HOLD_US_MAX	1000000u
#define LOG_MAX		65536u
#define SECTOR_SHIFT	9

enum mode { MODE_DETECT, MODE_BLOCK, MODE_COPY, MODE_RETRY, NR_MODES };
enum guard { GUARD_CRC, GUARD_IP, NR_GUARDS };

extern const char *const mode_names[NR_MODES];
extern const char *const guard_names[NR_GUARDS];

/* The counters of the status line, in order (dm-stablepi/stablepi.h). */
#define NR_KNOWN_COUNTERS 16
extern const char *const counter_names[NR_KNOWN_COUNTERS];
enum {
	C_WRITES, C_WRITE_BYTES, C_INTERVALS, C_CHANGED_DISPATCH,
	C_CHANGED_COMPLETION, C_LOWER_PI_ERRORS, C_READ_PI_ERRORS, C_ABSORBED,
	C_REPAIRED, C_RETRY_FAILED, C_CHANGED_FAILED, C_READS, C_READ_BYTES,
	C_LOWER_ERRORS, C_DEFERRED, C_REISSUED,
};

/*
 * The optional parameters of a table line.  has_* says the value is given
 * (on the command line, or in a table read back from the kernel).
 */
struct table_opts {
	bool has_mode, has_guard, has_type, has_interval, has_hold_us;
	bool has_stable_writes, has_log, has_fail_changed;
	enum mode mode;
	enum guard guard;
	unsigned int type;
	unsigned int interval;
	unsigned int hold_us;
	bool stable_writes;
	unsigned int log;
	bool fail_changed;
};

/* The parameters of one stablepi target, as the kernel prints them. */
struct stpi_table {
	uint64_t start, length;		/* of the target in the dm device */
	unsigned int dev_major, dev_minor;	/* lower device */
	uint64_t offset;			/* sectors into the lower device */
	struct table_opts opts;
	char *unknown;			/* optional parameters this tool does not know */
};

/* util.c */
extern int verbose;
void err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vnote(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
int parse_size_sectors(const char *s, uint64_t *sectors);
int read_sysfs(const char *path, char *buf, size_t len);
int read_sysfs_u64(const char *path, uint64_t *v);
const char *human_bytes(uint64_t bytes, char *buf, size_t len);
int valid_dm_name(const char *name, const char **why);

/* table.c */
int parse_table(uint64_t start, uint64_t length, const char *params,
		struct stpi_table *t);
void free_table(struct stpi_table *t);
char *table_params(const struct stpi_table *t);
bool default_stable_writes(enum mode mode);

/* lower.c: the device under a stablepi target */
struct lower {
	unsigned int major, minor;
	char kname[64];			/* sda, sda1, dm-3 */
	uint64_t sectors;
	unsigned int lbs;		/* logical block size */
	char format[64];		/* integrity format, "none" without one */
	bool pi;			/* a profile stablepi can use */
	unsigned int pi_type;
	enum guard pi_guard;
	unsigned int pi_interval;
};
int lower_probe(unsigned int major, unsigned int minor, struct lower *lo);
int lower_check(const struct lower *lo, const char *what,
		const struct table_opts *o, unsigned int *interval);

/* dm.c: libdevmapper */
struct dm_target_info {
	uint64_t start, length;
	char *type;
	char *params;
};
struct dm_dev {
	char *name;
	int exists;
	int suspended;
	int open_count;
	int live_table;
	int inactive_table;
	unsigned int major, minor;
	unsigned int nr_targets;
	struct dm_target_info *targets;
};
void dm_setup(void);
int dm_get(const char *name, bool status, struct dm_dev *d);
void dm_dev_free(struct dm_dev *d);
int dm_names(char ***names, unsigned int *n);
int dm_target_version(const char *target, unsigned int v[3]);
int dm_message(const char *name, uint64_t sector, const char *msg,
	       char **response);
int dm_create_device(const char *name, const char *table_line,
		     char *why, size_t whylen);
int dm_reload_device(const char *name, unsigned int nr, uint64_t *start,
		     uint64_t *len, const char **type, char **params,
		     char *why, size_t whylen);
int dm_resume_device(const char *name);
int dm_clear_inactive(const char *name);
int dm_remove_device(const char *name);
const char *dm_last_error(void);
int dm_errno(void);
int ensure_target(void);
int dm_check(bool load);
bool dm_loaded(void);

/* Lookups shared by the commands (device.c). */
int find_stablepi(const char *name, bool status, struct dm_dev *d,
		  struct stpi_table *t);
char *node_path(const char *name);
char *mount_point_of(unsigned int major, unsigned int minor, char **root);

/* Commands. */
int cmd_create(int argc, char **argv);
int cmd_reload(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_violations(int argc, char **argv);
int cmd_clear(int argc, char **argv);
int cmd_remove(int argc, char **argv);

/* Option parsing shared by the commands (options.c). */
enum opt_id {
	OPT_MODE = 256, OPT_GUARD, OPT_TYPE, OPT_INTERVAL, OPT_HOLD_US,
	OPT_STABLE_WRITES, OPT_LOG, OPT_FAIL_CHANGED, OPT_NO_FAIL_CHANGED,
	OPT_OFFSET, OPT_SIZE, OPT_JSON, OPT_FOLLOW, OPT_STATS, OPT_VIOLATIONS,
	OPT_DRY_RUN, OPT_NO_PATHS, OPT_HELP = 'h', OPT_COUNT = 'n',
	OPT_VERBOSE = 'v',
};
struct cmd_opts {
	struct table_opts t;
	bool has_offset, has_size;
	uint64_t offset, size;
	bool json, follow, stats, violations, dry_run, no_paths;
	bool has_count;
	unsigned int count;
};
/* Parses argv for command @cmd; the operands are left in argv[*first..]. */
int parse_cmd_opts(const char *cmd, unsigned int allowed, int argc,
		   char **argv, struct cmd_opts *o, int *first);
int usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void cmd_usage(const char *cmd, FILE *f);
#define A(opt) (1u << ((opt) - OPT_MODE))
#define A_TABLE (A(OPT_MODE) | A(OPT_GUARD) | A(OPT_TYPE) | A(OPT_INTERVAL) | \
		 A(OPT_HOLD_US) | A(OPT_STABLE_WRITES) | A(OPT_LOG) | \
		 A(OPT_FAIL_CHANGED))
#define A_COUNT (1u << 30)

/* paths.c: inode number to path on a mounted filesystem */
struct path_cache;
struct path_cache *path_cache_new(void);
void path_cache_free(struct path_cache *pc);
void path_want(struct path_cache *pc, unsigned int major, unsigned int minor,
	       uint64_t ino);
void path_resolve(struct path_cache *pc);
const char *path_lookup(struct path_cache *pc, unsigned int major,
			unsigned int minor, uint64_t ino);

#include <stdio.h>

#endif
