/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file pkt_plain.h
 * The frame parse's path for the usual frame, inline, private to the
 * packet library: dnsb_pkt_parse() is it or the general parse, and the
 * engine's burst loop (core_steps.h) runs it without a call.
 */
#ifndef DNSBUMP_PKT_PLAIN_H
#define DNSBUMP_PKT_PLAIN_H

#include <stddef.h>
#include <string.h>

#include "checksum.h"
#include "pkt_parse.h"
#include "wire.h"

#define ETH_P_IPV4 0x0800
#define ETH_P_IPV6 0x86dd
#define UDP_HLEN 8
#define TCP_MIN_HLEN 20
#define IP4_MIN_HLEN 20
#define IP6_HLEN 40

/* Version, protocol and the addresses of the IPv4 header at @p h: each
 * address in the first four octets of its field, the rest zero. */
static inline void dnsb_pkt_ip4_addresses(struct dnsb_pkt *p, const uint8_t *h)
{
	uint64_t zero = 0;
	p->ip_ver = 4;
	p->proto = h[9];
	memcpy(p->src, h + 12, 4);
	memcpy(p->src + 4, &zero, 4);
	memcpy(p->src + 8, &zero, 8);
	memcpy(p->dst, h + 16, 4);
	memcpy(p->dst + 4, &zero, 4);
	memcpy(p->dst + 8, &zero, 8);
}

/*
 * The usual frame parsed straight through: untagged, IPv4 without options
 * or IPv6 without extension headers, not a fragment, carrying a UDP or TCP
 * header the general parse would accept. Fills @p p exactly as the general
 * parse does (every field).
 * @return 1, or 0 for anything else, defects included, which the general
 *   parse (dnsb_pkt_parse_general()) then judges: it writes every field
 *   again.
 */
static inline __attribute__((always_inline)) int dnsb_pkt_plain(const uint8_t *f, uint32_t len,
								 struct dnsb_pkt *p)
{
	uint16_t et;
	uint32_t ip_len, avail;
	const uint8_t *h = f + DNSB_ETH_HLEN, *l4;

	if (len < DNSB_ETH_HLEN + IP6_HLEN + TCP_MIN_HLEN)
		return 0; /* a UDP frame this short is rare: the general way */
	memcpy(&et, f + 12, 2);
	if (et == dnsb_wire16(ETH_P_IPV4)) {
		/* RFC 791: IHL 5, total length within the frame, no fragment
		 * (MF clear, offset 0), the header checksum right. */
		ip_len = dnsb_get16(h + 2);
		if (h[0] != 0x45 || ip_len > len - DNSB_ETH_HLEN || ip_len < IP4_MIN_HLEN ||
		    (dnsb_get16(h + 6) & 0x3fff) || !dnsb_ck_ip4_ok(h, IP4_MIN_HLEN))
			return 0;
		avail = ip_len - IP4_MIN_HLEN;
		l4 = h + IP4_MIN_HLEN;
		memset(p, 0, offsetof(struct dnsb_pkt, src));
		p->ethertype = ETH_P_IPV4;
		dnsb_pkt_ip4_addresses(p, h);
		p->ip4_df = (h[6] & 0x40) != 0;
		p->frag_id = dnsb_get16(h + 4);
		p->frag_off_hdr = DNSB_ETH_HLEN;
		p->frag_data_off = DNSB_ETH_HLEN + IP4_MIN_HLEN;
	} else if (et == dnsb_wire16(ETH_P_IPV6)) {
		/* RFC 8200: the upper-layer header right after the fixed one. */
		ip_len = dnsb_get16(h + 4) + IP6_HLEN;
		if ((h[0] >> 4) != 6 || ip_len > len - DNSB_ETH_HLEN ||
		    (h[6] != DNSB_IPPROTO_UDP && h[6] != DNSB_IPPROTO_TCP))
			return 0;
		avail = ip_len - IP6_HLEN;
		l4 = h + IP6_HLEN;
		memset(p, 0, offsetof(struct dnsb_pkt, src));
		p->ethertype = ETH_P_IPV6;
		p->ip_ver = 6;
		p->proto = h[6];
		p->l4_nh_off = DNSB_ETH_HLEN + 6;
		memcpy(p->src, h + 8, 16);
		memcpy(p->dst, h + 24, 16);
	} else {
		return 0;
	}
	p->frame_len = len;
	p->l3_off = DNSB_ETH_HLEN;
	p->l4_off = (uint32_t)(l4 - f);
	p->ip_end = DNSB_ETH_HLEN + ip_len;
	p->has_l4 = 1;
	/* The L4 header as parse_l4() takes it, for a datagram that is not a
	 * fragment (its header within the datagram since the length it gives,
	 * at least the header's, is; read within the frame, which is longer). */
	if (p->proto == DNSB_IPPROTO_UDP) {
		uint32_t ulen = dnsb_get16(l4 + 4);
		if (ulen < UDP_HLEN || ulen > avail)
			return 0;
		p->pl_off = p->l4_off + UDP_HLEN;
		p->pl_len = ulen - UDP_HLEN;
	} else if (p->proto == DNSB_IPPROTO_TCP) {
		uint32_t doff = (uint32_t)(l4[12] >> 4) * 4;
		if (doff < TCP_MIN_HLEN || doff > avail)
			return 0;
		p->tcp_flags = l4[13];
		p->pl_off = p->l4_off + doff;
		p->pl_len = avail - doff;
	} else {
		return 0;
	}
	p->sport = dnsb_get16(l4);
	p->dport = dnsb_get16(l4 + 2);
	return 1;
}

#endif
