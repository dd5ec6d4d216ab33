/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file ftable.h
 * Fixed-size tables of timed entries for the per-lcore state: outstanding
 * queries, questions per client, TC answers awaiting a TCP follow-up, SYNs
 * awaiting a SYN-ACK. Linear probing within a bounded window
 * with backward-shift deletion: the slots from an entry's home to the
 * entry are all occupied, so a lookup stops at the first free slot (one
 * cache line in a table that is not crowded), and each entry keeps its
 * 32-bit hash, compared before the key. The caller hands in the key's
 * hash: any function of the key, the same for every call on one table, so
 * that a caller deriving several keys from one packet hashes it once
 * (dnsb_ft_hash() is a general one). Entries age out by time (passed
 * in); every entry that ages out goes through the caller's callback exactly
 * once, whether a sweep or an insert found it. Removing an entry may move
 * others: an entry pointer is good until the next change to its table. No
 * allocation: the caller hands in the memory.
 */
#ifndef DNSBUMP_FTABLE_H
#define DNSBUMP_FTABLE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pace.h"

/** Slots probed from the home slot before an insert fails as full. */
#define DNSB_FT_PROBE 8

/** Tables of fewer slots (512 KiB) are never crowded (dnsb_ft_crowded()). */
#define DNSB_FT_FETCH_RUNS_MIN 8192

/** Key: two addresses, two ports, an id; unused fields stay zero. */
struct dnsb_fkey {
	uint8_t a[16];
	uint8_t b[16];
	uint16_t pa, pb;
	uint16_t id;
	uint8_t ip_ver;
	uint8_t pad;
};

struct dnsb_fentry {
	struct dnsb_fkey key;
	uint64_t ts_ns;  /**< when the entry was last set; 0 = free slot */
	union {
		struct {
			uint32_t qhash;     /**< question hash */
			uint16_t udp_size;  /**< advertised by the client */
			uint8_t edns;       /**< the query had an OPT */
			uint8_t do_bit;
		} q;
		struct {
			uint16_t answer_size; /**< DNS octets of the last answer as delivered */
			uint8_t answered;     /**< an answer was forwarded to the client */
			uint8_t outstanding;  /**< a query is waiting for its answer */
		} c;
		struct {
			uint32_t pending;     /**< TC answers not yet followed by TCP */
			uint16_t fresh_port;  /**< client port of a new connection whose
						   first query is yet to come (0: none) */
		} tc;
		uint32_t raw[2];
	} v;
	uint32_t hash;   /**< of the key; its home slot is hash & mask */
	uint32_t spare;
};

_Static_assert(sizeof(struct dnsb_fentry) == 64, "one entry, one cache line");

/** Called once for each entry that ages out, before its slot is freed. */
typedef void (*dnsb_ft_expire_fn)(void *ctx, const struct dnsb_fentry *e);

struct dnsb_ftable {
	struct dnsb_fentry *slot;
	uint32_t mask;        /**< slots - 1 */
	uint32_t seed;
	uint32_t cursor;      /**< next slot the sweep looks at */
	uint64_t timeout_ns;
	struct dnsb_pace pace; /**< of dnsb_ft_sweep_paced() */
	uint64_t live;        /**< occupied slots */
	uint64_t peak;        /**< most occupied slots seen */
	uint64_t half;        /**< live above this: crowded (dnsb_ft_crowded()) */
	uint64_t most;        /**< live above this: a miss reads the whole probe window */
	dnsb_ft_expire_fn expire;
	void *ctx;
};

/** Bytes of memory one table of @p slots needs. */
static inline size_t dnsb_ft_mem(uint32_t slots)
{
	return (size_t)slots * sizeof(struct dnsb_fentry);
}

/**
 * Set up @p t over @p mem (zeroed here; owned by the caller, dnsb_ft_mem()
 * bytes). @p slots must be a power of two. @p expire may be NULL.
 * @return 0, or -1 when @p slots is not a power of two.
 */
int dnsb_ft_init(struct dnsb_ftable *t, void *mem, uint32_t slots, uint64_t timeout_ns,
		 uint32_t seed, dnsb_ft_expire_fn expire, void *ctx);

/** A hash of @p k under the table's seed, for callers with no better one. */
uint32_t dnsb_ft_hash(const struct dnsb_ftable *t, const struct dnsb_fkey *k);

/* The whole probe walks; dnsb_ft_find() and dnsb_ft_upsert() below settle
 * the usual case (the home slot free, or holding the key) inline. */
struct dnsb_fentry *dnsb_ft_find_walk(struct dnsb_ftable *t, const struct dnsb_fkey *k,
				      uint32_t h, uint64_t now_ns);
struct dnsb_fentry *dnsb_ft_upsert_walk(struct dnsb_ftable *t, const struct dnsb_fkey *k,
					uint32_t h, uint64_t now_ns, int *created);

static inline uint64_t dnsb_ft_key_word(const struct dnsb_fkey *k, unsigned i)
{
	uint64_t w;
	memcpy(&w, (const uint8_t *)k + 8 * i, sizeof(w));
	return w;
}

/** @p e holds the key @p k of hash @p h. */
static inline int dnsb_ft_same(const struct dnsb_fentry *e, uint32_t h, const struct dnsb_fkey *k)
{
	if (e->hash != h)
		return 0;
	/* The five words written out: the compiler leaves the loop rolled. */
	uint64_t d = (dnsb_ft_key_word(&e->key, 0) ^ dnsb_ft_key_word(k, 0)) |
		     (dnsb_ft_key_word(&e->key, 1) ^ dnsb_ft_key_word(k, 1)) |
		     (dnsb_ft_key_word(&e->key, 2) ^ dnsb_ft_key_word(k, 2)) |
		     (dnsb_ft_key_word(&e->key, 3) ^ dnsb_ft_key_word(k, 3)) |
		     (dnsb_ft_key_word(&e->key, 4) ^ dnsb_ft_key_word(k, 4));
	return d == 0;
}

/** The live entry @p e is past the table's timeout at @p now. */
static inline int dnsb_ft_aged(const struct dnsb_ftable *t, const struct dnsb_fentry *e,
			       uint64_t now)
{
	return now > e->ts_ns && now - e->ts_ns > t->timeout_ns;
}

/** Make the free slot @p e the entry of @p k (value zeroed). */
static inline struct dnsb_fentry *dnsb_ft_fill(struct dnsb_ftable *t, struct dnsb_fentry *e,
					       const struct dnsb_fkey *k, uint32_t h, uint64_t now)
{
	e->key = *k;
	e->ts_ns = now ? now : 1; /* time 0 marks a free slot */
	e->v.raw[0] = e->v.raw[1] = 0;
	e->hash = h;
	if (++t->live > t->peak)
		t->peak = t->live;
	return e;
}

/** The live entry for @p k (of hash @p h), or NULL. */
static inline struct dnsb_fentry *dnsb_ft_find(struct dnsb_ftable *t, const struct dnsb_fkey *k,
					       uint32_t h, uint64_t now_ns)
{
	struct dnsb_fentry *e = &t->slot[h & t->mask];
	if (!e->ts_ns)
		return NULL; /* the run from home is empty: not there */
	if (dnsb_ft_same(e, h, k) && !dnsb_ft_aged(t, e, now_ns))
		return e;
	return dnsb_ft_find_walk(t, k, h, now_ns);
}

/**
 * The live entry for @p k (of hash @p h), or a new one (ts set to
 * @p now_ns, value zeroed; *@p created set). Aged-out entries met on the
 * way are expired first.
 * @return NULL when every slot of the probe window is live (full).
 */
static inline struct dnsb_fentry *dnsb_ft_upsert(struct dnsb_ftable *t, const struct dnsb_fkey *k,
						 uint32_t h, uint64_t now_ns, int *created)
{
	struct dnsb_fentry *e = &t->slot[h & t->mask];
	if (!e->ts_ns) {
		*created = 1;
		return dnsb_ft_fill(t, e, k, h, now_ns);
	}
	if (dnsb_ft_same(e, h, k) && !dnsb_ft_aged(t, e, now_ns)) {
		*created = 0;
		return e;
	}
	return dnsb_ft_upsert_walk(t, k, h, now_ns, created);
}

/** Start fetching the home slot of hash @p h, for a lookup or an insert
 * soon after (a hint: no effect on what the table holds). Always inlined,
 * as dnsb_ft_prefetch_run() is: a call GCC leaves out of line is dropped. */
static inline __attribute__((always_inline)) void dnsb_ft_prefetch(const struct dnsb_ftable *t,
								    uint32_t h)
{
	__builtin_prefetch(&t->slot[h & t->mask], 1, 3);
}

/** More than half the slots are live in a table of at least
 * DNSB_FT_FETCH_RUNS_MIN slots: runs often go past their home slot, and
 * out of the caches, so dnsb_ft_prefetch_run() is worth its instructions. */
static inline int dnsb_ft_crowded(const struct dnsb_ftable *t)
{
	return t->live > t->half;
}

/**
 * After dnsb_ft_prefetch(), in a crowded table: start fetching the slot
 * after home too, and in one more than three quarters full, where a key
 * not there reads the whole probe window, all of that window. Fetched at
 * once, the slots arrive together instead of one miss after the other.
 * Always inlined: GCC takes a function that only prefetches for one
 * without effects (pure) and drops the calls to it.
 */
static inline __attribute__((always_inline)) void
dnsb_ft_prefetch_run(const struct dnsb_ftable *t, uint32_t h)
{
	const uint32_t m = t->mask;
	if (!dnsb_ft_crowded(t))
		return;
	__builtin_prefetch(&t->slot[(h + 1) & m], 1, 3);
	if (t->live <= t->most)
		return;
	for (uint32_t i = 2; i < DNSB_FT_PROBE; i++)
		__builtin_prefetch(&t->slot[(h + i) & m], 1, 3);
}

/** Free @p e (found by dnsb_ft_find or dnsb_ft_upsert) without expiring it. */
void dnsb_ft_remove(struct dnsb_ftable *t, struct dnsb_fentry *e);

/**
 * Look at up to @p budget slots from the sweep cursor and expire those
 * aged out at @p now_ns. With @p budget 0, look at every slot once.
 * @return entries expired.
 */
uint32_t dnsb_ft_sweep(struct dnsb_ftable *t, uint64_t now_ns, uint32_t budget);

/**
 * Sweep at a pace that looks at every slot once per @p period_ns: the
 * slots due since the last call (none on the first). Called often, it
 * reads a few slots each time rather than streaming the table through the
 * cache; an entry is then expired at most @p period_ns after it aged out
 * (sooner when a lookup meets it).
 * @return entries expired.
 */
uint32_t dnsb_ft_sweep_paced(struct dnsb_ftable *t, uint64_t now_ns, uint64_t period_ns);

#endif
