// SPDX-License-Identifier: GPL-2.0
/*
 * wac: the end-of-run summary and the "wac:" result line.
 *
 * The summary is for people.  The result line is for scripts: exactly one
 * line, starting with "wac:", of space-separated key=value words, printed
 * last.  No other line wac prints starts with "wac:" in a completed run.
 * The keys are documented in docs/wac.rst; add keys, never rename them.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "report.h"

static const char *const wac_kind_names[WAC_KIND_NR] = {
	[WAC_KIND_PWRITE]	= "pwrite",
	[WAC_KIND_MMAP]		= "mmap",
	[WAC_KIND_DIO]		= "dio",
};

static uint64_t per_second(uint64_t n, double elapsed)
{
	return elapsed > 0 ? (uint64_t)(n / elapsed + 0.5) : 0;
}

static uint64_t errno_total(const struct wac_result *r, int slot)
{
	uint64_t n = 0;
	int k;

	for (k = 0; k < WAC_KIND_NR; k++)
		n += r->kind[k].by_errno[slot];
	return n;
}

static void report_errors(FILE *f, const struct wac_result *r,
			  const struct wac_counters *all)
{
	const char *name;
	int slot, k;

	if (!all->errors) {
		fprintf(f, "errors    none\n");
		return;
	}
	fprintf(f, "errors    %" PRIu64 " (%" PRIu64 " from sync calls)\n",
		all->errors, all->sync_errors);
	for (slot = 0; slot < WAC_ERRNO_SLOTS; slot++) {
		if (!errno_total(r, slot))
			continue;
		name = slot ? strerrorname_np(slot) : NULL;
		fprintf(f, "  %-8s %-28s", name ? name : "other",
			slot ? strerror(slot) : "errno above 255");
		for (k = 0; k < WAC_KIND_NR; k++)
			fprintf(f, " %s %" PRIu64, wac_kind_names[k],
				r->kind[k].by_errno[slot]);
		fputc('\n', f);
	}
	if (all->sigbus)
		fprintf(f, "  %-8s %-28s mmap %" PRIu64 "\n", "SIGBUS",
			"store into the mapping failed", all->sigbus);
}

static void report_summary(FILE *f, const struct wac_options *o,
			   const struct wac_target *t,
			   const struct wac_result *r,
			   const struct wac_counters *all)
{
	const struct wac_counters *c;
	int k;

	fprintf(f, "target    %s (%s), %" PRIu64 " bytes, %" PRIu64
		" blocks of %" PRIu64 "\n", t->path,
		t->blkdev ? "block device" : "regular file", t->size,
		t->nr_blocks, t->bs);
	fprintf(f, "run       %.3f s of %g s%s, seed %" PRIu64
		", sync %s, %s I/O\n", r->elapsed, o->duration,
		r->interrupted ? " (interrupted)" : "", o->seed,
		wac_sync_name(o->sync), o->direct ? "direct" : "buffered");
	fprintf(f, "%-8s %8s %14s %12s %10s\n", "writer", "threads", "ops",
		"ops/s", "errors");
	for (k = 0; k < WAC_KIND_NR; k++) {
		c = &r->kind[k];
		fprintf(f, "%-8s %8u %14" PRIu64 " %12" PRIu64 " %10" PRIu64,
			wac_kind_names[k], r->threads[k], c->ops,
			per_second(c->ops, r->elapsed), c->errors);
		if (k == WAC_KIND_DIO && o->dio_scribble)
			fprintf(f, "  (%s, iodepth %u)",
				wac_engine_name(o->engine), o->iodepth);
		fputc('\n', f);
	}
	if (o->dio_scribble)
		fprintf(f, "scribbles %" PRIu64 " (%" PRIu64
			"/s) buffer changes while a write was in flight\n",
			all->scribbles, per_second(all->scribbles, r->elapsed));
	report_errors(f, r, all);
	if (all->short_writes)
		fprintf(f, "short     %" PRIu64 " writes wrote less than --bs\n",
			all->short_writes);
	if (r->dio_failed)
		fprintf(f, "note      the %s engine stopped early: %s\n",
			wac_engine_name(o->engine), strerror(r->dio_failed));
	if (o->dio_scribble)
		fprintf(f, "latency   slowest dio write %.3f ms\n",
			(double)r->kind[WAC_KIND_DIO].max_latency_ns / 1e6);
	if (o->read_back)
		fprintf(f, "read-back %" PRIu64 " blocks of %d bytes in %.3f s: %"
			PRIu64 " unreadable (EIO %" PRIu64 ", EILSEQ %" PRIu64
			")\n", r->read_back.blocks, WAC_READ_BACK_BLOCK,
			r->read_back.seconds, r->read_back.unreadable,
			r->read_back.eio, r->read_back.eilseq);
	if (o->read_back && r->read_back.fsync_error)
		fprintf(f, "note      the fsync before the read-back failed: %s\n",
			strerror(r->read_back.fsync_error));
	if (r->dio_abandoned)
		fprintf(f, "note      %" PRIu64 " writes were still in flight %d s after the deadline\n",
			r->dio_abandoned,
			(int)(WAC_DRAIN_NS / WAC_NSEC_PER_SEC));
}

static void put_u64(FILE *f, const char *key, uint64_t val)
{
	fprintf(f, " %s=%" PRIu64, key, val);
}

static void put_str(FILE *f, const char *key, const char *val)
{
	fprintf(f, " %s=%s", key, val);
}

/* One line; keys in the order of the table in docs/wac.rst. */
static void report_line(FILE *f, const struct wac_options *o,
			const struct wac_target *t,
			const struct wac_result *r,
			const struct wac_counters *all)
{
	const struct wac_counters *pw = &r->kind[WAC_KIND_PWRITE];
	const struct wac_counters *mm = &r->kind[WAC_KIND_MMAP];
	const struct wac_counters *dio = &r->kind[WAC_KIND_DIO];
	uint64_t eio = all->by_errno[EIO], eilseq = all->by_errno[EILSEQ];

	fprintf(f, "wac: pid=%d duration_s=%.3f", (int)r->pid, r->elapsed);
	put_u64(f, "pwrite_ops", pw->ops);
	put_u64(f, "pwrite_ops_per_s", per_second(pw->ops, r->elapsed));
	put_u64(f, "mmap_ops", mm->ops);
	put_u64(f, "mmap_ops_per_s", per_second(mm->ops, r->elapsed));
	put_u64(f, "dio_writes", dio->ops);
	put_u64(f, "dio_writes_per_s", per_second(dio->ops, r->elapsed));
	put_u64(f, "scribbles", all->scribbles);
	put_u64(f, "scribbles_per_s", per_second(all->scribbles, r->elapsed));
	put_u64(f, "io_errors", all->errors);
	put_u64(f, "eio", eio);
	put_u64(f, "eilseq", eilseq);
	put_u64(f, "other_errors", all->errors - eio - eilseq);
	put_u64(f, "sync_errors", all->sync_errors);
	put_u64(f, "sigbus", all->sigbus);
	put_u64(f, "short_writes", all->short_writes);
	put_u64(f, "pwrite_errors", pw->errors);
	put_u64(f, "mmap_errors", mm->errors);
	put_u64(f, "dio_errors", dio->errors);
	put_u64(f, "dio_abandoned", r->dio_abandoned);
	put_u64(f, "bytes", all->bytes);
	put_u64(f, "pwriters", o->pwriters);
	put_u64(f, "mmap_writers", o->mmap_writers);
	put_u64(f, "dio_scribble", o->dio_scribble);
	put_str(f, "engine", o->dio_scribble ? wac_engine_name(o->engine) :
						"none");
	put_u64(f, "iodepth", o->dio_scribble ? o->iodepth : 0);
	put_u64(f, "buf_offset", o->buf_offset);
	put_u64(f, "direct", o->direct);
	put_str(f, "sync", wac_sync_name(o->sync));
	put_u64(f, "bs", t->bs);
	put_u64(f, "size", t->size);
	put_u64(f, "seed", o->seed);
	put_u64(f, "interrupted", r->interrupted);
	put_u64(f, "dio_max_latency_us", dio->max_latency_ns / 1000);
	put_u64(f, "read_back", o->read_back);
	put_u64(f, "read_back_blocks", r->read_back.blocks);
	put_u64(f, "unreadable_blocks", r->read_back.unreadable);
	put_u64(f, "unreadable_eio", r->read_back.eio);
	put_u64(f, "unreadable_eilseq", r->read_back.eilseq);
	put_u64(f, "read_back_fsync_errno", (uint64_t)r->read_back.fsync_error);
	fputc('\n', f);
}

void wac_report(FILE *f, const struct wac_options *o,
		const struct wac_target *t, const struct wac_result *r)
{
	struct wac_counters all;
	int k;

	memset(&all, 0, sizeof(all));
	for (k = 0; k < WAC_KIND_NR; k++)
		wac_counters_add(&all, &r->kind[k]);
	report_summary(f, o, t, r, &all);
	report_line(f, o, t, r, &all);
	fflush(f);
}
