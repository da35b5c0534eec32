// SPDX-License-Identifier: GPL-2.0
/*
 * stablepi: create, inspect and remove dm-stablepi devices.
 *
 *   stablepi [-v] COMMAND [OPTION]... [ARG]...
 *
 * See docs/stablepi.8.rst (man stablepi).
 */
#include <libdevmapper.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stablepi.h"

#ifndef STABLEPI_VERSION
#define STABLEPI_VERSION "unknown"
#endif

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "create", cmd_create },
	{ "reload", cmd_reload },
	{ "status", cmd_status },
	{ "violations", cmd_violations },
	{ "clear", cmd_clear },
	{ "remove", cmd_remove },
};

static void usage(FILE *f)
{
	fputs("Usage: stablepi [-v] COMMAND [OPTION]... [ARG]...\n"
	      "Create, inspect and remove dm-stablepi devices.\n"
	      "\n"
	      "Commands:\n"
	      "  create NAME DEVICE [OPTION]...   create a stablepi device over DEVICE\n"
	      "  reload NAME OPTION...            switch NAME to a table with new options\n"
	      "  status [--json] [NAME]...        configuration and named counters\n"
	      "  violations NAME [-n N] [--follow] [--json]\n"
	      "                                   the violation records\n"
	      "  clear NAME [--stats|--violations]\n"
	      "                                   zero the counters, forget the records\n"
	      "  remove NAME                      remove the stablepi device\n"
	      "  help [COMMAND]                   this text, or a command's options\n"
	      "\n"
	      "  -v, --verbose   show the table line and libdevmapper's messages\n"
	      "  -h, --help      this text\n"
	      "  --version       the version\n"
	      "\n"
	      "Exit status: 0 done, 1 the command failed, 2 the command line is wrong.\n"
	      "See stablepi(8).\n", f);
}

static int find_command(const char *name)
{
	unsigned int i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(name, commands[i].name))
			return (int)i;
	return -1;
}

int main(int argc, char **argv)
{
	int i = 1, c, rc;

	while (i < argc && argv[i][0] == '-') {
		if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
			verbose++;
		} else if (!strcmp(argv[i], "-vv")) {
			verbose += 2;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return EXIT_OK;
		} else if (!strcmp(argv[i], "--version")) {
			printf("stablepi %s\n", STABLEPI_VERSION);
			return EXIT_OK;
		} else {
			return usage_error(NULL, "unknown option '%s' (options of a command come after it)",
					   argv[i]);
		}
		i++;
	}
	if (i >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[i], "help")) {
		if (i + 1 >= argc) {
			usage(stdout);
			return EXIT_OK;
		}
		if (i + 2 < argc)
			return usage_error(NULL, "help takes one COMMAND, not '%s'", argv[i + 2]);
		if (find_command(argv[i + 1]) < 0)
			return usage_error(NULL, "no command '%s' (commands: create, reload, status, "
					   "violations, clear, remove)", argv[i + 1]);
		cmd_usage(argv[i + 1], stdout);
		return EXIT_OK;
	}
	c = find_command(argv[i]);
	if (c < 0)
		return usage_error(NULL, "unknown command '%s' (commands: create, reload, status, "
				   "violations, clear, remove, help)", argv[i]);

	dm_setup();
	/* Whole lines, so that a pipe reading "violations --follow" sees each record. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	rc = commands[c].fn(argc - i, argv + i);
	dm_lib_release();
	dm_lib_exit();
	return rc;
}
