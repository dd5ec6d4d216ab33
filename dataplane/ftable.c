/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "ftable.h"

static uint32_t key_hash(const struct dnsb_fkey *k, uint32_t seed)
{
	/* Five 64-bit words, multiply-xorshift mixed, a per-table seed: a few
	 * instructions a word. The bounded probe window caps what a colliding
	 * flood can cost, and then it only fails open. */
	const uint8_t *p = (const uint8_t *)k;
	uint64_t h = (seed + 1) * 0x9e3779b97f4a7c15ull, w;
	for (size_t i = 0; i < sizeof(*k); i += sizeof(w)) {
		memcpy(&w, p + i, sizeof(w));
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	return (uint32_t)h;
}

_Static_assert(sizeof(struct dnsb_fkey) % 8 == 0, "keys hash as whole 64-bit words");

static int aged(const struct dnsb_ftable *t, const struct dnsb_fentry *e, uint64_t now)
{
	return now > e->ts_ns && now - e->ts_ns > t->timeout_ns;
}

static void expire(struct dnsb_ftable *t, struct dnsb_fentry *e)
{
	if (t->expire)
		t->expire(t->ctx, e);
	e->ts_ns = 0;
	t->live--;
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
	t->seed = seed;
	t->timeout_ns = timeout_ns;
	t->expire = fn;
	t->ctx = ctx;
	return 0;
}

struct dnsb_fentry *dnsb_ft_find(struct dnsb_ftable *t, const struct dnsb_fkey *k, uint64_t now)
{
	uint32_t h = key_hash(k, t->seed);

	for (uint32_t i = 0; i < DNSB_FT_PROBE && i <= t->mask; i++) {
		struct dnsb_fentry *e = &t->slot[(h + i) & t->mask];
		if (e->ts_ns && !memcmp(&e->key, k, sizeof(*k))) {
			if (!aged(t, e, now))
				return e;
			expire(t, e);
			return NULL;
		}
	}
	return NULL;
}

struct dnsb_fentry *dnsb_ft_upsert(struct dnsb_ftable *t, const struct dnsb_fkey *k,
				   uint64_t now, int *created)
{
	uint32_t h = key_hash(k, t->seed);
	struct dnsb_fentry *free_slot = NULL;

	/* Time 0 marks a free slot: keep real entries off it. */
	if (now == 0)
		now = 1;
	for (uint32_t i = 0; i < DNSB_FT_PROBE && i <= t->mask; i++) {
		struct dnsb_fentry *e = &t->slot[(h + i) & t->mask];
		if (e->ts_ns && aged(t, e, now))
			expire(t, e);
		if (e->ts_ns && !memcmp(&e->key, k, sizeof(*k))) {
			*created = 0;
			return e;
		}
		if (!e->ts_ns && !free_slot)
			free_slot = e;
	}
	if (!free_slot)
		return NULL;
	memset(free_slot, 0, sizeof(*free_slot));
	free_slot->key = *k;
	free_slot->ts_ns = now;
	if (++t->live > t->peak)
		t->peak = t->live;
	*created = 1;
	return free_slot;
}

void dnsb_ft_remove(struct dnsb_ftable *t, struct dnsb_fentry *e)
{
	e->ts_ns = 0;
	t->live--;
}

uint32_t dnsb_ft_sweep(struct dnsb_ftable *t, uint64_t now, uint32_t budget)
{
	uint32_t n = budget && budget <= t->mask ? budget : t->mask + 1, expired = 0;

	for (uint32_t i = 0; i < n; i++) {
		struct dnsb_fentry *e = &t->slot[t->cursor];
		t->cursor = (t->cursor + 1) & t->mask;
		if (e->ts_ns && aged(t, e, now)) {
			expire(t, e);
			expired++;
		}
	}
	return expired;
}
