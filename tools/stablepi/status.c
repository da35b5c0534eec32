// SPDX-License-Identifier: GPL-2.0
/*
 * stablepi status: configuration and counters of stablepi devices, with
 * their names, as text or JSON (schema in docs/stablepi.8.rst).
 */
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stablepi.h"

#define JSON_SCHEMA 1

struct counters {
	unsigned int n;
	uint64_t v[64];
};

static int parse_counters(const char *line, struct counters *c)
{
	char *copy = xstrdup(line), *save = NULL, *w;
	int r = 0;

	c->n = 0;
	for (w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (c->n == sizeof(c->v) / sizeof(c->v[0]) ||
		    parse_u64(w, 0, UINT64_MAX, &c->v[c->n])) {
			r = -EINVAL;
			break;
		}
		c->n++;
	}
	free(copy);
	return r;
}

static uint64_t cv(const struct counters *c, unsigned int i)
{
	return i < c->n ? c->v[i] : 0;
}

static uint64_t violations_of(const struct counters *c)
{
	return cv(c, C_CHANGED_DISPATCH) + cv(c, C_CHANGED_COMPLETION);
}

/*
 * Errors: what the lower device failed (protection errors of writes and
 * reads, other errors) and the writes stablepi failed itself
 * (fail_changed).  A write retry mode repaired counts here too, with the
 * error the device gave it first.
 */
static uint64_t errors_of(const struct counters *c)
{
	return cv(c, C_LOWER_PI_ERRORS) + cv(c, C_READ_PI_ERRORS) +
	       cv(c, C_LOWER_ERRORS) + cv(c, C_CHANGED_FAILED);
}

static double per_gib(const struct counters *c)
{
	uint64_t bytes = cv(c, C_WRITE_BYTES);

	return bytes ? (double)violations_of(c) * 1073741824.0 / (double)bytes : 0;
}

static const char *counter_name(unsigned int i, char *buf, size_t len)
{
	if (i < NR_KNOWN_COUNTERS)
		return counter_names[i];
	snprintf(buf, len, "counter_%u", i + 1);
	return buf;
}

struct dev_status {
	struct dm_dev d;		/* status lines */
	struct stpi_table t;
	struct counters c;
	struct lower lo;
	bool have_lower;
};

/* "  writes:             39467" */
__attribute__((format(printf, 2, 3)))
static void kv(const char *key, const char *fmt, ...)
{
	va_list ap;

	printf("  %s:%*s", key, (int)(20 - strlen(key)), "");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void print_text(const struct dev_status *s, const char *version)
{
	const struct table_opts *o = &s->t.opts;
	const struct counters *c = &s->c;
	char buf[64], name[32], *node = node_path(s->d.name);
	unsigned int i;

	printf("%s is %s (%u:%u), stablepi target %s.\n", node,
	       s->d.suspended ? "suspended" : "active", s->d.major, s->d.minor,
	       version);
	if (s->have_lower)
		kv("device", "%u:%u (%s)", s->t.dev_major, s->t.dev_minor, s->lo.kname);
	else
		kv("device", "%u:%u", s->t.dev_major, s->t.dev_minor);
	kv("offset", "%" PRIu64 " sectors", s->t.offset);
	kv("size", "%" PRIu64 " sectors (%s)", s->t.length,
	   human_bytes(s->t.length << SECTOR_SHIFT, buf, sizeof(buf)));
	if (o->has_mode)
		kv("mode", "%s", mode_names[o->mode]);
	if (o->has_guard)
		kv("guard", "%s", guard_names[o->guard]);
	if (o->has_type)
		kv("type", "%u", o->type);
	if (o->has_interval)
		kv("interval", "%u bytes", o->interval);
	if (o->has_hold_us)
		kv("hold_us", "%u", o->hold_us);
	if (o->has_stable_writes)
		kv("stable_writes", "%s", o->stable_writes ? "on" : "off");
	if (o->has_log)
		kv("log", "%u records", o->log);
	kv("fail_changed", "%s", o->fail_changed ? "yes" : "no");
	if (s->t.unknown)
		kv("other options", "%s", s->t.unknown);
	for (i = 0; i < c->n; i++)
		kv(counter_name(i, name, sizeof(name)), "%" PRIu64, c->v[i]);
	kv("violations", "%" PRIu64, violations_of(c));
	if (cv(c, C_WRITE_BYTES))
		snprintf(name, sizeof(name), "%.1f", per_gib(c));
	else
		snprintf(name, sizeof(name), "-");
	kv("summary", "%" PRIu64 " writes, %s, %" PRIu64 " violations (%s per GiB), %" PRIu64 " errors",
	   cv(c, C_WRITES), human_bytes(cv(c, C_WRITE_BYTES), buf, sizeof(buf)),
	   violations_of(c), name, errors_of(c));
	free(node);
}

static json_object *json_of(const struct dev_status *s, const char *version)
{
	const struct table_opts *o = &s->t.opts;
	const struct counters *c = &s->c;
	json_object *j = json_object_new_object();
	json_object *cfg = json_object_new_object();
	json_object *cnt = json_object_new_object();
	char buf[64], *node = node_path(s->d.name), *params, *line;
	unsigned int i;

	json_object_object_add(j, "name", json_object_new_string(s->d.name));
	json_object_object_add(j, "node", json_object_new_string(node));
	snprintf(buf, sizeof(buf), "%u:%u", s->d.major, s->d.minor);
	json_object_object_add(j, "dev", json_object_new_string(buf));
	json_object_object_add(j, "suspended", json_object_new_boolean(s->d.suspended));
	json_object_object_add(j, "open_count", json_object_new_int(s->d.open_count));
	json_object_object_add(j, "target_version", json_object_new_string(version));
	snprintf(buf, sizeof(buf), "%u:%u", s->t.dev_major, s->t.dev_minor);
	json_object_object_add(j, "lower_device", json_object_new_string(buf));
	json_object_object_add(j, "lower_name", s->have_lower ?
			       json_object_new_string(s->lo.kname) : NULL);
	json_object_object_add(j, "offset", json_object_new_uint64(s->t.offset));
	json_object_object_add(j, "size", json_object_new_uint64(s->t.length));
	params = table_params(&s->t);
	line = xasprintf("%" PRIu64 " %" PRIu64 " %s %s", s->t.start, s->t.length,
			 TARGET_NAME, params);
	json_object_object_add(j, "table", json_object_new_string(line));
	free(line);
	free(params);

	if (o->has_mode)
		json_object_object_add(cfg, "mode", json_object_new_string(mode_names[o->mode]));
	if (o->has_guard)
		json_object_object_add(cfg, "guard", json_object_new_string(guard_names[o->guard]));
	if (o->has_type)
		json_object_object_add(cfg, "type", json_object_new_int((int)o->type));
	if (o->has_interval)
		json_object_object_add(cfg, "interval", json_object_new_int((int)o->interval));
	if (o->has_hold_us)
		json_object_object_add(cfg, "hold_us", json_object_new_int((int)o->hold_us));
	if (o->has_stable_writes)
		json_object_object_add(cfg, "stable_writes", json_object_new_boolean(o->stable_writes));
	if (o->has_log)
		json_object_object_add(cfg, "log", json_object_new_int((int)o->log));
	json_object_object_add(cfg, "fail_changed", json_object_new_boolean(o->fail_changed));
	if (s->t.unknown)
		json_object_object_add(cfg, "other", json_object_new_string(s->t.unknown));
	json_object_object_add(j, "config", cfg);

	for (i = 0; i < c->n; i++)
		json_object_object_add(cnt, counter_name(i, buf, sizeof(buf)),
				       json_object_new_uint64(c->v[i]));
	json_object_object_add(j, "counters", cnt);
	json_object_object_add(j, "violations", json_object_new_uint64(violations_of(c)));
	json_object_object_add(j, "errors", json_object_new_uint64(errors_of(c)));
	snprintf(buf, sizeof(buf), "%.2f", per_gib(c));
	json_object_object_add(j, "violations_per_gib",
			       json_object_new_double_s(per_gib(c), buf));
	free(node);
	return j;
}

/*
 * Read one device.  @named: the user named it, so anything but a stablepi
 * device is an error; otherwise other devices are skipped quietly.
 * Returns 0, 1 when skipped, or -errno after printing why.
 */
static int read_status(const char *name, bool named, struct dev_status *s)
{
	struct dm_dev table;
	int r;

	memset(s, 0, sizeof(*s));
	if (!named) {
		/* Only devices with a stablepi target are of interest here. */
		r = dm_get(name, false, &table);
		if (r == -ENXIO)
			return 1;	/* removed since the list was read */
		if (!r) {
			unsigned int i, ours = 0, n = table.nr_targets;

			for (i = 0; i < n; i++)
				ours += !strcmp(table.targets[i].type, TARGET_NAME);
			dm_dev_free(&table);
			if (!ours)
				return 1;
			if (n > 1) {
				note("%s: skipped: its table has several targets; "
				     "stablepi works on devices of one stablepi target "
				     "(dmsetup status %s shows it)", name, name);
				return 1;
			}
		}
	}
	r = find_stablepi(name, true, &s->d, &s->t);
	if (r)
		return r;
	if (parse_counters(s->d.targets[0].params, &s->c)) {
		err("%s: cannot read its status line '%s'", name, s->d.targets[0].params);
		dm_dev_free(&s->d);
		free_table(&s->t);
		return -EINVAL;
	}
	s->have_lower = !lower_probe(s->t.dev_major, s->t.dev_minor, &s->lo);
	return 0;
}

int cmd_status(int argc, char **argv)
{
	struct cmd_opts o;
	char **names = NULL, version[32] = "?", *arg;
	unsigned int n = 0, i, v[3], shown = 0;
	struct dev_status s;
	json_object *root = NULL, *devs = NULL;
	int first, r, rc = EXIT_OK;
	bool named;

	r = parse_cmd_opts("status", A(OPT_JSON), argc, argv, &o, &first);
	if (r)
		return r < 0 ? EXIT_OK : r;
	named = first < argc;
	for (i = (unsigned int)first; i < (unsigned int)argc; i++) {
		const char *why;

		arg = argv[i];
		if (!strncmp(arg, "/dev/mapper/", 12))
			arg += 12;
		if (!valid_dm_name(arg, &why))
			return usage_error("status", "invalid device name '%s': %s", argv[i], why);
	}

	if (named) {
		for (i = (unsigned int)first; i < (unsigned int)argc; i++) {
			arg = argv[i];
			if (!strncmp(arg, "/dev/mapper/", 12))
				arg += 12;
			names = xrealloc(names, (n + 1) * sizeof(*names));
			names[n++] = xstrdup(arg);
		}
	} else if (dm_loaded()) {
		r = dm_names(&names, &n);
		if (r) {
			err("cannot list the device-mapper devices: %s",
			    r == -EACCES || r == -EPERM ? "permission denied (device-mapper needs root)" :
			    dm_last_error()[0] ? dm_last_error() : strerror(-r));
			return EXIT_FAILED;
		}
	}
	if (dm_loaded() && !dm_target_version(TARGET_NAME, v))
		snprintf(version, sizeof(version), "%u.%u.%u", v[0], v[1], v[2]);

	if (o.json) {
		root = json_object_new_object();
		devs = json_object_new_array();
		json_object_object_add(root, "schema", json_object_new_int(JSON_SCHEMA));
		json_object_object_add(root, "devices", devs);
	}
	for (i = 0; i < n; i++) {
		r = read_status(names[i], named, &s);
		if (r < 0)
			rc = EXIT_FAILED;
		if (r)
			continue;
		if (o.json) {
			json_object_array_add(devs, json_of(&s, version));
		} else {
			if (shown)
				putchar('\n');
			print_text(&s, version);
		}
		shown++;
		dm_dev_free(&s.d);
		free_table(&s.t);
	}
	if (o.json) {
		puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
						    JSON_C_TO_STRING_SPACED |
						    JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(root);
	} else if (!named && !shown) {
		puts("no stablepi devices");
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (fflush(stdout)) {
		err("cannot write the output: %s", strerror(errno));
		return EXIT_FAILED;
	}
	return rc;
}
