/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file core.h
 * The per-packet entry point of the dnsbump core: a plain buffer in, a
 * verdict and one reason out. No DPDK, no allocation, no I/O; time is an
 * argument. The caller (the DPDK worker, a test, a fuzzer, another
 * dataplane) owns the buffer and acts on the verdict.
 */
#ifndef DNSBUMP_CORE_H
#define DNSBUMP_CORE_H

#include <stdint.h>

#include "dns_wire.h"
#include "pkt_parse.h"
#include "reasons.h"

#define DNSB_MAX_DNS_PORTS 8
#define DNSB_DEFAULT_EDNS_MAX 1232

/** Where a frame is heading, from the port it arrived on. */
enum dnsb_dir {
	DNSB_DIR_UNKNOWN = 0, /**< judge by the DNS QR bit alone (offline use) */
	DNSB_DIR_TO_SERVER,   /**< arrived on the client side */
	DNSB_DIR_TO_CLIENT,   /**< arrived on the server side */
};

/** What happens to responses larger than the limit toward the client. */
enum dnsb_oversize {
	DNSB_OVERSIZE_TRUNCATE = 0, /**< replace by a TC=1 answer */
	DNSB_OVERSIZE_PASS,         /**< forward as it is, counted */
	DNSB_OVERSIZE_DROP,         /**< drop, counted */
};

enum dnsb_verdict {
	DNSB_V_PASS = 0,  /**< forward the frame unmodified */
	DNSB_V_MODIFIED,  /**< forward the frame, rewritten in place (result.len) */
	DNSB_V_REPLY,     /**< send the rewritten frame back out the port it came in on */
	DNSB_V_DROP,      /**< free the frame */
	/** The frame completed a held datagram: free it and send, toward the
	 * usual output port, the frames dnsb_engine_emit() builds (engine only). */
	DNSB_V_EMIT,
};

/** Policy values read by the fast path; plain data, swapped whole on reload. */
struct dnsb_policy {
	uint16_t dns_ports[DNSB_MAX_DNS_PORTS];
	uint8_t n_dns_ports;
	uint8_t oversize;     /**< enum dnsb_oversize */
	uint16_t edns_max;    /**< clamp advertised size to this; 0 = off */
	uint16_t edns_floor;  /**< raise advertised size to this; 0 = off */
	uint16_t path_limit;  /**< largest DNS payload toward clients; 0 = client's size only */
	uint16_t tcp_mss;     /**< clamp the MSS of TCP/53 SYNs to this; 0 = off */
	/* Breakage emulation (lab use): act like a broken middlebox. Each
	 * applies alone; a frame an emulation touches gets no assistance. */
	uint8_t emu_frag;       /**< enum dnsb_emu_frag */
	uint8_t emu_tcp53;      /**< enum dnsb_emu_tcp53 */
	uint8_t emu_strip_opt;  /**< DNSB_EMU_STRIP_QUERIES | DNSB_EMU_STRIP_ANSWERS */
	uint8_t emu_clear_do;   /**< clear DO in queries */
	uint8_t emu_drop_do_answers;
	uint16_t emu_drop_larger; /**< drop UDP DNS answers larger than this; 0 = off */
	/* Fragmented DNS datagrams (engine with reassembly only). */
	uint8_t frag_to_client; /**< enum dnsb_frag_policy for answers */
	uint8_t frag_to_server; /**< enum dnsb_frag_policy for queries (no truncate) */
	uint16_t mtu_client;    /**< egress MTU toward clients, IP octets */
	uint16_t mtu_server;    /**< egress MTU toward servers */
};

/** What happens to fragmented DNS datagrams. */
enum dnsb_frag_policy {
	DNSB_FRAG_PASS = 0,   /**< forward the fragments; inspect a reassembled copy */
	DNSB_FRAG_REASSEMBLE, /**< forward the datagram whole, re-fragmented to the MTU */
	DNSB_FRAG_TRUNCATE,   /**< as reassemble, but answers over the MTU become TC=1 */
	DNSB_FRAG_DROP,       /**< drop them (lab emulation of a fragment-dropping box) */
};

enum dnsb_emu_frag { DNSB_EMU_FRAG_OFF = 0, DNSB_EMU_FRAG_NON_FIRST, DNSB_EMU_FRAG_ALL };
enum dnsb_emu_tcp53 { DNSB_EMU_TCP53_OFF = 0, DNSB_EMU_TCP53_DROP, DNSB_EMU_TCP53_RESET };
#define DNSB_EMU_STRIP_QUERIES 1
#define DNSB_EMU_STRIP_ANSWERS 2

/** What is known of the query a response answers (from correlation). */
struct dnsb_query_hint {
	uint16_t client_udp_size; /**< what the client advertised; 512 without EDNS */
	uint8_t client_do;        /**< the client's DO bit */
};

/** Everything the core learned about one frame. */
struct dnsb_result {
	enum dnsb_verdict verdict;
	enum dnsb_reason reason;
	uint32_t len;          /**< frame length after processing */
	uint8_t is_dns;        /**< dns view is valid */
	uint8_t dns_port_dst;  /**< destination port is a DNS port */
	uint16_t udp_size_before; /**< query's OPT size before a rewrite */
	uint16_t limit;        /**< response size limit applied (0: none) */
	struct dnsb_pkt pkt;
	struct dnsb_dns dns;
};

/** What dnsb_inspect() found: whether the policy has anything to act on. */
enum dnsb_stage {
	DNSB_STAGE_DONE = 0, /**< outcome final: res->verdict and res->reason set */
	DNSB_STAGE_UDP_DNS,  /**< a DNS message over UDP, parsed into res->dns */
	DNSB_STAGE_TCP_DNS,  /**< a TCP segment to or from a DNS port */
};

/** Fill @p pol with the defaults: port 53, clamp 1232, no floor, truncate. */
void dnsb_policy_default(struct dnsb_policy *pol);

/** True when @p port is one of the policy's DNS ports (the first, 53
 * mostly, tried first). */
static inline int dnsb_policy_is_dns_port(const struct dnsb_policy *pol, uint16_t port)
{
	if (pol->n_dns_ports && pol->dns_ports[0] == port)
		return 1;
	for (unsigned i = 1; i < pol->n_dns_ports; i++)
		if (pol->dns_ports[i] == port)
			return 1;
	return 0;
}

/**
 * First half of dnsb_process(): parse @p frame (not modified) and decide
 * whether it is DNS the policy may act on. Fills res->pkt, res->dns.
 */
enum dnsb_stage dnsb_inspect(const uint8_t *frame, uint32_t len, const struct dnsb_policy *pol,
			     struct dnsb_result *res);

/**
 * Second half of dnsb_process(): apply @p pol to what dnsb_inspect()
 * returned as @p stage, rewriting @p frame in place when needed.
 */
enum dnsb_verdict dnsb_act(uint8_t *frame, enum dnsb_stage stage, enum dnsb_dir dir,
			   const struct dnsb_policy *pol, const struct dnsb_query_hint *hint,
			   struct dnsb_result *res);

/**
 * Process one frame: dnsb_inspect() then dnsb_act().
 * @param frame   the frame, owned by the caller; rewritten in place when
 *                the verdict is MODIFIED or REPLY.
 * @param len     bytes of the frame.
 * @param cap     bytes writable at @p frame (>= len); output never exceeds it.
 * @param dir     where the frame is heading.
 * @param now_ns  current time in nanoseconds (monotonic, caller's clock).
 * @param pol     policy to apply.
 * @param hint    the answered query when the caller tracks queries, else NULL.
 * @param res     filled with the verdict, the one reason and the parsed views.
 * @return res->verdict.
 */
enum dnsb_verdict dnsb_process(uint8_t *frame, uint32_t len, uint32_t cap, enum dnsb_dir dir,
			       uint64_t now_ns, const struct dnsb_policy *pol,
			       const struct dnsb_query_hint *hint, struct dnsb_result *res);

#endif
