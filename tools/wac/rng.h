/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wac: per-thread pseudo-random numbers (offsets and write contents).
 */
#ifndef WAC_RNG_H
#define WAC_RNG_H

#include <stddef.h>
#include <stdint.h>

/* An xorshift64* generator.  Each thread owns one; none is shared. */
struct wac_rng {
	uint64_t state;
};

void wac_rng_init(struct wac_rng *rng, uint64_t seed, uint64_t stream);
uint64_t wac_rng_next(struct wac_rng *rng);
uint64_t wac_rng_below(struct wac_rng *rng, uint64_t n);
void wac_rng_fill(struct wac_rng *rng, void *buf, size_t len);

#endif /* WAC_RNG_H */
