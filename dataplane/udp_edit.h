/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file udp_edit.h
 * Resize the DNS payload of a UDP datagram in place and put its lengths
 * and checksums right: IPv4 total length and header checksum, IPv6 payload
 * length, UDP length, and the UDP checksum carried over from the old one
 * (an absent IPv4 checksum stays absent, a wrong one stays wrong, whatever
 * extension headers come first). Shared by every rewrite that changes a
 * message's length.
 */
#ifndef DNSBUMP_UDP_EDIT_H
#define DNSBUMP_UDP_EDIT_H

#include <stdint.h>

#include "pkt_parse.h"

/** What the UDP datagram was before the edit. */
struct dnsb_udp_edit {
	uint16_t old_ulen;
	uint16_t ck;        /**< checksum before the edit; 0 = none sent */
	uint32_t old_sum;   /**< sum of the old header (without checksum) and data */
};

/** Record the datagram of @p p in @p frame before changing its payload. */
void dnsb_udp_edit_begin(const uint8_t *frame, const struct dnsb_pkt *p, struct dnsb_udp_edit *ed);

/**
 * After the payload was rewritten to @p dns_len octets (at p->pl_off),
 * fix lengths and checksums. @return the new frame length.
 */
uint32_t dnsb_udp_edit_end(uint8_t *frame, const struct dnsb_pkt *p, const struct dnsb_udp_edit *ed,
			   uint32_t dns_len);

#endif
