/* SPDX-License-Identifier: BSD-3-Clause */
#include "tc_synth.h"
#include "udp_edit.h"
#include "wire.h"

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
	struct dnsb_udp_edit ed;
	uint8_t *m = f + p->pl_off;

	dnsb_udp_edit_begin(f, p, &ed);
	/* Header: RFC 1035 s4.1.1 / RFC 2181 s9. */
	uint16_t flags = (uint16_t)((d->flags | DNSB_F_TC) & ~DNSB_F_AD);
	dnsb_put16(m + 2, flags);
	dnsb_put16(m + 6, 0);
	dnsb_put16(m + 8, 0);
	dnsb_put16(m + 10, d->has_opt ? 1 : 0);
	if (d->has_opt)
		write_opt(m + d->question_end, d, do_bit);
	return dnsb_udp_edit_end(f, p, &ed, dnsb_tc_dns_len(d));
}
