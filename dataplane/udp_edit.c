/* SPDX-License-Identifier: BSD-3-Clause */
#include "checksum.h"
#include "udp_edit.h"
#include "wire.h"

#define UDP_HLEN 8
#define IP6_HLEN 40

/* Sum of the UDP header (checksum field left out) and @p dlen data octets. */
static uint32_t udp_sum(const uint8_t *udp, const uint8_t *data, uint32_t dlen)
{
	return dnsb_ck_add(dnsb_ck_add(0, udp, 6), data, dlen);
}

void dnsb_udp_edit_begin(const uint8_t *f, const struct dnsb_pkt *p, struct dnsb_udp_edit *ed)
{
	const uint8_t *udp = f + p->l4_off;
	ed->old_ulen = dnsb_get16(udp + 4);
	ed->ck = dnsb_get16(udp + 6);
	ed->old_sum = ed->ck ? udp_sum(udp, f + p->pl_off, p->pl_len) : 0;
}

uint32_t dnsb_udp_edit_end(uint8_t *f, const struct dnsb_pkt *p, const struct dnsb_udp_edit *ed,
			   uint32_t dns_len)
{
	uint8_t *udp = f + p->l4_off;
	uint16_t new_ulen = (uint16_t)(dns_len + UDP_HLEN);
	uint32_t new_end = p->pl_off + dns_len;
	uint8_t *ip = f + p->l3_off;

	dnsb_put16(udp + 4, new_ulen);
	if (p->ip_ver == 4) {
		uint32_t ihl = (uint32_t)(ip[0] & 0x0f) * 4;
		dnsb_put16(ip + 2, (uint16_t)(new_end - p->l3_off));
		dnsb_ck_ip4_set(ip, ihl);
	} else {
		dnsb_put16(ip + 4, (uint16_t)(new_end - p->l3_off - IP6_HLEN));
	}
	if (ed->ck) {
		/* ~ck = pseudo header + old segment. Swap the old segment and the
		 * old length in the pseudo header for the new ones; addresses and
		 * protocol are unchanged, whichever address the pseudo header used. */
		uint32_t sum = (uint16_t)~ed->ck;
		sum += (uint16_t)~dnsb_ck_fold(ed->old_sum);
		sum += (uint16_t)~ed->old_ulen;
		sum += new_ulen;
		sum += dnsb_ck_fold(udp_sum(udp, f + p->pl_off, dns_len));
		uint16_t nck = (uint16_t)~dnsb_ck_fold(sum);
		dnsb_put16(udp + 6, nck ? nck : 0xffff);
	}
	return new_end;
}
