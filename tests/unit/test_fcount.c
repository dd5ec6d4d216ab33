/* SPDX-License-Identifier: BSD-3-Clause */
/* The distinct-flow count: small counts exact, large ones within the
 * sketch's error, repeats not counted again, the window of a timeout (at
 * least the timeout after a flow's last packet, at most an eighth more),
 * a long pause, the union rebuilt from the ring the same as kept, and the
 * estimate itself on histograms whose answer is known. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <math.h>

#include "fcount.h"
#include "hash.h"

#define SEC 1000000000ull
#define TIMEOUT (30 * SEC)

static uint8_t mem[(DNSB_FC_RING + 1) * DNSB_FC_M];

/* The i-th flow's hash: a bijection of i, well mixed (SplitMix64's
 * finaliser), as the engine's keys' hashes are. */
static uint64_t flow(uint64_t i)
{
	uint64_t z = (i + 1) * 0x9e3779b97f4a7c15ull;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t count(struct dnsb_fcount *f, uint64_t now)
{
	dnsb_fc_tick(f, now);
	return f->live;
}

static void test_empty_and_bad_timeout(void **st)
{
	(void)st;
	struct dnsb_fcount f;
	assert_int_equal(dnsb_fc_init(&f, mem, DNSB_FC_SLICES - 1), -1);
	assert_int_equal(dnsb_fc_init(&f, mem, TIMEOUT), 0);
	assert_int_equal(count(&f, SEC), 0);
	assert_int_equal(count(&f, 100 * SEC), 0);
	assert_int_equal(f.peak, 0);
	assert_true(dnsb_fc_estimate(f.hist) == 0);
}

/* One flow at a time up to 64: each count exact or within one (two
 * flows sharing a register, about n * n / 8192 of a chance, count one). */
static void test_small_counts(void **st)
{
	(void)st;
	struct dnsb_fcount f;
	assert_int_equal(dnsb_fc_init(&f, mem, TIMEOUT), 0);
	unsigned exact = 0;
	for (uint64_t n = 1; n <= 64; n++) {
		dnsb_fc_add(&f, flow(n));
		uint64_t c = count(&f, SEC);
		assert_true(c + 1 >= n && c <= n + 1);
		exact += c == n;
	}
	assert_true(exact >= 56);
	assert_int_equal(f.peak, f.live);
}

/* From a thousand to two million: within 5% (three standard errors of
 * 4096 registers), and adding every flow again changes nothing. */
static void test_large_counts(void **st)
{
	(void)st;
	static const uint64_t sizes[] = { 1000, 5000, 12000, 30000, 100000, 1000000, 2000000 };
	for (unsigned s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		struct dnsb_fcount f;
		uint64_t n = sizes[s];
		assert_int_equal(dnsb_fc_init(&f, mem, TIMEOUT), 0);
		for (uint64_t i = 0; i < n; i++)
			dnsb_fc_add(&f, flow(i + s * 10000000ull));
		uint64_t c = count(&f, SEC);
		double err = ((double)c - (double)n) / (double)n;
		assert_true(err > -0.05 && err < 0.05);
		for (uint64_t i = 0; i < n; i += 1 + i / 1000)
			dnsb_fc_add(&f, flow(i + s * 10000000ull));
		assert_int_equal(count(&f, 2 * SEC), c);
	}
}

/* Flows hashed as the engine hashes them (engine.c keys_of(): the client
 * address, the server's, then the two ports, a multiply-xorshift step
 * each, under the worker's seed), numbered as the bench's w capture
 * numbers them: 250 clients of one prefix, 400 ports each one after the
 * other. Each of 32 seeds within 6%, all within the sketch's error on the
 * whole (1.6%; 2.5% allowed; 1.9% and 3.7% at worst when written):
 * without the count's own mixing of the hashes, whose run of zeros comes
 * from bits one multiply hardly mixes, they came to 6.3% on the whole and
 * 25.6% at worst. */
static void test_engine_hashes(void **st)
{
	(void)st;
	const uint64_t n = 100000;
	double sq = 0;
	for (uint32_t s = 0; s < 32; s++) {
		struct dnsb_fcount f;
		assert_int_equal(dnsb_fc_init(&f, mem, TIMEOUT), 0);
		uint32_t seed = s * 2654435761u + 12345;
		uint64_t hseed = (seed + 1ull) * 0x9e3779b97f4a7c15ull;
		for (uint64_t i = 0; i < n; i++) {
			/* 198.51.100.(i % 250 + 1) and 203.0.113.53 as loaded from
			 * the frame, the ports in host order */
			uint64_t client = 198u | 51u << 8 | 100u << 16 | (i % 250 + 1) << 24;
			uint64_t server = 203u | 0u << 8 | 113u << 16 | 53u << 24;
			uint64_t ports = (1024 + i / 250) << 16 | 53;
			dnsb_fc_add(&f, dnsb_mix(dnsb_mix(dnsb_mix(hseed ^ 4, client), server), ports));
		}
		double err = ((double)count(&f, SEC) - (double)n) / (double)n;
		assert_true(err > -0.06 && err < 0.06);
		sq += err * err;
	}
	assert_true(sqrt(sq / 32) < 0.025);
}

/* The window: a flow counts at least the timeout after its last packet
 * and not more than an eighth past it, a packet of it starts it again. */
static void test_window(void **st)
{
	(void)st;
	struct dnsb_fcount f;
	const uint64_t slice = TIMEOUT / DNSB_FC_SLICES;
	assert_int_equal(dnsb_fc_init(&f, mem, TIMEOUT), 0);
	dnsb_fc_tick(&f, 1 * SEC);
	for (uint64_t i = 0; i < 10; i++)
		dnsb_fc_add(&f, flow(i));
	assert_int_equal(count(&f, 1 * SEC), 10);
	/* Flow 0 again at 20 s, flow 10 new at 25 s. */
	dnsb_fc_tick(&f, 20 * SEC);
	dnsb_fc_add(&f, flow(0));
	dnsb_fc_tick(&f, 25 * SEC);
	dnsb_fc_add(&f, flow(10));
	assert_int_equal(count(&f, 25 * SEC), 11);
	/* The timeout after their last packet, the first ten still count. */
	assert_int_equal(count(&f, 1 * SEC + TIMEOUT), 11);
	/* An eighth past it, only the two seen since. */
	assert_int_equal(count(&f, 1 * SEC + TIMEOUT + slice), 2);
	assert_int_equal(count(&f, 20 * SEC + TIMEOUT), 2);
	assert_int_equal(count(&f, 20 * SEC + TIMEOUT + slice), 1);
	assert_int_equal(count(&f, 25 * SEC + TIMEOUT + slice), 0);
	assert_int_equal(f.peak, 11);
	/* The union rebuilt at each new slice is what the adds kept: all
	 * zero now, every register in the histogram's first cell. */
	assert_int_equal(f.hist[0], DNSB_FC_M);
}

/* Hours without a tick: the whole ring given up at once, and counting
 * starts again from the flows after it. */
static void test_long_pause(void **st)
{
	(void)st;
	struct dnsb_fcount f;
	assert_int_equal(dnsb_fc_init(&f, mem, TIMEOUT), 0);
	dnsb_fc_tick(&f, SEC);
	for (uint64_t i = 0; i < 5000; i++)
		dnsb_fc_add(&f, flow(i));
	uint64_t before = count(&f, 2 * SEC);
	assert_true(before > 4750 && before < 5250);
	const uint64_t later = 7200 * SEC;
	assert_int_equal(count(&f, later), 0);
	for (uint64_t i = 0; i < 3; i++)
		dnsb_fc_add(&f, flow(100000 + i));
	assert_int_equal(count(&f, later + SEC), 3);
	assert_int_equal(f.peak, before);
}

/* Slices that overlap: the same flows in several slices count once, and
 * when the oldest goes, the union rebuilt from the rest gives what the
 * count of those flows alone gives. */
static void test_union_rebuilt(void **st)
{
	(void)st;
	static uint8_t mem2[sizeof(mem)];
	struct dnsb_fcount f, g;
	const uint64_t slice = TIMEOUT / DNSB_FC_SLICES;
	assert_int_equal(dnsb_fc_init(&f, mem, TIMEOUT), 0);
	assert_int_equal(dnsb_fc_init(&g, mem2, TIMEOUT), 0);
	dnsb_fc_tick(&f, 0 + 1);
	/* Slice s holds flows s*1000 .. s*1000 + 2999. */
	for (uint64_t s = 0; s < DNSB_FC_RING; s++) {
		if (s)
			dnsb_fc_tick(&f, 1 + s * slice);
		for (uint64_t i = s * 1000; i < s * 1000 + 3000; i++)
			dnsb_fc_add(&f, flow(i));
	}
	uint64_t all = count(&f, 1 + 8 * slice);
	assert_true(all > 11000 * 95 / 100 && all < 11000 * 105 / 100);
	/* The first slice gone: flows 1000 .. 10999 left. */
	for (uint64_t i = 1000; i < 11000; i++)
		dnsb_fc_add(&g, flow(i));
	assert_int_equal(count(&f, 1 + 9 * slice), count(&g, 1));
	assert_memory_equal(f.un, g.un, DNSB_FC_M);
	assert_memory_equal(f.hist, g.hist, sizeof(f.hist));
}

/* The estimate on histograms whose answer is known: every register at
 * zero but k at one, as k flows in k registers leave them, comes to
 * m ln(m / (m - k)) (linear counting), for small k about k; a histogram
 * of saturated registers to 2^64, not to infinity. */
static void test_estimate(void **st)
{
	(void)st;
	uint32_t hist[DNSB_FC_Q + 2] = { 0 };
	const double m = DNSB_FC_M;
	static const uint32_t ks[] = { 1, 2, 10, 50, 100 };
	for (unsigned i = 0; i < sizeof(ks) / sizeof(ks[0]); i++) {
		uint32_t k = ks[i];
		hist[0] = DNSB_FC_M - k;
		hist[1] = k;
		double e = dnsb_fc_estimate(hist), lc = -m * log((m - k) / m);
		assert_true(e > lc * 0.999 && e < lc * 1.001);
	}
	memset(hist, 0, sizeof(hist));
	hist[DNSB_FC_Q + 1] = DNSB_FC_M;
	assert_true(dnsb_fc_estimate(hist) == 0x1p64);
	/* The tick turns that into the most a gauge holds. */
	struct dnsb_fcount f;
	assert_int_equal(dnsb_fc_init(&f, mem, TIMEOUT), 0);
	memset(f.un, DNSB_FC_Q + 1, DNSB_FC_M);
	memcpy(f.hist, hist, sizeof(hist));
	f.dirty = 1;
	assert_true(count(&f, SEC) == UINT64_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_and_bad_timeout),
		cmocka_unit_test(test_small_counts),
		cmocka_unit_test(test_large_counts),
		cmocka_unit_test(test_engine_hashes),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_long_pause),
		cmocka_unit_test(test_union_rebuilt),
		cmocka_unit_test(test_estimate),
	};
	return cmocka_run_group_tests_name("fcount", tests, NULL, NULL);
}
