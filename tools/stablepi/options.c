// SPDX-License-Identifier: GPL-2.0
/*
 * stablepi: command-line options.  Every command shares one option table;
 * each says which options it takes.  Every error names the option and what
 * it expects, and nothing is done before the whole command line is read.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "stablepi.h"

static const struct option long_opts[] = {
	{ "mode",		required_argument, NULL, OPT_MODE },
	{ "guard",		required_argument, NULL, OPT_GUARD },
	{ "type",		required_argument, NULL, OPT_TYPE },
	{ "interval",		required_argument, NULL, OPT_INTERVAL },
	{ "hold-us",		required_argument, NULL, OPT_HOLD_US },
	{ "stable-writes",	required_argument, NULL, OPT_STABLE_WRITES },
	{ "log",		required_argument, NULL, OPT_LOG },
	{ "fail-changed",	no_argument,	   NULL, OPT_FAIL_CHANGED },
	{ "no-fail-changed",	no_argument,	   NULL, OPT_NO_FAIL_CHANGED },
	{ "offset",		required_argument, NULL, OPT_OFFSET },
	{ "size",		required_argument, NULL, OPT_SIZE },
	{ "json",		no_argument,	   NULL, OPT_JSON },
	{ "follow",		no_argument,	   NULL, OPT_FOLLOW },
	{ "stats",		no_argument,	   NULL, OPT_STATS },
	{ "violations",		no_argument,	   NULL, OPT_VIOLATIONS },
	{ "dry-run",		no_argument,	   NULL, OPT_DRY_RUN },
	{ "no-paths",		no_argument,	   NULL, OPT_NO_PATHS },
	{ "count",		required_argument, NULL, OPT_COUNT },
	{ "help",		no_argument,	   NULL, OPT_HELP },
	{ "verbose",		no_argument,	   NULL, OPT_VERBOSE },
	{ NULL, 0, NULL, 0 },
};

/* What a value-taking option expects, for its messages. */
static const char *expects(int id)
{
	switch (id) {
	case OPT_MODE:		return "detect, block, copy or retry";
	case OPT_GUARD:		return "crc or ip";
	case OPT_TYPE:		return "1 or 3";
	case OPT_INTERVAL:	return "512 or 4096";
	case OPT_HOLD_US:	return "a whole number of microseconds from 0 to 1000000";
	case OPT_STABLE_WRITES:	return "on or off";
	case OPT_LOG:		return "a number of records from 1 to 65536";
	case OPT_OFFSET:	return "a number of 512-byte sectors, or a size with K, M, G or T";
	case OPT_SIZE:		return "a number of 512-byte sectors, or a size with K, M, G or T, above 0";
	case OPT_COUNT:		return "a number of records from 0 to 65536";
	}
	return "a value";
}

static const char *opt_name(int id)
{
	const struct option *o;

	if (id == OPT_COUNT)
		return "-n";
	for (o = long_opts; o->name; o++)
		if (o->val == id)
			return o->name;
	return "?";
}

int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "stablepi%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'stablepi %s%s--help'.\n", cmd ? cmd : "",
		cmd ? " " : "");
	return EXIT_USAGE;
}

static int bad_value(const char *cmd, int id, const char *v)
{
	return usage_error(cmd, "invalid %s%s '%s': expected %s",
			   id == OPT_COUNT ? "" : "--", opt_name(id), v,
			   expects(id));
}

static unsigned int bit(int id)
{
	return id == OPT_COUNT ? A_COUNT : A(id);
}

static int name_of(const char *v, const char *const *names, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!strcmp(v, names[i]))
			return (int)i;
	return -1;
}

/* Store the value @v of option @id in @o. */
static int set_value(const char *cmd, int id, const char *v, struct cmd_opts *o)
{
	struct table_opts *t = &o->t;
	uint64_t n;
	int i;

	switch (id) {
	case OPT_MODE:
		i = name_of(v, mode_names, NR_MODES);
		if (i < 0)
			return bad_value(cmd, id, v);
		t->has_mode = true;
		t->mode = (enum mode)i;
		break;
	case OPT_GUARD:
		i = name_of(v, guard_names, NR_GUARDS);
		if (i < 0)
			return bad_value(cmd, id, v);
		t->has_guard = true;
		t->guard = (enum guard)i;
		break;
	case OPT_TYPE:
		if (parse_u64(v, 1, 3, &n) || n == 2)
			return bad_value(cmd, id, v);
		t->has_type = true;
		t->type = (unsigned int)n;
		break;
	case OPT_INTERVAL:
		if (parse_u64(v, 512, 4096, &n) || (n != 512 && n != 4096))
			return bad_value(cmd, id, v);
		t->has_interval = true;
		t->interval = (unsigned int)n;
		break;
	case OPT_HOLD_US:
		if (parse_u64(v, 0, HOLD_US_MAX, &n))
			return bad_value(cmd, id, v);
		t->has_hold_us = true;
		t->hold_us = (unsigned int)n;
		break;
	case OPT_STABLE_WRITES:
		if (!strcmp(v, "on") || !strcmp(v, "1"))
			t->stable_writes = true;
		else if (!strcmp(v, "off") || !strcmp(v, "0"))
			t->stable_writes = false;
		else
			return bad_value(cmd, id, v);
		t->has_stable_writes = true;
		break;
	case OPT_LOG:
		if (parse_u64(v, 1, LOG_MAX, &n))
			return bad_value(cmd, id, v);
		t->has_log = true;
		t->log = (unsigned int)n;
		break;
	case OPT_OFFSET:
		if (parse_size_sectors(v, &o->offset))
			return bad_value(cmd, id, v);
		o->has_offset = true;
		break;
	case OPT_SIZE:
		if (parse_size_sectors(v, &o->size) || !o->size)
			return bad_value(cmd, id, v);
		o->has_size = true;
		break;
	case OPT_COUNT:
		if (parse_u64(v, 0, LOG_MAX, &n))
			return bad_value(cmd, id, v);
		o->has_count = true;
		o->count = (unsigned int)n;
		break;
	}
	return 0;
}

/* getopt refused @arg: an unknown, ambiguous or misused option. */
static int bad_option(const char *cmd, unsigned int allowed, const char *arg)
{
	char matches[256] = "";
	const struct option *o;
	unsigned int n = 0;
	size_t len, ml = 0;

	if (strncmp(arg, "--", 2)) {
		if (optopt == 'n')
			return usage_error(cmd, "-n needs a value: %s", expects(OPT_COUNT));
		return usage_error(cmd, "unknown option '-%c'", optopt ? optopt : '?');
	}
	/* A known option given "=value" although it takes none. */
	if (optopt)
		return usage_error(cmd, "--%s takes no value", opt_name(optopt));
	len = strcspn(arg + 2, "=");
	for (o = long_opts; o->name; o++) {
		if (o->val != OPT_HELP && o->val != OPT_VERBOSE &&
		    !(allowed & bit(o->val)))
			continue;
		if (len && !strncmp(o->name, arg + 2, len)) {
			ml += (size_t)snprintf(matches + ml, sizeof(matches) - ml,
					       "%s--%s", n ? ", " : "", o->name);
			n++;
		}
	}
	if (n > 1)
		return usage_error(cmd, "ambiguous option '%s': %s?", arg, matches);
	if (n == 1)
		return usage_error(cmd, "unknown option '%s' (%s?)", arg, matches);
	return usage_error(cmd, "unknown option '%s'", arg);
}

/*
 * Parse the options of command @cmd (argv[0] is the command's name), which
 * takes the options whose bits are in @allowed.  Returns 0, -1 after
 * --help was printed, or EXIT_USAGE after an error was printed.  The
 * operands are argv[*first..argc-1].
 */
int parse_cmd_opts(const char *cmd, unsigned int allowed, int argc,
		   char **argv, struct cmd_opts *o, int *first)
{
	unsigned int seen = 0;
	int c, r;

	memset(o, 0, sizeof(*o));
	opterr = 0;
	optind = 0;	/* glibc: start afresh */
	while ((c = getopt_long(argc, argv, ":hvn:", long_opts, NULL)) != -1) {
		if (c == '?')
			return bad_option(cmd, allowed, argv[optind - 1]);
		if (c == ':')
			return usage_error(cmd, "%s%s needs a value: %s",
					   optopt == OPT_COUNT ? "" : "--",
					   opt_name(optopt), expects(optopt));
		if (c == OPT_HELP) {
			cmd_usage(cmd, stdout);
			return -1;
		}
		if (c == OPT_VERBOSE) {
			verbose++;
			continue;
		}
		if (!(allowed & bit(c)))
			return usage_error(cmd, "%s%s is not an option of %s",
					   c == OPT_COUNT ? "" : "--",
					   opt_name(c), cmd);
		/* --fail-changed and --no-fail-changed are one setting. */
		if (c == OPT_NO_FAIL_CHANGED)
			c = OPT_FAIL_CHANGED | 0x4000;
		if (seen & bit(c & ~0x4000))
			return usage_error(cmd, "%s%s given twice",
					   c == OPT_COUNT ? "" : "--",
					   c & 0x4000 ? "fail-changed or --no-fail-changed" : opt_name(c));
		seen |= bit(c & ~0x4000);
		switch (c) {
		case OPT_FAIL_CHANGED:
			o->t.has_fail_changed = true;
			o->t.fail_changed = true;
			break;
		case OPT_FAIL_CHANGED | 0x4000:
			o->t.has_fail_changed = true;
			o->t.fail_changed = false;
			break;
		case OPT_JSON: o->json = true; break;
		case OPT_FOLLOW: o->follow = true; break;
		case OPT_STATS: o->stats = true; break;
		case OPT_VIOLATIONS: o->violations = true; break;
		case OPT_DRY_RUN: o->dry_run = true; break;
		case OPT_NO_PATHS: o->no_paths = true; break;
		default:
			r = set_value(cmd, c, optarg, o);
			if (r)
				return r;
		}
	}
	*first = optind;
	return 0;
}

static const char *const usages[][2] = {
	{ "create",
	  "Usage: stablepi create NAME DEVICE [OPTION]...\n"
	  "Create the stablepi device NAME over DEVICE and print its path.\n"
	  "\n"
	  "  --mode detect|block|copy|retry   what the lower device gets (default detect)\n"
	  "  --guard crc|ip                   guard tag (default: the profile's, else crc)\n"
	  "  --type 1|3                       PI type (default: the profile's, else 1)\n"
	  "  --interval 512|4096              protection interval in bytes\n"
	  "  --hold-us N                      simulated DMA latency, 0 to 1000000 us\n"
	  "  --stable-writes on|off           ask filesystems for stable pages\n"
	  "                                   (default on in block mode, off otherwise)\n"
	  "  --log N                          violation records kept, 1 to 65536 (256)\n"
	  "  --fail-changed                   fail writes whose data changed\n"
	  "  --offset S                       start on DEVICE, in 512-byte sectors (0)\n"
	  "  --size S                         length in sectors (default: the rest of DEVICE)\n"
	  "  --dry-run                        print the table line, create nothing\n"
	  "S may also be a size with K, M, G or T (powers of 1024).\n" },
	{ "reload",
	  "Usage: stablepi reload NAME OPTION...\n"
	  "Load a new table into NAME with the options changed, and switch to it.\n"
	  "The lower device, offset and size stay; counters and records start again.\n"
	  "\n"
	  "  --mode, --guard, --type, --interval, --hold-us, --stable-writes, --log,\n"
	  "  --fail-changed as for create; --no-fail-changed; --dry-run\n" },
	{ "status",
	  "Usage: stablepi status [--json] [NAME]...\n"
	  "Show the configuration and counters of stablepi devices (all of them\n"
	  "without NAME).\n"
	  "\n"
	  "  --json    one JSON document (schema in stablepi(8))\n" },
	{ "violations",
	  "Usage: stablepi violations NAME [-n N] [--follow] [--json] [--no-paths]\n"
	  "Show NAME's newest violation records, oldest first.\n"
	  "\n"
	  "  -n, --count N   records to show, 0 to 65536 (default 10)\n"
	  "  --follow        then print new records as they come, until interrupted\n"
	  "  --json          JSON (with --follow: one JSON object per line)\n"
	  "  --no-paths      do not look for the path of file pages\n" },
	{ "clear",
	  "Usage: stablepi clear NAME [--stats|--violations]\n"
	  "Zero NAME's counters (--stats), forget its records (--violations), or\n"
	  "both (the default).\n" },
	{ "remove",
	  "Usage: stablepi remove NAME\n"
	  "Remove the stablepi device NAME (not the lower device's data).\n" },
};

void cmd_usage(const char *cmd, FILE *f)
{
	unsigned int i;

	for (i = 0; i < sizeof(usages) / sizeof(usages[0]); i++)
		if (!strcmp(cmd, usages[i][0]))
			fputs(usages[i][1], f);
}
