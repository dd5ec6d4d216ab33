/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "msgbuild.h"
#include "wire.h"

void mb_put(struct msg *m, const void *p, uint32_t n)
{
	memcpy(m->b + m->len, p, n);
	m->len += n;
}

void mb_put8(struct msg *m, uint8_t v)
{
	m->b[m->len++] = v;
}

void mb_put16(struct msg *m, uint16_t v)
{
	dnsb_put16(m->b + m->len, v);
	m->len += 2;
}

void mb_header(struct msg *m, uint16_t flags, uint16_t qd, uint16_t an, uint16_t ns, uint16_t ar)
{
	m->len = 0;
	mb_put16(m, 0xbeef);
	mb_put16(m, flags);
	mb_put16(m, qd);
	mb_put16(m, an);
	mb_put16(m, ns);
	mb_put16(m, ar);
}

void mb_question(struct msg *m)
{
	mb_put(m, "\3www\7example\3com", 17);
	mb_put16(m, 1);
	mb_put16(m, 1);
}

void mb_rr_tail(struct msg *m, uint16_t type, uint16_t cls, uint32_t ttl, uint16_t rdlen)
{
	mb_put16(m, type);
	mb_put16(m, cls);
	mb_put16(m, (uint16_t)(ttl >> 16));
	mb_put16(m, (uint16_t)ttl);
	mb_put16(m, rdlen);
}

void mb_opt(struct msg *m, uint16_t size, uint16_t flags)
{
	mb_put8(m, 0);
	mb_rr_tail(m, 41, size, flags, 0);
}

void mb_a_rr(struct msg *m)
{
	mb_put16(m, 0xc00c);
	mb_rr_tail(m, 1, 1, 300, 4);
	mb_put(m, "\xcb\x00\x71\x50", 4);
}

void mb_sized_question(struct msg *m, uint8_t label, uint8_t last)
{
	for (int i = 0; i < 4; i++) {
		uint8_t n = i == 3 ? last : label;
		mb_put8(m, n);
		memset(m->b + m->len, 'a', n);
		m->len += n;
	}
	mb_put8(m, 0);
	mb_put16(m, 1);
	mb_put16(m, 1);
}

void mb_long_question(struct msg *m)
{
	mb_sized_question(m, 63, 63);
}

void mb_pointer_chain(struct msg *m, unsigned n)
{
	mb_header(m, 0x8000, 0, 2, 0, 0);
	mb_put8(m, 0);
	mb_rr_tail(m, 16, 1, 0, (uint16_t)(3 + 2 * n));
	uint32_t prev = m->len;
	mb_put(m, "\1a\0", 3);
	for (unsigned i = 0; i < n; i++) {
		uint32_t here = m->len;
		mb_put16(m, (uint16_t)(0xc000 | prev));
		prev = here;
	}
	mb_put16(m, (uint16_t)(0xc000 | prev));
	mb_rr_tail(m, 1, 1, 0, 4);
	mb_put(m, "\0\0\0\0", 4);
}

static uint16_t sum16(const uint8_t *p, uint32_t n, uint32_t s)
{
	for (uint32_t i = 0; i < n; i++)
		s += (i & 1) ? p[i] : (uint32_t)p[i] << 8;
	while (s > 0xffff)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

void mb_frame4(const struct msg *m, int response, struct fx *out)
{
	static const uint8_t c4[4] = { 198, 51, 100, 10 }, s4[4] = { 203, 0, 113, 53 };
	uint8_t *f = out->buf;

	memset(out, 0, sizeof(*out));
	memcpy(f, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00", 14);
	uint8_t *ip = f + 14, *udp = f + 34;
	ip[0] = 0x45;
	dnsb_put16(ip + 2, (uint16_t)(28 + m->len));
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, response ? s4 : c4, 4);
	memcpy(ip + 16, response ? c4 : s4, 4);
	dnsb_put16(ip + 10, (uint16_t)~sum16(ip, 20, 0));
	dnsb_put16(udp, response ? 53 : 40000);
	dnsb_put16(udp + 2, response ? 40000 : 53);
	dnsb_put16(udp + 4, (uint16_t)(8 + m->len));
	memcpy(udp + 8, m->b, m->len);
	uint32_t ps = sum16(ip + 12, 8, 17 + 8 + m->len);
	uint16_t ck = (uint16_t)~sum16(udp, 8 + m->len, ps);
	dnsb_put16(udp + 6, ck ? ck : 0xffff);
	out->len = 42 + m->len;
}
