/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file refrag.h
 * Split a whole IP datagram, held as one frame (link header, IPv4 or IPv6
 * header, payload), into frames that fit an egress MTU: RFC 791 s3.2 for
 * IPv4 (options without the copy flag only in the first fragment), RFC
 * 8200 s4.5 for IPv6 (the headers up to the upper-layer header repeated in
 * each fragment, a Fragment header inserted after them). Every frame gets
 * the link header of the datagram. Nothing is allocated: plan once, then
 * build frame i into the caller's buffer.
 */
#ifndef DNSBUMP_REFRAG_H
#define DNSBUMP_REFRAG_H

#include <stdint.h>

#include "pkt_parse.h"

struct dnsb_refrag {
	const uint8_t *frame;
	uint32_t len;       /**< frame up to the end of the IP datagram */
	uint32_t l3_off;
	uint32_t hdr_len;   /**< frame octets repeated in every fragment (first one) */
	uint32_t data_len;  /**< octets split among the fragments */
	uint32_t per;       /**< data octets per fragment but the last (multiple of 8) */
	uint32_t n;         /**< frames to send */
	uint32_t id;        /**< IPv6 fragment identification */
	uint32_t nh_off;    /**< IPv6: the octet naming the upper-layer protocol */
	uint8_t ver;
	uint8_t opt_later_len;   /**< IPv4: options repeated in later fragments */
	uint8_t opt_later[40];
};

/**
 * Plan the frames for the datagram @p frame parsed as @p p (not a
 * fragment) toward a link of @p mtu octets (IP header and payload). The
 * frame must stay unchanged until the last dnsb_refrag_build().
 * @param id  identification for IPv6 fragments (IPv4 keeps the header's)
 * @return the number of frames: 1 when the datagram fits as it is; 0 when
 *   @p mtu cannot carry the headers and 8 octets of data.
 */
uint32_t dnsb_refrag_plan(struct dnsb_refrag *f, const uint8_t *frame, const struct dnsb_pkt *p,
			  uint32_t mtu, uint32_t id);

/**
 * Write frame @p i (0 <= i < n) of the plan into @p out (@p cap octets).
 * @return its length, or 0 when @p cap is too small.
 */
uint32_t dnsb_refrag_build(const struct dnsb_refrag *f, uint32_t i, uint8_t *out, uint32_t cap);

#endif
