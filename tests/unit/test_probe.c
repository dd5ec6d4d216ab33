/* SPDX-License-Identifier: BSD-3-Clause */
/* dnsbump-probe's pure parts: the ladder (sizes, the _ladder text, the
 * zone records, whose answers ldns builds to exactly the rung's size), the
 * bisection against simulated paths of every limit, and the verdicts for
 * the measurements each impairment gives. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <ldns/ldns.h>

#include "probe_ladder.h"
#include "probe_report.h"

static void test_default_ladder(void **st)
{
	(void)st;
	struct probe_ladder l;
	probe_ladder_default(&l);
	assert_int_equal(l.n, 37 + 3);
	for (unsigned i = 1; i < l.n; i++)
		assert_true(l.size[i] > l.size[i - 1]);
	int has1232 = 0;
	for (unsigned i = 0; i < l.n; i++)
		has1232 |= l.size[i] == 1232;
	assert_true(has1232);
	/* Duplicates between the steps and the extras collapse. */
	static const unsigned ex[] = { 500, 1232 };
	assert_int_equal(probe_ladder_set(&l, 400, 600, 100, ex, 2), 0);
	assert_int_equal(l.n, 4);
	assert_int_equal(probe_ladder_set(&l, 400, 60000, 10, NULL, 0), -1);
	assert_int_equal(probe_ladder_set(&l, 400, 300, 100, NULL, 0), -1);
	assert_int_equal(probe_ladder_set(&l, 400, 500, 0, NULL, 0), -1);
}

static void test_ladder_text(void **st)
{
	(void)st;
	struct probe_ladder l, m;
	char text[256];
	probe_ladder_default(&l);
	probe_ladder_format(&l, text, sizeof(text));
	assert_string_equal(text, "v=dnsbump-ladder1 min=400 max=4000 step=100 extra=1232,1452,1472");
	assert_int_equal(probe_ladder_parse(&m, text), 0);
	assert_int_equal(m.n, l.n);
	assert_memory_equal(m.size, l.size, l.n * sizeof(l.size[0]));
	/* Unknown keys are ignored; no version, bad numbers are refused. */
	assert_int_equal(probe_ladder_parse(&m, "v=dnsbump-ladder1 min=500 max=900 step=200 x=1"), 0);
	assert_int_equal(m.n, 3);
	assert_int_equal(probe_ladder_parse(&m, "min=500 max=900 step=200"), -1);
	assert_int_equal(probe_ladder_parse(&m, "v=dnsbump-ladder1 min=5x0 max=900 step=200"), -1);
	assert_int_equal(probe_ladder_parse(&m, "v=dnsbump-ladder1 min=500 max=900 step=200 extra=1,"), -1);
}

/* The answer to sNNNN.ZONE TXT, built by ldns from the zone line the probe
 * wrote, is NNNN octets on the wire. */
static void test_zone_sizes(void **st)
{
	(void)st;
	static const char *const zones[] = { "dnsbump.test", "ladder.example.org.", "x.y" };
	for (unsigned z = 0; z < 3; z++) {
		struct probe_ladder l;
		probe_ladder_default(&l);
		char *text = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);
		assert_int_equal(probe_ladder_write_zone(&l, zones[z], 300, f), 0);
		fclose(f);
		unsigned rungs = 0, ladder = 0;
		for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			if (line[0] == ';')
				continue;
			ldns_rr *rr = NULL;
			assert_int_equal(ldns_rr_new_frm_str(&rr, line, 300, NULL, NULL), LDNS_STATUS_OK);
			char *owner = ldns_rdf2str(ldns_rr_owner(rr));
			if (!strncmp(owner, "_ladder.", 8)) {
				ladder++;
			} else {
				unsigned size = (unsigned)strtoul(owner + 1, NULL, 10);
				ldns_pkt *p = ldns_pkt_query_new(ldns_rdf_clone(ldns_rr_owner(rr)),
								 LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_IN, 0);
				ldns_pkt_set_qr(p, 1);
				ldns_pkt_set_edns_udp_size(p, 1232);
				ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, ldns_rr_clone(rr));
				uint8_t *wire = NULL;
				size_t n = 0;
				assert_int_equal(ldns_pkt2wire(&wire, p, &n), LDNS_STATUS_OK);
				if (n != size)
					fail_msg("%s in %s: answer of %zu octets", owner, zones[z], n);
				free(wire);
				ldns_pkt_free(p);
				rungs++;
			}
			free(owner);
			ldns_rr_free(rr);
		}
		assert_int_equal(ladder, 1);
		assert_int_equal(rungs, l.n);
		free(text);
	}
	/* Too small for the zone's name: refused. */
	struct probe_ladder t;
	assert_int_equal(probe_ladder_set(&t, 100, 200, 100, NULL, 0), 0);
	FILE *f = fopen("/dev/null", "w");
	assert_int_equal(probe_ladder_write_zone(&t, "a-rather-long-name-for-a-zone.in-a-rather-"
						  "long-parent.under-a-long-name.example.org", 300, f), -1);
	fclose(f);
}

/* A simulated path: answers up to @p limit arrive, larger ones are lost
 * (or truncated). */
struct path {
	unsigned limit;
	enum probe_outcome over;
	unsigned asked;
};

static enum probe_outcome sim(void *ctx, unsigned size, unsigned *got)
{
	struct path *p = ctx;
	p->asked++;
	if (size <= p->limit) {
		*got = size;
		return PROBE_ARRIVED;
	}
	*got = p->over == PROBE_TRUNCATED ? 60 : 0;
	return p->over;
}

static void test_search(void **st)
{
	(void)st;
	struct probe_ladder l;
	probe_ladder_default(&l);
	for (unsigned limit = 100; limit <= 4200; limit += 7) {
		for (int t = 0; t < 2; t++) {
			struct path p = { limit, t ? PROBE_TRUNCATED : PROBE_LOST, 0 };
			struct probe_search s;
			probe_ladder_search(&l, sim, &p, &s);
			int want_largest = -1, want_failed = -1;
			for (unsigned i = 0; i < l.n; i++) {
				if (l.size[i] <= limit)
					want_largest = (int)i;
				else if (want_failed < 0)
					want_failed = (int)i;
			}
			assert_int_equal(s.largest, want_largest);
			/* Below the smallest rung the top is never asked. */
			assert_int_equal(s.smallest_failed, want_failed);
			if (want_largest >= 0)
				assert_int_equal(s.largest_got, l.size[want_largest]);
			if (want_failed >= 0)
				assert_int_equal(s.failed_how, p.over);
			/* Bisection: 2 + ceil(log2(40)) questions at most. */
			assert_true(p.asked <= 2 + 6);
			assert_int_equal(s.n_tries, p.asked);
		}
	}
}

/* Measurements of a clean dual-stack path. */
static void clean(struct probe_result *r)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->zone, sizeof(r->zone), "dnsbump.test");
	probe_ladder_default(&r->ladder);
	r->ladder_announced = 1;
	for (int k = 0; k < 2; k++) {
		struct probe_family *f = &r->fam[k];
		f->tested = f->reachable = f->edns_opt = f->signed_zone = 1;
		f->do_answered = f->do_bit = f->do_rrsig = f->ladder = 1;
		snprintf(f->server, sizeof(f->server), k ? "2001:db8::53" : "198.51.100.53");
		struct path p = { 99999, PROBE_LOST, 0 };
		probe_ladder_search(&r->ladder, sim, &p, &f->do0);
		probe_ladder_search(&r->ladder, sim, &p, &f->do1);
		f->big = 2000;
		f->tc512 = PROBE_TRUNCATED;
		f->tc512_got = 60;
		f->toobig = PROBE_TRUNCATED;
		f->toobig_got = 60;
		f->tcp = PT_OK;
		f->tcp_got = 2000;
	}
}

static void limit_path(struct probe_result *r, int k, unsigned limit, enum probe_outcome over)
{
	struct path p = { limit, over, 0 };
	probe_ladder_search(&r->ladder, sim, &p, &r->fam[k].do0);
	probe_ladder_search(&r->ladder, sim, &p, &r->fam[k].do1);
}

/* The verdict string "pppsspps" (p pass, w warn, f fail, s skip). */
static void verdicts(const struct probe_result *r, struct probe_judgement *j, char out[9])
{
	probe_judge(r, j);
	for (int c = 0; c < PROBE_CHECKPOINTS; c++)
		out[c] = probe_verdict_name(j->cp[c].verdict)[0];
	out[8] = 0;
}

static void test_judge(void **st)
{
	(void)st;
	struct probe_result r;
	struct probe_judgement j;
	char v[9];

	clean(&r);
	verdicts(&r, &j, v);
	assert_string_equal(v, "ppppppsp");
	assert_true(j.safe);
	assert_int_equal(j.suggested_edns, 1232);
	assert_int_equal(probe_exit_status(&r, &j), 0);

	/* Non-first fragments dropped: whole answers up to 1472 (v4), 1452 (v6). */
	clean(&r);
	limit_path(&r, 0, 1472, PROBE_LOST);
	limit_path(&r, 1, 1452, PROBE_LOST);
	verdicts(&r, &j, v);
	assert_string_equal(v, "pfppppsp");
	assert_true(j.safe); /* survivable with EDNS 1232 */
	assert_non_null(strstr(j.cp[1].detail, "fragments are dropped"));

	/* UDP above 1232 dropped: checkpoint 1 warns, fragments not testable. */
	clean(&r);
	limit_path(&r, 0, 1232, PROBE_LOST);
	verdicts(&r, &j, v);
	assert_string_equal(v, "wpppppsp"); /* IPv6 untouched: its fragments pass */
	assert_int_equal(j.cp[1].verdict, PV_PASS);
	assert_non_null(strstr(j.cp[1].detail, "IPv4: not testable"));
	assert_true(j.safe);

	/* UDP above 1000 dropped: not safe; suggested size what arrived. */
	clean(&r);
	limit_path(&r, 0, 1000, PROBE_LOST);
	limit_path(&r, 1, 1000, PROBE_LOST);
	verdicts(&r, &j, v);
	assert_string_equal(v, "fsppppsp");
	assert_false(j.safe);
	assert_int_equal(j.suggested_edns, 1000);
	assert_int_equal(probe_exit_status(&r, &j), 1);

	/* An EDNS clamp in the path: larger answers come truncated, no loss. */
	clean(&r);
	limit_path(&r, 0, 1232, PROBE_TRUNCATED);
	limit_path(&r, 1, 1232, PROBE_TRUNCATED);
	verdicts(&r, &j, v);
	assert_string_equal(v, "psppppsp");
	assert_true(j.safe);

	/* TCP/53 filtered, then reset. */
	clean(&r);
	r.fam[0].tcp = r.fam[1].tcp = PT_TIMEOUT;
	verdicts(&r, &j, v);
	assert_string_equal(v, "pppfppsp");
	assert_false(j.safe);
	assert_non_null(strstr(j.cp[3].detail, "filtered"));
	r.fam[0].tcp = PT_REFUSED;
	verdicts(&r, &j, v);
	assert_non_null(strstr(j.cp[3].detail, "refused"));
	r.fam[0].tcp = PT_STALLED;
	verdicts(&r, &j, v);
	assert_non_null(strstr(j.cp[3].detail, "MTU black hole"));

	/* TC answers dropped. */
	clean(&r);
	r.fam[0].tc512 = PROBE_LOST;
	verdicts(&r, &j, v);
	assert_string_equal(v, "ppfpppsp");

	/* OPT stripped; advertised size raised on the way. */
	clean(&r);
	r.fam[0].edns_opt = 0;
	verdicts(&r, &j, v);
	assert_string_equal(v, "ppppfpsp");
	clean(&r);
	r.fam[1].toobig = PROBE_ARRIVED;
	r.fam[1].toobig_got = 2000;
	r.fam[1].tc512 = PROBE_ARRIVED;
	verdicts(&r, &j, v);
	assert_string_equal(v, "ppppfpsp"); /* TC: the IPv4 half passes */
	assert_non_null(strstr(j.cp[4].detail, "not honoured"));

	/* DO cleared, RRSIGs stripped, DO answers lost; an unsigned zone. */
	clean(&r);
	r.fam[0].do_bit = r.fam[0].do_rrsig = 0;
	verdicts(&r, &j, v);
	assert_string_equal(v, "pppppfsp");
	assert_non_null(strstr(j.cp[5].detail, "DO is cleared"));
	r.fam[0].do_bit = 1;
	verdicts(&r, &j, v);
	assert_non_null(strstr(j.cp[5].detail, "stripped"));
	clean(&r);
	r.fam[0].do_answered = 0;
	verdicts(&r, &j, v);
	assert_string_equal(v, "pppppfsp");
	clean(&r);
	r.fam[0].signed_zone = r.fam[1].signed_zone = 0;
	verdicts(&r, &j, v);
	assert_string_equal(v, "ppppps" "sp");

	/* An answer from another address. */
	clean(&r);
	r.fam[0].addr_mismatch = 1;
	snprintf(r.fam[0].addr_seen, sizeof(r.fam[0].addr_seen), "203.0.113.9");
	verdicts(&r, &j, v);
	assert_string_equal(v, "pppppp" "sf");
	assert_non_null(strstr(j.cp[7].detail, "203.0.113.9"));

	/* No ladder in the zone: the ladder checks are skipped. */
	clean(&r);
	r.fam[0].ladder = r.fam[1].ladder = 0;
	verdicts(&r, &j, v);
	assert_string_equal(v, "sssppp" "sp");

	/* Nothing answers: exit 3. */
	clean(&r);
	r.fam[0].reachable = r.fam[1].reachable = 0;
	r.fam[0].tcp = r.fam[1].tcp = PT_NOT_RUN;
	verdicts(&r, &j, v);
	assert_int_equal(probe_exit_status(&r, &j), 3);
}

static void test_output(void **st)
{
	(void)st;
	struct probe_result r;
	struct probe_judgement j;
	clean(&r);
	limit_path(&r, 0, 1472, PROBE_LOST);
	r.fam[1].tested = 0;
	probe_judge(&r, &j);
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	probe_print_text(f, &r, &j);
	fclose(f);
	assert_non_null(strstr(text, "2  IP fragments   fail"));
	assert_non_null(strstr(text, "suggested EDNS UDP size for this path: 1232"));
	assert_non_null(strstr(text, "verdict: DNSSEC-safe"));
	assert_null(strstr(text, "IPv6"));
	free(text);
	f = open_memstream(&text, &len);
	probe_print_json(f, &r, &j);
	fclose(f);
	assert_non_null(strstr(text, "\"dnssec_safe\": true"));
	assert_non_null(strstr(text, "{\"id\": 2, \"name\": \"IP fragments\", \"verdict\": \"fail\""));
	assert_non_null(strstr(text, "\"largest\": 1472"));
	assert_null(strstr(text, "ipv6"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_ladder), cmocka_unit_test(test_ladder_text),
		cmocka_unit_test(test_zone_sizes),     cmocka_unit_test(test_search),
		cmocka_unit_test(test_judge),          cmocka_unit_test(test_output),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
