// SPDX-License-Identifier: GPL-2.0
/*
 * wac: per-thread pseudo-random numbers.
 *
 * Every thread gets its own stream derived from --seed and a stream number
 * (writer kind and index), so runs with the same seed pick the same offsets
 * and contents per thread.  Quality needs are modest: offsets spread over
 * the file, and contents that differ from one write to the next.
 */
#include <string.h>

#include "rng.h"

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void wac_rng_init(struct wac_rng *rng, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed;

	splitmix64(&x);
	x ^= stream * 0xd1342543de82ef95ULL;
	rng->state = splitmix64(&x);
	if (!rng->state)	/* xorshift must not start at zero */
		rng->state = 0x2545f4914f6cdd1dULL;
}

uint64_t wac_rng_next(struct wac_rng *rng)
{
	uint64_t x = rng->state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng->state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/* A number in [0, n), n > 0, by multiply-shift (no modulo bias to speak of). */
uint64_t wac_rng_below(struct wac_rng *rng, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)wac_rng_next(rng) * n) >> 64);
}

void wac_rng_fill(struct wac_rng *rng, void *buf, size_t len)
{
	unsigned char *p = buf;
	uint64_t v;

	while (len >= sizeof(v)) {
		v = wac_rng_next(rng);
		memcpy(p, &v, sizeof(v));
		p += sizeof(v);
		len -= sizeof(v);
	}
	if (len) {
		v = wac_rng_next(rng);
		memcpy(p, &v, len);
	}
}
