/* SPDX-License-Identifier: BSD-3-Clause */
/* Findings from counters: each failure gives its finding, a clean path
 * gives none, thresholds hold. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "diag.h"
#include "engine.h"

static struct dnsb_diag_cfg cfg;

static int has(const struct dnsb_totals *t, const char *id)
{
	struct dnsb_finding fs[DNSB_DIAG_MAX];
	unsigned n = dnsb_diag(t, &cfg, fs);
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(fs[i].id, id))
			return 1;
	return 0;
}

static unsigned count(const struct dnsb_totals *t)
{
	struct dnsb_finding fs[DNSB_DIAG_MAX];
	return dnsb_diag(t, &cfg, fs);
}

#define EV(x) t.events[DNSB_EV_##x]

/* A healthy path: 100 queries of every size, all answered. */
static void clean(struct dnsb_totals *tt)
{
	memset(tt, 0, sizeof(*tt));
	tt->events[DNSB_EV_QUERIES] = 500;
	tt->events[DNSB_EV_DO_QUERIES] = 250;
	tt->events[DNSB_EV_RESPONSES] = 500;
	tt->events[DNSB_EV_DO_RESPONSES] = 250;
	for (int b = 0; b < 5; b++)
		tt->events[DNSB_EV_QUERIES_SIZE_LE512 + b] = 100;
	tt->events[DNSB_EV_TCP53_SYN] = 20;
	tt->events[DNSB_EV_TC_TCP_FOLLOWUP] = 20;
	tt->events[DNSB_EV_CLIENT_RETRY_AFTER_ANSWER] = 1;
	tt->events[DNSB_EV_UNANSWERED_NODO] = 2;
	tt->events[DNSB_EV_UNANSWERED_SIZE_LE512] = 2;
	tt->reasons[DNSB_R_EDNS_CLAMPED] = 300;
}

static void test_clean_path(void **st)
{
	(void)st;
	struct dnsb_totals t;
	clean(&t);
	assert_int_equal(count(&t), 0);
	memset(&t, 0, sizeof(t));
	assert_int_equal(count(&t), 0);
}

static void test_fragments_upstream(void **st)
{
	(void)st;
	struct dnsb_totals t;
	clean(&t);
	/* 37 of 300 large-advertising queries lost... below 20%: nothing. */
	EV(UNANSWERED_SIZE_GT1500) = 37;
	EV(UNANSWERED_DO) = 37;
	assert_false(has(&t, "upstream_large_loss"));
	/* 90 of 300: a finding, and the DO one is not repeated. */
	EV(UNANSWERED_SIZE_GT1500) = 60;
	EV(UNANSWERED_SIZE_LE1400) = 30;
	EV(UNANSWERED_DO) = 90;
	assert_true(has(&t, "upstream_large_loss"));
	assert_false(has(&t, "upstream_do_loss"));
	assert_false(has(&t, "upstream_loss"));
	/* When small ones die as much, it is not about size. */
	EV(UNANSWERED_SIZE_LE512) = 80;
	EV(UNANSWERED_NODO) = 80;
	assert_false(has(&t, "upstream_large_loss"));
	assert_true(has(&t, "upstream_loss"));
}

static void test_fragment_trains(void **st)
{
	(void)st;
	struct dnsb_totals t;
	clean(&t);
	EV(FRAG_REASSEMBLED) = 3;
	EV(FRAG_INCOMPLETE_LATER_MISSING) = 37;
	assert_true(has(&t, "fragments_dropped"));
	struct dnsb_finding fs[DNSB_DIAG_MAX];
	unsigned n = dnsb_diag(&t, &cfg, fs);
	assert_non_null(strstr(fs[0].evidence, "37 of 40 fragmented answers incomplete"));
	assert_int_equal(n, 1);
	EV(FRAG_INCOMPLETE_LATER_MISSING) = 0;
	EV(FRAG_INCOMPLETE_FIRST_MISSING) = 12;
	assert_true(has(&t, "first_fragments_dropped"));
	assert_false(has(&t, "fragments_dropped"));
}

static void test_do_upstream(void **st)
{
	(void)st;
	struct dnsb_totals t;
	clean(&t);
	EV(UNANSWERED_DO) = 100;
	EV(UNANSWERED_SIZE_LE1232) = 50;
	EV(UNANSWERED_SIZE_LE512) = 52;
	assert_true(has(&t, "upstream_do_loss"));
	assert_false(has(&t, "upstream_large_loss"));
}

static void test_tcp(void **st)
{
	(void)st;
	struct dnsb_totals t;
	clean(&t);
	EV(TCP53_SYN) = 12;
	EV(TCP53_SYN_UNANSWERED) = 12;
	assert_true(has(&t, "tcp53_filtered"));
	EV(TCP53_SYN_UNANSWERED) = 0;
	EV(TCP53_RESET) = 10;
	assert_true(has(&t, "tcp53_reset"));
	assert_false(has(&t, "tcp53_filtered"));
	/* Too few SYNs to judge. */
	clean(&t);
	EV(TCP53_SYN) = 2;
	EV(TCP53_SYN_UNANSWERED) = 2;
	assert_false(has(&t, "tcp53_filtered"));
}

static void test_downstream(void **st)
{
	(void)st;
	struct dnsb_totals t;
	clean(&t);
	EV(CLIENT_RETRY_AFTER_ANSWER) = 20;
	EV(CLIENT_RETRY_AFTER_LARGE_ANSWER) = 20;
	assert_true(has(&t, "downstream_large_loss"));
	assert_false(has(&t, "downstream_loss"));
	struct dnsb_finding fs[DNSB_DIAG_MAX];
	unsigned n = dnsb_diag(&t, &cfg, fs);
	assert_int_equal(n, 1);
	assert_non_null(strstr(fs[0].evidence, "20 client retries after large answers, 0 after small"));
	EV(CLIENT_RETRY_AFTER_LARGE_ANSWER) = 5;
	assert_false(has(&t, "downstream_large_loss"));
	assert_true(has(&t, "downstream_loss"));

	clean(&t);
	EV(TC_NO_TCP_FOLLOWUP) = 10;
	assert_true(has(&t, "tc_no_tcp"));
}

static void test_answers(void **st)
{
	(void)st;
	struct dnsb_totals t;
	clean(&t);
	EV(RESPONSE_NO_OPT) = 200;
	EV(RESPONSE_DO_NO_RRSIG) = 250;
	EV(RESPONSE_TOOBIG) = 11;
	EV(RESPONSES_UNMATCHED) = 300;
	t.reasons[DNSB_R_BAD_DNS_TRUNCATED] = 10;
	t.reasons[DNSB_R_BAD_DNS_OPT_MULTIPLE] = 10;
	EV(FLOW_TABLE_FULL) = 1;
	t.wc[DNSB_WC_DROP_TX_FULL] = 1;
	const char *ids[] = { "edns_stripped", "dnssec_stripped", "toobig", "asymmetric",
			      "cut_answers", "opt_twice", "tables_full", "tx_drops" };
	for (unsigned i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if (!has(&t, ids[i]))
			fail_msg("no finding %s", ids[i]);
	struct dnsb_finding fs[DNSB_DIAG_MAX];
	unsigned n = dnsb_diag(&t, &cfg, fs);
	for (unsigned i = 0; i < n; i++) {
		assert_true(strlen(fs[i].title) > 10);
		assert_true(strlen(fs[i].evidence) > 5);
		assert_true(strlen(fs[i].fix) > 10);
	}
}

/* dns.track leaving parts out: said as a finding of its own, last, with
 * the findings it costs, even on a clean path; nothing with all tracked. */
static void test_not_tracked(void **st)
{
	(void)st;
	struct dnsb_totals t;
	struct dnsb_finding fs[DNSB_DIAG_MAX];
	clean(&t);
	cfg.untrack = DNSB_TRACK_RETRIES | DNSB_TRACK_FLOWS;
	unsigned n = dnsb_diag(&t, &cfg, fs);
	assert_int_equal(n, 1);
	assert_string_equal(fs[0].id, "not_tracked");
	assert_string_equal(fs[0].side, "bump");
	assert_non_null(strstr(fs[0].title, "leaves out retries flows"));
	assert_non_null(strstr(fs[0].evidence, "downstream_loss"));
	assert_null(strstr(fs[0].evidence, "upstream_loss"));
	/* Nothing tracked: the upstream findings named too, after any other. */
	cfg.untrack = DNSB_TRACK_ALL;
	t.wc[DNSB_WC_DROP_TX_FULL] = 5;
	n = dnsb_diag(&t, &cfg, fs);
	assert_int_equal(n, 2);
	assert_string_equal(fs[0].id, "tx_drops");
	assert_string_equal(fs[1].id, "not_tracked");
	assert_non_null(strstr(fs[1].title, "leaves out queries retries flows"));
	assert_non_null(strstr(fs[1].evidence, "upstream_large_loss"));
	assert_non_null(strstr(fs[1].evidence, "asymmetric"));
	cfg.untrack = 0;
	assert_int_equal(dnsb_diag(&t, &cfg, fs), 1);
}

int main(void)
{
	dnsb_diag_defaults(&cfg);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_path),   cmocka_unit_test(test_fragments_upstream),
		cmocka_unit_test(test_do_upstream),  cmocka_unit_test(test_tcp),
		cmocka_unit_test(test_fragment_trains),
		cmocka_unit_test(test_downstream),   cmocka_unit_test(test_answers),
		cmocka_unit_test(test_not_tracked),
	};
	return cmocka_run_group_tests_name("diag", tests, NULL, NULL);
}
