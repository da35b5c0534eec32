// SPDX-License-Identifier: GPL-2.0
/*
 * stablepi violations: the target's violation records, oldest first, with
 * the path of file pages; --follow prints new records as they come.
 *
 * --follow polls the "violations" message and goes by the records'
 * sequence numbers, rather than reading the stablepi:violation tracepoint:
 *
 *  - it gives exactly the records "violations" shows (same seq, wall-clock
 *    time and fields), and it knows how many it missed: a gap in seq is
 *    a number of records that left the ring before they were read;
 *  - it needs nothing but the device-mapper ioctl: no tracefs mount, no
 *    trace instance to create and, when the command is killed, to leave
 *    behind, no other tracer to share the event with;
 *  - the tracepoint's events carry neither seq nor wall-clock time.
 *
 * The cost is latency (up to POLL_MS) and that records may be missed when
 * more than the log's size arrive between two polls; both are reported.
 * The tracepoint stays the tool for seeing every event (trace-cmd, perf).
 */
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stablepi.h"

#define POLL_MS		200
#define DEFAULT_COUNT	10
#define JSON_SCHEMA	1

struct field {
	char *key, *value;
};

struct record {
	uint64_t seq;
	struct field *f;
	unsigned int nf;
	bool file;
	unsigned int major, minor;
	uint64_t ino;
};

struct batch {
	uint64_t total;
	unsigned int log;
	struct record *r;	/* oldest first */
	unsigned int n;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void free_batch(struct batch *b)
{
	unsigned int i, j;

	for (i = 0; i < b->n; i++) {
		for (j = 0; j < b->r[i].nf; j++) {
			free(b->r[i].f[j].key);
			free(b->r[i].f[j].value);
		}
		free(b->r[i].f);
	}
	free(b->r);
	memset(b, 0, sizeof(*b));
}

static const char *field(const struct record *r, const char *key)
{
	unsigned int i;

	for (i = 0; i < r->nf; i++)
		if (!strcmp(r->f[i].key, key))
			return r->f[i].value;
	return NULL;
}

static void add_field(struct record *r, const char *key, size_t klen,
		      const char *value, size_t vlen)
{
	r->f = xrealloc(r->f, (r->nf + 1) * sizeof(*r->f));
	r->f[r->nf].key = xasprintf("%.*s", (int)klen, key);
	r->f[r->nf].value = xasprintf("%.*s", (int)vlen, value);
	r->nf++;
}

/*
 * One record line: key=value words, comm last and running to the end of
 * the line (it may contain blanks).
 */
static int parse_record(const char *line, struct record *r)
{
	const char *p = line, *eq, *end;
	const char *v;
	uint64_t n;

	memset(r, 0, sizeof(*r));
	while (*p) {
		eq = strchr(p, '=');
		if (!eq)
			return -EINVAL;
		if (!strncmp(p, "comm=", 5))
			end = p + strlen(p);
		else
			end = eq + strcspn(eq, " ");
		add_field(r, p, (size_t)(eq - p), eq + 1, (size_t)(end - eq - 1));
		p = *end ? end + 1 : end;
	}
	v = field(r, "seq");
	if (!v || parse_u64(v, 0, UINT64_MAX, &r->seq))
		return -EINVAL;
	v = field(r, "owner");
	if (v && !strcmp(v, "file")) {
		const char *dev = field(r, "dev"), *ino = field(r, "ino");

		if (dev && ino && sscanf(dev, "%u:%u", &r->major, &r->minor) == 2 &&
		    !parse_u64(ino, 0, UINT64_MAX, &n)) {
			r->file = true;
			r->ino = n;
		}
	}
	return 0;
}

/*
 * The response of "violations N": a summary line, then the records newest
 * first.  Kept oldest first.
 */
static int parse_response(char *resp, struct batch *b)
{
	char *save = NULL, *line;
	unsigned int i;
	uint64_t log;

	memset(b, 0, sizeof(*b));
	line = strtok_r(resp, "\n", &save);
	if (!line || sscanf(line, "violations total=%" SCNu64 " log=%" SCNu64,
			    &b->total, &log) != 2)
		return -EINVAL;
	b->log = (unsigned int)log;
	while ((line = strtok_r(NULL, "\n", &save))) {
		b->r = xrealloc(b->r, (b->n + 1) * sizeof(*b->r));
		if (parse_record(line, &b->r[b->n])) {
			b->n++;
			free_batch(b);
			return -EINVAL;
		}
		b->n++;
	}
	for (i = 0; i < b->n / 2; i++) {
		struct record t = b->r[i];

		b->r[i] = b->r[b->n - 1 - i];
		b->r[b->n - 1 - i] = t;
	}
	return 0;
}

/* Ask for the newest @n records (at least 1: the kernel wants 1 to 65536). */
static int fetch(const char *name, uint64_t sector, unsigned int n,
		 struct batch *b)
{
	char msg[32], *resp = NULL;
	int r;

	snprintf(msg, sizeof(msg), "violations %u", n ? (n > LOG_MAX ? LOG_MAX : n) : 1);
	r = dm_message(name, sector, msg, &resp);
	if (r)
		return r;
	r = parse_response(resp, b);
	free(resp);
	if (r)
		return -EBADMSG;
	if (!n) {
		unsigned int keep_log = b->log;
		uint64_t keep_total = b->total;

		free_batch(b);
		b->total = keep_total;
		b->log = keep_log;
	}
	return 0;
}

/* "2026-11-24T23:57:01.123456789+00:00" from "1795564465.789389950". */
static void iso_time(const char *v, char *buf, size_t len)
{
	unsigned long long sec;
	char frac[16], date[32], zone[8];
	struct tm tm;
	time_t t;

	if (sscanf(v, "%llu.%15[0-9]", &sec, frac) != 2) {
		snprintf(buf, len, "%s", v);
		return;
	}
	t = (time_t)sec;
	localtime_r(&t, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(zone, sizeof(zone), "%z", &tm);	/* +0000 */
	snprintf(buf, len, "%s.%s%.3s:%s", date, frac, zone, zone + 3);
}

static uint64_t time_ns(const char *v)
{
	unsigned long long sec;
	unsigned int ns;

	if (!v || sscanf(v, "%llu.%u", &sec, &ns) != 2)
		return 0;
	return (uint64_t)sec * 1000000000ull + ns;
}

static void print_record(const struct record *r, struct path_cache *pc)
{
	const char *path = NULL;
	char buf[64];
	unsigned int i;

	if (r->file && pc)
		path = path_lookup(pc, r->major, r->minor, r->ino);
	for (i = 0; i < r->nf; i++) {
		const struct field *f = &r->f[i];

		if (i)
			putchar(' ');
		if (!strcmp(f->key, "time")) {
			iso_time(f->value, buf, sizeof(buf));
			printf("time=%s", buf);
		} else {
			printf("%s=%s", f->key, f->value);
		}
		if (!strcmp(f->key, "offset") && path)
			printf(" path=%s", path);
	}
	putchar('\n');
}

static json_object *json_uint_or_string(const char *v)
{
	uint64_t n;

	if (!parse_u64(v, 0, UINT64_MAX, &n))
		return json_object_new_uint64(n);
	return json_object_new_string(v);
}

static json_object *record_json(const struct record *r, struct path_cache *pc,
				const char *name)
{
	json_object *j = json_object_new_object();
	char buf[64];
	const char *path;
	unsigned int i;

	if (name)
		json_object_object_add(j, "name", json_object_new_string(name));
	for (i = 0; i < r->nf; i++) {
		const struct field *f = &r->f[i];

		if (!strcmp(f->key, "time")) {
			iso_time(f->value, buf, sizeof(buf));
			json_object_object_add(j, "time", json_object_new_string(buf));
			json_object_object_add(j, "time_ns",
					       json_object_new_uint64(time_ns(f->value)));
		} else if (!strcmp(f->key, "guard")) {
			char sub[8] = "", found[8] = "";

			if (sscanf(f->value, "%7[0-9a-f]/%7[0-9a-f]", sub, found) == 2) {
				json_object_object_add(j, "guard_submit", json_object_new_string(sub));
				json_object_object_add(j, "guard_found", json_object_new_string(found));
			} else {
				json_object_object_add(j, "guard", json_object_new_string(f->value));
			}
		} else if (!strcmp(f->key, "offset")) {
			long long off;

			if (sscanf(f->value, "%lld", &off) == 1)
				json_object_object_add(j, "offset", json_object_new_int64(off));
			else
				json_object_object_add(j, "offset", json_object_new_string(f->value));
		} else if (!strcmp(f->key, "at") || !strcmp(f->key, "owner") ||
			   !strcmp(f->key, "sb") || !strcmp(f->key, "dev") ||
			   !strcmp(f->key, "comm")) {
			json_object_object_add(j, f->key, json_object_new_string(f->value));
		} else {
			json_object_object_add(j, f->key, json_uint_or_string(f->value));
		}
	}
	if (r->file) {
		path = pc ? path_lookup(pc, r->major, r->minor, r->ino) : NULL;
		json_object_object_add(j, "path", path ? json_object_new_string(path) : NULL);
	}
	return j;
}

#define JSON_FLAGS (JSON_C_TO_STRING_NOSLASHESCAPE)

static void want_paths(struct path_cache *pc, const struct batch *b)
{
	unsigned int i;

	if (!pc)
		return;
	for (i = 0; i < b->n; i++)
		if (b->r[i].file)
			path_want(pc, b->r[i].major, b->r[i].minor, b->r[i].ino);
	path_resolve(pc);
}

static void print_header(const char *name, const struct batch *b, unsigned int shown,
			 bool follow)
{
	printf("%s: %" PRIu64 " violation%s since the table was loaded, the log keeps %u",
	       name, b->total, b->total == 1 ? "" : "s", b->log);
	if (shown)
		printf("; the newest %u, oldest first", shown);
	printf("%s\n", follow ? "; following" : "");
}

/*
 * Where --follow is: the next seq to print, and the time of the last
 * record printed, which tells a new table (whose seq start again at 0)
 * from the old one.
 */
struct cursor {
	uint64_t next;
	char last_time[40];
};

static const struct record *record_of(const struct batch *b, uint64_t seq)
{
	unsigned int i;

	for (i = 0; i < b->n; i++)
		if (b->r[i].seq == seq)
			return &b->r[i];
	return NULL;
}

/*
 * Has a new table been loaded since @c was last moved?  Its total is below
 * the next seq, or its record of the last seq printed is another one.
 */
static bool new_table(const struct batch *b, const struct cursor *c)
{
	const struct record *r;
	const char *t;

	if (b->total < c->next)
		return true;
	if (!c->next || !c->last_time[0])
		return false;
	r = record_of(b, c->next - 1);
	t = r ? field(r, "time") : NULL;
	return t && strcmp(t, c->last_time);
}

/* Print records of @b with seq >= c->next; note the ones missed. */
static void print_new(const char *name, struct batch *b, struct cursor *c,
		      struct path_cache *pc, bool json)
{
	uint64_t missed = 0;
	const char *t;
	unsigned int i;

	for (i = 0; i < b->n; i++) {
		struct record *r = &b->r[i];

		if (r->seq < c->next)
			continue;
		missed += r->seq - c->next;
		c->next = r->seq + 1;
		t = field(r, "time");
		snprintf(c->last_time, sizeof(c->last_time), "%s", t ? t : "");
		if (json) {
			json_object *j = record_json(r, pc, name);

			puts(json_object_to_json_string_ext(j, JSON_FLAGS));
			json_object_put(j);
		} else {
			print_record(r, pc);
		}
	}
	if (b->total > c->next) {
		/* Counted, but not in the records returned: left the log. */
		missed += b->total - c->next;
		c->next = b->total;
	}
	fflush(stdout);
	if (missed)
		note("%s: %" PRIu64 " violation record%s not shown: left the log "
		     "(%u records) or cleared before being read; a larger --log "
		     "keeps more", name, missed, missed == 1 ? "" : "s", b->log);
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);	/* a signal ends it early: fine */
}

static int follow(const char *name, uint64_t sector, struct cursor *c,
		  struct path_cache *pc, bool json)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct batch b;
	uint64_t total;
	unsigned int want;
	int r;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	while (!stop) {
		sleep_ms(POLL_MS);
		if (stop)
			break;
		r = fetch(name, sector, 1, &b);
		if (!r) {
			total = b.total;
			free_batch(&b);
			if (total == c->next)
				continue;
			/*
			 * The new ones, the last one printed (to see whether the
			 * table is still the same), and a few more that may
			 * arrive meanwhile.
			 */
			want = total > c->next ? total - c->next : 0;
			want = want > LOG_MAX - 65 ? LOG_MAX : want + 65;
			r = fetch(name, sector, want, &b);
		}
		if (r == -ENXIO) {
			note("%s was removed: stopping", name);
			return EXIT_OK;
		}
		if (r) {
			err("%s: cannot read its violations: %s", name,
			    r == -EBADMSG ? "unexpected answer (is it still a stablepi device?)" :
			    strerror(-r));
			return EXIT_FAILED;
		}
		if (new_table(&b, c)) {
			note("%s: a new table was loaded: following its records, from seq 0",
			     name);
			c->next = 0;
			c->last_time[0] = '\0';
		}
		want_paths(pc, &b);
		print_new(name, &b, c, pc, json);
		free_batch(&b);
	}
	return EXIT_OK;
}

int cmd_violations(int argc, char **argv)
{
	struct path_cache *pc = NULL;
	struct stpi_table t;
	struct cmd_opts o;
	struct dm_dev d;
	struct batch b;
	unsigned int count, i;
	const char *name, *why;
	int first, r, rc;

	r = parse_cmd_opts("violations",
			   A_COUNT | A(OPT_FOLLOW) | A(OPT_JSON) | A(OPT_NO_PATHS),
			   argc, argv, &o, &first);
	if (r)
		return r < 0 ? EXIT_OK : r;
	if (first >= argc)
		return usage_error("violations", "missing NAME (the stablepi device)");
	if (argc - first > 1)
		return usage_error("violations", "one NAME only: '%s' is one too many", argv[first + 1]);
	name = argv[first];
	if (!strncmp(name, "/dev/mapper/", 12))
		name += 12;
	if (!valid_dm_name(name, &why))
		return usage_error("violations", "invalid device name '%s': %s", argv[first], why);
	count = o.has_count ? o.count : DEFAULT_COUNT;

	r = find_stablepi(name, false, &d, &t);
	if (r)
		return EXIT_FAILED;
	r = fetch(name, t.start, count, &b);
	if (r) {
		err("%s: cannot read its violations: %s", name, strerror(-r));
		rc = EXIT_FAILED;
		goto out;
	}
	if (!o.no_paths)
		pc = path_cache_new();
	want_paths(pc, &b);
	if (o.json && !o.follow) {
		json_object *root = json_object_new_object();
		json_object *recs = json_object_new_array();

		json_object_object_add(root, "schema", json_object_new_int(JSON_SCHEMA));
		json_object_object_add(root, "name", json_object_new_string(name));
		json_object_object_add(root, "total", json_object_new_uint64(b.total));
		json_object_object_add(root, "log", json_object_new_int((int)b.log));
		for (i = 0; i < b.n; i++)
			json_object_array_add(recs, record_json(&b.r[i], pc, NULL));
		json_object_object_add(root, "records", recs);
		puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
						    JSON_C_TO_STRING_SPACED | JSON_FLAGS));
		json_object_put(root);
		rc = EXIT_OK;
	} else {
		if (!o.json)
			print_header(name, &b, b.n, o.follow);
		struct cursor c = { .next = b.n ? b.r[0].seq : b.total };

		print_new(name, &b, &c, pc, o.json);
		rc = EXIT_OK;
		if (o.follow)
			rc = follow(name, t.start, &c, pc, o.json);
	}
	free_batch(&b);
	if (fflush(stdout)) {
		err("cannot write the output: %s", strerror(errno));
		rc = EXIT_FAILED;
	}
out:
	path_cache_free(pc);
	dm_dev_free(&d);
	free_table(&t);
	return rc;
}
