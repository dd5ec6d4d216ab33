/* SPDX-License-Identifier: BSD-3-Clause */
/* DNS walk: real messages from the fixtures, and one hand-made message per
 * malformation reason; every hand-made message also through the general
 * walk alone, which must give what the fast path for queries gives. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dns_walk_copies.h"
#include "dns_wire.h"
#include "pkt_parse.h"
#include "msgbuild.h"
#include "testlib.h"
#include "wire.h"

/* dnsb_dns_parse(), held to the general walk's result, and to both of
 * them in the walk without its shortcut for records of a known owner and
 * in the one built without SSE4.1 (dns_walk_copies.h). The message is
 * copied to a buffer of its own length, so that under AddressSanitizer
 * (make test-san) a read past its end is caught. */
static enum dnsb_reason parse_n(const uint8_t *b, uint32_t len, struct dnsb_dns *d)
{
	static enum dnsb_reason (*const also[])(const uint8_t *, uint32_t, struct dnsb_dns *) = {
		dnsb_dns_parse_walk, ref_dns_parse,  ref_dns_parse_walk,
		port_dns_parse,      port_dns_parse_walk,
	};
	uint8_t *own = malloc(len ? len : 1);
	assert_non_null(own);
	memcpy(own, b, len);
	enum dnsb_reason r = dnsb_dns_parse(own, len, d);
	for (unsigned i = 0; i < sizeof(also) / sizeof(also[0]); i++) {
		struct dnsb_dns w;
		assert_int_equal(also[i](own, len, &w), r);
		if (r == DNSB_R_OK)
			assert_memory_equal(d, &w, sizeof(w));
	}
	free(own);
	return r;
}

static enum dnsb_reason parse(const struct msg *m, struct dnsb_dns *d)
{
	return parse_n(m->b, m->len, d);
}

/* DNS payload of a fixture frame. */
static const uint8_t *fx_dns(const char *name, struct fx *f, uint32_t *len)
{
	struct dnsb_pkt p;
	fx_load(name, 0, f);
	assert_int_equal(dnsb_pkt_parse(f->buf, f->len, &p), DNSB_R_OK);
	*len = p.pl_len;
	return f->buf + p.pl_off;
}

static void test_query_fixture(void **st)
{
	(void)st;
	static struct fx f;
	struct dnsb_dns d;
	uint32_t n;
	const uint8_t *m = fx_dns("q4_do", &f, &n);

	assert_int_equal(dnsb_dns_parse(m, n, &d), DNSB_R_OK);
	assert_int_equal(d.id, 0x1234);
	assert_false(dnsb_dns_is_response(&d));
	assert_int_equal(d.qdcount, 1);
	assert_int_equal(d.qname_off, 12);
	assert_int_equal(d.qname_len, 17);
	assert_int_equal(d.qtype, 1);
	assert_int_equal(d.qclass, 1);
	assert_int_equal(d.question_end, 12 + 17 + 4);
	assert_true(d.has_opt);
	assert_int_equal(d.opt_off, d.question_end);
	assert_int_equal(d.opt_udp_size, 4096);
	assert_true(dnsb_dns_do(&d));
	assert_int_equal(d.opt_n_options, 0);
	assert_int_equal(d.msg_end, n);

	m = fx_dns("q4_opts", &f, &n);
	assert_int_equal(dnsb_dns_parse(m, n, &d), DNSB_R_OK);
	assert_int_equal(d.opt_n_options, 2);
	assert_int_equal(d.opt_rdlen, 4 + 8 + 4 + 7);

	m = fx_dns("q4_noedns", &f, &n);
	assert_int_equal(dnsb_dns_parse(m, n, &d), DNSB_R_OK);
	assert_false(d.has_opt);
	assert_false(dnsb_dns_do(&d));
}

static void test_response_fixture(void **st)
{
	(void)st;
	static struct fx f;
	struct dnsb_dns d;
	uint32_t n;
	const uint8_t *m = fx_dns("r4_big", &f, &n);

	/* The fixture is compressed: answers point back at the question. */
	assert_non_null(memmem(m + 12, n - 12, "\xc0\x0c", 2));
	assert_int_equal(dnsb_dns_parse(m, n, &d), DNSB_R_OK);
	assert_true(dnsb_dns_is_response(&d));
	assert_int_equal(d.ancount, 31);
	assert_int_equal(d.nscount, 1);
	assert_int_equal(d.arcount, 1);
	assert_int_equal(d.rr_total, 33);
	assert_int_equal(d.rrsig_answer, 1);
	assert_true(d.has_opt);
	assert_int_equal(d.opt_udp_size, 1232);
	assert_int_equal(d.opt_n_options, 1);
	assert_int_equal(d.qtype, 16);
	assert_int_equal(d.msg_end, n);

	m = fx_dns("r4_big_nodo", &f, &n);
	assert_int_equal(dnsb_dns_parse(m, n, &d), DNSB_R_OK);
	assert_false(dnsb_dns_do(&d));
	assert_int_equal(d.opt_ext_rcode, 1);
	assert_int_equal(d.flags & 0xf, 3);

	m = fx_dns("r4_big_noopt", &f, &n);
	assert_int_equal(dnsb_dns_parse(m, n, &d), DNSB_R_OK);
	assert_false(d.has_opt);
	assert_int_equal(d.rr_total, 32);
}

static void test_header_and_counts(void **st)
{
	(void)st;
	struct msg m;
	struct dnsb_dns d;

	mb_header(&m, 0, 1, 0, 0, 0);
	assert_int_equal(dnsb_dns_parse(m.b, 11, &d), DNSB_R_BAD_DNS_HEADER);
	assert_int_equal(dnsb_dns_parse(m.b, 0, &d), DNSB_R_BAD_DNS_HEADER);

	mb_header(&m, 0, 1, 0xffff, 0, 0);
	mb_question(&m);
	assert_int_equal(parse(&m, &d), DNSB_R_BAD_DNS_COUNTS);
	/* 32 octets after the header hold at most 1 question and 2 records
	 * (5 + 2 * 11); claiming 3 records fails before any walk. */
	mb_header(&m, 0, 1, 1, 0, 0);
	mb_question(&m);
	mb_opt(&m, 512, 0);
	m.b[7] = 3;
	assert_int_equal(parse(&m, &d), DNSB_R_BAD_DNS_COUNTS);

	/* A query of the common shape over 65535 octets (an OPT option
	 * filling the rest): no DNS message is, it fails as the counts do. */
	static uint8_t big[65600];
	static const uint8_t head[] = { 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 1,
					0, 0, 41, 16, 0, 0, 0, 0, 0 };
	uint32_t rdlen = 65540 - sizeof(head) - 2;
	memcpy(big, head, sizeof(head));
	dnsb_put16(big + sizeof(head), (uint16_t)rdlen);
	dnsb_put16(big + sizeof(head) + 2, 10);
	dnsb_put16(big + sizeof(head) + 4, (uint16_t)(rdlen - 4));
	assert_int_equal(dnsb_dns_parse(big, 65540, &d), DNSB_R_BAD_DNS_COUNTS);
	assert_int_equal(dnsb_dns_parse(big, 65535, &d), DNSB_R_BAD_DNS_TRUNCATED);

	/* An empty message with zero counts is fine (e.g. a bare header). */
	mb_header(&m, 0x8000, 0, 0, 0, 0);
	assert_int_equal(parse(&m, &d), DNSB_R_OK);
	assert_int_equal(d.question_end, 12);
}

static void test_names(void **st)
{
	(void)st;
	struct msg m;
	struct dnsb_dns d;

	/* Extended label types 01 and 10. */
	mb_header(&m, 0, 1, 0, 0, 0);
	mb_question(&m);
	m.b[12] = 0x41;
	assert_int_equal(parse(&m, &d), DNSB_R_BAD_DNS_LABEL);
	m.b[12] = 0x83;
	assert_int_equal(parse(&m, &d), DNSB_R_BAD_DNS_LABEL);

	/* 4 labels of 63: 256 octets with the root. */
	mb_header(&m, 0, 1, 0, 0, 0);
	mb_long_question(&m);
	assert_int_equal(parse(&m, &d), DNSB_R_BAD_DNS_NAME_LONG);
	/* 255 exactly is fine: shorten the last label to 62. */
	mb_header(&m, 0, 1, 0, 0, 0);
	mb_sized_question(&m, 63, 61);
	assert_int_equal(parse(&m, &d), DNSB_R_OK);
	assert_int_equal(d.qname_len, 255);

	/* Name running past the end. */
	mb_header(&m, 0, 1, 0, 0, 0);
	mb_put(&m, "\7exam", 5);
	assert_int_equal(parse(&m, &d), DNSB_R_BAD_DNS_TRUNCATED);
	mb_header(&m, 0, 1, 0, 0, 0);
	mb_put(&m, "\7example\3co", 11);
	assert_int_equal(parse(&m, &d), DNSB_R_BAD_DNS_TRUNCATED);
}

static void test_pointers(void **st)
{
	(void)st;
	struct msg m;
	struct dnsb_dns d;

	/* Forward pointer in an owner name. */
	mb_header(&m, 0x8000, 1, 1, 0, 0);
	mb_question(&m);
	mb_a_rr(&m);
	assert_int_equal(parse(&m, &d), DNSB_R_OK);
	uint32_t owner = 12 + 21;
	dnsb_put16(m.b + owner, (uint16_t)(0xc000 | (owner + 4)));
	assert_int_equal(parse(&m, &d), DNSB_R_BAD_DNS_POINTER);
	/* Pointer to itself. */
	dnsb_put16(m.b + owner, (uint16_t)(0xc000 | owner));
	assert_int_equal(parse(&m, &d), DNSB_R_BAD_DNS_POINTER);
	/* Pointer into the header. */
	dnsb_put16(m.b + owner, 0xc005);
	assert_int_equal(parse(&m, &d), DNSB_R_BAD_DNS_POINTER);
	/* Pointer in the question (nothing is before it to point to). */
	mb_header(&m, 0, 1, 0, 0, 0);
	mb_put16(&m, 0xc00c);
	mb_put16(&m, 1);
	mb_put16(&m, 1);
	assert_int_equal(parse(&m, &d), DNSB_R_BAD_DNS_POINTER);
	/* A name reached through a pointer whose label runs over the OPT
	 * record: rewriting OPT would change that name, so it is refused. The
	 * answer's RDATA is one octet, 10: a label covering OPT's first ten
	 * octets, ended by OPT's last (RDLENGTH low octet, 0). */
	mb_header(&m, 0x8000, 1, 1, 0, 2);
	mb_question(&m);
	mb_put8(&m, 0);
	mb_rr_tail(&m, 16, 1, 0, 1);
	uint32_t t = m.len;
	mb_put8(&m, 10);
	mb_opt(&m, 4096, 0);
	mb_put16(&m, (uint16_t)(0xc000 | t));
	mb_rr_tail(&m, 1, 1, 0, 4);
	mb_put(&m, "\0\0\0\0", 4);
	assert_int_equal(parse(&m, &d), DNSB_R_BAD_DNS_POINTER);
	/* The same record pointing at the question name instead is fine. */
	dnsb_put16(m.b + t + 1 + 11, 0xc00c);
	assert_int_equal(parse(&m, &d), DNSB_R_OK);
	/* Pointer whose second octet is missing. */
	mb_header(&m, 0x8000, 1, 1, 0, 0);
	mb_question(&m);
	memset(m.b + m.len, 0, 15);
	m.b[m.len] = 0xc0;
	assert_int_equal(dnsb_dns_parse(m.b, m.len + 1, &d), DNSB_R_BAD_DNS_TRUNCATED);
}

/* A question name whose pointer leads into the name itself and whose
 * labels then run on past the questions: out, or a TC answer (the
 * questions alone) would hold a name that runs off its end. */
static void test_question_name_past_questions(void **st)
{
	(void)st;
	struct msg m;
	struct dnsb_dns d;

	for (uint8_t reach = 8; reach <= 9; reach++) {
		/* 12: label of 4 {00, len, 00, 00}; 17: pointer to 14, where
		 * a label of @reach octets covers the pointer and the type and
		 * class (19..22); the root (8: at 23) or the next label (9: its
		 * root at 24) lies past the question, which ends at 23. */
		mb_header(&m, 0x8000, 1, 0, 0, 0);
		mb_put8(&m, 4);
		mb_put8(&m, 0);
		mb_put8(&m, reach);
		mb_put16(&m, 0);
		mb_put16(&m, 0xc00e);
		mb_put16(&m, 1);
		mb_put16(&m, 1);
		mb_put8(&m, 0);
		mb_put8(&m, 0);
		assert_int_equal(parse(&m, &d), DNSB_R_BAD_DNS_POINTER);
	}
	/* The same pointer with its labels ending inside the question: fine. */
	mb_header(&m, 0x8000, 1, 0, 0, 0);
	mb_put8(&m, 4);
	mb_put8(&m, 0);
	mb_put8(&m, 5);
	mb_put16(&m, 0);
	mb_put16(&m, 0xc00e);
	mb_put16(&m, 0x0100); /* type 256: its low octet, at 20, is the root */
	mb_put16(&m, 1);
	assert_int_equal(parse(&m, &d), DNSB_R_OK);
	assert_int_equal(d.question_end, 23);
}

static void test_pointer_budget(void **st)
{
	(void)st;
	struct msg m;
	struct dnsb_dns d;

	mb_pointer_chain(&m, DNSB_DNS_MAX_HOPS - 1);
	assert_int_equal(parse(&m, &d), DNSB_R_OK);
	mb_pointer_chain(&m, DNSB_DNS_MAX_HOPS);
	assert_int_equal(parse(&m, &d), DNSB_R_BAD_DNS_POINTER_LOOP);
}

/* Names compressed into a long suffix: the cache must still count length. */
static void test_compressed_length(void **st)
{
	(void)st;
	struct msg m;
	struct dnsb_dns d;

	/* Question name of 251 octets; an owner "\3abc" + pointer makes 255,
	 * "\5abcde" + pointer 257. Owners repeat so the cache is used. */
	mb_header(&m, 0x8000, 1, 4, 0, 0);
	mb_sized_question(&m, 62, 60);
	uint32_t ok_off = m.len;
	mb_put(&m, "\3abc", 4);
	mb_put16(&m, 0xc00c);
	mb_rr_tail(&m, 1, 1, 0, 4);
	mb_put(&m, "\0\0\0\0", 4);
	mb_put16(&m, (uint16_t)(0xc000 | ok_off));
	mb_rr_tail(&m, 1, 1, 0, 4);
	mb_put(&m, "\0\0\0\0", 4);
	mb_put16(&m, 0xc00c);
	mb_rr_tail(&m, 1, 1, 0, 4);
	mb_put(&m, "\0\0\0\0", 4);
	mb_put16(&m, 0xc00c);
	mb_rr_tail(&m, 1, 1, 0, 4);
	mb_put(&m, "\0\0\0\0", 4);
	assert_int_equal(parse(&m, &d), DNSB_R_OK);
	assert_int_equal(d.qname_len, 251);

	mb_header(&m, 0x8000, 1, 2, 0, 0);
	mb_sized_question(&m, 62, 60);
	mb_put16(&m, 0xc00c);
	mb_rr_tail(&m, 1, 1, 0, 4);
	mb_put(&m, "\0\0\0\0", 4);
	mb_put(&m, "\5abcde", 6); /* 6 + 251 > 255, via the cached suffix */
	mb_put16(&m, 0xc00c);
	mb_rr_tail(&m, 1, 1, 0, 4);
	mb_put(&m, "\0\0\0\0", 4);
	assert_int_equal(parse(&m, &d), DNSB_R_BAD_DNS_NAME_LONG);
}

static void test_records_truncated(void **st)
{
	(void)st;
	struct msg m;
	struct dnsb_dns d;

	mb_header(&m, 0x8000, 1, 1, 0, 0);
	mb_question(&m);
	mb_a_rr(&m);
	assert_int_equal(parse(&m, &d), DNSB_R_OK);
	/* RDLENGTH past the end. */
	dnsb_put16(m.b + m.len - 6, 5);
	assert_int_equal(parse(&m, &d), DNSB_R_BAD_DNS_TRUNCATED);
	/* Fixed part cut. */
	mb_header(&m, 0x8000, 1, 1, 0, 0);
	mb_question(&m);
	mb_a_rr(&m);
	assert_int_equal(dnsb_dns_parse(m.b, m.len - 10, &d), DNSB_R_BAD_DNS_TRUNCATED);
	/* Question type cut. */
	mb_header(&m, 0, 1, 0, 0, 0);
	mb_question(&m);
	assert_int_equal(dnsb_dns_parse(m.b, m.len - 2, &d), DNSB_R_BAD_DNS_TRUNCATED);
}

static void test_opt_rules(void **st)
{
	(void)st;
	struct msg m;
	struct dnsb_dns d;

	mb_header(&m, 0, 1, 0, 0, 2);
	mb_question(&m);
	mb_opt(&m, 4096, 0x8000);
	mb_opt(&m, 4096, 0x8000);
	assert_int_equal(parse(&m, &d), DNSB_R_BAD_DNS_OPT_MULTIPLE);

	mb_header(&m, 0x8000, 1, 1, 0, 0);
	mb_question(&m);
	mb_opt(&m, 4096, 0);
	assert_int_equal(parse(&m, &d), DNSB_R_BAD_DNS_OPT_SECTION);
	mb_header(&m, 0x8000, 1, 0, 1, 0);
	mb_question(&m);
	mb_opt(&m, 4096, 0);
	assert_int_equal(parse(&m, &d), DNSB_R_BAD_DNS_OPT_SECTION);

	mb_header(&m, 0, 1, 0, 0, 1);
	mb_question(&m);
	mb_put(&m, "\1a\0", 3);
	mb_rr_tail(&m, DNSB_TYPE_OPT, 4096, 0, 0);
	assert_int_equal(parse(&m, &d), DNSB_R_BAD_DNS_OPT_OWNER);
	/* Root owner written as a pointer is not the single root octet. */
	mb_header(&m, 0, 1, 0, 0, 1);
	mb_question(&m);
	mb_put16(&m, 0xc00c + 16); /* points at the question's root octet */
	mb_rr_tail(&m, DNSB_TYPE_OPT, 4096, 0, 0);
	assert_int_equal(parse(&m, &d), DNSB_R_BAD_DNS_OPT_OWNER);

	/* Options: one whole, then a header cut, then a length overrun. */
	mb_header(&m, 0, 1, 0, 0, 1);
	mb_question(&m);
	mb_put8(&m, 0);
	mb_rr_tail(&m, DNSB_TYPE_OPT, 1232, 0x8000, 4 + 8 + 2);
	mb_put16(&m, 10);
	mb_put16(&m, 8);
	mb_put(&m, "12345678", 8);
	mb_put16(&m, 12);
	assert_int_equal(parse(&m, &d), DNSB_R_BAD_DNS_OPT_OPTIONS);
	mb_header(&m, 0, 1, 0, 0, 1);
	mb_question(&m);
	mb_put8(&m, 0);
	mb_rr_tail(&m, DNSB_TYPE_OPT, 1232, 0x8000, 4 + 7);
	mb_put16(&m, 10);
	mb_put16(&m, 8);
	mb_put(&m, "1234567", 7);
	assert_int_equal(parse(&m, &d), DNSB_R_BAD_DNS_OPT_OPTIONS);
	mb_header(&m, 0, 1, 0, 0, 1);
	mb_question(&m);
	mb_put8(&m, 0);
	mb_rr_tail(&m, DNSB_TYPE_OPT, 1232, 0x8000, 4 + 8);
	mb_put16(&m, 10);
	mb_put16(&m, 8);
	mb_put(&m, "12345678", 8);
	assert_int_equal(parse(&m, &d), DNSB_R_OK);
	assert_int_equal(d.opt_n_options, 1);
	assert_int_equal(d.opt_udp_size, 1232);
}

/* Runs of records with one owner pointer and type (the walk's quick
 * step): bounded by the counts, by the message, and broken by any other
 * record, whichever comes first. */
static void test_record_runs(void **st)
{
	(void)st;
	struct msg m;
	struct dnsb_dns d;

	/* Eight A records, the last ending the message exactly. */
	mb_header(&m, 0x8000, 1, 8, 0, 0);
	mb_question(&m);
	for (int i = 0; i < 8; i++)
		mb_a_rr(&m);
	uint32_t end = m.len;
	assert_int_equal(parse(&m, &d), DNSB_R_OK);
	assert_int_equal(d.msg_end, end);
	assert_int_equal(d.rr_total, 8);
	/* Cut anywhere in the last record: truncated, never read past. */
	for (uint32_t k = end - 16 + 1; k < end; k++)
		assert_int_equal(parse_n(m.b, k, &d), DNSB_R_BAD_DNS_TRUNCATED);
	/* The last RDLENGTH one too long. */
	dnsb_put16(m.b + end - 6, 5);
	assert_int_equal(parse(&m, &d), DNSB_R_BAD_DNS_TRUNCATED);
	dnsb_put16(m.b + end - 6, 4);
	/* Counted as seven: the eighth is trailing bytes, however alike. */
	dnsb_put16(m.b + 6, 7);
	assert_int_equal(parse(&m, &d), DNSB_R_OK);
	assert_int_equal(d.msg_end, end - 16);
	assert_int_equal(d.rr_total, 7);
	/* Counted as six, a count the records after end short of the
	 * message: four records a turn, then one at a time, take exactly the
	 * six, none beyond. */
	dnsb_put16(m.b + 6, 6);
	assert_int_equal(parse(&m, &d), DNSB_R_OK);
	assert_int_equal(d.msg_end, end - 32);
	assert_int_equal(d.rr_total, 6);
	/* Counted as nine: the message ends first. */
	dnsb_put16(m.b + 6, 9);
	assert_int_equal(parse(&m, &d), DNSB_R_BAD_DNS_TRUNCATED);
	dnsb_put16(m.b + 6, 8);
	/* The fourth one's TTL, then the fifth one's class different: still
	 * one owner and type, so one run, stepped one record a turn from there;
	 * the same end. */
	uint32_t fourth = end - 5 * 16;
	dnsb_put16(m.b + fourth + 8, 301);
	dnsb_put16(m.b + fourth + 16 + 4, 3);
	assert_int_equal(parse(&m, &d), DNSB_R_OK);
	assert_int_equal(d.msg_end, end);
	assert_int_equal(d.rr_total, 8);
	/* One run broken by an RRSIG (looked into: an answer section RRSIG
	 * counts), the run taken up again after it, then an OPT ending it. */
	mb_header(&m, 0x8000, 1, 5, 0, 1);
	mb_question(&m);
	mb_a_rr(&m);
	mb_a_rr(&m);
	mb_put16(&m, 0xc00c);
	mb_rr_tail(&m, DNSB_TYPE_RRSIG, 1, 300, 4);
	mb_put(&m, "\0\0\0\0", 4);
	mb_a_rr(&m);
	mb_a_rr(&m);
	mb_opt(&m, 1232, 0x8000);
	assert_int_equal(parse(&m, &d), DNSB_R_OK);
	assert_int_equal(d.msg_end, m.len);
	assert_int_equal(d.rr_total, 6);
	assert_int_equal(d.has_opt, 1);
	assert_int_equal(d.opt_udp_size, 1232);
	assert_int_equal(d.rrsig_answer, 1);
	/* One run whose lengths change (TXT, type 16, of 3, 3, 9, 9, 2 and 3
	 * octets): each record's own length steps to the next, the last one
	 * ending the message exactly. */
	static const uint16_t lens[] = { 3, 3, 9, 9, 2, 3 };
	static const uint8_t zero[9];
	mb_header(&m, 0x8000, 1, 6, 0, 0);
	mb_question(&m);
	uint32_t third = 0;
	for (int i = 0; i < 6; i++) {
		if (i == 2)
			third = m.len;
		mb_put16(&m, 0xc00c);
		mb_rr_tail(&m, 16, 1, 300, lens[i]);
		mb_put(&m, zero, lens[i]);
	}
	assert_int_equal(parse(&m, &d), DNSB_R_OK);
	assert_int_equal(d.msg_end, m.len);
	assert_int_equal(d.rr_total, 6);
	/* The last one a length too long: truncated. */
	dnsb_put16(m.b + m.len - 3 - 2, 4);
	assert_int_equal(parse(&m, &d), DNSB_R_BAD_DNS_TRUNCATED);
	dnsb_put16(m.b + m.len - 3 - 2, 3);
	/* The third one shorter by one: the records after it are read one
	 * octet early, and what is left no longer fills six records exactly. */
	dnsb_put16(m.b + third + 10, 8);
	assert_int_not_equal(parse(&m, &d), DNSB_R_OK);
}

/* A run of n A records (1..13: no group of four, groups and what is left
 * after them) with record j made different in each way that ends a run or
 * changes its step: its type (AAAA, 16 octets), its length (6, with six
 * octets), its class and TTL (the same run), its owner (a pointer to
 * "example.com" in the question: another name). Every one walked as the
 * general walk would. */
static void test_record_runs_every_break(void **st)
{
	(void)st;
	struct msg m;
	struct dnsb_dns d;
	static const uint8_t zero[16];

	for (int n = 1; n <= 13; n++) {
		for (int j = 0; j < n; j++) {
			for (int how = 0; how < 4; how++) {
				mb_header(&m, 0x8000, 1, (uint16_t)n, 0, 0);
				mb_question(&m);
				for (int i = 0; i < n; i++) {
					if (i != j) {
						mb_a_rr(&m);
						continue;
					}
					switch (how) {
					case 0: /* AAAA */
						mb_put16(&m, 0xc00c);
						mb_rr_tail(&m, 28, 1, 300, 16);
						mb_put(&m, zero, 16);
						break;
					case 1: /* A of six octets */
						mb_put16(&m, 0xc00c);
						mb_rr_tail(&m, 1, 1, 300, 6);
						mb_put(&m, zero, 6);
						break;
					case 2: /* class CH, another TTL */
						mb_put16(&m, 0xc00c);
						mb_rr_tail(&m, 1, 3, 7, 4);
						mb_put(&m, zero, 4);
						break;
					default: /* owned by example.com */
						mb_put16(&m, 0xc010);
						mb_rr_tail(&m, 1, 1, 300, 4);
						mb_put(&m, zero, 4);
						break;
					}
				}
				uint32_t end = m.len;
				assert_int_equal(parse(&m, &d), DNSB_R_OK);
				assert_int_equal(d.msg_end, end);
				assert_int_equal(d.rr_total, n);
				/* One record short of the count: truncated. */
				assert_int_equal(parse_n(m.b, end - 1, &d),
						 DNSB_R_BAD_DNS_TRUNCATED);
			}
		}
	}
}

static uint32_t xs_next(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

/*
 * Answers of the shapes the walk steps over quickly, drawn at random (a
 * fixed seed): records owned by the question name or by a pointer into it
 * ("example.com"), of types A, AAAA, TXT and RRSIG, lengths of their own
 * or the same, class and TTL changing now and then, spread over the three
 * sections, an OPT last or none. What each must give is known from how it
 * was built: every record walked to the end, the RRSIGs of the answer
 * section counted. Each is also cut short at a random point (malformed)
 * and has one octet changed (whatever it then is, the same in every
 * build of the walk: parse_n()).
 */
static void test_owned_records_drawn(void **st)
{
	(void)st;
	struct msg m;
	struct dnsb_dns d;
	static const uint8_t zero[64];
	uint32_t x = 0x2545f491;

	for (int t = 0; t < 20000; t++) {
		uint32_t n = xs_next(&x) % 28, an = n ? xs_next(&x) % (n + 1) : 0;
		uint32_t ns = n - an ? xs_next(&x) % (n - an + 1) : 0, ar = n - an - ns;
		int opt = xs_next(&x) & 1;
		uint16_t run_len = (uint16_t)(4 + xs_next(&x) % 3 * 12); /* 4, 16, 28 */
		uint32_t sigs = 0;
		mb_header(&m, 0x8180, 1, (uint16_t)an, (uint16_t)ns, (uint16_t)(ar + (uint32_t)opt));
		mb_question(&m);
		for (uint32_t i = 0; i < n; i++) {
			uint32_t r = xs_next(&x);
			uint16_t type = 1, len = run_len, cls = 1;
			uint32_t ttl = 300;
			switch (r % 10) {
			case 0: case 1:
				type = 46;
				len = (uint16_t)(20 + (r >> 8) % 40);
				sigs += i < an;
				break;
			case 2:
				type = 16;
				len = (uint16_t)(1 + (r >> 8) % 40);
				break;
			case 3:
				type = 28;
				len = 16;
				break;
			default:
				break;
			}
			if ((r >> 16) % 16 == 0)
				cls = 3;
			if ((r >> 20) % 16 == 0)
				ttl = r;
			mb_put16(&m, (r >> 24) % 8 ? 0xc00c : 0xc010);
			mb_rr_tail(&m, type, cls, ttl, len);
			mb_put(&m, zero, len);
		}
		if (opt)
			mb_opt(&m, 1232, 0x8000);
		assert_int_equal(parse(&m, &d), DNSB_R_OK);
		assert_int_equal(d.msg_end, m.len);
		assert_int_equal(d.rr_total, n + (uint32_t)opt);
		assert_int_equal(d.rrsig_answer, sigs);
		assert_int_equal(d.has_opt, opt);

		uint32_t cut = xs_next(&x) % m.len;
		assert_true(dnsb_reason_is_malformed(parse_n(m.b, cut, &d)));
		uint32_t at = DNSB_DNS_HLEN + xs_next(&x) % (m.len - DNSB_DNS_HLEN);
		m.b[at] ^= (uint8_t)(1 + xs_next(&x) % 255);
		(void)parse(&m, &d);
	}
}

static void test_trailing_bytes(void **st)
{
	(void)st;
	struct msg m;
	struct dnsb_dns d;

	mb_header(&m, 0, 1, 0, 0, 1);
	mb_question(&m);
	mb_opt(&m, 4096, 0);
	uint32_t end = m.len;
	mb_put(&m, "junk", 4);
	assert_int_equal(parse(&m, &d), DNSB_R_OK);
	assert_int_equal(d.msg_end, end);
}

/* Every prefix of the big answer and of a query with options: a reason,
 * never a read past the end, the same through both walks. */
static void test_every_prefix(void **st)
{
	(void)st;
	static struct fx f;
	static const char *const names[] = { "r6_big", "q4_opts", "q4_do" };
	struct dnsb_dns d;
	uint32_t n;
	for (unsigned i = 0; i < 3; i++) {
		const uint8_t *m = fx_dns(names[i], &f, &n);
		for (uint32_t k = 0; k < n; k++) {
			enum dnsb_reason r = parse_n(m, k, &d);
			assert_true(dnsb_reason_is_malformed(r));
		}
		assert_int_equal(parse_n(m, n, &d), DNSB_R_OK);
	}
}

/* The shapes the query fast path takes, and those next to them it leaves
 * to the general walk: the same view or the same reason either way. */
static void test_query_fast_path(void **st)
{
	(void)st;
	struct msg m;
	struct dnsb_dns d;

	mb_header(&m, 0x0100, 1, 0, 0, 0); /* no OPT */
	mb_question(&m);
	assert_int_equal(parse(&m, &d), DNSB_R_OK);
	assert_false(d.has_opt);
	assert_int_equal(d.msg_end, m.len);
	assert_int_equal(d.rr_total, 0);

	for (uint8_t label = 1; label <= 63; label += 31) /* names up to 255 octets */
		for (uint8_t last = 1; last <= 63; last += 2) {
			mb_header(&m, 0, 1, 0, 0, 1);
			mb_sized_question(&m, label, last);
			mb_opt(&m, 1232, 0x8000);
			enum dnsb_reason r = parse(&m, &d);
			uint32_t wire = 3u * (label + 1) + last + 2;
			if (wire > DNSB_DNS_MAX_NAME) {
				assert_int_equal(r, DNSB_R_BAD_DNS_NAME_LONG);
				continue;
			}
			assert_int_equal(r, DNSB_R_OK);
			assert_int_equal(d.qname_len, wire);
			assert_true(dnsb_dns_do(&d));
		}
	mb_header(&m, 0, 1, 0, 0, 1);
	mb_long_question(&m);
	mb_opt(&m, 1232, 0);
	assert_int_equal(parse(&m, &d), DNSB_R_BAD_DNS_NAME_LONG);

	/* A pointer or a reserved label type in the question. */
	mb_header(&m, 0, 1, 0, 0, 0);
	mb_put(&m, "\3abc\xc0\x0c", 6);
	mb_put16(&m, 1);
	mb_put16(&m, 1);
	assert_int_equal(parse(&m, &d), DNSB_R_BAD_DNS_POINTER_LOOP);
	mb_header(&m, 0, 1, 0, 0, 0);
	mb_put(&m, "\x41" "abc\0", 5);
	mb_put16(&m, 1);
	mb_put16(&m, 1);
	assert_int_equal(parse(&m, &d), DNSB_R_BAD_DNS_LABEL);

	/* The one additional record is not an OPT: the general walk takes it. */
	mb_header(&m, 0, 1, 0, 0, 1);
	mb_question(&m);
	mb_put8(&m, 0);
	mb_rr_tail(&m, 250 /* TSIG */, 255, 0, 4);
	mb_put(&m, "sig!", 4);
	assert_int_equal(parse(&m, &d), DNSB_R_OK);
	assert_false(d.has_opt);
	assert_int_equal(d.rr_total, 1);

	/* OPT cut short, an RDLENGTH past the end, options, trailing octets. */
	mb_header(&m, 0, 1, 0, 0, 1);
	mb_question(&m);
	mb_opt(&m, 4096, 0);
	assert_int_equal(parse_n(m.b, m.len - 1, &d), DNSB_R_BAD_DNS_TRUNCATED);
	mb_header(&m, 0, 1, 0, 0, 1);
	mb_question(&m);
	mb_put8(&m, 0);
	mb_rr_tail(&m, DNSB_TYPE_OPT, 1232, 0, 4);
	assert_int_equal(parse(&m, &d), DNSB_R_BAD_DNS_TRUNCATED);
	mb_header(&m, 0, 1, 0, 0, 1);
	mb_question(&m);
	mb_put8(&m, 0);
	mb_rr_tail(&m, DNSB_TYPE_OPT, 1232, 0x8000, 4 + 8 + 4);
	mb_put16(&m, 10); /* cookie */
	mb_put16(&m, 8);
	mb_put(&m, "12345678", 8);
	mb_put16(&m, 12); /* padding, empty */
	mb_put16(&m, 0);
	mb_put(&m, "xy", 2);
	assert_int_equal(parse(&m, &d), DNSB_R_OK);
	assert_int_equal(d.opt_n_options, 2);
	assert_int_equal(d.msg_end, m.len - 2);
	assert_int_equal(d.opt_off, d.question_end);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query_fixture),     cmocka_unit_test(test_response_fixture),
		cmocka_unit_test(test_header_and_counts), cmocka_unit_test(test_names),
		cmocka_unit_test(test_pointers),          cmocka_unit_test(test_pointer_budget),
		cmocka_unit_test(test_compressed_length), cmocka_unit_test(test_records_truncated),
		cmocka_unit_test(test_opt_rules),         cmocka_unit_test(test_trailing_bytes),
		cmocka_unit_test(test_record_runs),
		cmocka_unit_test(test_record_runs_every_break),
		cmocka_unit_test(test_owned_records_drawn),
		cmocka_unit_test(test_question_name_past_questions),
		cmocka_unit_test(test_every_prefix),      cmocka_unit_test(test_query_fast_path),
	};
	return cmocka_run_group_tests_name("dns_wire", tests, NULL, NULL);
}
