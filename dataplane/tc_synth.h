/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file tc_synth.h
 * Turn an oversized UDP DNS response into a truncated answer, in place.
 */
#ifndef DNSBUMP_TC_SYNTH_H
#define DNSBUMP_TC_SYNTH_H

#include <stdint.h>
#include "dns_wire.h"
#include "pkt_parse.h"

/** DO bit source for the synthesized OPT. */
enum dnsb_tc_do {
	DNSB_TC_DO_FROM_RESPONSE = -1, /**< query unknown: keep the response's DO */
	DNSB_TC_DO_CLEAR = 0,
	DNSB_TC_DO_SET = 1,
};

/**
 * Rewrite the UDP response described by @p p and @p d, inside the caller's
 * @p frame, into a TC=1 answer (RFC 2181 s9, RFC 6891 s7): same ID, opcode,
 * AA, RD, RA, CD and RCODE; AD cleared (no data left to vouch for); the
 * question section kept; no answer or authority records; when the response
 * had an OPT, one OPT carrying its UDP size, extended RCODE, version and
 * flags, with DO set per @p do_bit and no options.
 *
 * IPv4 total length and header checksum, IPv6 payload length, UDP length
 * and checksum are updated. The UDP checksum is carried over from the old
 * one (so an absent IPv4 checksum stays absent and a wrong one stays wrong,
 * whatever extension headers precede UDP). The frame only shrinks.
 * @return the new frame length (bytes past it are stale).
 */
uint32_t dnsb_tc_synth(uint8_t *frame, const struct dnsb_pkt *p, const struct dnsb_dns *d,
		       enum dnsb_tc_do do_bit);

/** Length of the DNS message dnsb_tc_synth() would produce for @p d. */
static inline uint32_t dnsb_tc_dns_len(const struct dnsb_dns *d)
{
	return d->question_end + (d->has_opt ? DNSB_OPT_FIXED_LEN : 0);
}

#endif
