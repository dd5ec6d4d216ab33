/* SPDX-License-Identifier: BSD-3-Clause */
#include "checksum.h"
#include "tcp_mss.h"
#include "wire.h"

#define TCPOPT_EOL 0
#define TCPOPT_NOP 1
#define TCPOPT_MSS 2
#define TCPOLEN_MSS 4

int dnsb_tcp_mss_clamp(uint8_t *frame, const struct dnsb_pkt *p, uint16_t mss)
{
	if (!(p->tcp_flags & DNSB_TCP_SYN) || p->pl_off < p->l4_off + 20)
		return 0;
	uint32_t o = p->l4_off + 20, end = p->pl_off;
	while (o < end) {
		uint8_t kind = frame[o];
		if (kind == TCPOPT_EOL)
			return 0;
		if (kind == TCPOPT_NOP) {
			o++;
			continue;
		}
		if (end - o < 2 || frame[o + 1] < 2 || frame[o + 1] > end - o)
			return 0;
		if (kind == TCPOPT_MSS && frame[o + 1] == TCPOLEN_MSS) {
			uint16_t old = dnsb_get16(frame + o + 2);
			if (old <= mss)
				return 0;
			dnsb_put16(frame + o + 2, mss);
			uint8_t *ck = frame + p->l4_off + 16;
			/* Options start at an even offset (20) but single-octet
			 * NOPs can leave the MSS value at an odd one. */
			int odd = (o + 2 - p->l4_off) & 1;
			dnsb_put16(ck, dnsb_ck_adjust(dnsb_get16(ck), odd ? dnsb_bswap16(old) : old,
						      odd ? dnsb_bswap16(mss) : mss));
			return 1;
		}
		o += frame[o + 1];
	}
	return 0;
}
