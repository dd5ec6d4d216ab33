/* SPDX-License-Identifier: BSD-3-Clause */
/* The emulation's rewrites, checked field by field and with the reference
 * checksums: OPT removed, DO cleared, SYN turned into RST+ACK. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "emulate.h"
#include "testlib.h"
#include "wire.h"

static void parse(struct fx *f, uint32_t len, struct dnsb_pkt *p, struct dnsb_dns *d)
{
	assert_int_equal(dnsb_pkt_parse(f->buf, len, p), DNSB_R_OK);
	if (d)
		assert_int_equal(dnsb_dns_parse(f->buf + p->pl_off, p->pl_len, d), DNSB_R_OK);
}

static void strip_one(const char *name)
{
	static struct fx f, orig;
	struct dnsb_pkt p, p2;
	struct dnsb_dns d, d2;

	fx_load(name, 0, &f);
	orig = f;
	parse(&f, f.len, &p, &d);
	assert_true(d.has_opt);
	uint32_t n = dnsb_emu_strip_opt(f.buf, &p, &d);
	assert_int_equal(n, f.len - DNSB_OPT_FIXED_LEN - d.opt_rdlen);
	parse(&f, n, &p2, &d2);
	assert_false(d2.has_opt);
	assert_int_equal(d2.arcount, d.arcount - 1);
	assert_int_equal(d2.ancount, d.ancount);
	assert_int_equal(d2.msg_end, p2.pl_len);
	assert_int_equal(p2.ip_end, n);
	/* Everything before the OPT is the same message. */
	assert_memory_equal(f.buf + p.pl_off + 12, orig.buf + p.pl_off + 12, d.opt_off - 12);
	assert_int_equal(ref_udp_checksum_ok(f.buf, p2.l3_off, p2.l4_off), 1);
	if (p.ip_ver == 4)
		assert_true(ref_ip4_checksum_ok(f.buf, p2.l3_off));
}

static void test_strip_opt(void **st)
{
	(void)st;
	strip_one("q4_do");
	strip_one("q4_opts");
	strip_one("q6_ext");
	strip_one("r4_big");
	strip_one("r6_big");
}

static void test_clear_do(void **st)
{
	(void)st;
	static struct fx f;
	struct dnsb_pkt p;
	struct dnsb_dns d;

	fx_load("q6_odd", 0, &f);
	parse(&f, f.len, &p, &d);
	assert_true(dnsb_dns_do(&d));
	dnsb_emu_clear_do(f.buf, &p, &d);
	parse(&f, f.len, &p, &d);
	assert_false(dnsb_dns_do(&d));
	assert_int_equal(d.opt_udp_size, 4096);
	assert_int_equal(ref_udp_checksum_ok(f.buf, p.l3_off, p.l4_off), 1);
}

static void rst_one(const char *name)
{
	static struct fx f, orig;
	struct dnsb_pkt p, p2;

	fx_load(name, 0, &f);
	orig = f;
	parse(&f, f.len, &p, NULL);
	uint32_t seq = dnsb_get32(f.buf + p.l4_off + 4);
	uint32_t n = dnsb_emu_tcp_reset(f.buf, &p);
	assert_int_equal(n, p.l4_off + 20);
	parse(&f, n, &p2, NULL);
	assert_memory_equal(f.buf, orig.buf + 6, 6);
	assert_memory_equal(f.buf + 6, orig.buf, 6);
	assert_memory_equal(p2.src, p.dst, 16);
	assert_memory_equal(p2.dst, p.src, 16);
	assert_int_equal(p2.sport, p.dport);
	assert_int_equal(p2.dport, p.sport);
	assert_int_equal(p2.tcp_flags, DNSB_TCP_RST | DNSB_TCP_ACK);
	assert_int_equal(dnsb_get32(f.buf + p2.l4_off + 8), seq + 1);
	assert_int_equal(dnsb_get32(f.buf + p2.l4_off + 4), 0);
	assert_int_equal(p2.pl_len, 0);
	assert_true(ref_tcp_checksum_ok(f.buf, p2.l3_off, p2.l4_off, 20));
	if (p.ip_ver == 4)
		assert_true(ref_ip4_checksum_ok(f.buf, p2.l3_off));
}

static void test_tcp_reset(void **st)
{
	(void)st;
	rst_one("tcp53_syn");
	rst_one("tcp53_syn_nop");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strip_opt),
		cmocka_unit_test(test_clear_do),
		cmocka_unit_test(test_tcp_reset),
	};
	return cmocka_run_group_tests_name("emulate", tests, NULL, NULL);
}
