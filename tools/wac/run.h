/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wac: run control: the start gate, the deadline and the stop flag.
 */
#ifndef WAC_RUN_H
#define WAC_RUN_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define WAC_NSEC_PER_SEC	1000000000ULL

struct wac_run {
	atomic_bool stop;
	uint64_t start_ns;		/* CLOCK_MONOTONIC */
	uint64_t deadline_ns;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool open;			/* the gate: threads may start */
};

uint64_t wac_now_ns(void);
void wac_run_init(struct wac_run *run);
void wac_run_destroy(struct wac_run *run);
void wac_run_go(struct wac_run *run, double duration);
void wac_run_abort(struct wac_run *run);
void wac_run_wait(struct wac_run *run);
bool wac_run_should_stop(struct wac_run *run);
void wac_run_stop(struct wac_run *run);

#endif /* WAC_RUN_H */
