// SPDX-License-Identifier: GPL-2.0
/*
 * wac: run control.
 *
 * Worker threads are created first and wait at a gate; main then takes the
 * start time, sets the deadline and opens the gate.  Every worker loop calls
 * wac_run_should_stop(), which reads the clock, so a run ends at its
 * deadline even when nobody sets the stop flag.
 */
#include <time.h>

#include "run.h"

uint64_t wac_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * WAC_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

void wac_run_init(struct wac_run *run)
{
	atomic_init(&run->stop, false);
	run->start_ns = 0;
	run->deadline_ns = 0;
	run->open = false;
	pthread_mutex_init(&run->lock, NULL);
	pthread_cond_init(&run->cond, NULL);
}

void wac_run_destroy(struct wac_run *run)
{
	pthread_cond_destroy(&run->cond);
	pthread_mutex_destroy(&run->lock);
}

static void wac_run_open(struct wac_run *run)
{
	pthread_mutex_lock(&run->lock);
	run->open = true;
	pthread_cond_broadcast(&run->cond);
	pthread_mutex_unlock(&run->lock);
}

/* Start the clock and let the workers go. */
void wac_run_go(struct wac_run *run, double duration)
{
	run->start_ns = wac_now_ns();
	run->deadline_ns = run->start_ns +
			   (uint64_t)(duration * WAC_NSEC_PER_SEC);
	wac_run_open(run);
}

/* Setup failed after some workers were created: let them out at once. */
void wac_run_abort(struct wac_run *run)
{
	atomic_store(&run->stop, true);
	wac_run_open(run);
}

void wac_run_wait(struct wac_run *run)
{
	pthread_mutex_lock(&run->lock);
	while (!run->open)
		pthread_cond_wait(&run->cond, &run->lock);
	pthread_mutex_unlock(&run->lock);
}

bool wac_run_should_stop(struct wac_run *run)
{
	if (atomic_load_explicit(&run->stop, memory_order_relaxed))
		return true;
	if (wac_now_ns() < run->deadline_ns)
		return false;
	atomic_store_explicit(&run->stop, true, memory_order_relaxed);
	return true;
}

void wac_run_stop(struct wac_run *run)
{
	atomic_store(&run->stop, true);
}
