/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file reasm.h
 * IPv4 and IPv6 reassembly of DNS datagrams, per lcore, in fixed memory:
 * a bounded table of datagrams in progress, each with a data area of
 * max_datagram octets and a bitmap of the 8-octet blocks received.
 * Overlaps discard the datagram (RFC 5722), exact duplicates are ignored,
 * a first fragment too short for the UDP header is refused, nothing past
 * 65535 octets is kept; incomplete datagrams age out by time (passed in)
 * through the caller's callback, which learns whether the first fragment
 * was among the missing. When the table is full the oldest datagram of the
 * probe window is given up (counted in evicted), so a flood of fragments
 * that never complete cannot lock real answers out. No allocation: the
 * caller hands in the memory.
 */
#ifndef DNSBUMP_REASM_H
#define DNSBUMP_REASM_H

#include <stddef.h>
#include <stdint.h>

#include "pace.h"
#include "pkt_parse.h"

/** Link and network headers kept from a first fragment, at most. */
#define DNSB_REASM_MAX_HDR 192

struct dnsb_reasm_cfg {
	uint32_t slots;         /**< datagrams in progress, a power of two; 0 = off */
	uint32_t max_datagram;  /**< largest payload kept, octets (<= 65535) */
	uint16_t max_frags;     /**< fragments per datagram */
	uint64_t timeout_ns;
};

enum dnsb_reasm_status {
	DNSB_RA_HELD = 0,   /**< stored; the datagram is not complete yet */
	DNSB_RA_DONE,       /**< complete: the reassembled frame is in the output */
	DNSB_RA_NOT_DNS,    /**< the datagram is not DNS: not kept */
	DNSB_RA_DUP,        /**< an exact duplicate: ignored */
	DNSB_RA_OVERLAP,    /**< overlaps other data: datagram discarded */
	DNSB_RA_TINY_FIRST, /**< first fragment without a whole UDP header: discarded */
	DNSB_RA_TOO_BIG,    /**< past 65535 or max_datagram: discarded */
	DNSB_RA_TOO_MANY,   /**< more than max_frags fragments: discarded */
	DNSB_RA_BAD,        /**< inconsistent lengths: discarded */
};

struct dnsb_reasm_slot {
	uint8_t src[16], dst[16];
	uint32_t id;
	uint8_t ver, proto;
	uint8_t have_first, have_last, not_dns;
	uint8_t from_server;   /**< the first fragment came from a DNS port */
	uint8_t passing;       /**< the caller forwards this datagram's fragments as they are */
	uint8_t mapped;        /**< the blocks held are in the bitmap, not one run */
	uint16_t nfrags;
	uint16_t hdr_len;      /**< header octets kept before data: the frame up to the fragment data */
	uint16_t l3_off, frag_hdr_off, frag_nh_off; /**< offsets within those headers */
	uint32_t total;        /**< payload length once the last fragment is seen */
	uint32_t have;         /**< payload octets received */
	uint64_t ts_ns;        /**< first fragment seen; 0 = free slot */
	/** Payload octets; the DNSB_REASM_MAX_HDR octets before them hold the
	 * first fragment's headers (the hdr_len octets of its frame up to its
	 * data, ending at data), so that the datagram is rebuilt in place.
	 * A live slot's buffer (data, map), taken from the table's free
	 * buffers when the slot's datagram starts. */
	uint8_t *data;
	uint8_t *map;
	uint32_t buf;          /**< which buffer (live slots only) */
	/** While not mapped: the 8-octet blocks held, [run_lo, run_hi), one
	 * run (empty while have is 0). Fragments of a train mostly join the
	 * run at one end; one that leaves a gap moves the run into the
	 * bitmap, which is then used for the rest of the datagram. */
	uint16_t run_lo, run_hi;
};

/** What the last dnsb_reasm_add() learned of the fragment's datagram. */
struct dnsb_reasm_last {
	struct dnsb_reasm_slot *slot; /**< its slot while held (DNSB_RA_HELD), else NULL */
	uint32_t id;          /**< fragment identification */
	uint8_t known_dns;    /**< the first fragment was seen: a DNS datagram */
	uint8_t from_server;  /**< (known_dns) its source port is a DNS port */
	uint8_t passing;      /**< the slot's passing mark, as it was */
};

typedef void (*dnsb_reasm_expire_fn)(void *ctx, const struct dnsb_reasm_slot *s);

struct dnsb_reasm {
	struct dnsb_reasm_slot *slot;
	uint32_t mask, cursor, max_datagram;
	/** Buffers not held by a live slot, the last freed on top: a new
	 * datagram takes the buffer the one before it left, still in the
	 * caches, not one of its home slot's (as many buffers as slots, so
	 * there is always one). */
	uint32_t *free_buf;
	uint32_t n_free;
	/** A bit a slot, set while it is live: a probe window with none set
	 * (the usual case for a datagram's first fragment) is not scanned. */
	uint8_t *live_map;
	uint8_t *buf_area;
	size_t buf_stride;
	struct dnsb_pace pace;  /**< of dnsb_reasm_tick_paced() */
	uint16_t max_frags;
	uint64_t timeout_ns;
	uint64_t live, peak;
	uint64_t evicted;       /**< datagrams given up to make room */
	dnsb_reasm_expire_fn expire;
	void *ctx;
	struct dnsb_reasm_last last;
};

/** Bytes of memory a table per @p c needs (0 when c->slots is 0). */
size_t dnsb_reasm_mem(const struct dnsb_reasm_cfg *c);

/**
 * Set up @p r over @p mem (dnsb_reasm_mem() bytes, owned by the caller).
 * @return 0, or -1 on a bad configuration.
 */
int dnsb_reasm_init(struct dnsb_reasm *r, void *mem, const struct dnsb_reasm_cfg *c,
		    dnsb_reasm_expire_fn expire, void *ctx);

/**
 * Add the fragment @p p of @p frame; @p ports / @p n_ports are the DNS
 * ports (a first fragment to or from none of them ends the datagram's
 * keeping). On DNSB_RA_DONE the whole datagram, as one frame (headers of
 * the first fragment, no fragment header), is at *@p out, *@p out_len
 * octets: rebuilt where its slot kept it (no copy), the slot already free;
 * the caller may read and rewrite it until its next call of
 * dnsb_reasm_add() on @p r. @p frame is not modified. r->last tells what
 * is known of the datagram, whatever the status.
 */
enum dnsb_reasm_status dnsb_reasm_add(struct dnsb_reasm *r, const uint8_t *frame,
				      const struct dnsb_pkt *p, const uint16_t *ports, unsigned n_ports,
				      uint64_t now_ns, uint8_t **out, uint32_t *out_len);

/** Age out datagrams older than the timeout, up to @p budget slots (0: all). */
void dnsb_reasm_tick(struct dnsb_reasm *r, uint64_t now_ns, uint32_t budget);

/** dnsb_reasm_tick() at a pace that looks at every slot once per @p period_ns. */
void dnsb_reasm_tick_paced(struct dnsb_reasm *r, uint64_t now_ns, uint64_t period_ns);

#endif
