/* SPDX-License-Identifier: BSD-3-Clause */
/* The timed table against a plain model under random inserts, lookups,
 * removals, ageing and sweeps: every key the model holds is found (unless
 * its insert was refused as full), nothing else is, each entry that ages
 * out is reported exactly once, and after every step the layout invariant
 * holds (from an entry's home to the entry every slot is occupied, within
 * the probe window), which is what lets a lookup stop at a free slot. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ftable.h"
#include "testlib.h"

#define KEYS 96
#define TIMEOUT 1000

struct model {
	int present[KEYS];
	uint64_t ts[KEYS];
	unsigned expired[KEYS];
};

static struct dnsb_fkey key_of(unsigned i)
{
	struct dnsb_fkey k;
	memset(&k, 0, sizeof(k));
	k.a[0] = (uint8_t)i;
	k.a[15] = (uint8_t)(i * 7);
	k.pa = (uint16_t)(i * 31);
	k.ip_ver = 4;
	return k;
}

static void on_expire(void *ctx, const struct dnsb_fentry *e)
{
	struct model *m = ctx;
	m->expired[e->key.a[0]]++;
}

static void check_layout(const struct dnsb_ftable *t)
{
	uint64_t live = 0;
	for (uint32_t p = 0; p <= t->mask; p++) {
		const struct dnsb_fentry *e = &t->slot[p];
		if (!e->ts_ns)
			continue;
		live++;
		uint32_t home = e->hash & t->mask, dist = (p - home) & t->mask;
		assert_true(dist < DNSB_FT_PROBE);
		for (uint32_t q = home; q != p; q = (q + 1) & t->mask)
			assert_true(t->slot[q].ts_ns != 0);
	}
	assert_int_equal(live, t->live);
}

static void run(uint32_t slots, uint64_t seed)
{
	static uint8_t mem[256 * sizeof(struct dnsb_fentry)];
	struct dnsb_ftable t;
	struct model m;
	uint64_t rng = seed, now = 1;
	memset(&m, 0, sizeof(m));
	assert_int_equal(dnsb_ft_init(&t, mem, slots, TIMEOUT, (uint32_t)seed, on_expire, &m), 0);
	for (int step = 0; step < 20000; step++) {
		unsigned i = (unsigned)(t_rand(&rng) % KEYS);
		struct dnsb_fkey k = key_of(i);
		now += t_rand(&rng) % 40;
		/* The model ages out what the table will, lazily: an aged entry
		 * the table has not expired yet is still there for find(). */
		int aged = m.present[i] && now - m.ts[i] > TIMEOUT;
		switch (t_rand(&rng) % 4) {
		case 0: { /* upsert */
			int created = 0;
			struct dnsb_fentry *e = dnsb_ft_upsert(&t, &k, dnsb_ft_hash(&t, &k), now, &created);
			if (!e) {
				/* Refused as full: the window was all live. */
				assert_false(m.present[i] && !aged);
				if (m.present[i]) { /* it aged out on the way, or is still there aged */
					struct dnsb_fentry *f = dnsb_ft_find(&t, &k, dnsb_ft_hash(&t, &k), now);
					assert_null(f);
					m.present[i] = 0;
				}
				break;
			}
			if (aged) {
				assert_int_equal(created, 1);
				m.present[i] = 0;
			}
			assert_int_equal(created, !m.present[i]);
			if (created)
				m.ts[i] = now;
			e->ts_ns = now;
			m.ts[i] = now;
			m.present[i] = 1;
			break;
		}
		case 1: { /* find */
			struct dnsb_fentry *e = dnsb_ft_find(&t, &k, dnsb_ft_hash(&t, &k), now);
			if (m.present[i] && !aged) {
				assert_non_null(e);
				assert_memory_equal(&e->key, &k, sizeof(k));
			} else {
				assert_null(e);
				m.present[i] = 0;
			}
			break;
		}
		case 2: { /* find and remove */
			struct dnsb_fentry *e = dnsb_ft_find(&t, &k, dnsb_ft_hash(&t, &k), now);
			if (e)
				dnsb_ft_remove(&t, e);
			m.present[i] = 0;
			break;
		}
		default: /* a budgeted sweep */
			dnsb_ft_sweep(&t, now, 5);
			break;
		}
		check_layout(&t);
		/* Whatever the model still holds unaged, the table finds. */
		if (step % 97 == 0)
			for (unsigned j = 0; j < KEYS; j++) {
				struct dnsb_fkey kj = key_of(j);
				if (m.present[j] && now - m.ts[j] <= TIMEOUT)
					assert_non_null(dnsb_ft_find(&t, &kj, dnsb_ft_hash(&t, &kj), now));
			}
	}
	dnsb_ft_sweep(&t, now + 10 * TIMEOUT, 0);
	assert_int_equal(t.live, 0);
	check_layout(&t);
	for (unsigned j = 0; j < KEYS; j++)
		assert_true(m.expired[j] < 20000);
}

static void test_random_small(void **st)
{
	(void)st;
	for (uint64_t s = 1; s <= 20; s++)
		run(64, s);
}

static void test_random_crowded(void **st)
{
	(void)st;
	/* Fewer slots than keys: full windows, refusals, wrap-around. */
	for (uint64_t s = 1; s <= 20; s++)
		run(32, s * 7919);
	run(8, 3);
}

/* Each entry that ages out is reported once, by a sweep or on the way of
 * an insert, never twice. */
static void test_expire_once(void **st)
{
	(void)st;
	static uint8_t mem[64 * sizeof(struct dnsb_fentry)];
	struct dnsb_ftable t;
	struct model m;
	memset(&m, 0, sizeof(m));
	assert_int_equal(dnsb_ft_init(&t, mem, 64, TIMEOUT, 9, on_expire, &m), 0);
	int created;
	unsigned stored = 0;
	for (unsigned i = 0; i < 24; i++) {
		struct dnsb_fkey k = key_of(i);
		stored += dnsb_ft_upsert(&t, &k, dnsb_ft_hash(&t, &k), 1, &created) != NULL;
	}
	assert_true(stored >= 20); /* a window may fill up: refused, not lost */
	/* Half aged out by inserts of the same keys, the rest by the sweep. */
	unsigned again = 0;
	for (unsigned i = 0; i < 12; i++) {
		struct dnsb_fkey k = key_of(i);
		struct dnsb_fentry *e = dnsb_ft_upsert(&t, &k, dnsb_ft_hash(&t, &k), 5000, &created);
		assert_non_null(e);
		assert_int_equal(created, 1);
		again++;
	}
	dnsb_ft_sweep(&t, 5000, 0);
	dnsb_ft_sweep(&t, 5000, 0);
	unsigned total = 0;
	for (unsigned i = 0; i < 24; i++) {
		assert_true(m.expired[i] <= 1);
		total += m.expired[i];
	}
	assert_int_equal(total, stored);
	assert_int_equal(t.live, again);
	check_layout(&t);
}

/* The paced sweep looks at every slot once per period, a few per call:
 * nothing expires before its timeout, everything by timeout + period
 * (+ one call), each slot is looked at in turn, and a long pause costs at
 * most one pass over the table. */
static void test_paced_sweep(void **st)
{
	(void)st;
	enum { SLOTS = 1024, PERIOD = 250, STEP = 10 };
	static uint8_t mem[SLOTS * sizeof(struct dnsb_fentry)];
	struct dnsb_ftable t;
	struct model m;
	memset(&m, 0, sizeof(m));
	assert_int_equal(dnsb_ft_init(&t, mem, SLOTS, TIMEOUT, 5, on_expire, &m), 0);
	assert_int_equal(dnsb_ft_sweep_paced(&t, 1, PERIOD), 0); /* the pace starts */
	int created;
	for (unsigned i = 0; i < KEYS; i++) {
		struct dnsb_fkey k = key_of(i);
		assert_non_null(dnsb_ft_upsert(&t, &k, dnsb_ft_hash(&t, &k), 1, &created));
	}
	unsigned total = 0;
	uint64_t moved = 0;
	uint32_t cursor = t.cursor;
	for (uint64_t now = 1 + STEP; now <= 1 + TIMEOUT + PERIOD + STEP; now += STEP) {
		total += dnsb_ft_sweep_paced(&t, now, PERIOD);
		moved += (t.cursor - cursor) & t.mask;
		cursor = t.cursor;
		/* SLOTS / PERIOD slots a unit of time, what is left over carried:
		 * off by less than one unit's worth, never ahead. */
		uint64_t exact = (now - 1) * SLOTS / PERIOD;
		assert_true(moved <= exact && moved + SLOTS / PERIOD + 1 >= exact);
		if (now <= 1 + TIMEOUT)
			assert_int_equal(total, 0);
	}
	assert_int_equal(total, KEYS);
	assert_int_equal(t.live, 0);
	/* After a pause of many periods: one pass, not one per period missed. */
	for (unsigned i = 0; i < KEYS; i++) {
		struct dnsb_fkey k = key_of(i);
		assert_non_null(dnsb_ft_upsert(&t, &k, dnsb_ft_hash(&t, &k), 2000, &created));
	}
	cursor = t.cursor;
	assert_int_equal(dnsb_ft_sweep_paced(&t, 2000 + 100 * PERIOD, PERIOD), KEYS);
	assert_int_equal(t.cursor, cursor);
	assert_int_equal(dnsb_ft_sweep_paced(&t, 2000 + 100 * PERIOD + 1, PERIOD), 0);
	for (unsigned i = 0; i < KEYS; i++)
		assert_int_equal(m.expired[i], 2);
}

/* Crowded (dnsb_ft_crowded(): the first pass then fetches the runs, not
 * just the home slots): more than half the slots live, in a table of at
 * least DNSB_FT_FETCH_RUNS_MIN slots; a smaller one, which the caches
 * hold, never. Fetching a run, wrapped around the table's end included,
 * changes nothing the table holds. */
static void test_crowded(void **st)
{
	(void)st;
	enum { BIG = DNSB_FT_FETCH_RUNS_MIN, SMALL = DNSB_FT_FETCH_RUNS_MIN / 2 };
	static uint8_t mem[BIG * sizeof(struct dnsb_fentry)];
	struct dnsb_ftable t;
	struct dnsb_fkey k;
	int created;
	memset(&k, 0, sizeof(k));
	k.ip_ver = 6;

	assert_int_equal(dnsb_ft_init(&t, mem, BIG, TIMEOUT, 3, NULL, NULL), 0);
	uint32_t n = 0;
	while (t.live < BIG / 2) {
		memcpy(k.a, &n, sizeof(n));
		n++;
		assert_false(dnsb_ft_crowded(&t));
		(void)dnsb_ft_upsert(&t, &k, dnsb_ft_hash(&t, &k), 1, &created);
	}
	assert_false(dnsb_ft_crowded(&t));
	struct dnsb_fentry *e = NULL;
	while (!e || !created) {
		memcpy(k.a, &n, sizeof(n));
		n++;
		e = dnsb_ft_upsert(&t, &k, dnsb_ft_hash(&t, &k), 1, &created);
	}
	assert_int_equal(t.live, BIG / 2 + 1);
	assert_true(dnsb_ft_crowded(&t));
	static uint8_t before[sizeof(mem)];
	memcpy(before, mem, sizeof(mem));
	for (uint32_t h = t.mask - DNSB_FT_PROBE; h != DNSB_FT_PROBE; h = (h + 1) & t.mask) {
		dnsb_ft_prefetch(&t, h);
		dnsb_ft_prefetch_run(&t, h);
	}
	assert_memory_equal(before, mem, sizeof(mem));
	dnsb_ft_remove(&t, e);
	assert_false(dnsb_ft_crowded(&t));
	check_layout(&t);

	assert_int_equal(dnsb_ft_init(&t, mem, SMALL, TIMEOUT, 3, NULL, NULL), 0);
	for (n = 0; n < 4 * SMALL && t.live < SMALL; n++) {
		memcpy(k.a, &n, sizeof(n));
		(void)dnsb_ft_upsert(&t, &k, dnsb_ft_hash(&t, &k), 1, &created);
		assert_false(dnsb_ft_crowded(&t));
	}
	assert_true(t.live > SMALL * 3 / 4);
	check_layout(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_small),
		cmocka_unit_test(test_random_crowded),
		cmocka_unit_test(test_expire_once),
		cmocka_unit_test(test_paced_sweep),
		cmocka_unit_test(test_crowded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
