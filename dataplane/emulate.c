/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "checksum.h"
#include "edns_rewrite.h"
#include "emulate.h"
#include "udp_edit.h"
#include "wire.h"

#define TCP_HLEN 20
#define IP6_HLEN 40

uint32_t dnsb_emu_strip_opt(uint8_t *f, const struct dnsb_pkt *p, const struct dnsb_dns *d)
{
	struct dnsb_udp_edit ed;
	uint8_t *m = f + p->pl_off;
	uint32_t start = d->opt_off, len = DNSB_OPT_FIXED_LEN + d->opt_rdlen;

	dnsb_udp_edit_begin(f, p, &ed);
	memmove(m + start, m + start + len, p->pl_len - start - len);
	dnsb_put16(m + 10, (uint16_t)(d->arcount - 1));
	return dnsb_udp_edit_end(f, p, &ed, p->pl_len - len);
}

void dnsb_emu_clear_do(uint8_t *f, const struct dnsb_pkt *p, const struct dnsb_dns *d)
{
	/* OPT: owner (1), TYPE (2), CLASS (2), extended RCODE (1), version
	 * (1), then the flags. */
	dnsb_udp_set16(f, p, p->pl_off + d->opt_off + 7, (uint16_t)(d->opt_flags & ~DNSB_EDNS_DO));
}

static void swap(uint8_t *a, uint8_t *b, unsigned n)
{
	uint8_t t[16];
	memcpy(t, a, n);
	memcpy(a, b, n);
	memcpy(b, t, n);
}

uint32_t dnsb_emu_tcp_reset(uint8_t *f, const struct dnsb_pkt *p)
{
	if (p->ip_ver == 6 && p->l4_off != p->l3_off + IP6_HLEN)
		return 0;
	uint8_t *ip = f + p->l3_off, *t = f + p->l4_off;
	uint32_t seq = dnsb_get32(t + 4), seg = TCP_HLEN;

	swap(f, f + 6, 6);
	if (p->ip_ver == 4) {
		swap(ip + 12, ip + 16, 4);
		uint32_t ihl = (uint32_t)(ip[0] & 0x0f) * 4;
		dnsb_put16(ip + 2, (uint16_t)(ihl + seg));
		ip[8] = 64;
		dnsb_ck_ip4_set(ip, ihl);
	} else {
		swap(ip + 8, ip + 24, 16);
		dnsb_put16(ip + 4, (uint16_t)seg);
		ip[7] = 64;
	}
	swap(t, t + 2, 2);
	/* RFC 9293 s3.10.7.1: a SYN to a closed port gets <SEQ=0><ACK=SEG.SEQ+1><CTL=RST,ACK>. */
	memset(t + 4, 0, 4);
	uint32_t ack = seq + 1;
	t[8] = (uint8_t)(ack >> 24), t[9] = (uint8_t)(ack >> 16), t[10] = (uint8_t)(ack >> 8),
	t[11] = (uint8_t)ack;
	t[12] = (TCP_HLEN / 4) << 4;
	t[13] = DNSB_TCP_RST | DNSB_TCP_ACK;
	memset(t + 14, 0, 6); /* window, checksum, urgent pointer */
	uint32_t sum = p->ip_ver == 4 ? dnsb_ck_add(0, ip + 12, 8) : dnsb_ck_add(0, ip + 8, 32);
	sum += DNSB_IPPROTO_TCP + seg;
	sum = dnsb_ck_add(sum, t, seg);
	dnsb_put16(t + 16, (uint16_t)~dnsb_ck_fold(sum));
	return p->l4_off + seg;
}
