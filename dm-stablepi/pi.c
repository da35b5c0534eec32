// SPDX-License-Identifier: GPL-2.0
/*
 * dm-stablepi: protection information over a write's data.
 *
 * Tuples are made by the kernel's own T10 PI profiles (block/t10-pi.c):
 * generate_fn runs over every run of whole intervals that lies in one page.
 * An interval that straddles two segments (an O_DIRECT buffer aligned to
 * 512 bytes but not to the 4096-byte interval) is summed piece by piece
 * with the same primitives, crc_t10dif_update() or csum_partial().
 */

#include <linux/bio.h>
#include <linux/crc-t10dif.h>
#include <linux/highmem.h>
#include <net/checksum.h>

#include "stablepi.h"

/* Tuples of one page's worth of 512-byte intervals. */
#define STPI_TUPLES_PER_PAGE	(PAGE_SIZE / 512)

const struct blk_integrity_profile *stpi_pi_profile(unsigned int type,
						    enum stpi_guard guard)
{
	if (type == 1)
		return guard == STPI_GUARD_IP ? &t10_pi_type1_ip : &t10_pi_type1_crc;
	return guard == STPI_GUARD_IP ? &t10_pi_type3_ip : &t10_pi_type3_crc;
}

/* The tuple of one interval spread over several segments. */
static unsigned int stpi_pi_straddling(const struct stpi_c *sc,
				       struct bio_vec *bvecs,
				      struct bvec_iter *iter, sector_t seed,
				      struct t10_pi_tuple *out)
{
	unsigned int left = sc->cfg.interval, done = 0;
	__wsum sum = 0;
	u16 crc = 0;

	while (left && !WARN_ON_ONCE(!iter->bi_size)) {
		struct bio_vec bv = bvec_iter_bvec(bvecs, *iter);
		unsigned int len = min(bv.bv_len, left);
		void *p = bvec_kmap_local(&bv);

		if (sc->cfg.guard == STPI_GUARD_CRC)
			crc = crc_t10dif_update(crc, p, len);
		else
			sum = csum_block_add(sum, csum_partial(p, len, 0), done);
		kunmap_local(p);
		bvec_iter_advance(bvecs, iter, len);
		left -= len;
		done += len;
	}

	if (sc->cfg.guard == STPI_GUARD_CRC)
		out->guard_tag = cpu_to_be16(crc);
	else
		out->guard_tag = (__force __be16)csum_fold(sum);
	out->app_tag = 0;
	out->ref_tag = sc->cfg.type == 1 ? cpu_to_be32(lower_32_bits(seed)) : 0;
	return 1;
}

/*
 * Compute the tuples of up to @max intervals from @iter into @out, and
 * advance @iter past them.  Returns how many were computed (at least 1).
 */
static unsigned int stpi_pi_next(const struct stpi_c *sc, struct bio_vec *bvecs,
				 struct bvec_iter *iter, sector_t seed,
				struct t10_pi_tuple *out, unsigned int max)
{
	struct bio_vec bv = bvec_iter_bvec(bvecs, *iter);
	unsigned int n = min(bv.bv_len >> sc->interval_shift, max);
	struct blk_integrity_iter it = {
		.prot_buf = out,
		.seed = seed,
		.interval = sc->cfg.interval,
		.tuple_size = sizeof(*out),
		.disk_name = sc->name,
	};
	void *kaddr;

	if (!n)
		return stpi_pi_straddling(sc, bvecs, iter, seed, out);

	kaddr = bvec_kmap_local(&bv);
	it.data_buf = kaddr;
	it.data_size = n << sc->interval_shift;
	sc->profile->generate_fn(&it);
	kunmap_local(kaddr);
	bvec_iter_advance(bvecs, iter, it.data_size);
	return n;
}

/* The tuples of all data under @iter, reference tags counting from @seed. */
void stpi_pi_generate(const struct stpi_c *sc, struct bio_vec *bvecs,
		      struct bvec_iter iter, sector_t seed,
		     struct t10_pi_tuple *tuples)
{
	unsigned int done = 0;

	while (iter.bi_size)
		done += stpi_pi_next(sc, bvecs, &iter, seed + done, tuples + done,
				    UINT_MAX);
}

/*
 * Compare the guards of the data under @iter with @tuples (at most @nr
 * intervals) and call @fn for every interval whose guard differs, with the
 * page and offset where the interval starts and the guard found.  What a
 * difference means is the caller's business.
 */
void stpi_pi_compare(const struct stpi_c *sc, struct bio_vec *bvecs,
		     struct bvec_iter iter, const struct t10_pi_tuple *tuples,
		    unsigned int nr, stpi_pi_mismatch_fn fn, void *arg)
{
	struct t10_pi_tuple now[STPI_TUPLES_PER_PAGE];
	unsigned int idx = 0, k, n;

	while (iter.bi_size && idx < nr) {
		struct bio_vec bv = bvec_iter_bvec(bvecs, iter);

		n = stpi_pi_next(sc, bvecs, &iter, 0, now, ARRAY_SIZE(now));
		for (k = 0; k < n; k++, idx++) {
			if (now[k].guard_tag == tuples[idx].guard_tag)
				continue;
			fn(arg, idx, bv.bv_page,
			   bv.bv_offset + (k << sc->interval_shift),
			   now[k].guard_tag);
		}
	}
}

/*
 * Give the lower device the tuples computed at submit, so that it checks
 * exactly those.  The block layer leaves a bio that carries a payload alone,
 * and the lower disk only remaps type 1 reference tags from the seed.
 */
int stpi_pi_attach(struct stpi_io *io, struct t10_pi_tuple *tuples, gfp_t gfp)
{
	unsigned int len = io->nr_intervals * sizeof(struct t10_pi_tuple);
	struct bio_integrity_payload *bip;
	struct bio *lower = io->lower;

	bip = bio_integrity_alloc(lower, gfp, 1);
	if (IS_ERR(bip))
		return PTR_ERR(bip);
	if (bio_integrity_add_page(lower, virt_to_page(tuples), len,
				   offset_in_page(tuples)) != len)
		return -ENOMEM;
	bip->bip_iter.bi_size = len;
	bip_set_seed(bip, lower->bi_iter.bi_sector);
	if (io->sc->cfg.guard == STPI_GUARD_IP)
		bip->bip_flags |= BIP_IP_CHECKSUM;
	return 0;
}
