/* SPDX-License-Identifier: BSD-3-Clause */
/* TC synthesis: the truncated answer re-parsed field by field, lengths and
 * checksums checked with the reference sums. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "tc_synth.h"
#include "testlib.h"
#include "wire.h"

struct r {
	struct fx f, orig;
	struct dnsb_pkt p, p2;
	struct dnsb_dns d, d2;
	uint32_t new_len;
};

static void synth(const char *name, enum dnsb_tc_do do_bit, struct r *r)
{
	fx_load(name, 0, &r->f);
	r->orig = r->f;
	assert_int_equal(dnsb_pkt_parse(r->f.buf, r->f.len, &r->p), DNSB_R_OK);
	assert_int_equal(dnsb_dns_parse(r->f.buf + r->p.pl_off, r->p.pl_len, &r->d), DNSB_R_OK);
	r->new_len = dnsb_tc_synth(r->f.buf, &r->p, &r->d, do_bit);
	assert_true(r->new_len < r->f.len);
	assert_int_equal(dnsb_pkt_parse(r->f.buf, r->new_len, &r->p2), DNSB_R_OK);
	assert_int_equal(dnsb_dns_parse(r->f.buf + r->p2.pl_off, r->p2.pl_len, &r->d2), DNSB_R_OK);
}

/* What every truncated answer must be, whatever the family. */
static void check_common(const struct r *r)
{
	const struct dnsb_dns *o = &r->d, *n = &r->d2;

	assert_int_equal(r->p2.ip_end, r->new_len);
	assert_int_equal(r->p2.pl_off, r->p.pl_off);
	assert_int_equal(r->p2.pl_len, dnsb_tc_dns_len(o));
	assert_int_equal(n->msg_end, r->p2.pl_len);
	assert_int_equal(n->id, o->id);
	assert_true(n->flags & DNSB_F_TC);
	assert_true(n->flags & DNSB_F_QR);
	assert_false(n->flags & DNSB_F_AD);
	/* opcode, AA, RD, RA, CD, RCODE kept */
	uint16_t keep = 0x7800 | DNSB_F_AA | DNSB_F_RD | DNSB_F_RA | DNSB_F_CD | 0x000f;
	assert_int_equal(n->flags & keep, o->flags & keep);
	assert_int_equal(n->qdcount, o->qdcount);
	assert_int_equal(n->ancount, 0);
	assert_int_equal(n->nscount, 0);
	assert_int_equal(n->arcount, o->has_opt ? 1 : 0);
	assert_int_equal(n->qtype, o->qtype);
	assert_int_equal(n->qclass, o->qclass);
	assert_memory_equal(r->f.buf + r->p2.pl_off + 12, r->orig.buf + r->p.pl_off + 12,
			    o->question_end - 12);
	/* L2 and addresses untouched. */
	assert_memory_equal(r->f.buf, r->orig.buf, r->p.l3_off);
	assert_memory_equal(r->p2.src, r->p.src, 16);
	assert_memory_equal(r->p2.dst, r->p.dst, 16);
	assert_int_equal(r->p2.sport, r->p.sport);
	assert_int_equal(r->p2.dport, r->p.dport);
	if (o->has_opt) {
		assert_true(n->has_opt);
		assert_int_equal(n->opt_udp_size, o->opt_udp_size);
		assert_int_equal(n->opt_ext_rcode, o->opt_ext_rcode);
		assert_int_equal(n->opt_version, o->opt_version);
		assert_int_equal(n->opt_rdlen, 0);
		assert_int_equal(n->opt_flags & 0x7fff, o->opt_flags & 0x7fff);
	}
	if (r->p.ip_ver == 4)
		assert_true(ref_ip4_checksum_ok(r->f.buf, r->p2.l3_off));
}

static void test_ip4(void **st)
{
	(void)st;
	static struct r r;
	synth("r4_big", DNSB_TC_DO_FROM_RESPONSE, &r);
	check_common(&r);
	assert_true(dnsb_dns_do(&r.d2));
	assert_int_equal(r.d2.opt_udp_size, 1232);
	assert_int_equal(r.d2.flags & 0xf, 0);
	assert_int_equal(ref_udp_checksum_ok(r.f.buf, r.p2.l3_off, r.p2.l4_off), 1);
	assert_int_equal(dnsb_get16(r.f.buf + 14 + 2), r.new_len - 14);
	assert_int_equal(dnsb_get16(r.f.buf + r.p2.l4_off + 4), r.p2.pl_len + 8);

	synth("r4_big", DNSB_TC_DO_CLEAR, &r);
	check_common(&r);
	assert_false(dnsb_dns_do(&r.d2));
	assert_int_equal(ref_udp_checksum_ok(r.f.buf, r.p2.l3_off, r.p2.l4_off), 1);
}

static void test_rcode_and_do(void **st)
{
	(void)st;
	static struct r r;
	/* NXDOMAIN with extended RCODE bits, DO clear in the response, DO set
	 * in the query: the query's DO wins. */
	synth("r4_big_nodo", DNSB_TC_DO_SET, &r);
	check_common(&r);
	assert_int_equal(r.d2.flags & 0xf, 3);
	assert_int_equal(r.d2.opt_ext_rcode, 1);
	assert_true(dnsb_dns_do(&r.d2));
	assert_int_equal(ref_udp_checksum_ok(r.f.buf, r.p2.l3_off, r.p2.l4_off), 1);
}

static void test_no_opt(void **st)
{
	(void)st;
	static struct r r;
	synth("r4_big_noopt", DNSB_TC_DO_SET, &r);
	check_common(&r);
	assert_false(r.d2.has_opt);
	assert_int_equal(r.p2.pl_len, r.d.question_end);
	assert_int_equal(ref_udp_checksum_ok(r.f.buf, r.p2.l3_off, r.p2.l4_off), 1);
}

static void test_ip6(void **st)
{
	(void)st;
	static struct r r;
	synth("r6_big", DNSB_TC_DO_FROM_RESPONSE, &r);
	check_common(&r);
	assert_int_equal(dnsb_get16(r.f.buf + 14 + 4), r.new_len - 14 - 40);
	assert_int_equal(ref_udp_checksum_ok(r.f.buf, r.p2.l3_off, r.p2.l4_off), 1);

	synth("r6_big_ext", DNSB_TC_DO_FROM_RESPONSE, &r);
	check_common(&r);
	assert_int_equal(r.p2.ip6_n_ext, 2);
	assert_int_equal(dnsb_get16(r.f.buf + 14 + 4), r.new_len - 14 - 40);
	assert_int_equal(ref_udp_checksum_ok(r.f.buf, r.p2.l3_off, r.p2.l4_off), 1);
}

static void test_checksum_carried(void **st)
{
	(void)st;
	static struct r r;
	/* No checksum sent: none in the answer either. */
	synth("r4_big_nocksum", DNSB_TC_DO_FROM_RESPONSE, &r);
	check_common(&r);
	assert_int_equal(dnsb_get16(r.f.buf + r.p2.l4_off + 6), 0);

	/* A response whose checksum was already wrong is not laundered: the
	 * receiver drops the TC answer just as it would have dropped it. */
	fx_load("r4_big", 0, &r.f);
	struct dnsb_pkt p;
	struct dnsb_dns d;
	assert_int_equal(dnsb_pkt_parse(r.f.buf, r.f.len, &p), DNSB_R_OK);
	r.f.buf[p.pl_off + 200] ^= 0x01; /* inside an answer record */
	assert_int_equal(ref_udp_checksum_ok(r.f.buf, p.l3_off, p.l4_off), 0);
	assert_int_equal(dnsb_dns_parse(r.f.buf + p.pl_off, p.pl_len, &d), DNSB_R_OK);
	uint32_t n = dnsb_tc_synth(r.f.buf, &p, &d, DNSB_TC_DO_FROM_RESPONSE);
	assert_int_equal(dnsb_pkt_parse(r.f.buf, n, &p), DNSB_R_OK);
	assert_int_equal(ref_udp_checksum_ok(r.f.buf, p.l3_off, p.l4_off), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ip4),    cmocka_unit_test(test_rcode_and_do),
		cmocka_unit_test(test_no_opt), cmocka_unit_test(test_ip6),
		cmocka_unit_test(test_checksum_carried),
	};
	return cmocka_run_group_tests_name("tc_synth", tests, NULL, NULL);
}
