/* SPDX-License-Identifier: BSD-3-Clause */
#include "checksum.h"
#include "tc_synth.h"
#include "wire.h"

#define UDP_HLEN 8
#define IP6_HLEN 40

/* Sum of the UDP header (checksum field left out) and @p dlen data octets. */
static uint32_t udp_sum(const uint8_t *udp, const uint8_t *data, uint32_t dlen)
{
	return dnsb_ck_add(dnsb_ck_add(0, udp, 6), data, dlen);
}

static void write_opt(uint8_t *o, const struct dnsb_dns *d, enum dnsb_tc_do do_bit)
{
	uint16_t flags = d->opt_flags;

	if (do_bit == DNSB_TC_DO_SET)
		flags |= DNSB_EDNS_DO;
	else if (do_bit == DNSB_TC_DO_CLEAR)
		flags &= (uint16_t)~DNSB_EDNS_DO;
	o[0] = 0; /* root owner */
	dnsb_put16(o + 1, DNSB_TYPE_OPT);
	dnsb_put16(o + 3, d->opt_udp_size);
	o[5] = d->opt_ext_rcode;
	o[6] = d->opt_version;
	dnsb_put16(o + 7, flags);
	dnsb_put16(o + 9, 0); /* RDLENGTH: options dropped */
}

uint32_t dnsb_tc_synth(uint8_t *f, const struct dnsb_pkt *p, const struct dnsb_dns *d,
		       enum dnsb_tc_do do_bit)
{
	uint8_t *udp = f + p->l4_off;
	uint8_t *m = f + p->pl_off;
	uint16_t old_ulen = dnsb_get16(udp + 4);
	uint16_t ck = dnsb_get16(udp + 6);
	uint32_t old_sum = ck ? udp_sum(udp, m, p->pl_len) : 0;

	/* Header: RFC 1035 s4.1.1 / RFC 2181 s9. */
	uint16_t flags = (uint16_t)((d->flags | DNSB_F_TC) & ~DNSB_F_AD);
	dnsb_put16(m + 2, flags);
	dnsb_put16(m + 6, 0);
	dnsb_put16(m + 8, 0);
	dnsb_put16(m + 10, d->has_opt ? 1 : 0);
	if (d->has_opt)
		write_opt(m + d->question_end, d, do_bit);

	uint32_t dns_len = dnsb_tc_dns_len(d);
	uint16_t new_ulen = (uint16_t)(dns_len + UDP_HLEN);
	uint32_t new_end = p->pl_off + dns_len;
	dnsb_put16(udp + 4, new_ulen);

	uint8_t *ip = f + p->l3_off;
	if (p->ip_ver == 4) {
		uint32_t ihl = (uint32_t)(ip[0] & 0x0f) * 4;
		dnsb_put16(ip + 2, (uint16_t)(new_end - p->l3_off));
		dnsb_put16(ip + 10, 0);
		dnsb_put16(ip + 10, (uint16_t)~dnsb_ck_fold(dnsb_ck_add(0, ip, ihl)));
	} else {
		dnsb_put16(ip + 4, (uint16_t)(new_end - p->l3_off - IP6_HLEN));
	}

	if (ck) {
		/* ~ck = pseudo header + old segment. Swap the old segment and the
		 * old length in the pseudo header for the new ones; addresses and
		 * protocol are unchanged, whichever address the pseudo header used. */
		uint32_t sum = (uint16_t)~ck;
		sum += (uint16_t)~dnsb_ck_fold(old_sum);
		sum += (uint16_t)~old_ulen;
		sum += new_ulen;
		sum += dnsb_ck_fold(udp_sum(udp, m, dns_len));
		uint16_t nck = (uint16_t)~dnsb_ck_fold(sum);
		dnsb_put16(udp + 6, nck ? nck : 0xffff);
	}
	return new_end;
}
