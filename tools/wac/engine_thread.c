// SPDX-License-Identifier: GPL-2.0
/*
 * wac: the thread dio-scribble engine.
 *
 * No asynchronous I/O interface: each slot has a writer thread doing
 * blocking O_DIRECT pwrite() calls, and one scribbler thread changes the
 * buffers of the slots whose pwrite() is in progress.  A writer blocked in
 * pwrite() is joined when the call returns.
 */
#include <errno.h>
#include <sched.h>
#include <unistd.h>

#include "scribble.h"

static void *thread_writer(void *arg)
{
	struct wac_slot *slot = arg;
	const struct wac_target *t = slot->s->ctx->target;
	struct wac_run *run = slot->s->ctx->run;
	ssize_t done;

	wac_run_wait(run);
	while (!wac_run_should_stop(run)) {
		wac_slot_prepare(slot);
		atomic_store_explicit(&slot->in_flight, true,
				      memory_order_release);
		done = pwrite(t->fd, slot->buf, t->bs, (off_t)slot->offset);
		if (done < 0)
			done = -errno;
		wac_slot_complete(slot, &slot->counters, done);
	}
	return NULL;
}

static void *thread_scribbler(void *arg)
{
	struct wac_scribble *s = arg;
	struct wac_run *run = s->ctx->run;

	wac_run_wait(run);
	while (!wac_run_should_stop(run)) {
		if (!wac_scribble_pass(s))
			sched_yield();	/* nothing in flight right now */
	}
	return NULL;
}

static int thread_setup(struct wac_scribble *s)
{
	s->threads = s->depth + 1;
	return 0;
}

static int thread_start(struct wac_scribble *s)
{
	struct wac_slot *slot;
	unsigned int i;
	int ret;

	ret = wac_start_thread(s, thread_scribbler);
	for (i = 0; !ret && i < s->depth; i++) {
		slot = &s->slots[i];
		ret = pthread_create(&slot->thread, NULL, thread_writer, slot);
		slot->started = !ret;
	}
	return ret;
}

static void thread_join(struct wac_scribble *s)
{
	unsigned int i;

	for (i = 0; i < s->depth; i++) {
		if (s->slots[i].started)
			pthread_join(s->slots[i].thread, NULL);
		s->slots[i].started = false;
	}
	wac_join_thread(s);
}

static void thread_teardown(struct wac_scribble *s)
{
	(void)s;
}

const struct wac_engine_ops wac_engine_thread = {
	.setup		= thread_setup,
	.start		= thread_start,
	.join		= thread_join,
	.teardown	= thread_teardown,
};
