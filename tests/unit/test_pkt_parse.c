/* SPDX-License-Identifier: BSD-3-Clause */
/* Frame parse: every L2/L3/L4 variant of the fixtures, and every defect;
 * the IPv4 header checksum against RFC 1071 done octet pair by pair. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "checksum.h"
#include "pkt_parse.h"
#include "testlib.h"
#include "wire.h"


static enum dnsb_reason parse_fx(const char *name, struct fx *f, struct dnsb_pkt *p)
{
	fx_load(name, 0, f);
	return dnsb_pkt_parse(f->buf, f->len, p);
}

static void test_ip4_udp(void **st)
{
	(void)st;
	struct fx f;
	struct dnsb_pkt p;
	assert_int_equal(parse_fx("q4_do", &f, &p), DNSB_R_OK);
	assert_int_equal(p.ip_ver, 4);
	assert_int_equal(p.n_vlan, 0);
	assert_int_equal(p.l3_off, 14);
	assert_int_equal(p.l4_off, 34);
	assert_int_equal(p.pl_off, 42);
	assert_int_equal(p.proto, DNSB_IPPROTO_UDP);
	assert_int_equal(p.sport, 40000);
	assert_int_equal(p.dport, 53);
	assert_int_equal(p.ip_end, f.len);
	assert_int_equal(p.pl_len, f.len - 42);
	assert_true(p.has_l4);
	assert_false(p.frag);
	const uint8_t c4[4] = { 198, 51, 100, 10 }, s4[4] = { 203, 0, 113, 53 };
	assert_memory_equal(p.src, c4, 4);
	assert_memory_equal(p.dst, s4, 4);
}

static void test_vlan_qinq(void **st)
{
	(void)st;
	struct fx f;
	struct dnsb_pkt p;
	assert_int_equal(parse_fx("q4_vlan", &f, &p), DNSB_R_OK);
	assert_int_equal(p.n_vlan, 1);
	assert_int_equal(p.vlan_tci[0] & 0xfff, 100);
	assert_int_equal(p.l3_off, 18);
	assert_int_equal(p.dport, 53);

	assert_int_equal(parse_fx("q4_qinq", &f, &p), DNSB_R_OK);
	assert_int_equal(p.n_vlan, 2);
	assert_int_equal(p.vlan_tci[0] & 0xfff, 200);
	assert_int_equal(p.vlan_tci[1] & 0xfff, 100);
	assert_int_equal(p.l3_off, 22);
	assert_int_equal(p.pl_off, 22 + 20 + 8);

	assert_int_equal(parse_fx("q4_3tags", &f, &p), DNSB_R_PASS_L2_UNSUPPORTED);
}

static void test_ip4_options(void **st)
{
	(void)st;
	struct fx f;
	struct dnsb_pkt p;
	assert_int_equal(parse_fx("q4_ipopts", &f, &p), DNSB_R_OK);
	assert_int_equal(p.l4_off, 14 + 24);
	assert_int_equal(p.dport, 53);
}

static void test_ip4_bad(void **st)
{
	(void)st;
	struct fx f;
	struct dnsb_pkt p;

	fx_load("q4_do", 0, &f);
	f.buf[14 + 10] ^= 0x55; /* header checksum */
	assert_int_equal(dnsb_pkt_parse(f.buf, f.len, &p), DNSB_R_BAD_IP4_CHECKSUM);

	fx_load("q4_do", 0, &f);
	f.buf[14] = 0x44; /* IHL 4 */
	assert_int_equal(dnsb_pkt_parse(f.buf, f.len, &p), DNSB_R_BAD_IP4_HEADER);

	fx_load("q4_do", 0, &f);
	dnsb_put16(f.buf + 16, (uint16_t)(f.len - 14 + 1)); /* total length past the frame */
	assert_int_equal(dnsb_pkt_parse(f.buf, f.len, &p), DNSB_R_BAD_IP4_HEADER);

	fx_load("q4_do", 0, &f);
	dnsb_put16(f.buf + 16, 19); /* total length below the header */
	assert_int_equal(dnsb_pkt_parse(f.buf, f.len, &p), DNSB_R_BAD_IP4_HEADER);
}

static void test_padding(void **st)
{
	(void)st;
	struct fx f;
	struct dnsb_pkt p;
	assert_int_equal(parse_fx("q4_padded", &f, &p), DNSB_R_OK);
	assert_int_equal(f.len, 60);
	assert_true(p.ip_end < f.len);
	assert_int_equal(p.pl_len, 12);
}

static void test_ip6(void **st)
{
	(void)st;
	struct fx f;
	struct dnsb_pkt p;
	assert_int_equal(parse_fx("q6_do", &f, &p), DNSB_R_OK);
	assert_int_equal(p.ip_ver, 6);
	assert_int_equal(p.l4_off, 14 + 40);
	assert_int_equal(p.dport, 53);
	assert_int_equal(p.ip6_n_ext, 0);

	assert_int_equal(parse_fx("q6_ext", &f, &p), DNSB_R_OK);
	assert_int_equal(p.ip6_n_ext, 4);
	assert_int_equal(p.proto, DNSB_IPPROTO_UDP);
	assert_int_equal(p.dport, 53);
	assert_int_equal(p.l4_off, 14 + 40 + 8 + 8 + 8 + 8);

	assert_int_equal(parse_fx("q6_atomic", &f, &p), DNSB_R_OK);
	assert_false(p.frag);
	assert_true(p.has_l4);
	assert_int_equal(p.frag_id, 7);

	assert_int_equal(parse_fx("q6_ext_too_many", &f, &p), DNSB_R_BAD_IP6_EXT);

	/* Extension header longer than the payload. */
	fx_load("q6_ext", 0, &f);
	f.buf[14 + 40 + 1] = 200;
	assert_int_equal(dnsb_pkt_parse(f.buf, f.len, &p), DNSB_R_BAD_IP6_EXT);

	/* Payload length past the frame; jumbogram. */
	fx_load("q6_do", 0, &f);
	dnsb_put16(f.buf + 14 + 4, (uint16_t)(f.len - 54 + 1));
	assert_int_equal(dnsb_pkt_parse(f.buf, f.len, &p), DNSB_R_BAD_IP6_HEADER);
	fx_load("q6_ext", 0, &f);
	dnsb_put16(f.buf + 14 + 4, 0);
	assert_int_equal(dnsb_pkt_parse(f.buf, f.len, &p), DNSB_R_BAD_IP6_HEADER);
	fx_load("q6_do", 0, &f);
	f.buf[14] = 0x40;
	assert_int_equal(dnsb_pkt_parse(f.buf, f.len, &p), DNSB_R_BAD_IP6_HEADER);
}

static void test_fragments(void **st)
{
	(void)st;
	struct fx f;
	struct dnsb_pkt p;
	assert_int_equal(parse_fx("frag4_first", &f, &p), DNSB_R_OK);
	assert_true(p.frag);
	assert_true(p.frag_more);
	assert_int_equal(p.frag_offset, 0);
	assert_int_equal(p.frag_id, 0x4242);
	assert_true(p.has_l4);
	assert_int_equal(p.sport, 53);

	assert_int_equal(parse_fx("frag4_later", &f, &p), DNSB_R_OK);
	assert_true(p.frag);
	assert_true(p.frag_offset > 0);
	assert_false(p.has_l4);
	assert_int_equal(p.proto, DNSB_IPPROTO_UDP);

	assert_int_equal(parse_fx("frag6_first", &f, &p), DNSB_R_OK);
	assert_true(p.frag);
	assert_true(p.frag_more);
	assert_int_equal(p.frag_id, 0x77);
	assert_int_equal(p.frag_off_hdr, 14 + 40);
	assert_true(p.has_l4);
	assert_int_equal(p.sport, 53);

	assert_int_equal(parse_fx("frag6_later", &f, &p), DNSB_R_OK);
	assert_true(p.frag);
	assert_true(p.frag_offset > 0);
	assert_false(p.has_l4);
}

static void test_non_dns(void **st)
{
	(void)st;
	struct fx f;
	struct dnsb_pkt p;
	assert_int_equal(parse_fx("arp", &f, &p), DNSB_R_PASS_NON_IP);
	assert_int_equal(parse_fx("icmp4", &f, &p), DNSB_R_OK);
	assert_false(p.has_l4);
	assert_int_equal(parse_fx("tcp53_syn", &f, &p), DNSB_R_OK);
	assert_int_equal(p.proto, DNSB_IPPROTO_TCP);
	assert_int_equal(p.tcp_flags, DNSB_TCP_SYN);
	assert_int_equal(p.pl_len, 0);
	assert_int_equal(p.pl_off, 14 + 20 + 24);
	assert_int_equal(parse_fx("tcp6_other", &f, &p), DNSB_R_OK);
	assert_int_equal(p.dport, 443);
}

static void test_l4_bad(void **st)
{
	(void)st;
	struct fx f;
	struct dnsb_pkt p;

	fx_load("q4_do", 0, &f);
	dnsb_put16(f.buf + 34 + 4, 7); /* UDP length below the header */
	assert_int_equal(dnsb_pkt_parse(f.buf, f.len, &p), DNSB_R_BAD_UDP_HEADER);
	fx_load("q4_do", 0, &f);
	dnsb_put16(f.buf + 34 + 4, (uint16_t)(f.len - 34 + 1)); /* past IP */
	assert_int_equal(dnsb_pkt_parse(f.buf, f.len, &p), DNSB_R_BAD_UDP_HEADER);

	fx_load("tcp53_syn", 0, &f);
	f.buf[34 + 12] = 0x40; /* data offset 4 words */
	assert_int_equal(dnsb_pkt_parse(f.buf, f.len, &p), DNSB_R_BAD_TCP_HEADER);
	fx_load("tcp53_syn", 0, &f);
	f.buf[34 + 12] = 0xf0; /* data offset past the segment */
	assert_int_equal(dnsb_pkt_parse(f.buf, f.len, &p), DNSB_R_BAD_TCP_HEADER);

	/* IP datagram too short for a UDP header (total length cut). */
	fx_load("q4_do", 0, &f);
	dnsb_put16(f.buf + 16, 20 + 4);
	f.buf[24] = f.buf[25] = 0;
	uint32_t s = 0;
	for (int i = 0; i < 20; i += 2)
		s += (uint32_t)(f.buf[14 + i] << 8 | f.buf[15 + i]);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	dnsb_put16(f.buf + 24, (uint16_t)~s);
	assert_int_equal(dnsb_pkt_parse(f.buf, f.len, &p), DNSB_R_BAD_UDP_HEADER);
}

/* Every prefix of every fixture: no read past the length, always a reason. */
static void test_every_prefix(void **st)
{
	(void)st;
	static const char *const names[] = {
		"q4_do", "q4_vlan", "q4_qinq", "q4_ipopts", "q6_ext", "q6_atomic",
		"frag4_first", "frag6_first", "frag6_later", "tcp53_syn", "r6_big_ext", "arp",
	};
	static struct fx f;
	struct dnsb_pkt p;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		fx_load(names[i], 0, &f);
		for (uint32_t n = 0; n <= f.len; n++) {
			enum dnsb_reason r = dnsb_pkt_parse(f.buf, n, &p);
			assert_true(r < DNSB_R__END);
			if (n < 14)
				assert_int_equal(r, DNSB_R_BAD_L2);
			if (r == DNSB_R_OK) {
				assert_true(p.ip_end <= n);
				if (p.has_l4 && !p.frag)
					assert_true(p.pl_off + p.pl_len <= p.ip_end);
			}
		}
	}
}

/* The parse of @p n octets of @p f is the general parse's, field for field
 * (the view ends with dst, no padding before). */
static void expect_as_general(const uint8_t *f, uint32_t n)
{
	struct dnsb_pkt p, ref;
	memset(&p, 0xa5, sizeof(p));
	memset(&ref, 0x5a, sizeof(ref));
	assert_int_equal(dnsb_pkt_parse(f, n, &p), dnsb_pkt_parse_general(f, n, &ref));
	assert_memory_equal(&p, &ref, offsetof(struct dnsb_pkt, dst) + sizeof(p.dst));
}

/* Sets the IPv4 header checksum of @p f again after an edit, so that the
 * edit, not the checksum, is what the parse meets. */
static void reseal_ip4(struct fx *f)
{
	if ((f->buf[14] >> 4) == 4 && (f->buf[14] & 0xf) >= 5)
		dnsb_ck_ip4_set(f->buf + 14, (f->buf[14] & 0xfu) * 4);
}

/*
 * Plain frames (untagged IPv4 without options or IPv6 without extension
 * headers, UDP or TCP, no fragment) take their own path: every field the
 * same as the general parse's, for the fixtures, for every prefix of them,
 * and for each edit that takes a frame off that path or to its edge (a
 * fragment, DF, IHL, protocols, lengths one either side of each bound).
 */
static void test_plain_as_general(void **st)
{
	(void)st;
	static const char *const names[] = {
		"q4_do", "q4_noedns", "q4_padded", "q4_small", "q4_nocksum", "q6_do", "q6_odd",
		"r4_big", "r6_big", "tcp53_syn", "tcp53_queries", "tcp6_other", "udp_other",
		"icmp4", "frag4_first", "q4_vlan", "q4_ipopts", "q6_ext",
	};
	static struct fx f, g;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		fx_load(names[i], 0, &f);
		for (uint32_t n = 0; n <= f.len; n++)
			expect_as_general(f.buf, n);
		int v6 = f.buf[12] == 0x86;
		uint32_t l4 = 14 + (v6 ? 40 : 20);
		/* Edits at offsets from the IP header: the octet, and the values. */
		static const struct {
			uint32_t at;
			uint8_t v6, vals[6];
		} ed[] = {
			{ 0, 0, { 0x45, 0x46, 0x44, 0x55, 0x65 } }, /* version, IHL */
			{ 6, 0, { 0x40, 0x20, 0x00, 0x01, 0x60, 0x80 } }, /* DF, MF, offset, reserved */
			{ 7, 0, { 0x00, 0x01, 0xff } },
			{ 9, 0, { 17, 6, 1, 0, 44 } }, /* protocol */
			{ 0, 1, { 0x60, 0x50, 0x70, 0x6f } },
			{ 6, 1, { 17, 6, 0, 44, 59 } }, /* next header */
		};
		for (size_t e = 0; e < sizeof(ed) / sizeof(ed[0]); e++) {
			if (ed[e].v6 != v6)
				continue;
			for (size_t k = 0; k < 6 && (k == 0 || ed[e].vals[k]); k++) {
				g = f;
				g.buf[14 + ed[e].at] = ed[e].vals[k];
				reseal_ip4(&g);
				expect_as_general(g.buf, g.len);
			}
		}
		/* Lengths one either side of each bound: the IP length against
		 * the frame and the header, the UDP length, the TCP data offset. */
		uint32_t ip_len = v6 ? f.len - 14 - 40 : f.len - 14;
		for (uint16_t n = 0; n <= 48; n++) {
			g = f;
			dnsb_put16(g.buf + 14 + (v6 ? 4 : 2), n);
			reseal_ip4(&g);
			expect_as_general(g.buf, g.len);
		}
		for (int d = -30; d <= 2; d++) {
			g = f;
			dnsb_put16(g.buf + 14 + (v6 ? 4 : 2), (uint16_t)(ip_len + (uint32_t)d));
			reseal_ip4(&g);
			expect_as_general(g.buf, g.len);
			g = f;
			dnsb_put16(g.buf + l4 + 4, (uint16_t)(dnsb_get16(f.buf + l4 + 4) + (uint32_t)d));
			expect_as_general(g.buf, g.len);
		}
		for (unsigned doff = 0; doff < 16; doff++) {
			g = f;
			g.buf[l4 + 12] = (uint8_t)(doff << 4);
			expect_as_general(g.buf, g.len);
		}
		/* A header checksum off by one. */
		g = f;
		g.buf[14 + 11] ^= 1;
		expect_as_general(g.buf, g.len);
	}
}

/* RFC 1071, octet pairs as big-endian words, one at a time. */
static uint16_t ref_ip4_checksum(const uint8_t *h, uint32_t ihl)
{
	uint32_t sum = 0;
	for (uint32_t i = 0; i < ihl; i += 2)
		sum += i == 10 ? 0 : (uint32_t)h[i] << 8 | h[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Headers of every length, options included, filled from a fixed
 * generator (all-ones words among them, for the end-around carries): the
 * checksum set is the reference's, it verifies, and any one bit changed
 * after it makes it fail. */
static void test_ip4_checksum(void **st)
{
	(void)st;
	uint8_t h[60];
	uint32_t x = 12345;
	for (unsigned round = 0; round < 400; round++) {
		uint32_t ihl = 20 + 4 * (round % 11);
		for (uint32_t i = 0; i < ihl; i++) {
			x = x * 1103515245u + 12345u;
			h[i] = round % 7 == 0 ? 0xff : (uint8_t)(x >> 16);
		}
		h[0] = (uint8_t)(0x40 | ihl / 4);
		dnsb_ck_ip4_set(h, ihl);
		assert_int_equal(dnsb_get16(h + 10), ref_ip4_checksum(h, ihl));
		assert_true(dnsb_ck_ip4_ok(h, ihl));
		for (uint32_t at = 0; at < ihl; at++) {
			for (unsigned bit = 0; bit < 8; bit++) {
				h[at] ^= (uint8_t)(1u << bit);
				assert_false(dnsb_ck_ip4_ok(h, ihl));
				h[at] ^= (uint8_t)(1u << bit);
			}
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ip4_udp),     cmocka_unit_test(test_vlan_qinq),
		cmocka_unit_test(test_ip4_options), cmocka_unit_test(test_ip4_bad),
		cmocka_unit_test(test_plain_as_general),
		cmocka_unit_test(test_padding),     cmocka_unit_test(test_ip6),
		cmocka_unit_test(test_fragments),   cmocka_unit_test(test_non_dns),
		cmocka_unit_test(test_l4_bad),      cmocka_unit_test(test_every_prefix),
		cmocka_unit_test(test_ip4_checksum),
	};
	return cmocka_run_group_tests_name("pkt_parse", tests, NULL, NULL);
}
