/* SPDX-License-Identifier: BSD-3-Clause */
/* The entry point: one table of frames, policies and expected outcomes,
 * and a check that the table reaches every reason code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core.h"
#include "events.h"
#include "../../platform/worker_counters.h"
#include "msgbuild.h"
#include "testlib.h"
#include "wire.h"

enum mut {
	M_NONE,
	M_LEN10,          /* frame cut to 10 octets */
	M_IP4_IHL,        /* IHL 4 */
	M_IP4_CKSUM,      /* header checksum flipped */
	M_IP6_VERSION,    /* version nibble 4 in an IPv6 header */
	M_UDP_LEN,        /* UDP length 7 */
	M_TCP_DOFF,       /* TCP data offset 4 */
	M_DNS_SHORT,      /* UDP length leaves 11 DNS octets */
	M_DNS_ANCOUNT,    /* ANCOUNT 0xffff */
	M_DNS_LABEL,      /* first label type 01 */
	M_DNS_CUT,        /* UDP length one short: OPT cut */
};

enum built {
	B_NONE,
	B_LONG_NAME,
	B_POINTER_FWD,
	B_POINTER_LOOP,
	B_OPT_TWICE,
	B_OPT_OWNER,
	B_OPT_IN_ANSWER,
	B_OPT_OPTIONS,
};

struct pol_mod {
	int oversize;    /* -1 keep */
	int edns_max;    /* -1 keep */
	int edns_floor;  /* -1 keep */
	int path_limit;  /* -1 keep */
	int tcp_mss;     /* 0 keep (off) */
	int emu;         /* one of the EMU_* settings below, 0 none */
};

enum { EMU_NONE, EMU_FRAG_NONFIRST, EMU_FRAG_ALL, EMU_LARGE, EMU_TCP_DROP, EMU_TCP_RESET,
       EMU_STRIP_Q, EMU_STRIP_A, EMU_CLEAR_DO, EMU_DROP_DO };

struct tcase {
	const char *fx;
	enum built built;
	enum mut mut;
	enum dnsb_dir dir;
	struct pol_mod pol;
	int hint_size;  /* 0: no hint */
	int hint_do;
	enum dnsb_verdict verdict;
	enum dnsb_reason reason;
};

#define KEEP { -1, -1, -1, -1, 0, 0 }
#define EMU(x) { -1, -1, -1, -1, 0, x }
#define TO_S DNSB_DIR_TO_SERVER
#define TO_C DNSB_DIR_TO_CLIENT
#define UNK DNSB_DIR_UNKNOWN

static const struct tcase cases[] = {
	/* not ours */
	{ "arp", 0, M_NONE, TO_S, KEEP, 0, 0, DNSB_V_PASS, DNSB_R_PASS_NON_IP },
	{ "q4_3tags", 0, M_NONE, TO_S, KEEP, 0, 0, DNSB_V_PASS, DNSB_R_PASS_L2_UNSUPPORTED },
	{ "udp_other", 0, M_NONE, TO_S, KEEP, 0, 0, DNSB_V_PASS, DNSB_R_PASS_NON_DNS },
	{ "icmp4", 0, M_NONE, TO_S, KEEP, 0, 0, DNSB_V_PASS, DNSB_R_PASS_NON_DNS },
	{ "tcp6_other", 0, M_NONE, TO_S, KEEP, 0, 0, DNSB_V_PASS, DNSB_R_PASS_NON_DNS },
	{ "frag4_first", 0, M_NONE, TO_C, KEEP, 0, 0, DNSB_V_PASS, DNSB_R_PASS_FRAGMENT },
	{ "frag4_later", 0, M_NONE, TO_C, KEEP, 0, 0, DNSB_V_PASS, DNSB_R_PASS_FRAGMENT },
	{ "frag6_first", 0, M_NONE, TO_C, KEEP, 0, 0, DNSB_V_PASS, DNSB_R_PASS_FRAGMENT },
	{ "frag6_later", 0, M_NONE, TO_C, KEEP, 0, 0, DNSB_V_PASS, DNSB_R_PASS_FRAGMENT },
	{ "tcp53_syn", 0, M_NONE, TO_S, KEEP, 0, 0, DNSB_V_PASS, DNSB_R_PASS_DNS_TCP },
	{ "tcp53_syn", 0, M_NONE, TO_S, { -1, -1, -1, -1, 1220, 0 }, 0, 0, DNSB_V_MODIFIED,
	  DNSB_R_TCP_MSS_CLAMPED },
	{ "tcp53_syn", 0, M_NONE, TO_S, { -1, -1, -1, -1, 1460, 0 }, 0, 0, DNSB_V_PASS,
	  DNSB_R_PASS_DNS_TCP },
	/* queries */
	{ "q4_do", 0, M_NONE, TO_S, KEEP, 0, 0, DNSB_V_MODIFIED, DNSB_R_EDNS_CLAMPED },
	{ "q4_do", 0, M_NONE, UNK, KEEP, 0, 0, DNSB_V_MODIFIED, DNSB_R_EDNS_CLAMPED },
	{ "q6_ext", 0, M_NONE, TO_S, KEEP, 0, 0, DNSB_V_MODIFIED, DNSB_R_EDNS_CLAMPED },
	{ "q4_qinq", 0, M_NONE, TO_S, KEEP, 0, 0, DNSB_V_MODIFIED, DNSB_R_EDNS_CLAMPED },
	{ "q6_atomic", 0, M_NONE, TO_S, KEEP, 0, 0, DNSB_V_MODIFIED, DNSB_R_EDNS_CLAMPED },
	{ "q4_do", 0, M_NONE, TO_S, { -1, 0, -1, -1, 0, 0 }, 0, 0, DNSB_V_PASS, DNSB_R_PASS_QUERY },
	{ "q4_do", 0, M_NONE, TO_C, KEEP, 0, 0, DNSB_V_PASS, DNSB_R_PASS_WRONG_DIRECTION },
	{ "q4_small", 0, M_NONE, TO_S, KEEP, 0, 0, DNSB_V_PASS, DNSB_R_PASS_QUERY },
	{ "q4_small", 0, M_NONE, TO_S, { -1, -1, 1232, -1, 0, 0 }, 0, 0, DNSB_V_MODIFIED,
	  DNSB_R_EDNS_RAISED },
	{ "q4_noedns", 0, M_NONE, TO_S, { -1, -1, 1232, -1, 0, 0 }, 0, 0, DNSB_V_PASS,
	  DNSB_R_PASS_QUERY },
	{ "q4_padded", 0, M_NONE, TO_S, KEEP, 0, 0, DNSB_V_PASS, DNSB_R_PASS_QUERY },
	/* responses */
	{ "r4_small", 0, M_NONE, TO_C, KEEP, 1232, 1, DNSB_V_PASS, DNSB_R_PASS_RESPONSE },
	{ "r4_big", 0, M_NONE, TO_C, KEEP, 0, 0, DNSB_V_PASS, DNSB_R_PASS_RESPONSE_UNSIZED },
	{ "r4_big", 0, M_NONE, TO_C, KEEP, 4096, 1, DNSB_V_PASS, DNSB_R_PASS_RESPONSE },
	{ "r4_big", 0, M_NONE, TO_C, KEEP, 1232, 1, DNSB_V_MODIFIED, DNSB_R_TC_SYNTHESIZED },
	{ "r4_big", 0, M_NONE, TO_C, KEEP, 100, 0, DNSB_V_MODIFIED, DNSB_R_TC_SYNTHESIZED },
	{ "r4_big", 0, M_NONE, UNK, { -1, -1, -1, 1232, 0, 0 }, 0, 0, DNSB_V_MODIFIED,
	  DNSB_R_TC_SYNTHESIZED },
	{ "r4_big", 0, M_NONE, TO_C, { -1, -1, -1, 1232, 0, 0 }, 4096, 1, DNSB_V_MODIFIED,
	  DNSB_R_TC_SYNTHESIZED },
	{ "r6_big_ext", 0, M_NONE, TO_C, { -1, -1, -1, 1400, 0, 0 }, 0, 0, DNSB_V_MODIFIED,
	  DNSB_R_TC_SYNTHESIZED },
	{ "r4_big", 0, M_NONE, TO_C, { DNSB_OVERSIZE_PASS, -1, -1, 1232, 0, 0 }, 0, 0, DNSB_V_PASS,
	  DNSB_R_PASS_OVERSIZE },
	{ "r4_big", 0, M_NONE, TO_C, { DNSB_OVERSIZE_DROP, -1, -1, 1232, 0, 0 }, 0, 0, DNSB_V_DROP,
	  DNSB_R_DROP_OVERSIZE },
	{ "r4_big", 0, M_NONE, TO_S, { -1, -1, -1, 1232, 0, 0 }, 0, 0, DNSB_V_PASS,
	  DNSB_R_PASS_WRONG_DIRECTION },
	/* breakage emulation */
	{ "frag4_later", 0, M_NONE, TO_C, EMU(EMU_FRAG_NONFIRST), 0, 0, DNSB_V_DROP,
	  DNSB_R_EMU_DROP_FRAGMENT },
	{ "frag4_first", 0, M_NONE, TO_C, EMU(EMU_FRAG_NONFIRST), 0, 0, DNSB_V_PASS,
	  DNSB_R_PASS_FRAGMENT },
	{ "frag6_first", 0, M_NONE, TO_C, EMU(EMU_FRAG_ALL), 0, 0, DNSB_V_DROP,
	  DNSB_R_EMU_DROP_FRAGMENT },
	{ "frag4_first", 0, M_NONE, TO_C, EMU(EMU_LARGE), 0, 0, DNSB_V_DROP, DNSB_R_EMU_DROP_LARGE },
	{ "r4_big", 0, M_NONE, TO_C, EMU(EMU_LARGE), 0, 0, DNSB_V_DROP, DNSB_R_EMU_DROP_LARGE },
	{ "r4_small", 0, M_NONE, TO_C, EMU(EMU_LARGE), 1232, 0, DNSB_V_PASS, DNSB_R_PASS_RESPONSE },
	{ "tcp53_syn", 0, M_NONE, TO_S, EMU(EMU_TCP_DROP), 0, 0, DNSB_V_DROP, DNSB_R_EMU_DROP_TCP53 },
	{ "tcp53_syn", 0, M_NONE, TO_S, EMU(EMU_TCP_RESET), 0, 0, DNSB_V_REPLY,
	  DNSB_R_EMU_RESET_TCP53 },
	{ "q4_do", 0, M_NONE, TO_S, EMU(EMU_STRIP_Q), 0, 0, DNSB_V_MODIFIED, DNSB_R_EMU_STRIP_OPT },
	{ "r4_big", 0, M_NONE, TO_C, EMU(EMU_STRIP_A), 0, 0, DNSB_V_MODIFIED, DNSB_R_EMU_STRIP_OPT },
	{ "q6_do", 0, M_NONE, TO_S, EMU(EMU_CLEAR_DO), 0, 0, DNSB_V_MODIFIED, DNSB_R_EMU_CLEAR_DO },
	{ "q4_small", 0, M_NONE, TO_S, EMU(EMU_CLEAR_DO), 0, 0, DNSB_V_PASS, DNSB_R_PASS_QUERY },
	{ "r6_big", 0, M_NONE, TO_C, EMU(EMU_DROP_DO), 0, 0, DNSB_V_DROP, DNSB_R_EMU_DROP_DO_ANSWER },
	{ "r4_big_nodo", 0, M_NONE, TO_C, EMU(EMU_DROP_DO), 0, 0, DNSB_V_PASS,
	  DNSB_R_PASS_RESPONSE_UNSIZED },
	/* malformed: forwarded unmodified */
	{ "q4_do", 0, M_LEN10, TO_S, KEEP, 0, 0, DNSB_V_PASS, DNSB_R_BAD_L2 },
	{ "q4_do", 0, M_IP4_IHL, TO_S, KEEP, 0, 0, DNSB_V_PASS, DNSB_R_BAD_IP4_HEADER },
	{ "q4_do", 0, M_IP4_CKSUM, TO_S, KEEP, 0, 0, DNSB_V_PASS, DNSB_R_BAD_IP4_CHECKSUM },
	{ "q6_do", 0, M_IP6_VERSION, TO_S, KEEP, 0, 0, DNSB_V_PASS, DNSB_R_BAD_IP6_HEADER },
	{ "q6_ext_too_many", 0, M_NONE, TO_S, KEEP, 0, 0, DNSB_V_PASS, DNSB_R_BAD_IP6_EXT },
	{ "q4_do", 0, M_UDP_LEN, TO_S, KEEP, 0, 0, DNSB_V_PASS, DNSB_R_BAD_UDP_HEADER },
	{ "tcp53_syn", 0, M_TCP_DOFF, TO_S, KEEP, 0, 0, DNSB_V_PASS, DNSB_R_BAD_TCP_HEADER },
	{ "q4_do", 0, M_DNS_SHORT, TO_S, KEEP, 0, 0, DNSB_V_PASS, DNSB_R_BAD_DNS_HEADER },
	{ "q4_do", 0, M_DNS_ANCOUNT, TO_S, KEEP, 0, 0, DNSB_V_PASS, DNSB_R_BAD_DNS_COUNTS },
	{ "q4_do", 0, M_DNS_LABEL, TO_S, KEEP, 0, 0, DNSB_V_PASS, DNSB_R_BAD_DNS_LABEL },
	{ "q4_do", 0, M_DNS_CUT, TO_S, KEEP, 0, 0, DNSB_V_PASS, DNSB_R_BAD_DNS_TRUNCATED },
	{ NULL, B_LONG_NAME, M_NONE, TO_S, KEEP, 0, 0, DNSB_V_PASS, DNSB_R_BAD_DNS_NAME_LONG },
	{ NULL, B_POINTER_FWD, M_NONE, TO_C, KEEP, 0, 0, DNSB_V_PASS, DNSB_R_BAD_DNS_POINTER },
	{ NULL, B_POINTER_LOOP, M_NONE, TO_C, KEEP, 0, 0, DNSB_V_PASS,
	  DNSB_R_BAD_DNS_POINTER_LOOP },
	{ NULL, B_OPT_TWICE, M_NONE, TO_S, KEEP, 0, 0, DNSB_V_PASS, DNSB_R_BAD_DNS_OPT_MULTIPLE },
	{ NULL, B_OPT_OWNER, M_NONE, TO_S, KEEP, 0, 0, DNSB_V_PASS, DNSB_R_BAD_DNS_OPT_OWNER },
	{ NULL, B_OPT_IN_ANSWER, M_NONE, TO_C, KEEP, 0, 0, DNSB_V_PASS,
	  DNSB_R_BAD_DNS_OPT_SECTION },
	{ NULL, B_OPT_OPTIONS, M_NONE, TO_S, KEEP, 0, 0, DNSB_V_PASS,
	  DNSB_R_BAD_DNS_OPT_OPTIONS },
};

static void build(enum built b, struct fx *f)
{
	struct msg m;
	int resp = 0;

	switch (b) {
	case B_LONG_NAME:
		mb_header(&m, 0, 1, 0, 0, 0);
		mb_long_question(&m);
		break;
	case B_POINTER_FWD:
		mb_header(&m, 0x8000, 1, 1, 0, 0);
		mb_question(&m);
		mb_put16(&m, 0xc000 | 40);
		mb_rr_tail(&m, 1, 1, 0, 0);
		resp = 1;
		break;
	case B_POINTER_LOOP:
		mb_pointer_chain(&m, DNSB_DNS_MAX_HOPS + 4);
		resp = 1;
		break;
	case B_OPT_TWICE:
		mb_header(&m, 0, 1, 0, 0, 2);
		mb_question(&m);
		mb_opt(&m, 4096, 0x8000);
		mb_opt(&m, 4096, 0x8000);
		break;
	case B_OPT_OWNER:
		mb_header(&m, 0, 1, 0, 0, 1);
		mb_question(&m);
		mb_put(&m, "\1a\0", 3);
		mb_rr_tail(&m, 41, 4096, 0, 0);
		break;
	case B_OPT_IN_ANSWER:
		mb_header(&m, 0x8000, 1, 1, 0, 0);
		mb_question(&m);
		mb_opt(&m, 4096, 0);
		resp = 1;
		break;
	case B_OPT_OPTIONS:
		mb_header(&m, 0, 1, 0, 0, 1);
		mb_question(&m);
		mb_put8(&m, 0);
		mb_rr_tail(&m, 41, 4096, 0, 3);
		mb_put(&m, "\0\x0a\0", 3);
		break;
	default:
		fail();
	}
	mb_frame4(&m, resp, f);
}

static void mutate(enum mut mu, struct fx *f)
{
	const uint32_t ip = 14, udp = 34;

	switch (mu) {
	case M_NONE:
		break;
	case M_LEN10:
		f->len = 10;
		break;
	case M_IP4_IHL:
		f->buf[ip] = 0x44;
		break;
	case M_IP4_CKSUM:
		f->buf[ip + 11] ^= 0xa5;
		break;
	case M_IP6_VERSION:
		f->buf[ip] = (uint8_t)(0x40 | (f->buf[ip] & 0x0f));
		break;
	case M_UDP_LEN:
		dnsb_put16(f->buf + udp + 4, 7);
		break;
	case M_TCP_DOFF:
		f->buf[udp + 12] = 0x40;
		break;
	case M_DNS_SHORT:
		dnsb_put16(f->buf + udp + 4, 8 + 11);
		break;
	case M_DNS_ANCOUNT:
		dnsb_put16(f->buf + udp + 8 + 6, 0xffff);
		break;
	case M_DNS_LABEL:
		f->buf[udp + 8 + 12] = 0x43;
		break;
	case M_DNS_CUT:
		dnsb_put16(f->buf + udp + 4, (uint16_t)(dnsb_get16(f->buf + udp + 4) - 1));
		break;
	}
}

static void policy_for(const struct pol_mod *m, struct dnsb_policy *pol)
{
	dnsb_policy_default(pol);
	if (m->oversize >= 0)
		pol->oversize = (uint8_t)m->oversize;
	if (m->edns_max >= 0)
		pol->edns_max = (uint16_t)m->edns_max;
	if (m->edns_floor >= 0)
		pol->edns_floor = (uint16_t)m->edns_floor;
	if (m->path_limit >= 0)
		pol->path_limit = (uint16_t)m->path_limit;
	pol->tcp_mss = (uint16_t)m->tcp_mss;
	switch (m->emu) {
	case EMU_FRAG_NONFIRST: pol->emu_frag = DNSB_EMU_FRAG_NON_FIRST; break;
	case EMU_FRAG_ALL: pol->emu_frag = DNSB_EMU_FRAG_ALL; break;
	case EMU_LARGE: pol->emu_drop_larger = 1232; break;
	case EMU_TCP_DROP: pol->emu_tcp53 = DNSB_EMU_TCP53_DROP; break;
	case EMU_TCP_RESET: pol->emu_tcp53 = DNSB_EMU_TCP53_RESET; break;
	case EMU_STRIP_Q: pol->emu_strip_opt = DNSB_EMU_STRIP_QUERIES; break;
	case EMU_STRIP_A: pol->emu_strip_opt = DNSB_EMU_STRIP_ANSWERS; break;
	case EMU_CLEAR_DO: pol->emu_clear_do = 1; break;
	case EMU_DROP_DO: pol->emu_drop_do_answers = 1; break;
	default: break;
	}
}

static void run_case(const struct tcase *c, struct fx *f, struct dnsb_result *res)
{
	struct dnsb_policy pol;
	struct dnsb_query_hint hint = { (uint16_t)c->hint_size, (uint8_t)c->hint_do };

	if (c->fx)
		fx_load(c->fx, 0, f);
	else
		build(c->built, f);
	mutate(c->mut, f);
	policy_for(&c->pol, &pol);
	dnsb_process(f->buf, f->len, FX_CAP, c->dir, 1000, &pol, c->hint_size ? &hint : NULL, res);
}

static void test_table(void **st)
{
	(void)st;
	static struct fx f, orig;
	struct dnsb_result res;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct tcase *c = &cases[i];
		run_case(c, &f, &res);
		if (res.verdict != c->verdict || res.reason != c->reason)
			fail_msg("case %zu (%s): got %d/%s, want %d/%s", i, c->fx ? c->fx : "built",
				 res.verdict, dnsb_reason_name(res.reason), c->verdict,
				 dnsb_reason_name(c->reason));
		/* Pass means bit-exact: run again on a copy and compare. */
		if (res.verdict == DNSB_V_PASS) {
			orig = f;
			run_case(c, &f, &res);
			assert_int_equal(res.len, orig.len);
			assert_memory_equal(f.buf, orig.buf, orig.len);
		}
		if (res.verdict == DNSB_V_MODIFIED)
			assert_true(res.len <= f.len && res.len > 0);
		if (dnsb_reason_is_malformed(c->reason))
			assert_int_equal(res.verdict, DNSB_V_PASS);
	}
}

/* Every reason in the list is reached by at least one row above. */
static void test_every_reason_reached(void **st)
{
	(void)st;
	int seen[DNSB_R__END] = { 0 };
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		seen[cases[i].reason] = 1;
	/* Outcomes of the engine's fragment policies, which need reassembly
	 * state: each is asserted in test_frag_policy.c. */
	seen[DNSB_R_FRAG_HELD] = seen[DNSB_R_FRAG_DROP_POLICY] = 1;
	seen[DNSB_R_FRAG_DROP_INVALID] = seen[DNSB_R_FRAG_TC] = 1;
	for (int r = 1; r < DNSB_R__END; r++)
		if (!seen[r])
			fail_msg("reason %s has no test row", dnsb_reason_name((enum dnsb_reason)r));
}

static void test_truncation_details(void **st)
{
	(void)st;
	static struct fx f;
	struct dnsb_result res;
	struct dnsb_policy pol;
	struct dnsb_query_hint hint = { 1232, 0 };

	/* The query's DO (clear) wins over the response's (set). */
	dnsb_policy_default(&pol);
	fx_load("r4_big", 0, &f);
	assert_int_equal(dnsb_process(f.buf, f.len, FX_CAP, TO_C, 0, &pol, &hint, &res),
			 DNSB_V_MODIFIED);
	assert_int_equal(res.limit, 1232);
	struct dnsb_result again;
	dnsb_process(f.buf, res.len, FX_CAP, TO_C, 0, &pol, &hint, &again);
	assert_int_equal(again.reason, DNSB_R_PASS_RESPONSE);
	assert_true(again.dns.flags & DNSB_F_TC);
	assert_false(dnsb_dns_do(&again.dns));
	assert_int_equal(ref_udp_checksum_ok(f.buf, again.pkt.l3_off, again.pkt.l4_off), 1);

	/* The limit is the smaller of the path limit and the client's size. */
	pol.path_limit = 1400;
	hint.client_udp_size = 4096;
	fx_load("r4_big", 0, &f);
	dnsb_process(f.buf, f.len, FX_CAP, TO_C, 0, &pol, &hint, &res);
	assert_int_equal(res.limit, 1400);
	hint.client_udp_size = 0; /* no EDNS: 512 */
	fx_load("r4_big", 0, &f);
	dnsb_process(f.buf, f.len, FX_CAP, TO_C, 0, &pol, &hint, &res);
	assert_int_equal(res.limit, 512);
}

/* Found by fuzz_tc_synth: 36 questions make even the truncated answer
 * larger than the limit; it is forwarded as it is, counted. */
static void test_truncation_cannot_fit(void **st)
{
	(void)st;
	static struct fx f;
	struct msg m;
	struct dnsb_result res;
	struct dnsb_policy pol;
	struct dnsb_query_hint hint = { 512, 0 };

	mb_header(&m, 0x8400, 30, 1, 0, 0);
	for (int i = 0; i < 30; i++)
		mb_question(&m);
	mb_a_rr(&m);
	mb_frame4(&m, 1, &f);
	dnsb_policy_default(&pol);
	dnsb_process(f.buf, f.len, FX_CAP, TO_C, 0, &pol, &hint, &res);
	assert_int_equal(res.reason, DNSB_R_PASS_OVERSIZE);
	assert_int_equal(res.verdict, DNSB_V_PASS);
}

static void test_reason_names(void **st)
{
	(void)st;
	/* Names are unique, lower case, and have help text. */
	for (int a = 1; a < DNSB_R__END; a++) {
		const char *n = dnsb_reason_name((enum dnsb_reason)a);
		assert_true(strlen(n) > 3);
		assert_true(strlen(dnsb_reason_help((enum dnsb_reason)a)) > 10);
		for (const char *c = n; *c; c++)
			assert_true((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_');
		for (int b = a + 1; b < DNSB_R__END; b++)
			assert_string_not_equal(n, dnsb_reason_name((enum dnsb_reason)b));
	}
	assert_string_equal(dnsb_reason_name(DNSB_R__END), "?");
	assert_int_equal(DNSB_REASON_COUNT, DNSB_R__END - 1);
}

/* The worker loop's counters (platform/, a header of names only). */
#define DNSB_X_NAME(e, n, h) n,
static const char *const wc_names[] = { DNSB_WORKER_COUNTER_LIST(DNSB_X_NAME) };
#undef DNSB_X_NAME

/* docs/counters.md documents every counter, and names nothing else. */
static void test_counters_documented(void **st)
{
	(void)st;
	char path[512], line[1024];
	snprintf(path, sizeof(path), "%s/../../docs/counters.md", fx_data_dir());
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	int documented[DNSB_R__END] = { 0 }, ev_documented[DNSB_EV__END] = { 0 };
	int wc_documented[DNSB_WC__END] = { 0 }, g_documented[DNSB_G__END] = { 0 };
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "| `", 3) != 0)
			continue;
		char *end = strchr(line + 3, '`');
		assert_non_null(end);
		*end = 0;
		int found = 0;
		for (int r = 1; r < DNSB_R__END; r++)
			if (!strcmp(line + 3, dnsb_reason_name((enum dnsb_reason)r)))
				documented[r] = found = 1;
		for (int e = 0; e < DNSB_EV__END; e++)
			if (!strcmp(line + 3, dnsb_event_name((enum dnsb_event)e)))
				ev_documented[e] = found = 1;
		for (int w = 0; w < DNSB_WC__END; w++)
			if (!strcmp(line + 3, wc_names[w]))
				wc_documented[w] = found = 1;
		for (int g = 0; g < DNSB_G__END; g++)
			if (!strcmp(line + 3, dnsb_gauge_name((enum dnsb_gauge)g)))
				g_documented[g] = found = 1;
		if (!found)
			fail_msg("docs/counters.md names unknown counter %s", line + 3);
	}
	fclose(f);
	for (int r = 1; r < DNSB_R__END; r++)
		if (!documented[r])
			fail_msg("counter %s is not in docs/counters.md",
				 dnsb_reason_name((enum dnsb_reason)r));
	for (int g = 0; g < DNSB_G__END; g++)
		if (!g_documented[g])
			fail_msg("gauge %s is not in docs/counters.md", dnsb_gauge_name((enum dnsb_gauge)g));
	for (int w = 0; w < DNSB_WC__END; w++)
		if (!wc_documented[w])
			fail_msg("worker counter %s is not in docs/counters.md", wc_names[w]);
	for (int e = 0; e < DNSB_EV__END; e++)
		if (!ev_documented[e])
			fail_msg("event %s is not in docs/counters.md", dnsb_event_name((enum dnsb_event)e));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_every_reason_reached),
		cmocka_unit_test(test_truncation_details),
		cmocka_unit_test(test_truncation_cannot_fit),
		cmocka_unit_test(test_reason_names),
		cmocka_unit_test(test_counters_documented),
	};
	return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
