/* SPDX-License-Identifier: BSD-3-Clause */
/* EDNS clamp and floor, in place, with the checksum checked by a reference
 * sum after every change. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "edns_rewrite.h"
#include "testlib.h"
#include "wire.h"

struct q {
	struct fx f, orig;
	struct dnsb_pkt p;
	struct dnsb_dns d;
	uint32_t size_off; /* frame offset of the OPT UDP size */
};

static void load(const char *name, struct q *q)
{
	fx_load(name, 0, &q->f);
	q->orig = q->f;
	assert_int_equal(dnsb_pkt_parse(q->f.buf, q->f.len, &q->p), DNSB_R_OK);
	assert_int_equal(dnsb_dns_parse(q->f.buf + q->p.pl_off, q->p.pl_len, &q->d), DNSB_R_OK);
	q->size_off = q->p.pl_off + q->d.opt_off + 3;
}

/* Bytes that differ from the original, outside the size and checksum fields. */
static unsigned other_changes(const struct q *q)
{
	unsigned n = 0;
	for (uint32_t i = 0; i < q->f.len; i++) {
		if (i == q->size_off || i == q->size_off + 1)
			continue;
		if (i == q->p.l4_off + 6 || i == q->p.l4_off + 7)
			continue;
		n += q->f.buf[i] != q->orig.buf[i];
	}
	return n;
}

static void test_target(void **st)
{
	(void)st;
	assert_int_equal(dnsb_edns_target(4096, 1232, 0), 1232);
	assert_int_equal(dnsb_edns_target(1232, 1232, 0), 1232);
	assert_int_equal(dnsb_edns_target(1200, 1232, 0), 1200);
	assert_int_equal(dnsb_edns_target(1200, 1232, 1232), 1232);
	assert_int_equal(dnsb_edns_target(100, 1232, 512), 512);
	assert_int_equal(dnsb_edns_target(100, 1232, 0), 100);
	assert_int_equal(dnsb_edns_target(65535, 0, 0), 65535);
	assert_int_equal(dnsb_edns_target(0, 0, 1400), 1400);
}

static void clamp_one(const char *name, int odd_expected)
{
	static struct q q;
	load(name, &q);
	assert_true(q.d.has_opt);
	assert_int_equal(q.d.opt_udp_size, 4096);
	assert_int_equal((q.size_off - q.p.l4_off) & 1, odd_expected);
	assert_int_equal(ref_udp_checksum_ok(q.f.buf, q.p.l3_off, q.p.l4_off), 1);

	assert_int_equal(dnsb_edns_rewrite(q.f.buf, &q.p, &q.d, 1232, 0), DNSB_EDNS_LOWERED);
	assert_int_equal(dnsb_get16(q.f.buf + q.size_off), 1232);
	assert_int_equal(q.d.opt_udp_size, 1232);
	assert_int_equal(ref_udp_checksum_ok(q.f.buf, q.p.l3_off, q.p.l4_off), 1);
	assert_int_equal(other_changes(&q), 0);

	/* Still the same message, DO kept. */
	struct dnsb_dns d2;
	assert_int_equal(dnsb_dns_parse(q.f.buf + q.p.pl_off, q.p.pl_len, &d2), DNSB_R_OK);
	assert_int_equal(d2.opt_udp_size, 1232);
	assert_int_equal(d2.opt_flags, q.d.opt_flags);
	assert_true(dnsb_dns_do(&d2));
	assert_int_equal(d2.opt_n_options, q.d.opt_n_options);

	/* Clamping again changes nothing. */
	assert_int_equal(dnsb_edns_rewrite(q.f.buf, &q.p, &q.d, 1232, 0), DNSB_EDNS_UNCHANGED);
}

static void test_clamp_variants(void **st)
{
	(void)st;
	clamp_one("q4_do", 0);
	clamp_one("q4_odd", 1);
	clamp_one("q6_do", 0);
	clamp_one("q6_odd", 1);
	clamp_one("q6_ext", 0);
	clamp_one("q4_vlan", 0);
	clamp_one("q4_qinq", 0);
	clamp_one("q4_ipopts", 0);
	clamp_one("q4_opts", 0);
}

static void test_floor_and_small(void **st)
{
	(void)st;
	static struct q q;

	load("q4_small", &q);
	assert_int_equal(dnsb_edns_rewrite(q.f.buf, &q.p, &q.d, 1232, 0), DNSB_EDNS_UNCHANGED);
	assert_memory_equal(q.f.buf, q.orig.buf, q.f.len);
	assert_int_equal(dnsb_edns_rewrite(q.f.buf, &q.p, &q.d, 1232, 1232), DNSB_EDNS_RAISED);
	assert_int_equal(dnsb_get16(q.f.buf + q.size_off), 1232);
	assert_int_equal(ref_udp_checksum_ok(q.f.buf, q.p.l3_off, q.p.l4_off), 1);
	assert_false(dnsb_dns_do(&q.d));

	/* RFC 6891 s6.2.5: below 512 means 512; left alone unless a floor is set. */
	load("q4_below512", &q);
	assert_int_equal(dnsb_edns_rewrite(q.f.buf, &q.p, &q.d, 1232, 0), DNSB_EDNS_UNCHANGED);
	assert_int_equal(dnsb_edns_rewrite(q.f.buf, &q.p, &q.d, 1232, 512), DNSB_EDNS_RAISED);
	assert_int_equal(dnsb_get16(q.f.buf + q.size_off), 512);
	assert_int_equal(ref_udp_checksum_ok(q.f.buf, q.p.l3_off, q.p.l4_off), 1);

	load("q4_noedns", &q);
	assert_int_equal(dnsb_edns_rewrite(q.f.buf, &q.p, &q.d, 1232, 1232), DNSB_EDNS_UNCHANGED);
	assert_memory_equal(q.f.buf, q.orig.buf, q.f.len);
}

static void test_zero_checksum_stays_zero(void **st)
{
	(void)st;
	static struct q q;
	load("q4_nocksum", &q);
	assert_int_equal(ref_udp_checksum_ok(q.f.buf, q.p.l3_off, q.p.l4_off), 2);
	assert_int_equal(dnsb_edns_rewrite(q.f.buf, &q.p, &q.d, 1232, 0), DNSB_EDNS_LOWERED);
	assert_int_equal(dnsb_get16(q.f.buf + q.p.l4_off + 6), 0);
	assert_int_equal(dnsb_get16(q.f.buf + q.size_off), 1232);
}

/* Every 16-bit value through the incremental update, at both alignments:
 * end-around carries and the 0x0000/0xffff cases included. */
static void test_every_value(void **st)
{
	(void)st;
	static struct q q;
	static const char *const names[] = { "q4_do", "q4_odd", "q6_do" };
	for (unsigned k = 0; k < 3; k++) {
		load(names[k], &q);
		for (uint32_t v = 0; v <= 0xffff; v++) {
			dnsb_udp_set16(q.f.buf, &q.p, q.size_off, (uint16_t)v);
			assert_int_equal(dnsb_get16(q.f.buf + q.size_off), v);
			if (ref_udp_checksum_ok(q.f.buf, q.p.l3_off, q.p.l4_off) != 1)
				fail_msg("%s: checksum wrong after value %u", names[k], v);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_target),
		cmocka_unit_test(test_clamp_variants),
		cmocka_unit_test(test_floor_and_small),
		cmocka_unit_test(test_zero_checksum_stays_zero),
		cmocka_unit_test(test_every_value),
	};
	return cmocka_run_group_tests_name("edns_rewrite", tests, NULL, NULL);
}
