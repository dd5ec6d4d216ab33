/* SPDX-License-Identifier: BSD-3-Clause */
#include "fcount.h"

#include <math.h>
#include <string.h>

int dnsb_fc_init(struct dnsb_fcount *f, void *mem, uint64_t timeout_ns)
{
	if (timeout_ns < DNSB_FC_SLICES)
		return -1;
	memset(f, 0, sizeof(*f));
	memset(mem, 0, dnsb_fc_mem());
	f->reg = mem;
	f->cur = f->reg;
	f->un = f->reg + (size_t)DNSB_FC_RING * DNSB_FC_M;
	f->hist[0] = DNSB_FC_M;
	f->slice_ns = timeout_ns / DNSB_FC_SLICES;
	return 0;
}

/* The union again from the ring, and its histogram. */
static void fc_union(struct dnsb_fcount *f)
{
	memcpy(f->un, f->reg, DNSB_FC_M);
	for (uint32_t s = 1; s < DNSB_FC_RING; s++) {
		const uint8_t *r = f->reg + (size_t)s * DNSB_FC_M;
		for (uint32_t j = 0; j < DNSB_FC_M; j++)
			f->un[j] = r[j] > f->un[j] ? r[j] : f->un[j];
	}
	memset(f->hist, 0, sizeof(f->hist));
	for (uint32_t j = 0; j < DNSB_FC_M; j++)
		f->hist[f->un[j]]++;
}

void dnsb_fc_tick(struct dnsb_fcount *f, uint64_t now)
{
	if (!f->slice_end) {
		f->slice_end = now + f->slice_ns;
	} else if (now >= f->slice_end) {
		/* Slices whose time came, each one emptying the oldest; a
		 * timeout's worth or more of them empties the whole ring. The
		 * union is made again when one that held flows went. */
		uint64_t n = (now - f->slice_end) / f->slice_ns + 1;
		uint32_t gone = 0;
		f->slice_end += n * f->slice_ns;
		for (uint64_t i = 0; i < n && i < DNSB_FC_RING; i++) {
			f->ring = (f->ring + 1) % DNSB_FC_RING;
			f->cur = f->reg + (size_t)f->ring * DNSB_FC_M;
			if (f->used & 1u << f->ring) {
				memset(f->cur, 0, DNSB_FC_M);
				gone |= 1u << f->ring;
			}
		}
		if (gone) {
			f->used &= ~gone;
			fc_union(f);
			f->dirty = 1;
		}
	}
	if (!f->dirty)
		return;
	f->dirty = 0;
	double e = dnsb_fc_estimate(f->hist);
	uint64_t n = e < 0x1p64 ? (uint64_t)(e + 0.5) : UINT64_MAX;
	__atomic_store_n(&f->live, n, __ATOMIC_RELAXED);
	if (n > f->peak)
		__atomic_store_n(&f->peak, n, __ATOMIC_RELAXED);
}

/* sigma(x) = x + sum over k >= 1 of x^(2^k) 2^(k-1), for x in [0, 1). */
static double fc_sigma(double x)
{
	double y = 1, z = x, prev;
	do {
		x *= x;
		prev = z;
		z += x * y;
		y += y;
	} while (z != prev);
	return z;
}

/* tau(x) = (1 - x - sum over k >= 1 of (1 - x^(2^-k))^2 2^-k) / 3, for x in [0, 1]. */
static double fc_tau(double x)
{
	if (x <= 0 || x >= 1)
		return 0;
	double y = 1, z = 1 - x, prev;
	do {
		x = sqrt(x);
		prev = z;
		y *= 0.5;
		z -= (1 - x) * (1 - x) * y;
	} while (z != prev);
	return z / 3;
}

double dnsb_fc_estimate(const uint32_t *hist)
{
	const double m = DNSB_FC_M;
	if (hist[0] >= DNSB_FC_M)
		return 0;
	double z = m * fc_tau(1 - hist[DNSB_FC_Q + 1] / m);
	for (int k = DNSB_FC_Q; k >= 1; k--)
		z = 0.5 * (z + hist[k]);
	z += m * fc_sigma(hist[0] / m);
	/* Every register at its most: more than 64-bit hashes can tell apart. */
	return z > 0 ? m * m / (2 * log(2.0)) / z : 0x1p64;
}
