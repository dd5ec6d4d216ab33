/* SPDX-License-Identifier: BSD-3-Clause */
/* The per-lcore engine: query tracking sizes responses by what their
 * client advertised, the table stays bounded, counters are exact; and the
 * TCP/53 MSS clamp. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "engine.h"
#include "tcp_mss.h"
#include "testlib.h"
#include "wire.h"

#define SEC 1000000000ull

struct env {
	struct dnsb_engine e;
	struct dnsb_policy pol;
	void *mem;
	struct fx f;
	struct dnsb_result res;
};

static int setup(void **st)
{
	struct env *v = calloc(1, sizeof(*v));
	dnsb_policy_default(&v->pol);
	v->mem = malloc(dnsb_qtable_mem(1024));
	assert_int_equal(dnsb_engine_init(&v->e, &v->pol, v->mem, 1024, 2 * SEC, 7), 0);
	*st = v;
	return 0;
}

static int teardown(void **st)
{
	struct env *v = *st;
	free(v->mem);
	free(v);
	return 0;
}

static enum dnsb_reason run(struct env *v, const char *fx, enum dnsb_dir dir, uint64_t now)
{
	fx_load(fx, 0, &v->f);
	dnsb_engine_process(&v->e, v->f.buf, v->f.len, FX_CAP, dir, now, &v->res);
	return v->res.reason;
}

static void test_client_size_decides(void **st)
{
	struct env *v = *st;

	/* Client asked 4096 (clamped to 1232 on the way): the 1.9 kB answer
	 * exceeds neither what it asked nor a path limit: passed. */
	assert_int_equal(run(v, "q4_do", DNSB_DIR_TO_SERVER, 1 * SEC), DNSB_R_EDNS_CLAMPED);
	assert_int_equal(run(v, "r4_big", DNSB_DIR_TO_CLIENT, 1 * SEC + 1000), DNSB_R_PASS_RESPONSE);
	assert_int_equal(v->res.limit, 4096);

	/* Client asked 1200 without DO: the answer becomes TC=1, DO clear. */
	assert_int_equal(run(v, "q4_small", DNSB_DIR_TO_SERVER, 2 * SEC), DNSB_R_PASS_QUERY);
	assert_int_equal(run(v, "r4_big", DNSB_DIR_TO_CLIENT, 2 * SEC + 1000), DNSB_R_TC_SYNTHESIZED);
	assert_int_equal(v->res.limit, 1200);
	struct dnsb_result out;
	dnsb_process(v->f.buf, v->res.len, FX_CAP, DNSB_DIR_TO_CLIENT, 0, &v->pol, NULL, &out);
	assert_true(out.dns.flags & DNSB_F_TC);
	assert_false(dnsb_dns_do(&out.dns));

	/* Same over IPv6. */
	assert_int_equal(run(v, "q6_do", DNSB_DIR_TO_SERVER, 3 * SEC), DNSB_R_EDNS_CLAMPED);
	assert_int_equal(run(v, "r6_big", DNSB_DIR_TO_CLIENT, 3 * SEC + 1), DNSB_R_PASS_RESPONSE);

	/* A response is matched once: a duplicate is unmatched. */
	assert_int_equal(run(v, "r6_big", DNSB_DIR_TO_CLIENT, 3 * SEC + 2),
			 DNSB_R_PASS_RESPONSE_UNSIZED);

	assert_int_equal(v->e.events[DNSB_EV_QUERIES], 3);
	assert_int_equal(v->e.events[DNSB_EV_DO_QUERIES], 2);
	assert_int_equal(v->e.events[DNSB_EV_RESPONSES], 4);
	assert_int_equal(v->e.events[DNSB_EV_DO_RESPONSES], 4);
	assert_int_equal(v->e.events[DNSB_EV_RESPONSES_UNMATCHED], 1);
	assert_int_equal(v->e.reasons[DNSB_R_EDNS_CLAMPED], 2);
	assert_int_equal(v->e.reasons[DNSB_R_TC_SYNTHESIZED], 1);
	assert_int_equal(v->e.reasons[DNSB_R_PASS_RESPONSE], 2);
	uint64_t total = 0;
	for (int r = 0; r < DNSB_R__END; r++)
		total += v->e.reasons[r];
	assert_int_equal(total, 7);
}

static void test_timeout_and_path_limit(void **st)
{
	struct env *v = *st;

	/* The answer comes after the query timed out: unmatched. */
	run(v, "q4_small", DNSB_DIR_TO_SERVER, 10 * SEC);
	assert_int_equal(run(v, "r4_big", DNSB_DIR_TO_CLIENT, 13 * SEC), DNSB_R_PASS_RESPONSE_UNSIZED);
	assert_int_equal(v->e.events[DNSB_EV_RESPONSES_UNMATCHED], 1);

	/* With a path limit, unmatched answers are still sized. */
	v->pol.path_limit = 1400;
	assert_int_equal(run(v, "r4_big", DNSB_DIR_TO_CLIENT, 14 * SEC), DNSB_R_TC_SYNTHESIZED);
	assert_int_equal(v->res.limit, 1400);
	/* And a matched one gets the smaller of the two. */
	run(v, "q4_small", DNSB_DIR_TO_SERVER, 15 * SEC);
	run(v, "r4_big", DNSB_DIR_TO_CLIENT, 15 * SEC);
	assert_int_equal(v->res.limit, 1200);
}

static void test_table_full_and_bounded(void **st)
{
	(void)st;
	struct dnsb_engine e;
	struct dnsb_policy pol;
	static uint8_t mem[sizeof(struct dnsb_qentry) * 8];
	static struct fx f;
	struct dnsb_result res;

	dnsb_policy_default(&pol);
	assert_int_equal(dnsb_engine_init(&e, &pol, mem, 6, SEC, 1), -1);
	assert_int_equal(dnsb_engine_init(&e, &pol, mem, 8, SEC, 1), 0);
	/* 8 slots, 8 distinct queries (IDs 0..7): all fit; the 9th does not. */
	for (uint16_t id = 0; id < 9; id++) {
		fx_load("q4_do", 0, &f);
		dnsb_put16(f.buf + 42, id);
		dnsb_engine_process(&e, f.buf, f.len, FX_CAP, DNSB_DIR_TO_SERVER, SEC, &res);
	}
	assert_int_equal(e.events[DNSB_EV_FLOW_TABLE_FULL], 1);
	assert_int_equal(e.qt.used, 8);
	/* A retry of a tracked query refreshes its entry, no new slot. */
	fx_load("q4_do", 0, &f);
	dnsb_put16(f.buf + 42, 3);
	dnsb_engine_process(&e, f.buf, f.len, FX_CAP, DNSB_DIR_TO_SERVER, SEC + 5, &res);
	assert_int_equal(e.events[DNSB_EV_FLOW_TABLE_FULL], 1);
	assert_int_equal(e.qt.used, 8);
	/* Once they are stale, new queries reuse the slots. */
	fx_load("q4_do", 0, &f);
	dnsb_put16(f.buf + 42, 100);
	dnsb_engine_process(&e, f.buf, f.len, FX_CAP, DNSB_DIR_TO_SERVER, 3 * SEC, &res);
	assert_int_equal(e.events[DNSB_EV_FLOW_TABLE_FULL], 1);
	assert_int_equal(e.qt.used, 8);
	/* The full table never stalled a frame: every query was clamped. */
	assert_int_equal(e.reasons[DNSB_R_EDNS_CLAMPED], 11);
}

static void test_wrong_direction_not_tracked(void **st)
{
	struct env *v = *st;
	assert_int_equal(run(v, "q4_do", DNSB_DIR_TO_CLIENT, SEC), DNSB_R_PASS_WRONG_DIRECTION);
	assert_int_equal(v->e.events[DNSB_EV_QUERIES], 0);
	assert_int_equal(v->e.qt.used, 0);
}

static void test_mss_clamp(void **st)
{
	(void)st;
	static struct fx f, orig;
	struct dnsb_pkt p;

	fx_load("tcp53_syn", 0, &f);
	orig = f;
	assert_int_equal(dnsb_pkt_parse(f.buf, f.len, &p), DNSB_R_OK);
	uint32_t seg = p.ip_end - p.l4_off;
	assert_true(ref_tcp_checksum_ok(f.buf, p.l3_off, p.l4_off, seg));
	assert_int_equal(dnsb_tcp_mss_clamp(f.buf, &p, 1460), 0);
	assert_memory_equal(f.buf, orig.buf, f.len);
	assert_int_equal(dnsb_tcp_mss_clamp(f.buf, &p, 1220), 1);
	assert_int_equal(dnsb_get16(f.buf + p.l4_off + 22), 1220);
	assert_true(ref_tcp_checksum_ok(f.buf, p.l3_off, p.l4_off, seg));

	/* MSS behind a NOP: the value sits at an odd offset. */
	struct dnsb_pkt p2;
	fx_load("tcp53_syn_nop", 0, &f);
	assert_int_equal(dnsb_pkt_parse(f.buf, f.len, &p2), DNSB_R_OK);
	assert_int_equal(f.buf[p2.l4_off + 20], 1);
	uint32_t seg2 = p2.ip_end - p2.l4_off;
	assert_true(ref_tcp_checksum_ok(f.buf, p2.l3_off, p2.l4_off, seg2));
	assert_int_equal(dnsb_tcp_mss_clamp(f.buf, &p2, 1220), 1);
	assert_int_equal(dnsb_get16(f.buf + p2.l4_off + 23), 1220);
	assert_true(ref_tcp_checksum_ok(f.buf, p2.l3_off, p2.l4_off, seg2));

	/* Not a SYN: untouched. Malformed options: untouched. */
	fx_load("tcp53_syn", 0, &f);
	p.tcp_flags = DNSB_TCP_ACK;
	assert_int_equal(dnsb_tcp_mss_clamp(f.buf, &p, 536), 0);
	p.tcp_flags = DNSB_TCP_SYN;
	f.buf[p.l4_off + 21] = 9; /* option length past the header */
	assert_int_equal(dnsb_tcp_mss_clamp(f.buf, &p, 536), 0);
	f.buf[p.l4_off + 21] = 0; /* zero length */
	assert_int_equal(dnsb_tcp_mss_clamp(f.buf, &p, 536), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_client_size_decides, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout_and_path_limit, setup, teardown),
		cmocka_unit_test(test_table_full_and_bounded),
		cmocka_unit_test_setup_teardown(test_wrong_direction_not_tracked, setup, teardown),
		cmocka_unit_test(test_mss_clamp),
	};
	return cmocka_run_group_tests_name("engine", tests, NULL, NULL);
}
