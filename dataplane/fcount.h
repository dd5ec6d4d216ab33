/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file fcount.h
 * How many distinct UDP DNS flows were seen within the flow timeout, in
 * fixed memory whatever their number: the session state a NAT or a load
 * balancer in the path must hold. A HyperLogLog sketch (Flajolet et al.,
 * 2007) per slice of time, an eighth of the timeout each, in a ring of
 * nine; the flows active are those of the union of the nine, a flow
 * counted for at least the timeout after its last packet and at most an
 * eighth longer. The union's registers are kept beside the slices', with
 * how many of them hold each value, so adding a flow costs a byte or two
 * and the estimate (Ertl 2017, "New cardinality estimation algorithms for
 * HyperLogLog sketches", the improved raw estimator: no bias tables, good
 * from one flow to billions) is made at the tick from that histogram.
 * 4096 registers: a standard error of 1.6%; a few flows are counted exactly
 * unless two share a register (about n * n / 8192 of a chance).
 * No allocation: the caller hands in the memory. Time is an argument.
 */
#ifndef DNSBUMP_FCOUNT_H
#define DNSBUMP_FCOUNT_H

#include <stddef.h>
#include <stdint.h>

#define DNSB_FC_P 12                      /**< index bits of a hash */
#define DNSB_FC_M (1u << DNSB_FC_P)       /**< registers of a sketch */
#define DNSB_FC_Q (64 - DNSB_FC_P)        /**< bits left for a register's value */
#define DNSB_FC_SLICES 8                  /**< slices of a timeout */
#define DNSB_FC_RING (DNSB_FC_SLICES + 1) /**< the current slice and a timeout's worth before it */

struct dnsb_fcount {
	uint8_t *reg;     /**< DNSB_FC_RING sketches of DNSB_FC_M registers */
	uint8_t *cur;     /**< the current slice's sketch, in reg */
	uint8_t *un;      /**< the union: each register the most of the ring's */
	uint32_t hist[DNSB_FC_Q + 2]; /**< registers of the union by value */
	uint32_t ring;    /**< which sketch of reg is the current one */
	uint32_t used;    /**< the sketches with a register set, a bit each */
	uint32_t dirty;   /**< the union changed since the last estimate */
	uint64_t slice_ns;
	uint64_t slice_end; /**< when the current slice ends (0: at the first tick) */
	uint64_t live;    /**< flows active at the last tick (estimated) */
	uint64_t peak;    /**< most flows active at any tick */
};

/** Bytes of memory a counter needs. */
static inline size_t dnsb_fc_mem(void)
{
	return (size_t)(DNSB_FC_RING + 1) * DNSB_FC_M;
}

/**
 * Set up @p f over @p mem (dnsb_fc_mem() bytes, owned by the caller, zeroed
 * here) for flows active @p timeout_ns after their last packet.
 * @return 0, or -1 for a timeout under DNSB_FC_SLICES nanoseconds.
 */
int dnsb_fc_init(struct dnsb_fcount *f, void *mem, uint64_t timeout_ns);

/**
 * A packet of the flow whose 64-bit hash is @p h (a hash of the flow's key,
 * the same for each of its packets, seeded so that no one can choose keys
 * that collide): mixed once more, its first DNSB_FC_P bits pick the
 * register, the run of zeros after them sets its value.
 */
static inline __attribute__((always_inline)) void dnsb_fc_add(struct dnsb_fcount *f, uint64_t h)
{
	/* The flow hashes place table entries, where their low bits matter;
	 * here every bit does: mixed once more (a multiply-xorshift round). */
	h ^= h >> 31;
	h *= 0x9e6c63d0676a9a99ull;
	h ^= h >> 29;
	uint32_t j = (uint32_t)(h >> DNSB_FC_Q);
	/* The guard bit caps the value at DNSB_FC_Q + 1. */
	uint8_t r = (uint8_t)(__builtin_clzll(h << DNSB_FC_P | 1ull << (DNSB_FC_P - 1)) + 1);
	if (r <= f->cur[j])
		return;
	f->cur[j] = r;
	f->used |= 1u << f->ring;
	uint8_t u = f->un[j];
	if (r <= u)
		return;
	f->un[j] = r;
	f->hist[u]--;
	f->hist[r]++;
	f->dirty = 1;
}

/**
 * At @p now_ns: start new slices as time says (the oldest given up), then
 * estimate the flows active if anything changed, into live and peak. The
 * first call anchors the slices: what was added before it is in the first.
 */
void dnsb_fc_tick(struct dnsb_fcount *f, uint64_t now_ns);

/** The distinct flows that @p hist (registers by value, DNSB_FC_Q + 2 of
 * them, summing to DNSB_FC_M) stands for. */
double dnsb_fc_estimate(const uint32_t *hist);

#endif
