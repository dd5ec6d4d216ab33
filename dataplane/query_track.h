/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file query_track.h
 * Fixed-size table of outstanding UDP DNS queries, so a response can be
 * judged against what its client advertised. Open addressing with a
 * bounded probe window; entries age out by time (passed in). No
 * allocation: the caller hands in the memory.
 */
#ifndef DNSBUMP_QUERY_TRACK_H
#define DNSBUMP_QUERY_TRACK_H

#include <stddef.h>
#include <stdint.h>

/** Slots probed from the home slot before an insert fails as full. */
#define DNSB_QT_PROBE 8

/** A transaction, as seen on the query: client and server ends and the DNS ID. */
struct dnsb_qkey {
	uint8_t client[16];
	uint8_t server[16];
	uint16_t client_port;
	uint16_t server_port;
	uint16_t id;
	uint8_t ip_ver;
	uint8_t pad;
};

struct dnsb_qentry {
	struct dnsb_qkey key;
	uint64_t ts_ns;       /**< when the query was seen; 0 = free slot */
	uint16_t udp_size;    /**< advertised by the client (0: no EDNS) */
	uint8_t do_bit;
	uint8_t pad[5];
};

struct dnsb_qtable {
	struct dnsb_qentry *slot;
	uint32_t mask;        /**< slots - 1 */
	uint32_t seed;
	uint64_t timeout_ns;
	uint64_t used;        /**< occupied slots, live or stale */
};

/** Bytes of memory dnsb_qtable_init() needs for @p slots (a power of two). */
static inline size_t dnsb_qtable_mem(uint32_t slots)
{
	return (size_t)slots * sizeof(struct dnsb_qentry);
}

/**
 * Set up @p t over @p mem (zeroed by this call, owned by the caller, at
 * least dnsb_qtable_mem(@p slots) bytes). @p slots must be a power of two.
 * @return 0, or -1 when @p slots is not a power of two.
 */
int dnsb_qtable_init(struct dnsb_qtable *t, void *mem, uint32_t slots, uint64_t timeout_ns,
		     uint32_t seed);

/**
 * Record a query (a retry with the same key refreshes its entry).
 * @return 0, or -1 when every slot of its probe window is live (full).
 */
int dnsb_qtable_insert(struct dnsb_qtable *t, const struct dnsb_qkey *k, uint16_t udp_size,
		       uint8_t do_bit, uint64_t now_ns);

/**
 * Find and remove the query answered by a response with key @p k (built
 * from the response with client and server swapped back).
 * @return 1 with @p out filled, 0 when no live entry matches.
 */
int dnsb_qtable_take(struct dnsb_qtable *t, const struct dnsb_qkey *k, uint64_t now_ns,
		     struct dnsb_qentry *out);

#endif
