// SPDX-License-Identifier: GPL-2.0
/*
 * wac: write-after-checksum workload generator.
 *
 * Threads rewrite random blocks of one file or block device so that pages
 * change between the moment their protection information is computed and
 * the moment the device reads them.  See docs/wac.rst.
 *
 * main: parse options, open the target, set up every worker, run until the
 * deadline (or SIGINT/SIGTERM), join, read back (--read-back), report.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fault.h"
#include "options.h"
#include "readback.h"
#include "report.h"
#include "scribble.h"
#include "writers.h"

struct wac_workers {
	struct wac_writer *writers;
	unsigned int nr_writers;	/* pwrite writers first, then mmap */
	struct wac_scribble scribble;
	bool scribbling;
};

static int setup_error(const char *what, int err)
{
	fprintf(stderr, "wac: %s: %s\n", what, strerror(err));
	return WAC_EXIT_SETUP;
}

static void free_workers(struct wac_workers *w)
{
	unsigned int i;

	for (i = 0; i < w->nr_writers; i++)
		wac_writer_free(&w->writers[i]);
	free(w->writers);
	w->writers = NULL;
	if (w->scribbling)
		wac_scribble_free(&w->scribble);
	w->scribbling = false;
}

static int setup_workers(struct wac_workers *w, const struct wac_ctx *ctx)
{
	const struct wac_options *o = ctx->opts;
	unsigned int i, n = o->pwriters + o->mmap_writers;
	enum wac_kind kind;
	char what[64];
	int ret;

	memset(w, 0, sizeof(*w));
	w->writers = calloc(n ? n : 1, sizeof(*w->writers));
	if (!w->writers)
		return setup_error("cannot allocate writers", ENOMEM);
	for (i = 0; i < n; i++) {
		kind = i < o->pwriters ? WAC_KIND_PWRITE : WAC_KIND_MMAP;
		ret = wac_writer_init(&w->writers[i], ctx, kind,
				      kind == WAC_KIND_PWRITE ? i :
				      i - o->pwriters);
		w->nr_writers = i + 1;
		if (ret)
			return setup_error("cannot allocate a write buffer",
					   ret);
	}
	if (o->dio_scribble) {
		w->scribbling = true;
		ret = wac_scribble_init(&w->scribble, ctx);
		if (ret) {
			snprintf(what, sizeof(what),
				 "cannot set up the %s engine",
				 wac_engine_name(o->engine));
			return setup_error(what, ret);
		}
	}
	return WAC_EXIT_OK;
}

static void join_workers(struct wac_workers *w)
{
	unsigned int i;

	for (i = 0; i < w->nr_writers; i++)
		wac_writer_join(&w->writers[i]);
	if (w->scribbling)
		wac_scribble_join(&w->scribble);
}

static int start_workers(struct wac_workers *w, struct wac_run *run)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; !ret && i < w->nr_writers; i++)
		ret = wac_writer_start(&w->writers[i]);
	if (!ret && w->scribbling)
		ret = wac_scribble_start(&w->scribble);
	if (ret) {
		wac_run_abort(run);
		join_workers(w);
		return setup_error("cannot create a thread", ret);
	}
	return WAC_EXIT_OK;
}

/* Sleep until the deadline; returns true when a stop signal came first. */
static bool wait_for_deadline(struct wac_run *run, const sigset_t *signals)
{
	struct timespec ts;
	uint64_t now, left;

	for (;;) {
		now = wac_now_ns();
		if (now >= run->deadline_ns)
			return false;
		left = run->deadline_ns - now;
		ts.tv_sec = (time_t)(left / WAC_NSEC_PER_SEC);
		ts.tv_nsec = (long)(left % WAC_NSEC_PER_SEC);
		if (sigtimedwait(signals, NULL, &ts) > 0)
			return true;
	}
}

static void collect(struct wac_result *r, const struct wac_workers *w)
{
	const struct wac_writer *wr;
	unsigned int i;

	for (i = 0; i < w->nr_writers; i++) {
		wr = &w->writers[i];
		wac_counters_add(&r->kind[wr->kind], &wr->counters);
		r->threads[wr->kind]++;
	}
	if (w->scribbling) {
		wac_scribble_collect(&w->scribble, &r->kind[WAC_KIND_DIO]);
		r->threads[WAC_KIND_DIO] = w->scribble.threads;
		r->dio_abandoned = w->scribble.abandoned;
		r->dio_failed = w->scribble.failed;
	}
}

static int run(const struct wac_options *o, struct wac_target *t)
{
	struct wac_workers workers;
	struct wac_result *result;
	struct wac_run run;
	struct wac_ctx ctx = { .opts = o, .target = t, .run = &run };
	sigset_t signals;
	int ret;

	/* Workers inherit the mask: only main takes SIGINT and SIGTERM. */
	sigemptyset(&signals);
	sigaddset(&signals, SIGINT);
	sigaddset(&signals, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &signals, NULL);
	if (wac_fault_install())
		return setup_error("cannot install the SIGBUS handler", errno);

	result = calloc(1, sizeof(*result));
	if (!result)
		return setup_error("cannot allocate the result", ENOMEM);
	wac_run_init(&run);
	ret = setup_workers(&workers, &ctx);
	if (!ret)
		ret = start_workers(&workers, &run);
	if (ret)
		goto out;

	wac_run_go(&run, o->duration);
	result->interrupted = wait_for_deadline(&run, &signals);
	wac_run_stop(&run);
	join_workers(&workers);

	result->pid = getpid();
	result->elapsed = (double)(wac_now_ns() - run.start_ns) /
			  WAC_NSEC_PER_SEC;
	collect(result, &workers);
	if (o->read_back) {
		ret = wac_read_back(t, &result->read_back);
		if (ret)
			goto out;
	}
	wac_report(stdout, o, t, result);
out:
	free_workers(&workers);
	wac_run_destroy(&run);
	free(result);
	return ret;
}

int main(int argc, char *argv[])
{
	struct wac_options opts;
	struct wac_target target;
	int ret;

	switch (wac_parse_options(&opts, argc, argv)) {
	case WAC_PARSE_HELP:
		wac_usage(stdout);
		return WAC_EXIT_OK;
	case WAC_PARSE_ERROR:
		return WAC_EXIT_USAGE;
	case WAC_PARSE_RUN:
		break;
	}
	ret = wac_target_open(&target, &opts);
	if (ret)
		return ret;
	ret = run(&opts, &target);
	wac_target_close(&target);
	return ret;
}
