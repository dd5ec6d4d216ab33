/* SPDX-License-Identifier: BSD-3-Clause */
#include <stddef.h>
#include <string.h>

#include "pkt_plain.h"

#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88a8
#define ETH_P_QINQ_OLD 0x9100

#define IP6_FRAG_HLEN 8

/* IPv6 next-header values (IANA "IPv6 Extension Header Types"). */
#define NH_HOPOPTS 0
#define NH_ROUTING 43
#define NH_FRAGMENT 44
#define NH_AH 51
#define NH_DSTOPTS 60
#define NH_MOBILITY 135
#define NH_HIP 139
#define NH_SHIM6 140

/*
 * UDP or TCP header at p->l4_off. In a first fragment only the ports (and
 * TCP flags) are taken: lengths there describe the whole datagram. A first
 * fragment too small for the header is left with has_l4 = 0 for the
 * fragment stage to judge.
 */
static inline __attribute__((always_inline)) enum dnsb_reason parse_l4(const uint8_t *f,
									struct dnsb_pkt *p)
{
	uint32_t avail = p->ip_end - p->l4_off;
	const uint8_t *h = f + p->l4_off;

	if (p->proto == DNSB_IPPROTO_UDP) {
		if (avail < UDP_HLEN)
			return p->frag ? DNSB_R_OK : DNSB_R_BAD_UDP_HEADER;
		p->sport = dnsb_get16(h);
		p->dport = dnsb_get16(h + 2);
		p->has_l4 = 1;
		if (p->frag)
			return DNSB_R_OK;
		/* RFC 768: length covers header and data; IP padding past it is allowed. */
		uint16_t ulen = dnsb_get16(h + 4);
		if (ulen < UDP_HLEN || ulen > avail)
			return DNSB_R_BAD_UDP_HEADER;
		p->pl_off = p->l4_off + UDP_HLEN;
		p->pl_len = ulen - UDP_HLEN;
		return DNSB_R_OK;
	}
	if (p->proto == DNSB_IPPROTO_TCP) {
		if (avail < TCP_MIN_HLEN)
			return p->frag ? DNSB_R_OK : DNSB_R_BAD_TCP_HEADER;
		p->sport = dnsb_get16(h);
		p->dport = dnsb_get16(h + 2);
		p->tcp_flags = h[13];
		p->has_l4 = 1;
		if (p->frag)
			return DNSB_R_OK;
		/* RFC 9293 s3.1: data offset in 32-bit words, at least 5. */
		uint32_t doff = (uint32_t)(h[12] >> 4) * 4;
		if (doff < TCP_MIN_HLEN || doff > avail)
			return DNSB_R_BAD_TCP_HEADER;
		p->pl_off = p->l4_off + doff;
		p->pl_len = avail - doff;
	}
	return DNSB_R_OK;
}

static enum dnsb_reason parse_ip4(const uint8_t *f, uint32_t len, struct dnsb_pkt *p)
{
	uint32_t l3 = p->l3_off;
	const uint8_t *h = f + l3;

	if (len - l3 < IP4_MIN_HLEN || (h[0] >> 4) != 4)
		return DNSB_R_BAD_IP4_HEADER;
	uint32_t ihl = (uint32_t)(h[0] & 0x0f) * 4;
	uint32_t tot = dnsb_get16(h + 2);
	/* RFC 791: IHL >= 5 words, total length covers the header; anything
	 * after total length is link padding. */
	if (ihl < IP4_MIN_HLEN || tot < ihl || tot > len - l3)
		return DNSB_R_BAD_IP4_HEADER;
	if (!dnsb_ck_ip4_ok(h, ihl))
		return DNSB_R_BAD_IP4_CHECKSUM;

	uint16_t ff = dnsb_get16(h + 6);
	dnsb_pkt_ip4_addresses(p, h); /* with ip_ver: see dnsb_pkt_parse_general() */
	p->ip_end = l3 + tot;
	p->l4_off = l3 + ihl;
	p->ip4_df = (ff & 0x4000) != 0;
	p->frag_more = (ff & 0x2000) != 0;
	p->frag_offset = (uint16_t)((ff & 0x1fff) * 8);
	p->frag = p->frag_more || p->frag_offset;
	p->frag_id = dnsb_get16(h + 4);
	p->frag_off_hdr = l3;
	p->frag_data_off = p->l4_off;
	if (p->frag_offset)
		return DNSB_R_OK;
	return parse_l4(f, p);
}

/* RFC 8200 s4: walk the extension headers up to the upper-layer header. */
static enum dnsb_reason parse_ip6(const uint8_t *f, uint32_t len, struct dnsb_pkt *p)
{
	uint32_t l3 = p->l3_off;
	const uint8_t *h = f + l3;

	if (len - l3 < IP6_HLEN || (h[0] >> 4) != 6)
		return DNSB_R_BAD_IP6_HEADER;
	uint32_t plen = dnsb_get16(h + 4);
	uint8_t nh = h[6];
	/* A zero payload length with hop-by-hop options is a jumbogram (RFC 2675). */
	if ((plen == 0 && nh == NH_HOPOPTS) || plen > len - l3 - IP6_HLEN)
		return DNSB_R_BAD_IP6_HEADER;

	p->ip_ver = 6; /* with the addresses: see dnsb_pkt_parse() */
	memcpy(p->src, h + 8, 16);
	memcpy(p->dst, h + 24, 16);
	p->ip_end = l3 + IP6_HLEN + plen;

	uint32_t off = l3 + IP6_HLEN, nh_off = l3 + 6;
	for (;;) {
		uint32_t hl;

		switch (nh) {
		case NH_HOPOPTS:
		case NH_ROUTING:
		case NH_DSTOPTS:
		case NH_MOBILITY:
		case NH_HIP:
		case NH_SHIM6:
		case NH_AH:
			if (p->ip6_n_ext >= DNSB_IP6_MAX_EXT || p->ip_end - off < 8)
				return DNSB_R_BAD_IP6_EXT;
			/* AH counts 4-octet units minus 2 (RFC 4302 s2.2), the rest
			 * 8-octet units minus 1 (RFC 8200 s4.3). */
			hl = nh == NH_AH ? ((uint32_t)f[off + 1] + 2) * 4
					 : ((uint32_t)f[off + 1] + 1) * 8;
			if (p->ip_end - off < hl)
				return DNSB_R_BAD_IP6_EXT;
			nh = f[off];
			nh_off = off;
			off += hl;
			p->ip6_n_ext++;
			continue;
		case NH_FRAGMENT: {
			if (p->ip6_n_ext >= DNSB_IP6_MAX_EXT || p->ip_end - off < IP6_FRAG_HLEN)
				return DNSB_R_BAD_IP6_EXT;
			uint16_t fo = dnsb_get16(f + off + 2);
			p->frag_offset = fo & 0xfff8;
			p->frag_more = fo & 1;
			p->frag_id = dnsb_get32(f + off + 4);
			p->frag_off_hdr = off;
			p->frag_nh_off = nh_off;
			/* An atomic fragment (offset 0, M=0) is a whole datagram (RFC 6946). */
			p->frag = p->frag_offset || p->frag_more;
			nh = f[off];
			nh_off = off;
			off += IP6_FRAG_HLEN;
			p->frag_data_off = off;
			p->ip6_n_ext++;
			if (p->frag_offset) {
				p->proto = nh;
				p->l4_off = off;
				p->l4_nh_off = nh_off;
				return DNSB_R_OK;
			}
			continue;
		}
		default:
			p->proto = nh;
			p->l4_off = off;
			p->l4_nh_off = nh_off;
			return parse_l4(f, p);
		}
	}
}

static enum dnsb_reason parse_frame(const uint8_t *f, uint32_t len, struct dnsb_pkt *p)
{
	if (len < DNSB_ETH_HLEN)
		return DNSB_R_BAD_L2;

	uint32_t off = DNSB_ETH_HLEN;
	uint16_t et = dnsb_get16(f + 12);
	while (et == ETH_P_8021Q || et == ETH_P_8021AD || et == ETH_P_QINQ_OLD) {
		if (p->n_vlan == DNSB_MAX_VLAN)
			return DNSB_R_PASS_L2_UNSUPPORTED;
		if (len - off < 4)
			return DNSB_R_BAD_L2;
		p->vlan_tci[p->n_vlan++] = dnsb_get16(f + off);
		et = dnsb_get16(f + off + 2);
		off += 4;
	}
	p->ethertype = et;
	p->l3_off = off;
	if (et == ETH_P_IPV4)
		return parse_ip4(f, len, p);
	if (et == ETH_P_IPV6)
		return parse_ip6(f, len, p);
	return DNSB_R_PASS_NON_IP;
}

/* Every field is defined on every path. The addresses are written whole
 * (with ip_ver) by the IP parsers, so only the rest is cleared up front:
 * small enough to clear with a few wide stores. */
enum dnsb_reason dnsb_pkt_parse_general(const uint8_t *f, uint32_t len, struct dnsb_pkt *p)
{
	memset(p, 0, offsetof(struct dnsb_pkt, src));
	p->frame_len = len;
	enum dnsb_reason r = parse_frame(f, len, p);
	if (!p->ip_ver)
		memset(p->src, 0, sizeof(p->src) + sizeof(p->dst));
	return r;
}

enum dnsb_reason dnsb_pkt_parse(const uint8_t *f, uint32_t len, struct dnsb_pkt *p)
{
	return dnsb_pkt_plain(f, len, p) ? DNSB_R_OK : dnsb_pkt_parse_general(f, len, p);
}
