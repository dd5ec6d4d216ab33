/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "checksum.h"
#include "refrag.h"
#include "wire.h"

#define IP4_MF 0x2000
#define IP6_HLEN 40
#define FRAG6_HLEN 8
#define NH_FRAGMENT 44

/* RFC 791 s3.1: options whose type has the copy flag go into every
 * fragment; the rest only into the first. */
static void later_options(struct dnsb_refrag *f, const uint8_t *opt, uint32_t len)
{
	uint32_t i = 0, n = 0;
	while (i < len && opt[i] != 0) {
		if (opt[i] == 1) { /* no-operation: one octet, not copied */
			i++;
			continue;
		}
		if (i + 1 >= len || opt[i + 1] < 2 || i + opt[i + 1] > len)
			break; /* malformed tail: copy nothing more */
		if (opt[i] & 0x80) {
			memcpy(f->opt_later + n, opt + i, opt[i + 1]);
			n += opt[i + 1];
		}
		i += opt[i + 1];
	}
	while (n & 3)
		f->opt_later[n++] = 0; /* end of option list */
	f->opt_later_len = (uint8_t)n;
}

uint32_t dnsb_refrag_plan(struct dnsb_refrag *f, const uint8_t *frame, const struct dnsb_pkt *p,
			  uint32_t mtu, uint32_t id)
{
	memset(f, 0, sizeof(*f));
	f->frame = frame;
	f->len = p->ip_end;
	f->l3_off = p->l3_off;
	f->ver = p->ip_ver;
	f->id = id;
	if (p->ip_end - p->l3_off <= mtu) {
		f->n = 1;
		return 1;
	}
	uint32_t unfrag;
	if (p->ip_ver == 4) {
		uint32_t ihl = (uint32_t)(frame[p->l3_off] & 0x0f) * 4;
		f->hdr_len = p->l3_off + ihl;
		unfrag = ihl;
		later_options(f, frame + p->l3_off + 20, ihl - 20);
	} else {
		f->hdr_len = p->l4_off;
		f->nh_off = p->l4_nh_off;
		unfrag = p->l4_off - p->l3_off + FRAG6_HLEN;
	}
	if (mtu < unfrag + 8)
		return 0;
	f->data_len = f->len - f->hdr_len;
	f->per = (mtu - unfrag) & ~7u;
	f->n = (f->data_len + f->per - 1) / f->per;
	return f->n;
}

uint32_t dnsb_refrag_build(const struct dnsb_refrag *f, uint32_t i, uint8_t *out, uint32_t cap)
{
	if (f->n == 1) {
		if (cap < f->len)
			return 0;
		memcpy(out, f->frame, f->len);
		return f->len;
	}
	uint32_t off = i * f->per;
	uint32_t chunk = f->data_len - off < f->per ? f->data_len - off : f->per;
	uint16_t more = i + 1 < f->n;
	const uint8_t *data = f->frame + f->hdr_len + off;

	if (f->ver == 4) {
		uint32_t first_ihl = f->hdr_len - f->l3_off;
		uint32_t ihl = i == 0 ? first_ihl : 20u + f->opt_later_len;
		uint32_t n = f->l3_off + ihl + chunk;
		if (cap < n)
			return 0;
		memcpy(out, f->frame, f->l3_off + 20);
		uint8_t *ip = out + f->l3_off;
		if (i == 0)
			memcpy(ip + 20, f->frame + f->l3_off + 20, first_ihl - 20);
		else
			memcpy(ip + 20, f->opt_later, f->opt_later_len);
		ip[0] = (uint8_t)(0x40 | ihl / 4);
		dnsb_put16(ip + 2, (uint16_t)(ihl + chunk));
		dnsb_put16(ip + 6, (uint16_t)(off / 8 | (more ? IP4_MF : 0)));
		dnsb_ck_ip4_set(ip, ihl);
		memcpy(ip + ihl, data, chunk);
		return n;
	}
	uint32_t n = f->hdr_len + FRAG6_HLEN + chunk;
	if (cap < n)
		return 0;
	memcpy(out, f->frame, f->hdr_len);
	uint8_t *fh = out + f->hdr_len;
	fh[0] = f->frame[f->nh_off];
	fh[1] = 0;
	dnsb_put16(fh + 2, (uint16_t)(off | more));
	fh[4] = (uint8_t)(f->id >> 24);
	fh[5] = (uint8_t)(f->id >> 16);
	fh[6] = (uint8_t)(f->id >> 8);
	fh[7] = (uint8_t)f->id;
	out[f->nh_off] = NH_FRAGMENT;
	dnsb_put16(out + f->l3_off + 4, (uint16_t)(f->hdr_len - f->l3_off - IP6_HLEN + FRAG6_HLEN + chunk));
	memcpy(fh + FRAG6_HLEN, data, chunk);
	return n;
}
