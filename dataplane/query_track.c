/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "query_track.h"

static uint32_t key_hash(const struct dnsb_qkey *k, uint32_t seed)
{
	/* FNV-1a over the key with a per-table seed; cheap, and the bounded
	 * probe window caps what a colliding flood can cost. */
	const uint8_t *p = (const uint8_t *)k;
	uint32_t h = 2166136261u ^ seed;
	for (size_t i = 0; i < sizeof(*k); i++) {
		h ^= p[i];
		h *= 16777619u;
	}
	return h ^ (h >> 16);
}

static int expired(const struct dnsb_qtable *t, const struct dnsb_qentry *e, uint64_t now)
{
	return e->ts_ns == 0 || now - e->ts_ns > t->timeout_ns;
}

int dnsb_qtable_init(struct dnsb_qtable *t, void *mem, uint32_t slots, uint64_t timeout_ns,
		     uint32_t seed)
{
	if (slots == 0 || (slots & (slots - 1)))
		return -1;
	memset(mem, 0, dnsb_qtable_mem(slots));
	t->slot = mem;
	t->mask = slots - 1;
	t->seed = seed;
	t->timeout_ns = timeout_ns;
	t->used = 0;
	return 0;
}

int dnsb_qtable_insert(struct dnsb_qtable *t, const struct dnsb_qkey *k, uint16_t udp_size,
		       uint8_t do_bit, uint64_t now_ns)
{
	uint32_t h = key_hash(k, t->seed);
	struct dnsb_qentry *free_slot = NULL;

	/* Time 0 marks a free slot: keep real entries away from it. */
	if (now_ns == 0)
		now_ns = 1;
	for (uint32_t i = 0; i < DNSB_QT_PROBE && i <= t->mask; i++) {
		struct dnsb_qentry *e = &t->slot[(h + i) & t->mask];
		if (e->ts_ns && !memcmp(&e->key, k, sizeof(*k))) {
			free_slot = e;
			break;
		}
		if (!free_slot && expired(t, e, now_ns))
			free_slot = e;
	}
	if (!free_slot)
		return -1;
	if (free_slot->ts_ns == 0)
		t->used++;
	free_slot->key = *k;
	free_slot->ts_ns = now_ns;
	free_slot->udp_size = udp_size;
	free_slot->do_bit = do_bit;
	return 0;
}

int dnsb_qtable_take(struct dnsb_qtable *t, const struct dnsb_qkey *k, uint64_t now_ns,
		     struct dnsb_qentry *out)
{
	uint32_t h = key_hash(k, t->seed);

	for (uint32_t i = 0; i < DNSB_QT_PROBE && i <= t->mask; i++) {
		struct dnsb_qentry *e = &t->slot[(h + i) & t->mask];
		if (e->ts_ns == 0 || memcmp(&e->key, k, sizeof(*k)))
			continue;
		int stale = expired(t, e, now_ns);
		if (!stale)
			*out = *e;
		e->ts_ns = 0;
		t->used--;
		return !stale;
	}
	return 0;
}
