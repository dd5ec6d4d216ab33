/* SPDX-License-Identifier: BSD-3-Clause */
/* Reassembly on fragment trains made by scapy (tests/data/frag): every
 * order gives back scapy's whole datagram byte for byte; duplicates,
 * overlaps, tiny first fragments, offsets past 65535, too many fragments,
 * non-DNS datagrams, incomplete trains and a full table each end as they
 * must; memory stays within the table; each buffer is held by one live
 * slot or free, and a new datagram takes the one freed last; fragments
 * that join are held as one run, the bitmap used from the first gap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "reasm.h"
#include "testlib.h"

#define SEC 1000000000ull

static const uint16_t dns_ports[] = { 53 };

struct env {
	struct dnsb_reasm r;
	void *mem;
	size_t mem_len;
	uint8_t out[FX_CAP];
	uint32_t out_len;
	unsigned first_missing, later_missing;
};

static void on_expire(void *ctx, const struct dnsb_reasm_slot *s)
{
	struct env *v = ctx;
	if (s->have_first)
		v->later_missing++;
	else
		v->first_missing++;
}

static struct env *env_new(uint32_t slots, uint16_t max_frags)
{
	struct env *v = calloc(1, sizeof(*v));
	struct dnsb_reasm_cfg c = { slots, 16384, max_frags, 2 * SEC };
	v->mem_len = dnsb_reasm_mem(&c);
	v->mem = malloc(v->mem_len);
	assert_int_equal(dnsb_reasm_init(&v->r, v->mem, &c, on_expire, v), 0);
	return v;
}

static void env_free(struct env *v)
{
	free(v->mem);
	free(v);
}

/* dnsb_reasm_add(), and a copy of a whole datagram in v->out (the
 * module's own stays good only until its next call). */
static enum dnsb_reasm_status add_parsed(struct env *v, const uint8_t *frame,
					 const struct dnsb_pkt *p, uint64_t now)
{
	uint8_t *dg = NULL;
	uint32_t n = 0;
	enum dnsb_reasm_status s = dnsb_reasm_add(&v->r, frame, p, dns_ports, 1, now, &dg, &n);
	if (s == DNSB_RA_DONE) {
		/* Rebuilt in place, within the table's memory. */
		assert_true(dg >= (uint8_t *)v->mem && dg + n <= (uint8_t *)v->mem + v->mem_len);
		assert_true(n <= sizeof(v->out));
		memcpy(v->out, dg, n);
		v->out_len = n;
	}
	return s;
}

static enum dnsb_reasm_status add(struct env *v, const char *file, unsigned idx, uint64_t now)
{
	static struct fx f;
	struct dnsb_pkt p;
	fx_load_from("frag", file, idx, &f);
	assert_int_equal(dnsb_pkt_parse(f.buf, f.len, &p), DNSB_R_OK);
	assert_true(p.frag);
	return add_parsed(v, f.buf, &p, now);
}

/* Every buffer either held by one live slot or free, none twice; a free
 * one's bitmap all clear (a datagram held as one run never writes it);
 * the live map's bit set for every live slot and no other. */
static void check_buffers(const struct env *v)
{
	const struct dnsb_reasm *r = &v->r;
	uint32_t slots = r->mask + 1, held = 0, map_len = (r->max_datagram / 8 + 1 + 7) / 8;
	uint8_t *seen = calloc(slots, 1);
	assert_int_equal(r->live + r->n_free, slots);
	for (uint32_t i = 0; i < r->n_free; i++) {
		uint32_t b = r->free_buf[i];
		assert_true(b < slots && !seen[b]);
		seen[b] = 1;
		const uint8_t *map = r->buf_area + b * r->buf_stride + DNSB_REASM_MAX_HDR + r->max_datagram;
		for (uint32_t k = 0; k < map_len; k++)
			assert_int_equal(map[k], 0);
	}
	for (uint32_t i = 0; i < slots; i++) {
		const struct dnsb_reasm_slot *sl = &r->slot[i];
		/* The live map says which slots are live. */
		assert_int_equal((r->live_map[i >> 3] >> (i & 7)) & 1, sl->ts_ns != 0);
		if (!sl->ts_ns)
			continue;
		assert_true(sl->buf < slots && !seen[sl->buf]);
		seen[sl->buf] = 1;
		assert_ptr_equal(sl->data, r->buf_area + sl->buf * r->buf_stride + DNSB_REASM_MAX_HDR);
		held++;
	}
	assert_int_equal(held, r->live);
	free(seen);
}

static void expect_whole(struct env *v, const char *whole)
{
	static struct fx w;
	fx_load_from("frag", whole, 0, &w);
	assert_int_equal(v->out_len, w.len);
	assert_memory_equal(v->out, w.buf, w.len);
}

/* Feed frames of @p file in the order @p order (n entries). */
static void run_order(const char *file, const char *whole, const unsigned *order, unsigned n)
{
	struct env *v = env_new(64, 64);
	for (unsigned i = 0; i < n; i++) {
		enum dnsb_reasm_status st = add(v, file, order[i], SEC + i);
		assert_int_equal(st, i + 1 < n ? DNSB_RA_HELD : DNSB_RA_DONE);
	}
	expect_whole(v, whole);
	assert_int_equal(v->r.live, 0);
	env_free(v);
}

static void test_orders_v4(void **st)
{
	(void)st;
	static const unsigned in_order[] = { 0, 1, 2 }, reversed[] = { 2, 1, 0 },
			      middle_first[] = { 1, 0, 2 }, last_first[] = { 2, 0, 1 };
	run_order("v4_train", "v4_whole", in_order, 3);
	run_order("v4_train", "v4_whole", reversed, 3);
	run_order("v4_train", "v4_whole", middle_first, 3);
	run_order("v4_train", "v4_whole", last_first, 3);
}

static void test_orders_v6(void **st)
{
	(void)st;
	static const unsigned in_order[] = { 0, 1, 2 }, reversed[] = { 2, 1, 0 };
	/* The hop-by-hop header before the fragment header stays, and now
	 * names UDP as next. */
	run_order("v6_train", "v6_whole", in_order, 3);
	run_order("v6_train", "v6_whole", reversed, 3);
}

static void test_interleaved_and_duplicates(void **st)
{
	(void)st;
	struct env *v = env_new(64, 64);
	/* v4_train has three fragments, v4b_train two. */
	assert_int_equal(add(v, "v4_train", 0, SEC), DNSB_RA_HELD);
	assert_int_equal(add(v, "v4b_train", 1, SEC), DNSB_RA_HELD);
	assert_int_equal(add(v, "v4_train", 0, SEC), DNSB_RA_DUP);
	assert_int_equal(add(v, "v4_train", 2, SEC), DNSB_RA_HELD);
	assert_int_equal(add(v, "v4b_train", 1, SEC), DNSB_RA_DUP);
	assert_int_equal(add(v, "v4b_train", 0, SEC), DNSB_RA_DONE);
	expect_whole(v, "v4b_whole");
	assert_int_equal(add(v, "v4_train", 2, SEC), DNSB_RA_DUP);
	assert_int_equal(add(v, "v4_train", 1, SEC), DNSB_RA_DONE);
	expect_whole(v, "v4_whole");
	assert_int_equal(v->r.live, 0);
	env_free(v);
}

static void test_overlap(void **st)
{
	(void)st;
	struct env *v = env_new(64, 64);
	assert_int_equal(add(v, "v4_train", 0, SEC), DNSB_RA_HELD);
	assert_int_equal(add(v, "v4_train", 1, SEC), DNSB_RA_HELD);
	/* Other data over part of what is there: the datagram is gone. */
	assert_int_equal(add(v, "v4_overlap", 0, SEC), DNSB_RA_OVERLAP);
	assert_int_equal(v->r.live, 0);
	/* What is left of the train starts over and never completes. */
	assert_int_equal(add(v, "v4_train", 2, SEC), DNSB_RA_HELD);
	dnsb_reasm_tick(&v->r, 10 * SEC, 0);
	assert_int_equal(v->first_missing, 1);
	env_free(v);
}

static void test_incomplete(void **st)
{
	(void)st;
	struct env *v = env_new(64, 64);
	/* Missing the first; missing the last. */
	assert_int_equal(add(v, "v4_train", 1, SEC), DNSB_RA_HELD);
	assert_int_equal(add(v, "v4_train", 2, SEC), DNSB_RA_HELD);
	assert_int_equal(add(v, "v6_train", 0, SEC), DNSB_RA_HELD);
	assert_int_equal(add(v, "v6_train", 1, SEC), DNSB_RA_HELD);
	dnsb_reasm_tick(&v->r, 2 * SEC, 0);
	assert_int_equal(v->first_missing + v->later_missing, 0);
	dnsb_reasm_tick(&v->r, 4 * SEC, 0);
	assert_int_equal(v->first_missing, 1);
	assert_int_equal(v->later_missing, 1);
	assert_int_equal(v->r.live, 0);
	env_free(v);
}

static void test_refused(void **st)
{
	(void)st;
	struct env *v = env_new(64, 64);
	/* The header chain ends with the first fragment; UDP is in the next. */
	assert_int_equal(add(v, "v6_tiny_train", 0, SEC), DNSB_RA_TINY_FIRST);
	/* Offset 65512 plus 100 octets. */
	assert_int_equal(add(v, "v4_far", 0, SEC), DNSB_RA_TOO_BIG);
	/* Not DNS: the first fragment says so, later ones follow. */
	assert_int_equal(add(v, "v4_notdns_train", 0, SEC), DNSB_RA_NOT_DNS);
	assert_int_equal(add(v, "v4_notdns_train", 1, SEC), DNSB_RA_NOT_DNS);
	/* Non-DNS trains age out silently. */
	dnsb_reasm_tick(&v->r, 10 * SEC, 0);
	assert_int_equal(v->first_missing + v->later_missing, 0);
	env_free(v);

	/* Too many fragments. */
	v = env_new(64, 2);
	assert_int_equal(add(v, "v4_train", 0, SEC), DNSB_RA_HELD);
	assert_int_equal(add(v, "v4_train", 1, SEC), DNSB_RA_HELD);
	assert_int_equal(add(v, "v4_train", 2, SEC), DNSB_RA_TOO_MANY);
	assert_int_equal(v->r.live, 0);
	env_free(v);
}

/* A new datagram takes the buffer the last one left (still in the
 * caches), whatever its slot; an evicted or aged-out datagram's buffer
 * goes back too. */
static void test_buffers_reused(void **st)
{
	(void)st;
	struct env *v = env_new(64, 64);
	const struct dnsb_reasm *r = &v->r;
	check_buffers(v);
	assert_int_equal(add(v, "v4b_train", 0, SEC), DNSB_RA_HELD);
	const struct dnsb_reasm_slot *b = r->last.slot;
	uint32_t buf = b->buf;
	check_buffers(v);
	assert_int_equal(add(v, "v4_train", 0, SEC), DNSB_RA_HELD);
	assert_int_not_equal(r->last.slot->buf, buf);
	check_buffers(v);
	assert_int_equal(add(v, "v4b_train", 1, SEC), DNSB_RA_DONE);
	expect_whole(v, "v4b_whole");
	check_buffers(v);
	/* v4b's buffer is on top again: the next datagram (v6) takes it,
	 * while v4's stays where it is. */
	assert_int_equal(add(v, "v6_train", 0, SEC), DNSB_RA_HELD);
	assert_int_equal(r->last.slot->buf, buf);
	check_buffers(v);
	assert_int_equal(add(v, "v4_train", 1, SEC), DNSB_RA_HELD);
	assert_int_equal(add(v, "v4_train", 2, SEC), DNSB_RA_DONE);
	expect_whole(v, "v4_whole");
	assert_int_equal(add(v, "v6_train", 1, SEC), DNSB_RA_HELD);
	assert_int_equal(add(v, "v6_train", 2, SEC), DNSB_RA_DONE);
	expect_whole(v, "v6_whole");
	check_buffers(v);
	assert_int_equal(r->live, 0);
	env_free(v);
}

/* A datagram is held as one run of blocks while its fragments join it at
 * either end, and in the bitmap from the first one that leaves a gap:
 * duplicates and overlaps are found either way, and a discarded mapped
 * datagram leaves its buffer's bitmap clear. v4_train: blocks [0, 150),
 * [150, 300), [300, 412); v4_overlap: [149, 299). */
/* The slot holds blocks [lo, hi) as one run, not in the bitmap. */
static void expect_run(const struct dnsb_reasm_slot *s, unsigned lo, unsigned hi)
{
	assert_false(s->mapped);
	assert_int_equal(s->run_lo, lo);
	assert_int_equal(s->run_hi, hi);
}

static void test_run_then_map(void **st)
{
	(void)st;
	struct env *v = env_new(64, 64);
	const struct dnsb_reasm *r = &v->r;
	assert_int_equal(add(v, "v4_train", 0, SEC), DNSB_RA_HELD);
	const struct dnsb_reasm_slot *s = r->last.slot;
	expect_run(s, 0, 150);
	assert_int_equal(add(v, "v4_train", 0, SEC), DNSB_RA_DUP);
	assert_int_equal(add(v, "v4_overlap", 0, SEC), DNSB_RA_OVERLAP);
	assert_int_equal(r->live, 0);
	check_buffers(v);

	/* The last, then the first: a gap, so the bitmap. */
	assert_int_equal(add(v, "v4_train", 2, SEC), DNSB_RA_HELD);
	s = r->last.slot;
	expect_run(s, 300, 412);
	assert_int_equal(add(v, "v4_train", 0, SEC), DNSB_RA_HELD);
	assert_true(s->mapped);
	assert_int_equal(add(v, "v4_train", 2, SEC), DNSB_RA_DUP);
	assert_int_equal(add(v, "v4_train", 0, SEC), DNSB_RA_DUP);
	assert_int_equal(add(v, "v4_overlap", 0, SEC), DNSB_RA_OVERLAP);
	assert_int_equal(r->live, 0);
	check_buffers(v);

	/* The middle, then the first and the last: the run grows down and up. */
	assert_int_equal(add(v, "v4_train", 1, SEC), DNSB_RA_HELD);
	s = r->last.slot;
	assert_int_equal(add(v, "v4_train", 0, SEC), DNSB_RA_HELD);
	expect_run(s, 0, 300);
	assert_int_equal(add(v, "v4_train", 2, SEC), DNSB_RA_DONE);
	expect_whole(v, "v4_whole");
	check_buffers(v);
	env_free(v);
}

/* A datagram's fragment found wherever it sits in its probe window, also
 * when it is the window's only live slot, at its far end (the live map
 * tells an empty window from one with a slot live): eight datagrams with
 * the same home slot fill the window, seven complete, and the eighth,
 * last in the window, still completes. */
static void test_window_scan(void **st)
{
	(void)st;
	static struct fx f0, f1;
	struct dnsb_pkt p0, p1;
	struct env *v = env_new(64, 64);
	const struct dnsb_reasm *r = &v->r;
	fx_load_from("frag", "v4b_train", 0, &f0);
	fx_load_from("frag", "v4b_train", 1, &f1);
	assert_int_equal(dnsb_pkt_parse(f0.buf, f0.len, &p0), DNSB_R_OK);
	assert_int_equal(dnsb_pkt_parse(f1.buf, f1.len, &p1), DNSB_R_OK);
	/* Each ID's home slot, learnt one at a time in the empty table. */
	uint32_t ids[64][8], n[64] = { 0 }, home = 64;
	uint64_t t = SEC;
	for (uint32_t id = 0; id < 65536 && home == 64; id++, t += 4 * SEC) {
		p0.frag_id = id;
		assert_int_equal(add_parsed(v, f0.buf, &p0, t), DNSB_RA_HELD);
		uint32_t h = (uint32_t)(r->last.slot - r->slot);
		dnsb_reasm_tick(&v->r, t + 3 * SEC, 0);
		assert_int_equal(r->live, 0);
		if (h + 8 <= 64 && n[h] < 8) {
			ids[h][n[h]++] = id;
			if (n[h] == 8)
				home = h;
		}
	}
	assert_int_not_equal(home, 64);
	for (uint32_t k = 0; k < 8; k++) {
		p0.frag_id = ids[home][k];
		assert_int_equal(add_parsed(v, f0.buf, &p0, t), DNSB_RA_HELD);
		assert_int_equal(r->last.slot - r->slot, home + k);
	}
	for (uint32_t k = 0; k < 8; k++) {
		p1.frag_id = ids[home][k];
		v->out_len = 0;
		assert_int_equal(add_parsed(v, f1.buf, &p1, t), DNSB_RA_DONE);
		expect_whole(v, "v4b_whole");
		check_buffers(v);
	}
	assert_int_equal(r->live, 0);
	env_free(v);
}

static void test_table_bounded(void **st)
{
	(void)st;
	static struct fx f;
	struct dnsb_pkt p;
	struct env *v = env_new(16, 64);
	unsigned held = 0;
	/* 1000 never-completed datagrams: distinct IDs, later fragments only;
	 * the table holds 16, the oldest of a window goes for each new one. */
	fx_load_from("frag", "v4_train", 1, &f);
	assert_int_equal(dnsb_pkt_parse(f.buf, f.len, &p), DNSB_R_OK);
	for (uint32_t id = 0; id < 1000; id++) {
		p.frag_id = id;
		enum dnsb_reasm_status s = add_parsed(v, f.buf, &p, SEC + id);
		held += s == DNSB_RA_HELD;
		assert_true(v->r.live <= 16);
		if (id % 97 == 0)
			check_buffers(v);
	}
	check_buffers(v);
	assert_int_equal(held, 1000);
	assert_int_equal(v->r.evicted, 1000 - 16);
	assert_int_equal(v->r.live, 16);
	/* In the middle of the flood, a real train still reassembles. */
	for (unsigned i = 0; i < 3; i++)
		add(v, "v4_train", i, SEC + 2000);
	expect_whole(v, "v4_whole");
	dnsb_reasm_tick(&v->r, 5 * SEC, 0);
	assert_int_equal(v->r.live, 0);
	check_buffers(v);
	assert_int_equal(v->first_missing, 15);
	env_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_orders_v4),    cmocka_unit_test(test_orders_v6),
		cmocka_unit_test(test_interleaved_and_duplicates),
		cmocka_unit_test(test_overlap),      cmocka_unit_test(test_incomplete),
		cmocka_unit_test(test_refused),      cmocka_unit_test(test_table_bounded),
		cmocka_unit_test(test_buffers_reused), cmocka_unit_test(test_run_then_map),
		cmocka_unit_test(test_window_scan),
	};
	return cmocka_run_group_tests_name("reasm", tests, NULL, NULL);
}
