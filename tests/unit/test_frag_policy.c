/* SPDX-License-Identifier: BSD-3-Clause */
/* Fragment policies of the engine on scapy's trains (tests/data/frag):
 * pass forwards every fragment; reassemble holds them and sends the
 * datagram whole or re-fragmented to the MTU (checked by reassembling what
 * it sends back into scapy's whole datagram); truncate sends a TC=1 answer
 * in place of an answer over the MTU; drop drops DNS fragments; non-DNS
 * fragments always pass; fragments before their first one pass with the
 * rest of their datagram; invalid fragments of held datagrams are dropped
 * with their reason; the direction decides the policy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "engine.h"
#include "msgbuild.h"
#include "testlib.h"

#define SEC 1000000000ull
#define EV(x) (v->e.events[DNSB_EV_##x])
#define R(x) (v->e.reasons[DNSB_R_##x])
#define TO_S DNSB_DIR_TO_SERVER
#define TO_C DNSB_DIR_TO_CLIENT
#define MAX_OUT 64

static const uint16_t dns_ports[] = { 53 };

struct env {
	struct dnsb_engine e;
	struct dnsb_policy pol;
	void *mem;
	struct fx f;
	struct dnsb_result res;
	uint32_t n_out;
	uint32_t out_len[MAX_OUT];
	uint8_t out[MAX_OUT][FX_CAP];
};

static struct env *env_new(uint8_t to_client, uint8_t to_server, uint16_t mtu)
{
	struct env *v = calloc(1, sizeof(*v));
	struct dnsb_engine_cfg c = { 1024, 2 * SEC, 30 * SEC, 7, 0, { 64, 16384, 64, 2 * SEC }, 0 };
	dnsb_policy_default(&v->pol);
	v->pol.frag_to_client = to_client;
	v->pol.frag_to_server = to_server;
	v->pol.mtu_client = v->pol.mtu_server = mtu;
	v->mem = malloc(dnsb_engine_mem(&c));
	assert_int_equal(dnsb_engine_init(&v->e, &v->pol, v->mem, &c), 0);
	return v;
}

static void env_free(struct env *v)
{
	free(v->mem);
	free(v);
}

/* Frame @p idx of tests/data/frag/@p file through the engine; what an
 * EMIT verdict asks for is collected in v->out. */
static enum dnsb_verdict feed(struct env *v, const char *file, unsigned idx, enum dnsb_dir dir,
			      uint64_t now)
{
	fx_load_from("frag", file, idx, &v->f);
	enum dnsb_verdict vd = dnsb_engine_process(&v->e, v->f.buf, v->f.len, FX_CAP, dir, now,
						   &v->res);
	assert_int_equal(vd, v->res.verdict);
	if (vd == DNSB_V_EMIT) {
		v->n_out = dnsb_engine_emit_count(&v->e);
		assert_true(v->n_out > 0 && v->n_out <= MAX_OUT);
		for (uint32_t i = 0; i < v->n_out; i++) {
			v->out_len[i] = dnsb_engine_emit(&v->e, i, v->out[i], FX_CAP);
			assert_true(v->out_len[i] > 0);
		}
	} else {
		assert_int_equal(dnsb_engine_emit_count(&v->e), 0);
	}
	return vd;
}

/* What was emitted, reassembled by the reassembly module, equals the
 * @p len octets at @p whole. */
static void expect_emitted(struct env *v, const uint8_t *whole, uint32_t len, uint32_t mtu)
{
	uint8_t *out = NULL;
	uint32_t out_len = 0;
	if (v->n_out == 1) {
		assert_int_equal(v->out_len[0], len);
		assert_memory_equal(v->out[0], whole, len);
		return;
	}
	struct dnsb_reasm_cfg c = { 16, 16384, 64, 2 * SEC };
	struct dnsb_reasm r;
	void *mem = malloc(dnsb_reasm_mem(&c));
	assert_int_equal(dnsb_reasm_init(&r, mem, &c, NULL, NULL), 0);
	for (uint32_t i = 0; i < v->n_out; i++) {
		struct dnsb_pkt p;
		assert_int_equal(dnsb_pkt_parse(v->out[i], v->out_len[i], &p), DNSB_R_OK);
		assert_true(p.frag);
		assert_true(p.ip_end - p.l3_off <= mtu);
		assert_int_equal(dnsb_reasm_add(&r, v->out[i], &p, dns_ports, 1, SEC, &out, &out_len),
				 i + 1 < v->n_out ? DNSB_RA_HELD : DNSB_RA_DONE);
	}
	assert_int_equal(out_len, len);
	assert_memory_equal(out, whole, len);
	free(mem); /* the datagram was rebuilt in it */
}

/* What was emitted is the datagram of tests/data/frag/@p whole. */
static void expect_emitted_whole(struct env *v, const char *whole, uint32_t mtu)
{
	static struct fx w;
	fx_load_from("frag", whole, 0, &w);
	expect_emitted(v, w.buf, w.len, mtu);
}

static void test_pass(void **st)
{
	(void)st;
	struct env *v = env_new(DNSB_FRAG_PASS, DNSB_FRAG_PASS, 1280);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(feed(v, "v4_train", i, TO_C, SEC), DNSB_V_PASS);
		assert_int_equal(v->res.reason, DNSB_R_PASS_FRAGMENT);
	}
	assert_int_equal(EV(FRAG_REASSEMBLED), 1);
	assert_int_equal(EV(RESPONSES), 1);
	assert_int_equal(R(PASS_FRAGMENT), 3);
	env_free(v);
}

static void reassemble_case(const char *train, const char *whole, unsigned n, uint16_t mtu,
			    uint32_t want_frames)
{
	struct env *v = env_new(DNSB_FRAG_REASSEMBLE, DNSB_FRAG_PASS, mtu);
	for (unsigned i = 0; i + 1 < n; i++) {
		assert_int_equal(feed(v, train, i, TO_C, SEC), DNSB_V_DROP);
		assert_int_equal(v->res.reason, DNSB_R_FRAG_HELD);
	}
	assert_int_equal(feed(v, train, n - 1, TO_C, SEC), DNSB_V_EMIT);
	/* The completing frame carries the datagram's own outcome. */
	assert_int_equal(v->res.reason, DNSB_R_PASS_RESPONSE_UNSIZED);
	assert_int_equal(v->n_out, want_frames);
	expect_emitted_whole(v, whole, mtu);
	assert_int_equal(EV(FRAG_REASSEMBLED), 1);
	assert_int_equal(EV(RESPONSES), 1);
	assert_int_equal(R(FRAG_HELD), n - 1);
	if (want_frames == 1) {
		assert_int_equal(EV(FRAG_SENT_WHOLE), 1);
	} else {
		assert_int_equal(EV(FRAG_REFRAGMENTED), 1);
		assert_int_equal(EV(FRAG_SENT_FRAGMENTS), want_frames);
	}
	env_free(v);
}

static void test_reassemble_refragment(void **st)
{
	(void)st;
	reassemble_case("v4_train", "v4_whole", 3, 1280, 3);
	reassemble_case("v4_train", "v4_whole", 3, 576, 6);
	reassemble_case("v6_train", "v6_whole", 3, 1280, 3);
}

static void test_reassemble_whole(void **st)
{
	(void)st;
	reassemble_case("v4_train", "v4_whole", 3, 9000, 1);
	reassemble_case("v6_train", "v6_whole", 3, 9000, 1);
}

static void truncate_case(const char *train, unsigned n)
{
	struct env *v = env_new(DNSB_FRAG_TRUNCATE, DNSB_FRAG_PASS, 1500);
	for (unsigned i = 0; i + 1 < n; i++)
		assert_int_equal(feed(v, train, i, TO_C, SEC), DNSB_V_DROP);
	assert_int_equal(feed(v, train, n - 1, TO_C, SEC), DNSB_V_EMIT);
	assert_int_equal(v->res.reason, DNSB_R_FRAG_TC);
	assert_int_equal(v->n_out, 1);
	struct dnsb_pkt p;
	struct dnsb_dns d;
	assert_int_equal(dnsb_pkt_parse(v->out[0], v->out_len[0], &p), DNSB_R_OK);
	assert_false(p.frag);
	assert_int_equal(dnsb_dns_parse(v->out[0] + p.pl_off, p.pl_len, &d), DNSB_R_OK);
	assert_true(d.flags & DNSB_F_TC);
	assert_int_equal(d.ancount, 0);
	assert_int_equal(d.id, 0x2222);
	assert_int_equal(ref_udp_checksum_ok(v->out[0], p.l3_off, p.l4_off), 1);
	if (p.ip_ver == 4)
		assert_true(ref_ip4_checksum_ok(v->out[0], p.l3_off));
	assert_int_equal(EV(FRAG_TC_SENT), 1);
	assert_int_equal(R(FRAG_TC), 1);
	env_free(v);
}

static void test_truncate(void **st)
{
	(void)st;
	truncate_case("v4_train", 3);
	truncate_case("v6_train", 3);
	/* Within the MTU the answer goes on whole. */
	struct env *v = env_new(DNSB_FRAG_TRUNCATE, DNSB_FRAG_PASS, 9000);
	for (unsigned i = 0; i < 3; i++)
		feed(v, "v4_train", i, TO_C, SEC);
	assert_int_equal(v->res.verdict, DNSB_V_EMIT);
	expect_emitted_whole(v, "v4_whole", 9000);
	assert_int_equal(EV(FRAG_TC_SENT), 0);
	env_free(v);
}

static void test_drop(void **st)
{
	(void)st;
	struct env *v = env_new(DNSB_FRAG_DROP, DNSB_FRAG_PASS, 1500);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(feed(v, "v4_train", i, TO_C, SEC), DNSB_V_DROP);
		assert_int_equal(v->res.reason, DNSB_R_FRAG_DROP_POLICY);
	}
	assert_int_equal(R(FRAG_DROP_POLICY), 3);
	/* Non-DNS fragments go on. */
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(feed(v, "v4_notdns_train", i, TO_C, SEC), DNSB_V_PASS);
	/* Before the first fragment nothing says DNS: those pass, the rest
	 * (from the first on) is dropped. */
	assert_int_equal(feed(v, "v6_train", 2, TO_C, SEC), DNSB_V_PASS);
	assert_int_equal(feed(v, "v6_train", 0, TO_C, SEC), DNSB_V_DROP);
	assert_int_equal(feed(v, "v6_train", 1, TO_C, SEC), DNSB_V_DROP);
	assert_int_equal(EV(FRAG_PASS_EARLY), 1);
	env_free(v);
}

static void test_not_dns_and_direction(void **st)
{
	(void)st;
	struct env *v = env_new(DNSB_FRAG_REASSEMBLE, DNSB_FRAG_PASS, 1280);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(feed(v, "v4_notdns_train", i, TO_C, SEC), DNSB_V_PASS);
	/* Toward the servers the policy is pass. */
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(feed(v, "v4_train", i, TO_S, SEC), DNSB_V_PASS);
	/* Offline (no port): the first fragment's source port 53 says toward
	 * the client, so its datagram is held. */
	assert_int_equal(feed(v, "v6_train", 0, DNSB_DIR_UNKNOWN, SEC), DNSB_V_DROP);
	assert_int_equal(feed(v, "v6_train", 1, DNSB_DIR_UNKNOWN, SEC), DNSB_V_DROP);
	assert_int_equal(feed(v, "v6_train", 2, DNSB_DIR_UNKNOWN, SEC), DNSB_V_EMIT);
	expect_emitted_whole(v, "v6_whole", 1280);
	env_free(v);
}

static void test_out_of_order_passes(void **st)
{
	(void)st;
	struct env *v = env_new(DNSB_FRAG_REASSEMBLE, DNSB_FRAG_PASS, 1280);
	/* Last fragment first: unknown yet, so the whole datagram passes as
	 * it came (the receiver never gets a mix), and is still inspected. */
	assert_int_equal(feed(v, "v4_train", 2, TO_C, SEC), DNSB_V_PASS);
	assert_int_equal(feed(v, "v4_train", 0, TO_C, SEC), DNSB_V_PASS);
	assert_int_equal(feed(v, "v4_train", 1, TO_C, SEC), DNSB_V_PASS);
	assert_int_equal(EV(FRAG_PASS_EARLY), 1);
	assert_int_equal(EV(FRAG_REASSEMBLED), 1);
	assert_int_equal(EV(RESPONSES), 1);
	assert_int_equal(R(PASS_FRAGMENT), 3);
	/* In order afterwards: held again. */
	assert_int_equal(feed(v, "v4b_train", 0, TO_C, SEC), DNSB_V_DROP);
	env_free(v);
}

static void test_invalid_dropped(void **st)
{
	(void)st;
	struct env *v = env_new(DNSB_FRAG_REASSEMBLE, DNSB_FRAG_PASS, 1280);
	assert_int_equal(feed(v, "v4_train", 0, TO_C, SEC), DNSB_V_DROP);
	/* An exact duplicate of held data: dropped, the datagram lives on. */
	assert_int_equal(feed(v, "v4_train", 0, TO_C, SEC), DNSB_V_DROP);
	assert_int_equal(v->res.reason, DNSB_R_FRAG_DROP_INVALID);
	assert_int_equal(EV(FRAG_DUPLICATE), 1);
	assert_int_equal(feed(v, "v4_train", 1, TO_C, SEC), DNSB_V_DROP);
	assert_int_equal(feed(v, "v4_overlap", 0, TO_C, SEC), DNSB_V_DROP);
	assert_int_equal(v->res.reason, DNSB_R_FRAG_DROP_INVALID);
	assert_int_equal(EV(FRAG_OVERLAP), 1);
	/* The datagram was discarded: its last fragment starts a new one,
	 * which never completes. */
	assert_int_equal(feed(v, "v4_train", 2, TO_C, SEC), DNSB_V_PASS);
	dnsb_engine_tick(&v->e, 10 * SEC, 0);
	assert_int_equal(EV(FRAG_INCOMPLETE_FIRST_MISSING), 1);
	/* A tiny first fragment (UDP header not in it) of a held direction. */
	assert_int_equal(feed(v, "v6_tiny_train", 0, TO_C, 11 * SEC), DNSB_V_DROP);
	assert_int_equal(EV(FRAG_TINY_FIRST), 1);
	assert_int_equal(R(FRAG_DROP_INVALID), 3);
	env_free(v);
}

/* A whole datagram over the egress MTU: fragmented (reassemble) or
 * replaced by TC=1 (truncate), untouched under pass. */
static void test_whole_over_mtu(void **st)
{
	(void)st;
	static const char *const whole[] = { "v4_whole", "v6_whole" };
	for (unsigned k = 0; k < 2; k++) {
		struct env *v = env_new(DNSB_FRAG_REASSEMBLE, DNSB_FRAG_PASS, 1280);
		assert_int_equal(feed(v, whole[k], 0, TO_C, SEC), DNSB_V_EMIT);
		assert_int_equal(v->res.reason, DNSB_R_PASS_RESPONSE_UNSIZED);
		assert_int_equal(v->n_out, 3);
		expect_emitted_whole(v, whole[k], 1280);
		assert_int_equal(EV(FRAG_REFRAGMENTED), 1);
		/* Toward the servers the policy is pass. */
		assert_int_equal(feed(v, whole[k], 0, TO_S, SEC), DNSB_V_PASS);
		env_free(v);

		v = env_new(DNSB_FRAG_TRUNCATE, DNSB_FRAG_PASS, 1280);
		assert_int_equal(feed(v, whole[k], 0, TO_C, SEC), DNSB_V_MODIFIED);
		assert_int_equal(v->res.reason, DNSB_R_FRAG_TC);
		struct dnsb_pkt p;
		struct dnsb_dns d;
		assert_int_equal(dnsb_pkt_parse(v->f.buf, v->res.len, &p), DNSB_R_OK);
		assert_int_equal(dnsb_dns_parse(v->f.buf + p.pl_off, p.pl_len, &d), DNSB_R_OK);
		assert_true(d.flags & DNSB_F_TC);
		assert_int_equal(ref_udp_checksum_ok(v->f.buf, p.l3_off, p.l4_off), 1);
		assert_int_equal(EV(FRAG_TC_SENT), 1);
		env_free(v);

		v = env_new(DNSB_FRAG_PASS, DNSB_FRAG_PASS, 1280);
		assert_int_equal(feed(v, whole[k], 0, TO_C, SEC), DNSB_V_PASS);
		env_free(v);
	}
	/* IPv4 with DF set: fragmented all the same, DF off in the fragments. */
	struct env *v = env_new(DNSB_FRAG_REASSEMBLE, DNSB_FRAG_PASS, 1280);
	fx_load_from("frag", "v4_whole", 0, &v->f);
	v->f.buf[14 + 6] |= 0x40;
	v->f.buf[14 + 10] = v->f.buf[14 + 11] = 0;
	uint32_t sum = 0;
	for (unsigned i = 0; i < 20; i += 2)
		sum += (uint32_t)(v->f.buf[14 + i] << 8 | v->f.buf[15 + i]);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	v->f.buf[24] = (uint8_t)(~sum >> 8);
	v->f.buf[25] = (uint8_t)~sum;
	assert_int_equal(dnsb_engine_process(&v->e, v->f.buf, v->f.len, FX_CAP, TO_C, SEC, &v->res),
			 DNSB_V_EMIT);
	for (uint32_t i = 0; i < dnsb_engine_emit_count(&v->e); i++) {
		uint32_t n = dnsb_engine_emit(&v->e, i, v->out[i], FX_CAP);
		assert_true(n > 0 && n - 14 <= 1280);
		assert_int_equal(v->out[i][14 + 6] & 0x40, 0);
		assert_true(ref_ip4_checksum_ok(v->out[i], 14));
	}
	env_free(v);
}

/* A whole answer over the MTU that the policy rewrites first (its OPT
 * stripped, 11 octets shorter): the fragments carry the rewritten answer,
 * not the view of it from before the rewrite. An answer passed as it came
 * is fragmented as it came. */
static void test_rewritten_over_mtu(void **st)
{
	(void)st;
	static struct msg m;
	static struct fx orig;
	mb_header(&m, 0x8180, 1, 60, 0, 1);
	mb_question(&m);
	for (unsigned i = 0; i < 60; i++)
		mb_a_rr(&m);
	mb_opt(&m, 1232, 0x8000);
	mb_frame4(&m, 1, &orig);
	for (unsigned strip = 0; strip < 2; strip++) {
		struct env *v = env_new(DNSB_FRAG_REASSEMBLE, DNSB_FRAG_PASS, 576);
		v->pol.emu_strip_opt = strip ? DNSB_EMU_STRIP_ANSWERS : 0;
		v->f = orig;
		assert_int_equal(dnsb_engine_process(&v->e, v->f.buf, v->f.len, FX_CAP, TO_C, SEC,
						     &v->res),
				 DNSB_V_EMIT);
		assert_int_equal(v->res.reason,
				 strip ? DNSB_R_EMU_STRIP_OPT : DNSB_R_PASS_RESPONSE_UNSIZED);
		assert_int_equal(v->res.len, orig.len - (strip ? 11 : 0));
		v->n_out = dnsb_engine_emit_count(&v->e);
		assert_true(v->n_out > 1 && v->n_out <= MAX_OUT);
		for (uint32_t i = 0; i < v->n_out; i++)
			v->out_len[i] = dnsb_engine_emit(&v->e, i, v->out[i], FX_CAP);
		expect_emitted(v, v->f.buf, v->res.len, 576);
		if (!strip)
			assert_memory_equal(v->f.buf, orig.buf, orig.len);
		assert_int_equal(EV(FRAG_REFRAGMENTED), 1);
		env_free(v);
	}
}

/* One call a burst (dnsb_engine_burst, as the worker runs the engine) over
 * two fragment trains, with a frame left out between them: it stops right
 * after each frame that completes a datagram, whose frames are then there
 * to take; a frame left out is not touched; verdicts, emitted frames and
 * counters are those of one frame at a time on a second engine. */
static void test_burst_stops_at_emit(void **st)
{
	(void)st;
	static const struct {
		const char *file;
		unsigned idx;
	} in[] = { { "v4_train", 0 }, { "v4_train", 1 }, { "v4_train", 2 }, { NULL, 0 },
		   { "v4b_train", 0 }, { "v4b_train", 1 }, { "v6_train", 0 } };
	enum { N = sizeof(in) / sizeof(in[0]) };
	static struct fx f[N];
	struct dnsb_bframe bf[N];
	struct env *v = env_new(DNSB_FRAG_REASSEMBLE, DNSB_FRAG_PASS, 1280);
	struct env *one = env_new(DNSB_FRAG_REASSEMBLE, DNSB_FRAG_PASS, 1280);

	memset(bf, 0, sizeof(bf));
	for (unsigned k = 0; k < N; k++) {
		bf[k].dir = TO_C;
		bf[k].now_ns = SEC + k;
		bf[k].res.reason = DNSB_R__END; /* untouched where left out */
		if (!in[k].file)
			continue;
		fx_load_from("frag", in[k].file, in[k].idx, &f[k]);
		bf[k].frame = f[k].buf;
		bf[k].len = f[k].len;
	}
	/* After v4_train's last fragment (2), after v4b_train's (5), the end. */
	static const uint32_t stops[] = { 3, 6, N };
	uint32_t from = 0;
	for (unsigned c = 0; c < 3; c++) {
		uint32_t to = dnsb_engine_burst(&v->e, bf, N, from);
		assert_int_equal(to, stops[c]);
		for (uint32_t k = from; k < to; k++) {
			if (!in[k].file) {
				assert_int_equal(bf[k].res.reason, DNSB_R__END);
				continue;
			}
			assert_int_equal(feed(one, in[k].file, in[k].idx, TO_C, SEC + k),
					 bf[k].res.verdict);
			assert_int_equal(one->res.reason, bf[k].res.reason);
			assert_int_equal(one->res.len, bf[k].res.len);
		}
		if (to < N) {
			assert_int_equal(bf[to - 1].res.verdict, DNSB_V_EMIT);
			assert_int_equal(dnsb_engine_emit_count(&v->e), one->n_out);
			for (uint32_t i = 0; i < one->n_out; i++) {
				uint8_t out[FX_CAP];
				assert_int_equal(dnsb_engine_emit(&v->e, i, out, sizeof(out)),
						 one->out_len[i]);
				assert_memory_equal(out, one->out[i], one->out_len[i]);
			}
		}
		from = to;
	}
	assert_int_equal(EV(FRAG_REASSEMBLED), 2);
	assert_memory_equal(v->e.reasons, one->e.reasons, sizeof(v->e.reasons));
	assert_memory_equal(v->e.events, one->e.events, sizeof(v->e.events));
	env_free(one);
	env_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pass),
		cmocka_unit_test(test_reassemble_refragment),
		cmocka_unit_test(test_reassemble_whole),
		cmocka_unit_test(test_truncate),
		cmocka_unit_test(test_drop),
		cmocka_unit_test(test_not_dns_and_direction),
		cmocka_unit_test(test_out_of_order_passes),
		cmocka_unit_test(test_invalid_dropped),
		cmocka_unit_test(test_whole_over_mtu),
		cmocka_unit_test(test_rewritten_over_mtu),
		cmocka_unit_test(test_burst_stops_at_emit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
