/* SPDX-License-Identifier: BSD-3-Clause */
/* Re-fragmentation of whole datagrams made by scapy (tests/data/frag):
 * every fragment fits the MTU and parses, IPv4 headers carry valid
 * checksums, offsets and MF flags are right, options without the copy flag
 * stay in the first fragment, IPv6 fragments carry the extension headers
 * before a Fragment header with the given id; and the reassembly module,
 * fed the fragments in order and reversed, gives back the original frame
 * byte for byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "reasm.h"
#include "refrag.h"
#include "testlib.h"

#define SEC 1000000000ull
#define MAX_FRAMES 128

static const uint16_t dns_ports[] = { 53 };

struct frames {
	uint32_t n;
	uint32_t len[MAX_FRAMES];
	uint8_t buf[MAX_FRAMES][FX_CAP];
};

static uint32_t split(const struct fx *w, uint32_t mtu, uint32_t id, struct frames *out)
{
	struct dnsb_pkt p;
	struct dnsb_refrag f;
	assert_int_equal(dnsb_pkt_parse(w->buf, w->len, &p), DNSB_R_OK);
	assert_false(p.frag);
	out->n = dnsb_refrag_plan(&f, w->buf, &p, mtu, id);
	assert_true(out->n > 0 && out->n <= MAX_FRAMES);
	for (uint32_t i = 0; i < out->n; i++) {
		out->len[i] = dnsb_refrag_build(&f, i, out->buf[i], FX_CAP);
		assert_true(out->len[i] > 0);
		/* One octet short of the frame: refused, nothing half-written counts. */
		assert_int_equal(dnsb_refrag_build(&f, i, out->buf[i] + 0, out->len[i] - 1), 0);
		out->len[i] = dnsb_refrag_build(&f, i, out->buf[i], FX_CAP);
	}
	return out->n;
}

/* Checks on each fragment; returns the IPv4 header length of later ones. */
static void check_fragments(const struct frames *fr, uint32_t mtu, uint32_t id, uint32_t payload)
{
	uint32_t expect_off = 0;
	for (uint32_t i = 0; i < fr->n; i++) {
		struct dnsb_pkt p;
		assert_int_equal(dnsb_pkt_parse(fr->buf[i], fr->len[i], &p), DNSB_R_OK);
		assert_true(p.frag);
		assert_true(p.ip_end - p.l3_off <= mtu);
		assert_int_equal(p.frag_offset, expect_off);
		assert_int_equal(p.frag_more, i + 1 < fr->n);
		assert_int_equal(p.proto, DNSB_IPPROTO_UDP);
		uint32_t data = p.ip_end - p.frag_data_off;
		if (i + 1 < fr->n)
			assert_int_equal(data & 7, 0);
		if (p.ip_ver == 4)
			assert_true(ref_ip4_checksum_ok(fr->buf[i], p.l3_off));
		else
			assert_int_equal(p.frag_id, id);
		expect_off += data;
	}
	assert_int_equal(expect_off, payload);
}

static void reassemble(const struct frames *fr, const struct fx *w, int reversed)
{
	struct dnsb_reasm_cfg c = { 16, 16384, 64, 2 * SEC };
	struct dnsb_reasm r;
	void *mem = malloc(dnsb_reasm_mem(&c));
	uint8_t *out = NULL;
	uint32_t out_len = 0;
	assert_int_equal(dnsb_reasm_init(&r, mem, &c, NULL, NULL), 0);
	for (uint32_t k = 0; k < fr->n; k++) {
		uint32_t i = reversed ? fr->n - 1 - k : k;
		struct dnsb_pkt p;
		assert_int_equal(dnsb_pkt_parse(fr->buf[i], fr->len[i], &p), DNSB_R_OK);
		enum dnsb_reasm_status st = dnsb_reasm_add(&r, fr->buf[i], &p, dns_ports, 1, SEC + k,
							   &out, &out_len);
		assert_int_equal(st, k + 1 < fr->n ? DNSB_RA_HELD : DNSB_RA_DONE);
	}
	/* IPv4: the rebuilt header has the fragment field and checksum of a
	 * whole datagram, like scapy's (flags 0, offset 0). */
	assert_int_equal(out_len, w->len);
	assert_memory_equal(out, w->buf, w->len);
	free(mem); /* the datagram was rebuilt in it */
}

static uint32_t udp_len(const struct fx *w)
{
	struct dnsb_pkt p;
	assert_int_equal(dnsb_pkt_parse(w->buf, w->len, &p), DNSB_R_OK);
	return p.ip_end - p.l4_off;
}

static void round_trip(const char *whole, uint32_t mtu, uint32_t want_frames)
{
	static struct fx w;
	static struct frames fr;
	fx_load_from("frag", whole, 0, &w);
	assert_int_equal(split(&w, mtu, 0xabcd1234, &fr), want_frames);
	check_fragments(&fr, mtu, 0xabcd1234, udp_len(&w));
	reassemble(&fr, &w, 0);
	reassemble(&fr, &w, 1);
}

static void test_v4_1280(void **state)
{
	(void)state;
	/* 3008 octets of UDP in 1256-octet pieces (1280 - 20, down to 8). */
	round_trip("v4_whole", 1280, 3);
}

static void test_v4_576(void **state)
{
	(void)state;
	round_trip("v4_whole", 576, 6);
}

static void test_v6_1280(void **state)
{
	(void)state;
	/* The hop-by-hop header is repeated in every fragment. */
	round_trip("v6_whole", 1280, 3);
	static struct fx w;
	static struct frames fr;
	fx_load_from("frag", "v6_whole", 0, &w);
	split(&w, 1280, 7, &fr);
	for (uint32_t i = 0; i < fr.n; i++) {
		struct dnsb_pkt p;
		assert_int_equal(dnsb_pkt_parse(fr.buf[i], fr.len[i], &p), DNSB_R_OK);
		assert_int_equal(p.ip6_n_ext, 2); /* hop-by-hop, fragment */
		assert_int_equal(fr.buf[i][p.l3_off + 6], 0); /* next header: hop-by-hop */
	}
}

static void test_v4_options(void **state)
{
	(void)state;
	static struct fx w;
	static struct frames fr;
	fx_load_from("frag", "v4opt_whole", 0, &w);
	split(&w, 1280, 0, &fr);
	check_fragments(&fr, 1280, 0, udp_len(&w));
	/* First: all 16 octets of options; later: router alert (copy flag),
	 * not record route, padded to 4. */
	assert_int_equal(fr.buf[0][14] & 0x0f, 9);
	assert_memory_equal(fr.buf[0] + 34, w.buf + 34, 16);
	for (uint32_t i = 1; i < fr.n; i++) {
		assert_int_equal(fr.buf[i][14] & 0x0f, 6);
		static const uint8_t ra[] = { 0x94, 0x04, 0x00, 0x00 };
		assert_memory_equal(fr.buf[i] + 34, ra, 4);
	}
	/* The data follows each header: fragment 1 starts where fragment 0
	 * ended in the original payload. */
	uint32_t first_data = fr.len[0] - 14 - 36;
	assert_memory_equal(fr.buf[1] + 14 + 24, w.buf + 14 + 36 + first_data, 64);
}

static void test_fits(void **state)
{
	(void)state;
	static struct fx w;
	static struct frames fr;
	fx_load_from("frag", "v4_whole", 0, &w);
	assert_int_equal(split(&w, 9000, 0, &fr), 1);
	assert_int_equal(fr.len[0], w.len);
	assert_memory_equal(fr.buf[0], w.buf, w.len);
	/* Exactly the datagram's length fits too. */
	assert_int_equal(split(&w, w.len - 14, 0, &fr), 1);
}

static void test_mtu_too_small(void **state)
{
	(void)state;
	static struct fx w;
	struct dnsb_pkt p;
	struct dnsb_refrag f;
	fx_load_from("frag", "v6_whole", 0, &w);
	assert_int_equal(dnsb_pkt_parse(w.buf, w.len, &p), DNSB_R_OK);
	/* 40 + 8 (hop-by-hop) + 8 (fragment header) leave nothing at 56. */
	assert_int_equal(dnsb_refrag_plan(&f, w.buf, &p, 56, 1), 0);
	assert_int_equal(dnsb_refrag_plan(&f, w.buf, &p, 64, 1) > 1, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v4_1280),   cmocka_unit_test(test_v4_576),
		cmocka_unit_test(test_v6_1280),   cmocka_unit_test(test_v4_options),
		cmocka_unit_test(test_fits),      cmocka_unit_test(test_mtu_too_small),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
