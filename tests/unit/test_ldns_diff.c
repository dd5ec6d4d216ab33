/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Differential test against ldns, an independent DNS implementation:
 * thousands of varied messages built and encoded by ldns (compressed) are
 * walked by the core and compared field by field with ldns_wire2pkt; the
 * core's rewrites and truncations are parsed back by ldns; then mutated
 * messages check that what ldns rejects the core does not accept silently.
 *
 * The core's contract on malformed input: it validates the header, the
 * question names, every owner name, record framing (TYPE..RDLENGTH and
 * RDATA bounds) and the OPT record. It does not interpret the RDATA of
 * other types. So a message ldns rejects may pass the core only when ldns
 * accepts it once every non-OPT record is given an opaque private-use TYPE:
 * the defect was in RDATA the core does not read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <ldns/ldns.h>

#include "core.h"
#include "msgbuild.h"
#include "testlib.h"
#include "wire.h"

#define N_MESSAGES 12000
#define N_MUTATIONS 20000

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static unsigned rnd(unsigned n)
{
	return (unsigned)(t_rand(&rng) % n);
}

static const char *const label_pool[] = {
	"www", "mail", "a", "b", "ns1", "example", "com", "net", "org", "xn--bcher-kva", "_tcp",
	"sub-domain", "z9",
};

static void rand_name(char *out, size_t cap)
{
	size_t n = 0;
	unsigned labels = 1 + rnd(4);
	out[0] = 0;
	for (unsigned i = 0; i < labels; i++) {
		if (rnd(8) == 0) {
			unsigned l = 1 + rnd(40);
			for (unsigned k = 0; k < l && n + 2 < cap; k++)
				out[n++] = (char)('a' + rnd(26));
			out[n++] = '.';
			out[n] = 0;
		} else {
			n += (size_t)snprintf(out + n, cap - n, "%s.",
					      label_pool[rnd(sizeof(label_pool) / sizeof(label_pool[0]))]);
		}
	}
	if (rnd(2))
		snprintf(out + n, cap - n, "example.com.");
}

static void rand_b64(char *out, size_t cap, unsigned bytes)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = 0;
	/* Whole 3-octet groups only: 4 characters each, no padding needed. */
	for (unsigned i = 0; i + 3 <= bytes && n + 5 < cap; i += 3) {
		uint32_t v = (uint32_t)t_rand(&rng) & 0xffffff;
		for (int k = 3; k >= 0; k--)
			out[n++] = tab[(v >> (6 * k)) & 63];
	}
	out[n] = 0;
}

static ldns_rr *rand_rr(void)
{
	char name[300], target[300], rdata[1024], text[1600], b64[400];
	rand_name(name, sizeof(name));
	rand_name(target, sizeof(target));
	switch (rnd(10)) {
	case 0:
		snprintf(rdata, sizeof(rdata), "A %u.%u.%u.%u", rnd(256), rnd(256), rnd(256), rnd(256));
		break;
	case 1:
		snprintf(rdata, sizeof(rdata), "AAAA 2001:db8::%x", rnd(65536));
		break;
	case 2: {
		unsigned l = 1 + rnd(200);
		char t[256];
		for (unsigned i = 0; i < l; i++)
			t[i] = (char)('a' + rnd(26));
		t[l] = 0;
		snprintf(rdata, sizeof(rdata), "TXT \"%s\"", t);
		break;
	}
	case 3:
		snprintf(rdata, sizeof(rdata), "NS %s", target);
		break;
	case 4:
		snprintf(rdata, sizeof(rdata), "CNAME %s", target);
		break;
	case 5:
		snprintf(rdata, sizeof(rdata), "MX %u %s", rnd(100), target);
		break;
	case 6:
		rand_b64(b64, sizeof(b64), 66);
		snprintf(rdata, sizeof(rdata),
			 "RRSIG A 13 2 300 20301231000000 20201231000000 %u example.com. %s",
			 rnd(65536), b64);
		break;
	case 7:
		rand_b64(b64, sizeof(b64), 66);
		snprintf(rdata, sizeof(rdata), "DNSKEY 257 3 13 %s", b64);
		break;
	case 8:
		snprintf(rdata, sizeof(rdata), "DS %u 13 2 %016llx%016llx%016llx%016llx", rnd(65536),
			 (unsigned long long)t_rand(&rng), (unsigned long long)t_rand(&rng),
			 (unsigned long long)t_rand(&rng), (unsigned long long)t_rand(&rng));
		break;
	default:
		snprintf(rdata, sizeof(rdata), "SOA ns.%s host.example.com. %u 7200 3600 1209600 300",
			 target, rnd(100000));
		break;
	}
	snprintf(text, sizeof(text), "%s %u IN %s", name, rnd(86400), rdata);
	ldns_rr *rr = NULL;
	if (ldns_rr_new_frm_str(&rr, text, 0, NULL, NULL) != LDNS_STATUS_OK)
		fail_msg("ldns could not build: %s", text);
	return rr;
}

static const uint16_t sizes[] = { 1, 100, 511, 512, 1220, 1232, 1233, 1400, 1500, 4096, 65535 };

struct gen {
	int qr, edns, do_bit;
	uint16_t udp_size;
	unsigned n_opts;
};

/* Build a random message with ldns and encode it into @p m. */
static void gen_message(struct msg *m, struct gen *g)
{
	for (;;) {
		ldns_pkt *pkt = ldns_pkt_new();
		char qn[300], qtext[340];
		ldns_rr *q = NULL;

		g->qr = (int)rnd(2);
		ldns_pkt_set_id(pkt, (uint16_t)rnd(65536));
		ldns_pkt_set_qr(pkt, g->qr);
		ldns_pkt_set_aa(pkt, rnd(2));
		ldns_pkt_set_rd(pkt, rnd(2));
		ldns_pkt_set_ra(pkt, rnd(2));
		ldns_pkt_set_ad(pkt, rnd(2));
		ldns_pkt_set_cd(pkt, rnd(2));
		ldns_pkt_set_rcode(pkt, (uint8_t)rnd(6));
		rand_name(qn, sizeof(qn));
		snprintf(qtext, sizeof(qtext), "%s IN %s", qn,
			 (const char *[]){ "A", "AAAA", "TXT", "DNSKEY", "MX", "NS" }[rnd(6)]);
		assert_int_equal(ldns_rr_new_question_frm_str(&q, qtext, NULL, NULL), LDNS_STATUS_OK);
		ldns_pkt_push_rr(pkt, LDNS_SECTION_QUESTION, q);
		if (g->qr) {
			unsigned an = rnd(12), ns = rnd(4), ar = rnd(4);
			for (unsigned i = 0; i < an; i++)
				ldns_pkt_push_rr(pkt, LDNS_SECTION_ANSWER, rand_rr());
			for (unsigned i = 0; i < ns; i++)
				ldns_pkt_push_rr(pkt, LDNS_SECTION_AUTHORITY, rand_rr());
			for (unsigned i = 0; i < ar; i++)
				ldns_pkt_push_rr(pkt, LDNS_SECTION_ADDITIONAL, rand_rr());
		}
		g->edns = rnd(10) < 8;
		g->n_opts = 0;
		g->do_bit = 0;
		g->udp_size = 0;
		if (g->edns) {
			g->udp_size = rnd(4) ? sizes[rnd(sizeof(sizes) / sizeof(sizes[0]))]
					     : (uint16_t)(1 + rnd(65535));
			g->do_bit = (int)rnd(2);
			ldns_pkt_set_edns_udp_size(pkt, g->udp_size);
			ldns_pkt_set_edns_do(pkt, g->do_bit);
			ldns_pkt_set_edns_extended_rcode(pkt, (uint8_t)rnd(3));
			g->n_opts = rnd(4);
			if (g->n_opts) {
				uint8_t raw[200];
				size_t n = 0;
				for (unsigned i = 0; i < g->n_opts; i++) {
					unsigned l = rnd(20);
					dnsb_put16(raw + n, (uint16_t)(1 + rnd(65000)));
					dnsb_put16(raw + n + 2, (uint16_t)l);
					for (unsigned k = 0; k < l; k++)
						raw[n + 4 + k] = (uint8_t)rnd(256);
					n += 4 + l;
				}
				ldns_pkt_set_edns_data(pkt, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_UNKNOWN, n, raw));
			}
		}
		uint8_t *wire = NULL;
		size_t wlen = 0;
		assert_int_equal(ldns_pkt2wire(&wire, pkt, &wlen), LDNS_STATUS_OK);
		ldns_pkt_free(pkt);
		if (wlen <= sizeof(m->b)) {
			memcpy(m->b, wire, wlen);
			m->len = (uint32_t)wlen;
			free(wire);
			return;
		}
		free(wire);
	}
}

static size_t ldns_opt_count(ldns_pkt *p)
{
	ldns_edns_option_list *l = ldns_pkt_edns_get_option_list(p);
	return l ? ldns_edns_option_list_get_count(l) : 0;
}

/* The core and ldns agree on an unmodified message. */
static void compare(const struct msg *m, const struct gen *g, const struct dnsb_dns *d, ldns_pkt *lp)
{
	assert_int_equal(d->id, ldns_pkt_id(lp));
	assert_int_equal(dnsb_dns_is_response(d), ldns_pkt_qr(lp));
	assert_int_equal(d->qdcount, ldns_pkt_qdcount(lp));
	assert_int_equal(d->ancount, ldns_pkt_ancount(lp));
	assert_int_equal(d->nscount, ldns_pkt_nscount(lp));
	/* ldns lifts OPT out of the additional section. */
	assert_int_equal(d->arcount - d->has_opt, ldns_pkt_arcount(lp));
	ldns_rr *q = ldns_rr_list_rr(ldns_pkt_question(lp), 0);
	assert_int_equal(d->qname_len, ldns_rdf_size(ldns_rr_owner(q)));
	assert_int_equal(d->qtype, ldns_rr_get_type(q));
	assert_int_equal(d->qclass, ldns_rr_get_class(q));
	assert_int_equal(d->has_opt, ldns_pkt_edns(lp));
	assert_int_equal(d->has_opt, g->edns);
	if (d->has_opt) {
		assert_int_equal(d->opt_udp_size, ldns_pkt_edns_udp_size(lp));
		assert_int_equal(dnsb_dns_do(d), ldns_pkt_edns_do(lp));
		assert_int_equal(d->opt_ext_rcode, ldns_pkt_edns_extended_rcode(lp));
		assert_int_equal(d->opt_version, ldns_pkt_edns_version(lp));
		assert_int_equal(d->opt_n_options, ldns_opt_count(lp));
		assert_int_equal(d->opt_n_options, g->n_opts);
	}
	uint16_t rrsig = 0;
	ldns_rr_list *an = ldns_pkt_answer(lp);
	for (size_t i = 0; i < ldns_rr_list_rr_count(an); i++)
		rrsig += ldns_rr_get_type(ldns_rr_list_rr(an, i)) == LDNS_RR_TYPE_RRSIG;
	assert_int_equal(d->rrsig_answer, rrsig);
	assert_int_equal(d->msg_end, m->len);
}

static ldns_pkt *ldns_parse_out(const struct fx *f, const struct dnsb_result *res)
{
	ldns_pkt *lp = NULL;
	const uint8_t *pl = f->buf + res->pkt.pl_off;
	uint32_t n = res->len - res->pkt.pl_off;
	if (ldns_wire2pkt(&lp, pl, n) != LDNS_STATUS_OK)
		fail_msg("ldns rejects the core's output");
	return lp;
}

static void test_generated(void **st)
{
	(void)st;
	static struct msg m;
	static struct fx f;
	struct gen g;
	unsigned clamped = 0, truncated = 0, compressed = 0;

	for (unsigned i = 0; i < N_MESSAGES; i++) {
		gen_message(&m, &g);
		compressed += memchr(m.b + 12, 0xc0, m.len - 12) != NULL;
		struct dnsb_dns d;
		ldns_pkt *lp = NULL;
		assert_int_equal(ldns_wire2pkt(&lp, m.b, m.len), LDNS_STATUS_OK);
		enum dnsb_reason r = dnsb_dns_parse(m.b, m.len, &d);
		if (r != DNSB_R_OK)
			fail_msg("message %u: core says %s, ldns accepts", i, dnsb_reason_name(r));
		compare(&m, &g, &d, lp);

		/* Through the entry point: clamp queries, truncate responses. */
		struct dnsb_policy pol;
		struct dnsb_result res;
		struct dnsb_query_hint hint = { 512, (uint8_t)rnd(2) };
		dnsb_policy_default(&pol);
		mb_frame4(&m, g.qr, &f);
		dnsb_process(f.buf, f.len, FX_CAP, g.qr ? DNSB_DIR_TO_CLIENT : DNSB_DIR_TO_SERVER, 0,
			     &pol, g.qr ? &hint : NULL, &res);
		assert_false(dnsb_reason_is_malformed(res.reason));
		assert_true(res.len <= FX_CAP);
		ldns_pkt *out = ldns_parse_out(&f, &res);
		assert_true(ref_udp_checksum_ok(f.buf, 14, 34) == 1);
		assert_true(ref_ip4_checksum_ok(f.buf, 14));
		assert_int_equal(ldns_pkt_id(out), ldns_pkt_id(lp));
		assert_int_equal(ldns_pkt_qdcount(out), 1);
		assert_int_equal(ldns_dname_compare(ldns_rr_owner(ldns_rr_list_rr(ldns_pkt_question(out), 0)),
						    ldns_rr_owner(ldns_rr_list_rr(ldns_pkt_question(lp), 0))),
				 0);
		if (res.reason == DNSB_R_EDNS_CLAMPED) {
			clamped++;
			assert_true(g.udp_size > 1232);
			assert_int_equal(ldns_pkt_edns_udp_size(out), 1232);
			assert_int_equal(ldns_pkt_edns_do(out), g.do_bit);
			assert_int_equal(ldns_opt_count(out), g.n_opts);
		} else if (!g.qr) {
			assert_int_equal(res.reason, DNSB_R_PASS_QUERY);
			assert_true(!g.edns || g.udp_size <= 1232);
		} else if (res.reason == DNSB_R_TC_SYNTHESIZED) {
			truncated++;
			assert_true(m.len > 512);
			assert_true(ldns_pkt_tc(out));
			assert_int_equal(ldns_pkt_ancount(out), 0);
			assert_int_equal(ldns_pkt_nscount(out), 0);
			assert_int_equal(ldns_pkt_arcount(out), 0);
			assert_int_equal(ldns_pkt_get_rcode(out), ldns_pkt_get_rcode(lp));
			assert_int_equal(ldns_pkt_edns(out), g.edns);
			if (g.edns) {
				assert_int_equal(ldns_pkt_edns_do(out), hint.client_do);
				assert_int_equal(ldns_pkt_edns_udp_size(out), g.udp_size);
				assert_int_equal(ldns_opt_count(out), 0);
			}
		} else {
			assert_int_equal(res.reason, DNSB_R_PASS_RESPONSE);
			assert_true(m.len <= 512);
		}
		ldns_pkt_free(out);
		ldns_pkt_free(lp);
	}
	printf("   %u messages: %u compressed, %u clamped, %u truncated\n", N_MESSAGES, compressed,
	       clamped, truncated);
	assert_true(clamped > N_MESSAGES / 10);
	assert_true(truncated > N_MESSAGES / 10);
	assert_true(compressed > N_MESSAGES / 3);
}

/* Give every record except OPT a private-use TYPE (RFC 6895), whose RDATA
 * ldns keeps opaque: what is left to judge is framing, names and OPT. The
 * records are found the way the core walks them. */
static void make_rdata_opaque(uint8_t *m, uint32_t len)
{
	uint32_t pos = 12, wl;
	uint16_t qd = dnsb_get16(m + 4);
	uint32_t rr = (uint32_t)dnsb_get16(m + 6) + dnsb_get16(m + 8) + dnsb_get16(m + 10);
	for (uint32_t i = 0; i < qd; i++) {
		if (dnsb_dns_name(m, len, &pos, &wl) != DNSB_R_OK)
			return;
		pos += 4;
	}
	for (uint32_t i = 0; i < rr && pos < len; i++) {
		if (dnsb_dns_name(m, len, &pos, &wl) != DNSB_R_OK || len - pos < 10)
			return;
		if (dnsb_get16(m + pos) != DNSB_TYPE_OPT)
			dnsb_put16(m + pos, 0xff00);
		pos += 10 + (uint32_t)dnsb_get16(m + pos + 8);
	}
}

static void test_mutations(void **st)
{
	(void)st;
	static struct msg m, orig;
	struct gen g;
	unsigned both_reject = 0, core_stricter = 0, rdata_only = 0, both_accept = 0;

	for (unsigned i = 0; i < N_MUTATIONS; i++) {
		gen_message(&orig, &g);
		m = orig;
		unsigned nmut = 1 + rnd(3);
		for (unsigned k = 0; k < nmut; k++) {
			uint32_t w = rnd(m.len);
			m.b[w] = rnd(2) ? (uint8_t)rnd(256) : (uint8_t)(m.b[w] ^ (1u << rnd(8)));
		}
		uint32_t len = m.len;
		if (rnd(8) == 0)
			len = rnd(m.len);

		ldns_pkt *lp = NULL;
		ldns_status ls = ldns_wire2pkt(&lp, m.b, len);
		struct dnsb_dns d;
		enum dnsb_reason r = dnsb_dns_parse(m.b, len, &d);
		assert_true(r == DNSB_R_OK || dnsb_reason_is_malformed(r));
		if (ls != LDNS_STATUS_OK && r != DNSB_R_OK) {
			both_reject++;
		} else if (ls != LDNS_STATUS_OK) {
			/* Core accepted what ldns rejected: the defect must be in
			 * the RDATA of some record, which the core does not read.
			 * With every RDATA made opaque, ldns must agree. */
			static struct msg opaque;
			opaque = m;
			make_rdata_opaque(opaque.b, len);
			ldns_pkt *lp2 = NULL;
			ldns_status ls2 = ldns_wire2pkt(&lp2, opaque.b, len);
			ldns_pkt_free(lp2);
			if (ls2 != LDNS_STATUS_OK)
				fail_msg("mutation %u: ldns rejects (%s, opaque: %s), core accepts", i,
					 ldns_get_errorstr_by_id(ls), ldns_get_errorstr_by_id(ls2));
			rdata_only++;
		} else if (r != DNSB_R_OK) {
			core_stricter++;
		} else {
			both_accept++;
			if (d.qdcount)
				assert_int_equal(d.qname_len,
						 ldns_rdf_size(ldns_rr_owner(ldns_rr_list_rr(ldns_pkt_question(lp), 0))));
			assert_int_equal(d.ancount, ldns_pkt_ancount(lp));
		}
		ldns_pkt_free(lp);
	}
	printf("   %u mutations: both reject %u, both accept %u, core stricter %u, "
	       "rdata-only %u\n",
	       N_MUTATIONS, both_reject, both_accept, core_stricter, rdata_only);
	assert_true(both_reject > N_MUTATIONS / 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generated),
		cmocka_unit_test(test_mutations),
	};
	return cmocka_run_group_tests_name("ldns_diff", tests, NULL, NULL);
}
