/* SPDX-License-Identifier: BSD-3-Clause */
#include "checksum.h"
#include "edns_rewrite.h"
#include "wire.h"

uint16_t dnsb_edns_target(uint16_t adv, uint16_t max, uint16_t floor)
{
	if (max && adv > max)
		return max;
	if (floor && adv < floor)
		return floor;
	return adv;
}

void dnsb_udp_set16(uint8_t *frame, const struct dnsb_pkt *p, uint32_t field_off,
		    uint16_t value)
{
	uint8_t *field = frame + field_off;
	uint8_t *ck = frame + p->l4_off + 6;
	uint16_t old = dnsb_get16(field);
	uint16_t cksum = dnsb_get16(ck);

	dnsb_put16(field, value);
	/* Zero on the wire means no checksum was sent (RFC 768; over IPv6
	 * only for tunnels, RFC 6935): nothing to keep consistent. A computed
	 * zero is always sent as all ones, so this cannot be a real sum. */
	if (cksum == 0)
		return;
	/* The sum runs over 16-bit words aligned on the UDP header: a field at
	 * an odd offset straddles two words and enters the sum byte-swapped. */
	if ((field_off - p->l4_off) & 1) {
		old = dnsb_bswap16(old);
		value = dnsb_bswap16(value);
	}
	cksum = dnsb_ck_adjust(cksum, old, value);
	dnsb_put16(ck, cksum ? cksum : 0xffff);
}

enum dnsb_edns_change dnsb_edns_rewrite(uint8_t *frame, const struct dnsb_pkt *p,
					struct dnsb_dns *d, uint16_t max, uint16_t floor)
{
	if (!d->has_opt)
		return DNSB_EDNS_UNCHANGED;
	uint16_t adv = d->opt_udp_size;
	uint16_t target = dnsb_edns_target(adv, max, floor);
	if (target == adv)
		return DNSB_EDNS_UNCHANGED;
	/* OPT: root owner (1), TYPE (2), then CLASS = UDP payload size. */
	dnsb_udp_set16(frame, p, p->pl_off + d->opt_off + 3, target);
	d->opt_udp_size = target;
	return target < adv ? DNSB_EDNS_LOWERED : DNSB_EDNS_RAISED;
}
