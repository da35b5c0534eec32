// SPDX-License-Identifier: GPL-2.0
/*
 * wac: the io_uring dio-scribble engine.
 *
 * One thread owns the ring.  It keeps every slot's write in flight: submit
 * the idle slots, reap whatever has completed, and when nothing has, scribble
 * on the buffers of the writes still in flight.  The thread never blocks
 * while the run lasts; after the deadline it waits for the outstanding
 * completions in bounded steps.
 *
 * Writes are queued with IOSQE_ASYNC, so an io-wq worker issues them and
 * io_uring_submit() returns at once.  Without it, a block device write is
 * issued inline: protection information is generated, and a device that
 * checks it synchronously (scsi_debug) has checked it, before the submitter
 * regains control and could scribble.
 */
#include <errno.h>
#include <liburing.h>
#include <stdlib.h>

#include "scribble.h"

struct wac_uring {
	struct io_uring ring;
	unsigned int in_flight;
};

/* Queue a write for every idle slot and submit them; returns 0 or -errno. */
static int uring_submit_idle(struct wac_scribble *s, struct wac_uring *u)
{
	const struct wac_target *t = s->ctx->target;
	struct io_uring_sqe *sqe;
	struct wac_slot *slot;
	unsigned int i;
	int ret;

	for (i = 0; u->in_flight < s->depth && i < s->depth; i++) {
		slot = &s->slots[i];
		if (atomic_load_explicit(&slot->in_flight,
					 memory_order_relaxed))
			continue;
		sqe = io_uring_get_sqe(&u->ring);
		if (!sqe)
			break;
		wac_slot_prepare(slot);
		io_uring_prep_write(sqe, t->fd, slot->buf, (unsigned int)t->bs,
				    slot->offset);
		io_uring_sqe_set_data(sqe, slot);
		io_uring_sqe_set_flags(sqe, IOSQE_ASYNC);
		atomic_store_explicit(&slot->in_flight, true,
				      memory_order_relaxed);
		u->in_flight++;
	}
	/*
	 * Entries the kernel did not take stay in the submission ring and go
	 * with the next call, so a transient failure only needs a retry.
	 */
	if (!io_uring_sq_ready(&u->ring))
		return 0;
	do {
		ret = io_uring_submit(&u->ring);
	} while (ret == -EINTR);
	if (ret == -EAGAIN || ret == -EBUSY)
		ret = 0;
	return ret < 0 ? ret : 0;
}

static void uring_complete(struct wac_scribble *s, struct wac_uring *u,
			   struct io_uring_cqe *cqe)
{
	struct wac_slot *slot = io_uring_cqe_get_data(cqe);

	wac_slot_complete(slot, &s->counters, cqe->res);
	u->in_flight--;
	io_uring_cqe_seen(&u->ring, cqe);
}

/* Handle every completion already posted; returns how many. */
static unsigned int uring_reap(struct wac_scribble *s, struct wac_uring *u)
{
	struct io_uring_cqe *cqe;
	unsigned int n = 0;

	while (u->in_flight && io_uring_peek_cqe(&u->ring, &cqe) == 0) {
		uring_complete(s, u, cqe);
		n++;
	}
	return n;
}

/* After the deadline: wait for what is still in flight, but not forever. */
static void uring_drain(struct wac_scribble *s, struct wac_uring *u)
{
	uint64_t give_up = wac_now_ns() + WAC_DRAIN_NS;
	struct __kernel_timespec ts = { .tv_nsec = WAC_WAIT_NS };
	struct io_uring_cqe *cqe;
	int ret;

	/* Entries never submitted will never complete: do not wait for them. */
	if (io_uring_sq_ready(&u->ring) && io_uring_submit(&u->ring) < 0)
		u->in_flight -= io_uring_sq_ready(&u->ring);

	while (u->in_flight) {
		ret = io_uring_wait_cqe_timeout(&u->ring, &cqe, &ts);
		if (!ret) {
			uring_complete(s, u, cqe);
			continue;
		}
		if ((ret != -ETIME && ret != -EINTR) ||
		    wac_now_ns() > give_up)
			break;
	}
	s->abandoned = u->in_flight;
}

static void *uring_thread(void *arg)
{
	struct wac_scribble *s = arg;
	struct wac_uring *u = s->priv;
	struct wac_run *run = s->ctx->run;
	int ret;

	wac_run_wait(run);
	while (!wac_run_should_stop(run)) {
		ret = uring_submit_idle(s, u);
		if (ret < 0) {
			s->failed = -ret;
			break;
		}
		if (!uring_reap(s, u))
			wac_scribble_pass(s);
	}
	uring_drain(s, u);
	return NULL;
}

static int uring_setup(struct wac_scribble *s)
{
	struct wac_uring *u;
	int ret;

	u = calloc(1, sizeof(*u));
	if (!u)
		return ENOMEM;
	ret = io_uring_queue_init(s->depth, &u->ring, 0);
	if (ret < 0) {
		free(u);
		return -ret;
	}
	s->priv = u;
	return 0;
}

static int uring_start(struct wac_scribble *s)
{
	return wac_start_thread(s, uring_thread);
}

static void uring_teardown(struct wac_scribble *s)
{
	struct wac_uring *u = s->priv;

	io_uring_queue_exit(&u->ring);
	free(u);
	s->priv = NULL;
}

const struct wac_engine_ops wac_engine_io_uring = {
	.setup		= uring_setup,
	.start		= uring_start,
	.join		= wac_join_thread,
	.teardown	= uring_teardown,
};
