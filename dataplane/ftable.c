/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "ftable.h"

_Static_assert(sizeof(struct dnsb_fkey) == 40, "keys are five 64-bit words");

uint32_t dnsb_ft_hash(const struct dnsb_ftable *t, const struct dnsb_fkey *k)
{
	/* Five words, multiply-xorshift mixed, the table's seed: the bounded
	 * probe window caps what a colliding flood can cost, and then it only
	 * fails open. */
	uint64_t h = (t->seed + 1ull) * 0x9e3779b97f4a7c15ull;
	for (unsigned i = 0; i < sizeof(*k) / 8; i++) {
		h = (h ^ dnsb_ft_key_word(k, i)) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	return (uint32_t)h;
}

/* Free the slot of @p e and close the gap (backward-shift deletion): an
 * entry further on whose home is at or before the gap moves into it, and
 * the gap moves to where it was. Entries within PROBE slots only: no entry
 * is further than that from its home. */
static void delete_at(struct dnsb_ftable *t, struct dnsb_fentry *e)
{
	uint32_t j = (uint32_t)(e - t->slot), k = j;
	for (;;) {
		k = (k + 1) & t->mask;
		struct dnsb_fentry *next = &t->slot[k];
		uint32_t gap = (k - j) & t->mask;
		if (!next->ts_ns || gap >= DNSB_FT_PROBE || gap == 0)
			break;
		if (((k - next->hash) & t->mask) < gap)
			continue; /* its home lies after the gap: it stays */
		t->slot[j] = *next;
		j = k;
	}
	t->slot[j].ts_ns = 0;
	t->live--;
}

static void expire(struct dnsb_ftable *t, struct dnsb_fentry *e)
{
	if (t->expire)
		t->expire(t->ctx, e);
	delete_at(t, e);
}

int dnsb_ft_init(struct dnsb_ftable *t, void *mem, uint32_t slots, uint64_t timeout_ns,
		 uint32_t seed, dnsb_ft_expire_fn fn, void *ctx)
{
	if (slots == 0 || (slots & (slots - 1)))
		return -1;
	memset(mem, 0, dnsb_ft_mem(slots));
	memset(t, 0, sizeof(*t));
	t->slot = mem;
	t->mask = slots - 1;
	/* A table small enough to stay in the caches gains nothing from
	 * fetching its runs ahead: never crowded. */
	t->half = slots >= DNSB_FT_FETCH_RUNS_MIN ? slots / 2 : UINT64_MAX;
	t->most = slots - slots / 4;
#ifdef DNSB_FT_FUZZ_CROWDED
	t->half = t->most = 0; /* the fuzz targets' build: crowded once not empty */
#endif
	t->seed = seed;
	t->timeout_ns = timeout_ns;
	t->expire = fn;
	t->ctx = ctx;
	return 0;
}

struct dnsb_fentry *dnsb_ft_find_walk(struct dnsb_ftable *t, const struct dnsb_fkey *k, uint32_t h,
				      uint64_t now)
{
	for (uint32_t i = 0; i < DNSB_FT_PROBE && i <= t->mask; i++) {
		struct dnsb_fentry *e = &t->slot[(h + i) & t->mask];
		if (!e->ts_ns)
			return NULL; /* end of the run: not there */
		if (dnsb_ft_same(e, h, k)) {
			if (!dnsb_ft_aged(t, e, now))
				return e;
			expire(t, e);
			return NULL;
		}
	}
	return NULL;
}

struct dnsb_fentry *dnsb_ft_upsert_walk(struct dnsb_ftable *t, const struct dnsb_fkey *k,
					uint32_t h, uint64_t now, int *created)
{
	for (uint32_t i = 0; i < DNSB_FT_PROBE && i <= t->mask;) {
		struct dnsb_fentry *e = &t->slot[(h + i) & t->mask];
		if (!e->ts_ns) {
			*created = 1;
			return dnsb_ft_fill(t, e, k, h, now);
		}
		if (dnsb_ft_aged(t, e, now)) {
			/* Entries moved back, possibly around the table into
			 * slots already looked at: start again from home. */
			expire(t, e);
			i = 0;
			continue;
		}
		if (dnsb_ft_same(e, h, k)) {
			*created = 0;
			return e;
		}
		i++;
	}
	return NULL;
}

void dnsb_ft_remove(struct dnsb_ftable *t, struct dnsb_fentry *e)
{
	delete_at(t, e);
}

uint32_t dnsb_ft_sweep(struct dnsb_ftable *t, uint64_t now, uint32_t budget)
{
	uint32_t n = budget && budget <= t->mask ? budget : t->mask + 1, expired = 0;

	/* An expiry moves the rest of the run back into the cursor's slot:
	 * look at it again (each entry expires once, so this ends). */
	for (uint32_t i = 0; i < n;) {
		struct dnsb_fentry *e = &t->slot[t->cursor];
		if (e->ts_ns && dnsb_ft_aged(t, e, now)) {
			expire(t, e);
			expired++;
			continue;
		}
		t->cursor = (t->cursor + 1) & t->mask;
		i++;
	}
	return expired;
}

uint32_t dnsb_ft_sweep_paced(struct dnsb_ftable *t, uint64_t now, uint64_t period_ns)
{
	uint64_t due = dnsb_pace_due(&t->pace, now, (uint64_t)t->mask + 1, period_ns);
	return due ? dnsb_ft_sweep(t, now, (uint32_t)due) : 0;
}
