// SPDX-License-Identifier: GPL-2.0
/*
 * wac: the libaio dio-scribble engine.
 *
 * Same loop as the io_uring engine, with Linux native AIO: io_submit() the
 * idle slots, poll for completions with a zero timeout, and scribble on the
 * in-flight buffers whenever nothing completed.  A write the kernel refuses
 * at submission (io_submit() fails for it) is counted as an error of that
 * write.  Note that io_destroy() waits for writes still in flight.
 */
#include <errno.h>
#include <libaio.h>
#include <stdlib.h>

#include "scribble.h"

struct wac_aio {
	io_context_t ctx;
	struct iocb *iocbs;		/* one per slot */
	struct iocb **batch;
	struct io_event *events;
	unsigned int in_flight;
};

static void aio_submit_idle(struct wac_scribble *s, struct wac_aio *a)
{
	const struct wac_target *t = s->ctx->target;
	struct wac_slot *slot;
	unsigned int i, n = 0, done = 0;
	int ret;

	if (a->in_flight == s->depth)
		return;
	for (i = 0; i < s->depth; i++) {
		slot = &s->slots[i];
		if (atomic_load_explicit(&slot->in_flight,
					 memory_order_relaxed))
			continue;
		wac_slot_prepare(slot);
		io_prep_pwrite(&a->iocbs[i], t->fd, slot->buf, t->bs,
			       (long long)slot->offset);
		a->iocbs[i].data = slot;
		a->batch[n++] = &a->iocbs[i];
	}
	while (done < n) {
		ret = io_submit(a->ctx, n - done, a->batch + done);
		if (ret == -EAGAIN || ret == -EINTR)
			break;		/* retried on the next loop */
		if (ret < 0) {
			/* The first write of the batch was refused. */
			wac_count_error(&s->counters, -ret);
			done++;
			continue;
		}
		for (i = done; i < done + (unsigned int)ret; i++) {
			slot = a->batch[i]->data;
			atomic_store_explicit(&slot->in_flight, true,
					      memory_order_relaxed);
		}
		a->in_flight += (unsigned int)ret;
		done += (unsigned int)ret;
	}
}

/* Handle up to depth completions, waiting at most *ts; returns how many. */
static int aio_reap(struct wac_scribble *s, struct wac_aio *a, long min_nr,
		    struct timespec *ts)
{
	struct wac_slot *slot;
	long res;
	int i, n;

	n = io_getevents(a->ctx, min_nr, s->depth, a->events, ts);
	for (i = 0; i < n; i++) {
		slot = a->events[i].data;
		res = (long)a->events[i].res;
		wac_slot_complete(slot, &s->counters, res);
		a->in_flight--;
	}
	return n;
}

static void aio_drain(struct wac_scribble *s, struct wac_aio *a)
{
	uint64_t give_up = wac_now_ns() + WAC_DRAIN_NS;
	struct timespec ts = { .tv_nsec = WAC_WAIT_NS };
	int n;

	while (a->in_flight) {
		n = aio_reap(s, a, 1, &ts);
		if ((n < 0 && n != -EINTR) || wac_now_ns() > give_up)
			break;
	}
	s->abandoned = a->in_flight;
}

static void *aio_thread(void *arg)
{
	struct wac_scribble *s = arg;
	struct wac_aio *a = s->priv;
	struct wac_run *run = s->ctx->run;
	struct timespec zero = { 0 };
	int n;

	wac_run_wait(run);
	while (!wac_run_should_stop(run)) {
		aio_submit_idle(s, a);
		n = a->in_flight ? aio_reap(s, a, 0, &zero) : 0;
		if (n < 0 && n != -EINTR) {
			s->failed = -n;
			break;
		}
		if (n <= 0)
			wac_scribble_pass(s);
	}
	aio_drain(s, a);
	return NULL;
}

static void aio_free(struct wac_aio *a)
{
	free(a->iocbs);
	free(a->batch);
	free(a->events);
	free(a);
}

static int aio_setup(struct wac_scribble *s)
{
	struct wac_aio *a;
	int ret;

	a = calloc(1, sizeof(*a));
	if (!a)
		return ENOMEM;
	a->iocbs = calloc(s->depth, sizeof(*a->iocbs));
	a->batch = calloc(s->depth, sizeof(*a->batch));
	a->events = calloc(s->depth, sizeof(*a->events));
	if (!a->iocbs || !a->batch || !a->events) {
		aio_free(a);
		return ENOMEM;
	}
	ret = io_setup((int)s->depth, &a->ctx);
	if (ret < 0) {
		aio_free(a);
		return -ret;
	}
	s->priv = a;
	return 0;
}

static int aio_start(struct wac_scribble *s)
{
	return wac_start_thread(s, aio_thread);
}

static void aio_teardown(struct wac_scribble *s)
{
	struct wac_aio *a = s->priv;

	io_destroy(a->ctx);
	aio_free(a);
	s->priv = NULL;
}

const struct wac_engine_ops wac_engine_libaio = {
	.setup		= aio_setup,
	.start		= aio_start,
	.join		= wac_join_thread,
	.teardown	= aio_teardown,
};
