/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file pkt_parse.h
 * Frame parse: Ethernet, 802.1Q / 802.1ad (QinQ), IPv4 (options, header
 * checksum), IPv6 with its extension-header chain, UDP and TCP. Fills one
 * plain view of offsets into the caller's frame; never writes the frame.
 */
#ifndef DNSBUMP_PKT_PARSE_H
#define DNSBUMP_PKT_PARSE_H

#include <stdint.h>
#include "reasons.h"

#define DNSB_ETH_HLEN 14
#define DNSB_MAX_VLAN 2
/** Extension headers walked before the IPv6 chain is declared too long. */
#define DNSB_IP6_MAX_EXT 8

#define DNSB_IPPROTO_TCP 6
#define DNSB_IPPROTO_UDP 17

#define DNSB_TCP_FIN 0x01
#define DNSB_TCP_SYN 0x02
#define DNSB_TCP_RST 0x04
#define DNSB_TCP_ACK 0x10

/** Parsed view of one frame. Offsets are from the start of the frame. */
struct dnsb_pkt {
	uint32_t frame_len;  /**< bytes handed to the parser */
	uint32_t l3_off;     /**< IP header */
	uint32_t ip_end;     /**< end of the IP datagram; later bytes are padding */
	uint32_t l4_off;     /**< UDP/TCP header (valid when has_l4) */
	uint32_t pl_off;     /**< UDP/TCP payload (valid when has_l4 and !frag) */
	uint32_t pl_len;     /**< payload length from the UDP length or IP length */
	uint32_t frag_off_hdr; /**< IPv6: fragment header offset; IPv4: l3_off */
	uint32_t frag_nh_off;  /**< IPv6: the octet naming the fragment header as next */
	uint32_t frag_data_off; /**< first byte of fragment data */
	uint32_t l4_nh_off;  /**< IPv6: the octet naming the upper-layer protocol */
	uint32_t frag_id;    /**< IPv4 identification or IPv6 fragment id */
	uint16_t frag_offset; /**< fragment offset in bytes */
	uint16_t ethertype;  /**< after VLAN tags */
	uint16_t vlan_tci[DNSB_MAX_VLAN];
	uint16_t sport, dport;
	uint8_t n_vlan;
	uint8_t ip_ver;      /**< 4 or 6 */
	uint8_t proto;       /**< upper-layer protocol after extension headers */
	uint8_t has_l4;      /**< ports (and TCP flags) are valid */
	uint8_t frag;        /**< datagram is a fragment (atomic fragments are not) */
	uint8_t frag_more;   /**< more-fragments flag */
	uint8_t ip4_df;      /**< IPv4 don't-fragment flag */
	uint8_t tcp_flags;
	uint8_t ip6_n_ext;   /**< extension headers walked */
	uint8_t src[16];     /**< IPv4 in the first 4 bytes, the rest zero */
	uint8_t dst[16];
};
_Static_assert(sizeof(struct dnsb_pkt) - 2 * 16 <= 80, "the part cleared per frame stays small");

/**
 * Parse the frame @p f of @p len bytes into @p p.
 * @return DNSB_R_OK when an IP datagram was parsed (L4 fields valid when
 *   p->has_l4), otherwise the reason the frame is not for us or is
 *   malformed. @p f stays owned by the caller and is not modified.
 */
enum dnsb_reason dnsb_pkt_parse(const uint8_t *f, uint32_t len, struct dnsb_pkt *p);

/**
 * dnsb_pkt_parse() without its path for the usual frame (an untagged
 * IPv4 or IPv6 datagram, not a fragment, with a UDP or TCP header): the
 * general parse alone, which gives every frame the same view.
 */
enum dnsb_reason dnsb_pkt_parse_general(const uint8_t *f, uint32_t len, struct dnsb_pkt *p);

#endif
