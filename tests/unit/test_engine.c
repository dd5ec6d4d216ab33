/* SPDX-License-Identifier: BSD-3-Clause */
/* The per-lcore engine on synthetic timelines (time is an argument):
 * answers judged against their query, unanswered queries, retries, TC
 * follow-ups, TCP/53 handshakes, UDP flow load; tables bounded; and the
 * TCP/53 MSS clamp. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "checksum.h"
#include "engine.h"
#include "tcp_mss.h"
#include "testlib.h"
#include "wire.h"

#define MS 1000000ull
#define SEC 1000000000ull
#define EV(x) (v->e.events[DNSB_EV_##x])

struct env {
	struct dnsb_engine e;
	struct dnsb_policy pol;
	void *mem;
	struct fx f;
	struct dnsb_result res;
};

static int setup_track(void **st, uint32_t slots, uint8_t untrack)
{
	struct env *v = calloc(1, sizeof(*v));
	struct dnsb_engine_cfg c = { slots, 2 * SEC, 30 * SEC, 7, 0, { 0, 0, 0, 0 }, untrack };
	dnsb_policy_default(&v->pol);
	v->mem = malloc(dnsb_engine_mem(&c));
	assert_int_equal(dnsb_engine_init(&v->e, &v->pol, v->mem, &c), 0);
	*st = v;
	return 0;
}

static int setup_slots(void **st, uint32_t slots)
{
	return setup_track(st, slots, 0);
}

static int setup(void **st)
{
	return setup_slots(st, 1024);
}

static int setup_small(void **st)
{
	return setup_slots(st, 8);
}

static int teardown(void **st)
{
	struct env *v = *st;
	free(v->mem);
	free(v);
	return 0;
}

/* Optional edits of a v4 fixture without VLAN: DNS ID, client port. */
static enum dnsb_reason run_edit(struct env *v, const char *fx, enum dnsb_dir dir, uint64_t now,
				 int id, int cport)
{
	fx_load(fx, 0, &v->f);
	int resp = dir == DNSB_DIR_TO_CLIENT;
	if (id >= 0)
		dnsb_put16(v->f.buf + 42, (uint16_t)id);
	if (cport >= 0)
		dnsb_put16(v->f.buf + 34 + (resp ? 2 : 0), (uint16_t)cport);
	dnsb_engine_process(&v->e, v->f.buf, v->f.len, FX_CAP, dir, now, &v->res);
	return v->res.reason;
}

static enum dnsb_reason run(struct env *v, const char *fx, enum dnsb_dir dir, uint64_t now)
{
	return run_edit(v, fx, dir, now, -1, -1);
}

#define TO_S DNSB_DIR_TO_SERVER
#define TO_C DNSB_DIR_TO_CLIENT

static void test_client_size_decides(void **st)
{
	struct env *v = *st;

	/* Client asked 4096 (clamped on the way): the 1.9 kB answer fits what
	 * it asked: passed. */
	assert_int_equal(run(v, "q4_do", TO_S, 1 * SEC), DNSB_R_EDNS_CLAMPED);
	assert_int_equal(run(v, "r4_big", TO_C, 1 * SEC + MS), DNSB_R_PASS_RESPONSE);
	assert_int_equal(v->res.limit, 4096);

	/* Client asked 1200 without DO: the answer becomes TC=1, DO clear. */
	assert_int_equal(run(v, "q4_small", TO_S, 2 * SEC), DNSB_R_PASS_QUERY);
	assert_int_equal(run(v, "r4_big", TO_C, 2 * SEC + MS), DNSB_R_TC_SYNTHESIZED);
	assert_int_equal(v->res.limit, 1200);
	struct dnsb_result out;
	dnsb_process(v->f.buf, v->res.len, FX_CAP, TO_C, 0, &v->pol, NULL, &out);
	assert_true(out.dns.flags & DNSB_F_TC);
	assert_false(dnsb_dns_do(&out.dns));

	/* Same over IPv6. */
	assert_int_equal(run(v, "q6_do", TO_S, 3 * SEC), DNSB_R_EDNS_CLAMPED);
	assert_int_equal(run(v, "r6_big", TO_C, 3 * SEC + 1), DNSB_R_PASS_RESPONSE);
	/* A response is matched once: a duplicate is unmatched. */
	assert_int_equal(run(v, "r6_big", TO_C, 3 * SEC + 2), DNSB_R_PASS_RESPONSE_UNSIZED);

	assert_int_equal(EV(QUERIES), 3);
	assert_int_equal(EV(DO_QUERIES), 2);
	assert_int_equal(EV(RESPONSES), 4);
	assert_int_equal(EV(DO_RESPONSES), 4);
	assert_int_equal(EV(RESPONSES_UNMATCHED), 1);
	assert_int_equal(v->e.reasons[DNSB_R_EDNS_CLAMPED], 2);
	assert_int_equal(v->e.reasons[DNSB_R_TC_SYNTHESIZED], 1);
	uint64_t total = 0;
	for (int r = 0; r < DNSB_R__END; r++)
		total += v->e.reasons[r];
	assert_int_equal(total, 7);
	/* Answer sizes by DO of the query, latency by bucket. */
	assert_int_equal(EV(RESPONSE_SIZE_DO_GT1500), 2);
	assert_int_equal(EV(RESPONSE_SIZE_NODO_GT1500), 1);
	assert_int_equal(EV(LATENCY_LE1MS), 3);
}

static void test_unanswered(void **st)
{
	struct env *v = *st;

	run_edit(v, "q4_do", TO_S, 1 * SEC, 1, -1);
	run_edit(v, "q4_small", TO_S, 1 * SEC + 10 * MS, 2, -1);
	run_edit(v, "q4_noedns", TO_S, 1 * SEC + 20 * MS, 3, -1);
	dnsb_engine_tick(&v->e, 2 * SEC, 0);
	assert_int_equal(EV(UNANSWERED_DO) + EV(UNANSWERED_NODO), 0);
	assert_int_equal(dnsb_engine_gauge(&v->e, DNSB_G_QUERIES_OUTSTANDING), 3);
	dnsb_engine_tick(&v->e, 3 * SEC + 100 * MS, 0);
	assert_int_equal(EV(UNANSWERED_DO), 1);
	assert_int_equal(EV(UNANSWERED_NODO), 2);
	assert_int_equal(EV(UNANSWERED_SIZE_GT1500), 1);  /* 4096 */
	assert_int_equal(EV(UNANSWERED_SIZE_LE1232), 1);  /* 1200 */
	assert_int_equal(EV(UNANSWERED_SIZE_LE512), 1);   /* no EDNS */
	assert_int_equal(dnsb_engine_gauge(&v->e, DNSB_G_QUERIES_OUTSTANDING), 0);
	/* Their late answers are unmatched and unsized. */
	assert_int_equal(run(v, "r4_big", TO_C, 4 * SEC), DNSB_R_PASS_RESPONSE_UNSIZED);
	assert_int_equal(EV(RESPONSES_UNMATCHED), 1);
	/* Swept only once: no double count. */
	dnsb_engine_tick(&v->e, 10 * SEC, 0);
	assert_int_equal(EV(UNANSWERED_DO) + EV(UNANSWERED_NODO), 3);
}

static void test_budgeted_sweep(void **st)
{
	struct env *v = *st;
	for (int id = 0; id < 100; id++)
		run_edit(v, "q4_do", TO_S, 1 * SEC, id, -1);
	/* 32 slots per call: the 1024-slot tables take 32 calls; half of them
	 * have seen some of the 100 entries but (all but surely) not all. */
	for (int i = 0; i < 16; i++)
		dnsb_engine_tick(&v->e, 5 * SEC, 32);
	assert_true(EV(UNANSWERED_DO) > 0 && EV(UNANSWERED_DO) < 100);
	for (int i = 0; i < 16; i++)
		dnsb_engine_tick(&v->e, 5 * SEC, 32);
	assert_int_equal(EV(UNANSWERED_DO), 100);
}

/* The worker's paced tick: every slot within a quarter of the timeout
 * (2 s here), so the 100 queries of 1 s are all counted by 3.5 s, none
 * before 3 s, at one call per millisecond. */
static void test_paced_tick(void **st)
{
	struct env *v = *st;
	for (int id = 0; id < 100; id++)
		run_edit(v, "q4_do", TO_S, 1 * SEC, id, -1);
	for (uint64_t now = 1 * SEC; now <= 3 * SEC + 500 * MS + MS; now += MS) {
		dnsb_engine_tick_paced(&v->e, now);
		if (now <= 3 * SEC)
			assert_int_equal(EV(UNANSWERED_DO), 0);
	}
	assert_int_equal(EV(UNANSWERED_DO), 100);
	assert_int_equal(dnsb_engine_gauge(&v->e, DNSB_G_QUERIES_OUTSTANDING), 0);
}

static void test_retries(void **st)
{
	struct env *v = *st;

	/* Answered (1.9 kB, so "large"), then asked again: the answer died
	 * downstream. */
	run(v, "q4_do", TO_S, 1 * SEC);
	run(v, "r4_big", TO_C, 1 * SEC + 5 * MS);
	run_edit(v, "q4_do", TO_S, 1 * SEC + 800 * MS, 0x4321, 41000);
	assert_int_equal(EV(CLIENT_RETRY_AFTER_ANSWER), 1);
	assert_int_equal(EV(CLIENT_RETRY_AFTER_LARGE_ANSWER), 1);
	/* Still unanswered, asked again: lost upstream. */
	run_edit(v, "q4_do", TO_S, 1 * SEC + 1600 * MS, 0x4322, 41001);
	assert_int_equal(EV(CLIENT_RETRY_UNANSWERED), 1);
	/* A small answer, then a retry: after-answer but not large. */
	run(v, "q4_do", TO_S, 10 * SEC);
	run(v, "r4_small", TO_C, 10 * SEC + MS);
	run_edit(v, "q4_do", TO_S, 10 * SEC + 500 * MS, 0x4323, 41002);
	assert_int_equal(EV(CLIENT_RETRY_AFTER_ANSWER), 2);
	assert_int_equal(EV(CLIENT_RETRY_AFTER_LARGE_ANSWER), 1);
	/* Asked again much later: a new question, not a retry. */
	run_edit(v, "q4_do", TO_S, 30 * SEC, 0x4324, 41003);
	assert_int_equal(EV(CLIENT_RETRY_AFTER_ANSWER) + EV(CLIENT_RETRY_UNANSWERED), 3);
}

/* The two passes: the first changes nothing in the engine (its tables
 * included) or the frame; an answer whose first pass ran before its
 * query's second (one burst) is still matched to it, as one frame at a
 * time; and the same counters come out. */
static void test_two_passes(void **st)
{
	struct env *v = *st;
	static struct fx q, r, q2, r2;
	struct dnsb_result rq, rr;
	struct dnsb_look lq, lr;
	size_t mem = DNSB_T__END * dnsb_ft_mem(1024);

	run(v, "q4_do", TO_S, 1 * SEC);
	run(v, "r4_small", TO_C, 1 * SEC + MS);
	fx_load("q4_do", 0, &q);
	fx_load("r4_small", 0, &r);
	dnsb_put16(q.buf + 42, 0x5151);
	dnsb_put16(r.buf + 42, 0x5151);
	q2 = q;
	r2 = r;
	struct dnsb_engine before = v->e;
	uint8_t *tables = malloc(mem);
	memcpy(tables, v->mem, mem);
	dnsb_engine_look(&v->e, q.buf, q.len, TO_S, &rq, &lq);
	dnsb_engine_look(&v->e, r.buf, r.len, TO_C, &rr, &lr);
	assert_memory_equal(&before, &v->e, sizeof(before));
	assert_memory_equal(tables, v->mem, mem);
	assert_memory_equal(q.buf, q2.buf, q.len);
	assert_memory_equal(r.buf, r2.buf, r.len);
	assert_int_equal(lq.corr, DNSB_LOOK_QUERY);
	assert_int_equal(lr.corr, DNSB_LOOK_ANSWER);

	dnsb_engine_finish(&v->e, q.buf, TO_S, 2 * SEC, &rq, &lq);
	dnsb_engine_finish(&v->e, r.buf, TO_C, 2 * SEC + 3 * MS, &rr, &lr);
	assert_int_equal(EV(RESPONSES), 2);
	assert_int_equal(EV(RESPONSES_UNMATCHED), 0);
	assert_int_equal(EV(LATENCY_LE5MS), 1);
	/* One frame at a time, on a second engine: the same counters. */
	void *ws;
	setup(&ws);
	struct env *w = ws;
	run(w, "q4_do", TO_S, 1 * SEC);
	run(w, "r4_small", TO_C, 1 * SEC + MS);
	dnsb_engine_process(&w->e, q2.buf, q2.len, FX_CAP, TO_S, 2 * SEC, &w->res);
	dnsb_engine_process(&w->e, r2.buf, r2.len, FX_CAP, TO_C, 2 * SEC + 3 * MS, &w->res);
	assert_memory_equal(v->e.events, w->e.events, sizeof(v->e.events));
	assert_memory_equal(v->e.reasons, w->e.reasons, sizeof(v->e.reasons));
	assert_memory_equal(q.buf, q2.buf, q.len);
	assert_memory_equal(r.buf, r2.buf, r.len);
	/* A frame heading the wrong way: looked at, not keyed. */
	dnsb_engine_look(&v->e, q.buf, q.len, TO_C, &rq, &lq);
	assert_int_equal(lq.corr, DNSB_LOOK_NONE);
	teardown(&ws);
	free(tables);
}

/* A query again for the question in another letter case (RFC 4343) is a
 * retry; for another name, or another type, it is not. Names of every
 * length around the sixteen-octet steps of the hash, in messages that end
 * with the question (short ones copied, not read sixteen octets at once). */
static void test_question_case(void **st)
{
	struct env *v = *st;
	static struct fx a, b;
	uint64_t now = SEC;
	for (unsigned len = 1; len <= 40; len++) {
		uint8_t q[128];
		uint32_t n = 0;
		q[n++] = (uint8_t)len;
		for (unsigned i = 0; i < len; i++)
			q[n++] = (uint8_t)('a' + (i * 7 + len) % 26);
		memcpy(q + n, "\4test\0\0\x10\0\1", 10);
		n += 10;
		/* A v4 query frame: q4_small's headers with this question. */
		fx_load("q4_small", 0, &a);
		uint32_t dns = 42;
		a.buf[dns + 5] = 1; /* one question */
		a.buf[dns + 7] = a.buf[dns + 9] = a.buf[dns + 11] = 0;
		a.buf[dns + 6] = a.buf[dns + 8] = a.buf[dns + 10] = 0;
		memcpy(a.buf + dns + 12, q, n);
		a.len = dns + 12 + n;
		dnsb_put16(a.buf + 16, (uint16_t)(a.len - 14));
		dnsb_put16(a.buf + 24, 0);
		uint32_t sum = 0;
		for (unsigned i = 0; i < 20; i += 2)
			sum += (uint32_t)(a.buf[14 + i] << 8 | a.buf[15 + i]);
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		dnsb_put16(a.buf + 24, (uint16_t)~sum);
		dnsb_put16(a.buf + 38, (uint16_t)(a.len - 34));
		dnsb_put16(a.buf + 40, 0); /* no UDP checksum */
		dnsb_put16(a.buf + 34, (uint16_t)(20000 + len)); /* a client port per length */
		b = a;
		for (unsigned i = 1; i < 1 + len + 5; i++)
			if (b.buf[dns + 12 + i] >= 'a')
				b.buf[dns + 12 + i] ^= 0x20; /* upper case, both labels */
		dnsb_put16(b.buf + dns, 0x7777);
		uint64_t before = EV(CLIENT_RETRY_UNANSWERED);
		dnsb_engine_process(&v->e, a.buf, a.len, FX_CAP, TO_S, now, &v->res);
		assert_int_equal(v->res.reason, DNSB_R_PASS_QUERY);
		dnsb_engine_process(&v->e, b.buf, b.len, FX_CAP, TO_S, now + MS, &v->res);
		assert_int_equal(EV(CLIENT_RETRY_UNANSWERED), before + 1);
		/* One letter different: another question. */
		b.buf[dns + 12 + len] ^= 0x01;
		dnsb_put16(b.buf + dns, 0x7778);
		dnsb_engine_process(&v->e, b.buf, b.len, FX_CAP, TO_S, now + 2 * MS, &v->res);
		assert_int_equal(EV(CLIENT_RETRY_UNANSWERED), before + 1);
		/* Only the name's letters fold: '@' is not '`', '[' not '{', and
		 * the type 0x0041 is not 0x0061, nor 0x4100 0x6100. */
		static const uint8_t pairs[][2] = { { '@', '`' }, { '[', '{' }, { '1', 0x11 } };
		for (unsigned k = 0; k < 3; k++) {
			b = a;
			b.buf[dns + 13] = pairs[k][0];
			dnsb_put16(b.buf + dns, (uint16_t)(0x7800 + 2 * k));
			dnsb_engine_process(&v->e, b.buf, b.len, FX_CAP, TO_S, now + 3 * MS, &v->res);
			b.buf[dns + 13] = pairs[k][1];
			dnsb_put16(b.buf + dns, (uint16_t)(0x7801 + 2 * k));
			dnsb_engine_process(&v->e, b.buf, b.len, FX_CAP, TO_S, now + 4 * MS, &v->res);
			assert_int_equal(EV(CLIENT_RETRY_UNANSWERED), before + 1);
		}
		b = a;
		uint32_t type_at = dns + 12 + 1 + len + 6;
		static const uint16_t types[][2] = { { 0x41, 0x61 }, { 0x4100, 0x6100 } };
		for (unsigned k = 0; k < 2; k++) {
			dnsb_put16(b.buf + type_at, types[k][0]);
			dnsb_put16(b.buf + dns, (uint16_t)(0x7810 + 2 * k));
			dnsb_engine_process(&v->e, b.buf, b.len, FX_CAP, TO_S, now + 5 * MS, &v->res);
			dnsb_put16(b.buf + type_at, types[k][1]);
			dnsb_put16(b.buf + dns, (uint16_t)(0x7811 + 2 * k));
			dnsb_engine_process(&v->e, b.buf, b.len, FX_CAP, TO_S, now + 6 * MS, &v->res);
			assert_int_equal(EV(CLIENT_RETRY_UNANSWERED), before + 1);
		}
		dnsb_engine_process(&v->e, b.buf, b.len, FX_CAP, TO_S, now + 7 * MS, &v->res);
		assert_int_equal(EV(CLIENT_RETRY_UNANSWERED), before + 2);
		/* The message going on after the question, differently in each:
		 * the question alone is hashed (a short one read sixteen octets
		 * at once, what follows it masked off). */
		static const uint8_t tail[2][16] = { "0123456789abcdef", "fedcba9876543210" };
		for (unsigned k = 0; k < 2; k++) {
			b = a;
			memcpy(b.buf + b.len, tail[k], 16);
			b.len += 16;
			dnsb_put16(b.buf + 16, (uint16_t)(b.len - 14));
			dnsb_ck_ip4_set(b.buf + 14, 20);
			dnsb_put16(b.buf + 38, (uint16_t)(b.len - 34));
			dnsb_put16(b.buf + 34, (uint16_t)(30000 + len));
			dnsb_put16(b.buf + dns, (uint16_t)(0x7900 + k));
			dnsb_engine_process(&v->e, b.buf, b.len, FX_CAP, TO_S, now + (8 + k) * MS,
					    &v->res);
		}
		assert_int_equal(EV(CLIENT_RETRY_UNANSWERED), before + 4);
		now += 10 * SEC;
	}
}

static void test_response_checks(void **st)
{
	struct env *v = *st;

	v->pol.oversize = DNSB_OVERSIZE_PASS;
	run(v, "q4_small", TO_S, 1 * SEC);        /* asks 1200 */
	assert_int_equal(run(v, "r4_big", TO_C, 1 * SEC + MS), DNSB_R_PASS_OVERSIZE);
	assert_int_equal(EV(RESPONSE_TOOBIG), 1);
	run(v, "q4_do", TO_S, 2 * SEC);           /* EDNS + DO */
	run(v, "r4_big_noopt", TO_C, 2 * SEC + MS);
	assert_int_equal(EV(RESPONSE_NO_OPT), 1);
	run(v, "q4_do", TO_S, 3 * SEC);
	run(v, "r4_small", TO_C, 3 * SEC + 30 * MS); /* NOERROR A, no RRSIG */
	assert_int_equal(EV(RESPONSE_DO_NO_RRSIG), 1);
	assert_int_equal(EV(LATENCY_LE100MS), 1);
	run(v, "q4_do", TO_S, 4 * SEC);
	run(v, "r4_big", TO_C, 4 * SEC + 3 * SEC / 2); /* has its RRSIG */
	assert_int_equal(EV(RESPONSE_DO_NO_RRSIG), 1);
	assert_int_equal(EV(RESPONSE_TOOBIG), 1);
	assert_int_equal(EV(LATENCY_LE2000MS), 1);
}

/* An IPv4 TCP frame in @p f turned around (addresses and ports), with TCP
 * @p flags. */
static void turn_around(struct fx *f, uint8_t flags)
{
	uint8_t tmp[4];
	memcpy(tmp, f->buf + 26, 4);
	memcpy(f->buf + 26, f->buf + 30, 4);
	memcpy(f->buf + 30, tmp, 4);
	memcpy(tmp, f->buf + 34, 2);
	memcpy(f->buf + 34, f->buf + 36, 2);
	memcpy(f->buf + 36, tmp, 2);
	f->buf[34 + 13] = flags;
}

/* The SYN fixture, turned around: server to client, with TCP @p flags. */
static enum dnsb_reason run_tcp_reply(struct env *v, uint8_t flags, uint64_t now)
{
	fx_load("tcp53_syn", 0, &v->f);
	turn_around(&v->f, flags);
	dnsb_engine_process(&v->e, v->f.buf, v->f.len, FX_CAP, TO_C, now, &v->res);
	return v->res.reason;
}

static void test_tc_and_tcp(void **st)
{
	struct env *v = *st;

	/* TC made by the bump, then the client's SYN: followed up. */
	run(v, "q4_small", TO_S, 1 * SEC);
	assert_int_equal(run(v, "r4_big", TO_C, 1 * SEC + MS), DNSB_R_TC_SYNTHESIZED);
	assert_int_equal(run(v, "tcp53_syn", TO_S, 1 * SEC + 2 * MS), DNSB_R_PASS_DNS_TCP);
	assert_int_equal(EV(TC_TCP_FOLLOWUP), 1);
	assert_int_equal(EV(TCP53_SYN), 1);
	/* SYN-ACK: the handshake is answered. */
	assert_int_equal(run_tcp_reply(v, DNSB_TCP_SYN | DNSB_TCP_ACK, 1 * SEC + 3 * MS),
			 DNSB_R_PASS_DNS_TCP);
	/* Another TC with no TCP after it; another SYN with no SYN-ACK. */
	run(v, "q4_small", TO_S, 2 * SEC);
	run(v, "r4_big", TO_C, 2 * SEC + MS);
	dnsb_engine_tick(&v->e, 3 * SEC, 0);
	assert_int_equal(EV(TC_NO_TCP_FOLLOWUP), 0);
	dnsb_engine_tick(&v->e, 5 * SEC, 0);
	assert_int_equal(EV(TC_NO_TCP_FOLLOWUP), 1);
	assert_int_equal(EV(TCP53_SYN_UNANSWERED), 0);
	run(v, "tcp53_syn", TO_S, 6 * SEC);
	dnsb_engine_tick(&v->e, 9 * SEC, 0);
	assert_int_equal(EV(TCP53_SYN), 2);
	assert_int_equal(EV(TCP53_SYN_UNANSWERED), 1);
	/* A reset from the server side. */
	run(v, "tcp53_syn", TO_S, 10 * SEC);
	run_tcp_reply(v, DNSB_TCP_RST | DNSB_TCP_ACK, 10 * SEC + MS);
	assert_int_equal(EV(TCP53_RESET), 1);
	dnsb_engine_tick(&v->e, 20 * SEC, 0);
	assert_int_equal(EV(TCP53_SYN_UNANSWERED), 1);
	/* A server's TC=1 forwarded counts as forwarded, not synthesized. */
	fx_load("r4_small", 0, &v->f);
	v->f.buf[42 + 2] |= 0x02;
	dnsb_engine_process(&v->e, v->f.buf, v->f.len, FX_CAP, TO_C, 30 * SEC, &v->res);
	assert_int_equal(EV(TC_FORWARDED), 1);
}

/* Port 53 on both ends (server to server): the SYN-ACK still answers the SYN. */
static void test_tcp53_both_ports(void **st)
{
	struct env *v = *st;

	fx_load("tcp53_syn", 0, &v->f);
	dnsb_put16(v->f.buf + 34, 53);
	dnsb_engine_process(&v->e, v->f.buf, v->f.len, FX_CAP, TO_S, 1 * SEC, &v->res);
	assert_int_equal(EV(TCP53_SYN), 1);
	turn_around(&v->f, DNSB_TCP_SYN | DNSB_TCP_ACK);
	dnsb_engine_process(&v->e, v->f.buf, v->f.len, FX_CAP, TO_C, 1 * SEC + MS, &v->res);
	dnsb_engine_tick(&v->e, 9 * SEC, 0);
	assert_int_equal(EV(TCP53_SYN_UNANSWERED), 0);
}

/* Frame @p idx of tcp53_queries (client to server, DNS over TCP). */
static enum dnsb_reason run_tcp_query(struct env *v, unsigned idx, uint64_t now)
{
	fx_load("tcp53_queries", idx, &v->f);
	dnsb_engine_process(&v->e, v->f.buf, v->f.len, FX_CAP, TO_S, now, &v->res);
	return v->res.reason;
}

/* A TC answer made by the bump for a query from client port @p cport. */
static void tc_answer(struct env *v, int cport, uint64_t now)
{
	run_edit(v, "q4_small", TO_S, now, -1, cport);
	assert_int_equal(run_edit(v, "r4_big", TO_C, now + MS, -1, cport), DNSB_R_TC_SYNTHESIZED);
}

/* A client that keeps its TCP connection (RFC 7766: reuse, pipelining)
 * follows up TC answers with queries on it, not with new SYNs. */
static void test_tc_followup_reused_connection(void **st)
{
	struct env *v = *st;

	/* Data with no TC before it: nothing to follow up. */
	assert_int_equal(run_tcp_query(v, 2, SEC / 2), DNSB_R_PASS_DNS_TCP);
	assert_int_equal(EV(TC_TCP_FOLLOWUP), 0);
	tc_answer(v, 41000, 1 * SEC);
	tc_answer(v, 41001, 1 * SEC + 10 * MS);
	/* A new connection stands for one; its SYN sent again is the same attempt. */
	run(v, "tcp53_syn", TO_S, 1 * SEC + 20 * MS);
	run(v, "tcp53_syn", TO_S, 2 * SEC + 20 * MS);
	assert_int_equal(EV(TCP53_SYN), 1);
	assert_int_equal(EV(TC_TCP_FOLLOWUP), 1);
	/* Its first query is the one the SYN stood for. */
	assert_int_equal(run_tcp_query(v, 0, 2 * SEC + 30 * MS), DNSB_R_PASS_DNS_TCP);
	assert_int_equal(EV(TC_TCP_FOLLOWUP), 1);
	/* A query on a connection open from before: the second. */
	run_tcp_query(v, 2, 2 * SEC + 40 * MS);
	assert_int_equal(EV(TC_TCP_FOLLOWUP), 2);
	/* Two TC answers, then two queries pipelined in one segment on the
	 * connection now past its first query. */
	tc_answer(v, 41002, 3 * SEC);
	tc_answer(v, 41003, 3 * SEC + 10 * MS);
	run_tcp_query(v, 1, 3 * SEC + 20 * MS);
	assert_int_equal(EV(TC_TCP_FOLLOWUP), 4);
	/* More queries than TC answers count no further. */
	tc_answer(v, 41004, 4 * SEC);
	run_tcp_query(v, 1, 4 * SEC + 20 * MS);
	assert_int_equal(EV(TC_TCP_FOLLOWUP), 5);
	/* And one left without TCP after it ages out as not followed up. */
	tc_answer(v, 41005, 5 * SEC);
	dnsb_engine_tick(&v->e, 8 * SEC, 0);
	assert_int_equal(EV(TC_NO_TCP_FOLLOWUP), 1);
	assert_int_equal(EV(TC_TCP_FOLLOWUP), 5);
}

static void test_flows(void **st)
{
	struct env *v = *st;
	for (int port = 0; port < 10; port++)
		run_edit(v, "q4_do", TO_S, 1 * SEC, 100 + port, 20000 + port);
	/* An answer refreshes its flow, adds none. The gauges are as of the
	 * last tick (the worker's come every drain_us). */
	run_edit(v, "r4_small", TO_C, 1 * SEC + MS, 100, 20000);
	dnsb_engine_tick(&v->e, 1 * SEC + MS, 0);
	assert_int_equal(dnsb_engine_gauge(&v->e, DNSB_G_UDP_FLOWS_ACTIVE), 10);
	/* One flow again at 20 s: it counts on after the others. */
	dnsb_engine_tick(&v->e, 20 * SEC, 0);
	run_edit(v, "q4_do", TO_S, 20 * SEC, 100, 20003);
	dnsb_engine_tick(&v->e, 20 * SEC, 0);
	assert_int_equal(dnsb_engine_gauge(&v->e, DNSB_G_UDP_FLOWS_ACTIVE), 10);
	/* A flow counts for the flow timeout (30 s) after its last packet,
	 * and at most an eighth longer (fcount.h). */
	dnsb_engine_tick(&v->e, 31 * SEC + MS, 0);
	assert_int_equal(dnsb_engine_gauge(&v->e, DNSB_G_UDP_FLOWS_ACTIVE), 10);
	dnsb_engine_tick(&v->e, 35 * SEC, 0);
	assert_int_equal(dnsb_engine_gauge(&v->e, DNSB_G_UDP_FLOWS_ACTIVE), 1);
	dnsb_engine_tick(&v->e, 54 * SEC, 0);
	assert_int_equal(dnsb_engine_gauge(&v->e, DNSB_G_UDP_FLOWS_ACTIVE), 0);
	assert_int_equal(dnsb_engine_gauge(&v->e, DNSB_G_UDP_FLOWS_PEAK), 10);
}

/* A v4 answer from client port @p cport in two passes, its look filled
 * with junk first: what the first pass leaves unset is not read. */
static enum dnsb_reason run_answer_junk_look(struct env *v, const char *fx, uint64_t now,
					    int cport)
{
	struct dnsb_look lk;
	memset(&lk, 0xa5, sizeof(lk));
	fx_load(fx, 0, &v->f);
	dnsb_put16(v->f.buf + 36, (uint16_t)cport);
	dnsb_engine_look(&v->e, v->f.buf, v->f.len, TO_C, &v->res, &lk);
	dnsb_engine_finish(&v->e, v->f.buf, TO_C, now, &v->res, &lk);
	return v->res.reason;
}

/* dns.track: the same story under each choice of what is tracked. What
 * is not tracked keeps no entries and counts nothing; the repairs and the
 * TC follow-up work without it, answers then judged by the path limit
 * alone. */
static void test_tracking(void **st)
{
	(void)st;
	const uint8_t *untrack = dnsb_untrack_choices;
	for (unsigned i = 0; i < DNSB_UNTRACK_CHOICES; i++) {
		void *vs;
		setup_track(&vs, 1024, untrack[i]);
		struct env *v = vs;
		unsigned track = DNSB_TRACK_ALL & ~untrack[i];
		int queries = !!(track & DNSB_TRACK_QUERIES), retries = !!(track & DNSB_TRACK_RETRIES),
		    flows = !!(track & DNSB_TRACK_FLOWS);
		assert_int_equal(v->e.track, track);
		v->pol.path_limit = 1232;

		/* Answered, then asked again (another ID and port). */
		assert_int_equal(run(v, "q4_do", TO_S, 1 * SEC), DNSB_R_EDNS_CLAMPED);
		assert_int_equal(run(v, "r4_small", TO_C, 1 * SEC + MS / 2), DNSB_R_PASS_RESPONSE);
		run_edit(v, "q4_do", TO_S, 1 * SEC + 500 * MS, 0x4321, 41000);
		/* A client of 1200 and an answer of 1.9 kB: TC=1 under the
		 * client's size, or under the path limit without it. */
		run_edit(v, "q4_small", TO_S, 2 * SEC, -1, 41001);
		assert_int_equal(run_answer_junk_look(v, "r4_big", 2 * SEC + MS / 2, 41001),
				 DNSB_R_TC_SYNTHESIZED);
		assert_int_equal(v->res.limit, queries ? 1200 : 1232);
		/* The client's TCP after the TC answer. */
		assert_int_equal(run(v, "tcp53_syn", TO_S, 2 * SEC + MS), DNSB_R_PASS_DNS_TCP);

		assert_int_equal(EV(QUERIES), 3);
		assert_int_equal(EV(RESPONSES), 2);
		assert_int_equal(EV(TC_TCP_FOLLOWUP), 1);
		assert_int_equal(EV(RESPONSES_UNMATCHED), 0);
		assert_int_equal(EV(LATENCY_LE1MS), queries ? 2 : 0);
		assert_int_equal(EV(RESPONSE_SIZE_NODO_GT1500), queries);
		assert_int_equal(EV(CLIENT_RETRY_AFTER_ANSWER), retries);
		/* The third query asks the same while the second waits. */
		assert_int_equal(EV(CLIENT_RETRY_UNANSWERED), retries);
		assert_int_equal(dnsb_engine_gauge(&v->e, DNSB_G_QUERIES_OUTSTANDING), queries);
		dnsb_engine_tick(&v->e, 2 * SEC + MS, 0);
		assert_int_equal(dnsb_engine_gauge(&v->e, DNSB_G_UDP_FLOWS_ACTIVE), 3 * flows);
		dnsb_engine_tick(&v->e, 10 * SEC, 0);
		assert_int_equal(EV(UNANSWERED_DO), queries);
		/* An answer to no query seen: unmatched only where queries are
		 * tracked. */
		run_edit(v, "r4_small", TO_C, 11 * SEC, 0x7777, -1);
		assert_int_equal(EV(RESPONSES_UNMATCHED), queries);
		assert_int_equal(v->e.t[DNSB_T_QUERIES].peak, queries ? 2 : 0);
		assert_int_equal(v->e.t[DNSB_T_QUESTIONS].peak, retries); /* one question */
		assert_int_equal(dnsb_engine_gauge(&v->e, DNSB_G_UDP_FLOWS_PEAK), flows ? 3 : 0);
		teardown(&vs);
	}
}

/* The names dns.track, the tools and the reports use. */
static void test_track_names(void **st)
{
	(void)st;
	char buf[32];
	assert_int_equal(dnsb_track_bit("queries"), DNSB_TRACK_QUERIES);
	assert_int_equal(dnsb_track_bit("retries"), DNSB_TRACK_RETRIES);
	assert_int_equal(dnsb_track_bit("flows"), DNSB_TRACK_FLOWS);
	assert_int_equal(dnsb_track_bit("Queries"), 0);
	assert_int_equal(dnsb_track_bit(""), 0);
	assert_string_equal(dnsb_track_name(DNSB_TRACK_FLOWS), "flows");
	assert_null(dnsb_track_name(DNSB_TRACK_ALL));
	assert_string_equal(dnsb_track_list(DNSB_TRACK_ALL, buf, sizeof(buf)),
			    "queries retries flows");
	assert_string_equal(dnsb_track_list(DNSB_TRACK_QUERIES | DNSB_TRACK_FLOWS, buf, sizeof(buf)),
			    "queries flows");
	assert_string_equal(dnsb_track_list(0, buf, sizeof(buf)), "nothing");
	/* Cut short, never past the buffer. */
	assert_string_equal(dnsb_track_list(DNSB_TRACK_ALL, buf, 10), "queries r");
}

static void test_table_full_fails_open(void **st)
{
	struct env *v = *st; /* 8 slots per table */
	for (int id = 0; id < 9; id++)
		run_edit(v, "q4_do", TO_S, 1 * SEC, id, -1);
	assert_int_equal(EV(FLOW_TABLE_FULL), 1);
	assert_int_equal(v->e.t[DNSB_T_QUERIES].live, 8);
	/* Every query still clamped and forwarded: nothing stalls. */
	assert_int_equal(v->e.reasons[DNSB_R_EDNS_CLAMPED], 9);
	/* Same question, same client, new IDs: counted as retries. */
	assert_int_equal(EV(CLIENT_RETRY_UNANSWERED), 8);
	/* Once stale, the slots are reused; the stale ones are counted. */
	run_edit(v, "q4_do", TO_S, 5 * SEC, 100, -1);
	assert_int_equal(EV(FLOW_TABLE_FULL), 1);
	assert_true(EV(UNANSWERED_DO) >= 1);
	dnsb_engine_tick(&v->e, 5 * SEC, 0);
	assert_int_equal(EV(UNANSWERED_DO), 8);
	assert_int_equal(v->e.t[DNSB_T_QUERIES].live, 1);
}

static void test_bad_table_size(void **st)
{
	(void)st;
	struct dnsb_engine e;
	struct dnsb_policy pol;
	static uint8_t mem[DNSB_T__END * 8 * sizeof(struct dnsb_fentry) +
			   (DNSB_FC_RING + 1) * DNSB_FC_M];
	struct dnsb_engine_cfg c = { 6, SEC, SEC, 1, 0, { 0, 0, 0, 0 }, 0 };
	dnsb_policy_default(&pol);
	assert_int_equal(dnsb_engine_init(&e, &pol, mem, &c), -1);
	c.slots = 8;
	assert_int_equal(dnsb_engine_init(&e, &pol, mem, &c), 0);
	/* Retries are tracked only with queries (a match ends their wait):
	 * every other choice is one of dnsb_untrack_choices. */
	for (unsigned u = 0; u <= DNSB_TRACK_ALL; u++) {
		int listed = 0;
		for (unsigned i = 0; i < DNSB_UNTRACK_CHOICES; i++)
			listed |= dnsb_untrack_choices[i] == u;
		c.untrack = (uint8_t)u;
		assert_int_equal(dnsb_engine_init(&e, &pol, mem, &c), listed ? 0 : -1);
	}
	c.untrack = DNSB_TRACK_QUERIES;
	assert_int_equal(dnsb_engine_init(&e, &pol, mem, &c), -1);
	c.untrack = DNSB_TRACK_QUERIES | DNSB_TRACK_RETRIES;
	assert_int_equal(dnsb_engine_init(&e, &pol, mem, &c), 0);
	/* A table not tracked takes one slot, the flow count nothing. */
	assert_int_equal(dnsb_engine_mem(&c), (2 * 8 + 2) * sizeof(struct dnsb_fentry) + dnsb_fc_mem());
	assert_non_null(e.fc.reg);
	assert_int_equal(e.t[DNSB_T_QUERIES].mask, 0);
	c.untrack = DNSB_TRACK_ALL;
	assert_int_equal(dnsb_engine_mem(&c), (2 * 8 + 2) * sizeof(struct dnsb_fentry));
	assert_int_equal(dnsb_engine_init(&e, &pol, mem, &c), 0);
	assert_null(e.fc.reg);
}

static void test_wrong_direction_not_tracked(void **st)
{
	struct env *v = *st;
	assert_int_equal(run(v, "q4_do", TO_C, SEC), DNSB_R_PASS_WRONG_DIRECTION);
	assert_int_equal(EV(QUERIES), 0);
	assert_int_equal(v->e.t[DNSB_T_QUERIES].live, 0);
}

static void test_mss_clamp(void **st)
{
	(void)st;
	static struct fx f, orig;
	struct dnsb_pkt p, p2;

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
		cmocka_unit_test_setup_teardown(test_unanswered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_budgeted_sweep, setup, teardown),
		cmocka_unit_test_setup_teardown(test_paced_tick, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_passes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_question_case, setup, teardown),
		cmocka_unit_test_setup_teardown(test_response_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tc_and_tcp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tc_followup_reused_connection, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp53_both_ports, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flows, setup, teardown),
		cmocka_unit_test(test_tracking),
		cmocka_unit_test(test_track_names),
		cmocka_unit_test_setup_teardown(test_table_full_fails_open, setup_small, teardown),
		cmocka_unit_test(test_bad_table_size),
		cmocka_unit_test_setup_teardown(test_wrong_direction_not_tracked, setup, teardown),
		cmocka_unit_test(test_mss_clamp),
	};
	return cmocka_run_group_tests_name("engine", tests, NULL, NULL);
}
