/* SPDX-License-Identifier: BSD-3-Clause */
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "diag.h"
#include "engine.h"

void dnsb_diag_defaults(struct dnsb_diag_cfg *c)
{
	c->min_samples = 10;
	c->min_tcp = 3;
	c->loss_percent = 20;
	c->untrack = 0;
}

#define EV(x) (t->events[DNSB_EV_##x])
#define RS(x) (t->reasons[DNSB_R_##x])

/* part/whole at or above the threshold, with enough samples. */
static int lossy(uint64_t part, uint64_t whole, unsigned min, unsigned pct)
{
	return whole >= min && part * 100 >= (uint64_t)pct * whole && part > 0;
}

static struct dnsb_finding *add(struct dnsb_finding *out, unsigned *n, const char *id,
				const char *side)
{
	if (*n >= DNSB_DIAG_MAX)
		return NULL;
	struct dnsb_finding *f = &out[(*n)++];
	memset(f, 0, sizeof(*f));
	f->id = id;
	f->side = side;
	return f;
}

#define SAY(field, ...) snprintf(f->field, sizeof(f->field), __VA_ARGS__)

unsigned dnsb_diag(const struct dnsb_totals *t, const struct dnsb_diag_cfg *c,
		   struct dnsb_finding *out)
{
	unsigned n = 0, pct = c->loss_percent;
	struct dnsb_finding *f;

	/* Loss upstream, by what the client allowed: the fragment signature. */
	uint64_t q_small = EV(QUERIES_SIZE_LE512) + EV(QUERIES_SIZE_LE1232);
	uint64_t q_large = EV(QUERIES_SIZE_LE1400) + EV(QUERIES_SIZE_LE1500) + EV(QUERIES_SIZE_GT1500);
	uint64_t u_small = EV(UNANSWERED_SIZE_LE512) + EV(UNANSWERED_SIZE_LE1232);
	uint64_t u_large = EV(UNANSWERED_SIZE_LE1400) + EV(UNANSWERED_SIZE_LE1500) +
			   EV(UNANSWERED_SIZE_GT1500);
	uint64_t q_nodo = EV(QUERIES) - EV(DO_QUERIES);
	int large_loss = lossy(u_large, q_large, c->min_samples, pct) &&
			 !lossy(u_small, q_small, c->min_samples, pct);
	int do_loss = lossy(EV(UNANSWERED_DO), EV(DO_QUERIES), c->min_samples, pct) &&
		      !lossy(EV(UNANSWERED_NODO), q_nodo, c->min_samples, pct);
	if (large_loss && (f = add(out, &n, "upstream_large_loss", "upstream"))) {
		SAY(title, "upstream drops large answers or their IP fragments");
		SAY(evidence, "%" PRIu64 " of %" PRIu64 " queries advertising more than 1232 went "
			      "unanswered, %" PRIu64 " of %" PRIu64 " advertising 1232 or less",
		    u_large, q_large, u_small, q_small);
		SAY(fix, "set dns.edns_clamp = 1232 so servers never send answers that fragment; "
			 "then find the box upstream that drops fragments (RFC 8900)");
	}
	if (do_loss && !large_loss && (f = add(out, &n, "upstream_do_loss", "upstream"))) {
		SAY(title, "upstream drops DNSSEC (DO) answers");
		SAY(evidence, "%" PRIu64 " of %" PRIu64 " DO queries unanswered, %" PRIu64 " of %" PRIu64
			      " without DO",
		    EV(UNANSWERED_DO), EV(DO_QUERIES), EV(UNANSWERED_NODO), q_nodo);
		SAY(fix, "set dns.edns_clamp = 1232; check proxies and firewalls upstream that "
			 "drop or rewrite DO answers");
	}
	uint64_t unans = EV(UNANSWERED_DO) + EV(UNANSWERED_NODO);
	if (!large_loss && !do_loss && lossy(unans, EV(QUERIES), c->min_samples, pct) &&
	    (f = add(out, &n, "upstream_loss", "upstream"))) {
		SAY(title, "answers lost upstream, whatever their size");
		SAY(evidence, "%" PRIu64 " of %" PRIu64 " queries unanswered", unans, EV(QUERIES));
		SAY(fix, "the servers or the path to them are down or overloaded");
	}

	/* Fragment trains that never completed, by what was missing. */
	uint64_t trains = EV(FRAG_REASSEMBLED) + EV(FRAG_INCOMPLETE_LATER_MISSING) +
			  EV(FRAG_INCOMPLETE_FIRST_MISSING);
	if (lossy(EV(FRAG_INCOMPLETE_LATER_MISSING), trains, c->min_samples, pct) &&
	    (f = add(out, &n, "fragments_dropped", "upstream"))) {
		SAY(title, "upstream drops non-first IP fragments");
		SAY(evidence, "%" PRIu64 " of %" PRIu64 " fragmented answers incomplete, their first "
			      "fragment there and a later one missing",
		    EV(FRAG_INCOMPLETE_LATER_MISSING), trains);
		SAY(fix, "set dns.edns_clamp = 1232 so answers do not fragment; then find the box "
			 "that drops fragments (RFC 8900, RFC 9715)");
	}
	if (lossy(EV(FRAG_INCOMPLETE_FIRST_MISSING), trains, c->min_samples, pct) &&
	    (f = add(out, &n, "first_fragments_dropped", "upstream"))) {
		SAY(title, "upstream drops first IP fragments");
		SAY(evidence, "%" PRIu64 " of %" PRIu64 " fragmented datagrams lack their first fragment",
		    EV(FRAG_INCOMPLETE_FIRST_MISSING), trains);
		SAY(fix, "a box drops fragments that carry the UDP header: set dns.edns_clamp = 1232");
	}

	/* TCP/53 upstream. */
	if (lossy(EV(TCP53_SYN_UNANSWERED), EV(TCP53_SYN), c->min_tcp, pct) &&
	    (f = add(out, &n, "tcp53_filtered", "upstream"))) {
		SAY(title, "TCP/53 filtered upstream");
		SAY(evidence, "%" PRIu64 " TCP/53 connection attempts, %" PRIu64 " without SYN-ACK",
		    EV(TCP53_SYN), EV(TCP53_SYN_UNANSWERED));
		SAY(fix, "open TCP/53 toward the servers: DNS needs it (RFC 7766), TC=1 fallback "
			 "and large DNSSEC answers depend on it");
	}
	if (lossy(EV(TCP53_RESET), EV(TCP53_SYN), c->min_tcp, pct) &&
	    (f = add(out, &n, "tcp53_reset", "upstream"))) {
		SAY(title, "TCP/53 refused or reset upstream");
		SAY(evidence, "%" PRIu64 " resets from port 53 for %" PRIu64 " SYN", EV(TCP53_RESET),
		    EV(TCP53_SYN));
		SAY(fix, "a box or the server resets DNS over TCP: allow it");
	}

	/* Downstream: the answer left the bump and the client asked again. */
	uint64_t r_all = EV(CLIENT_RETRY_AFTER_ANSWER), r_large = EV(CLIENT_RETRY_AFTER_LARGE_ANSWER);
	int down_large = r_large >= c->min_samples && (r_all - r_large) * 100 < (uint64_t)pct * r_large;
	if (down_large && (f = add(out, &n, "downstream_large_loss", "downstream"))) {
		SAY(title, "downstream drops answers larger than 1232 octets");
		SAY(evidence, "%" PRIu64 " client retries after large answers, %" PRIu64
			      " after small ones",
		    r_large, r_all - r_large);
		SAY(fix, "set dns.path_limit = 1232 so clients get a TC=1 answer and retry over "
			 "TCP; then find the box toward the clients that drops large UDP or fragments");
	}
	if (!down_large && r_all >= c->min_samples &&
	    (f = add(out, &n, "downstream_loss", "downstream"))) {
		SAY(title, "answers lost downstream, whatever their size");
		SAY(evidence, "%" PRIu64 " client retries after an answer was forwarded (%" PRIu64
			      " after large ones)",
		    r_all, r_large);
		SAY(fix, "check the path between the bump and the clients");
	}
	uint64_t tc_all = EV(TC_TCP_FOLLOWUP) + EV(TC_NO_TCP_FOLLOWUP);
	if (lossy(EV(TC_NO_TCP_FOLLOWUP), tc_all, c->min_tcp, pct) &&
	    (f = add(out, &n, "tc_no_tcp", "downstream"))) {
		SAY(title, "TC=1 answers not followed by TCP");
		SAY(evidence, "%" PRIu64 " of %" PRIu64 " truncated answers had no TCP/53 from the "
			      "client after them (no new connection, no query on an open one)",
		    EV(TC_NO_TCP_FOLLOWUP), tc_all);
		SAY(fix, "clients do not fall back to TCP, or a box toward them drops TC answers: "
			 "fix the clients or that box");
	}

	/* What happened to the answers themselves. */
	if (lossy(EV(RESPONSE_NO_OPT), EV(RESPONSES), c->min_samples, pct) &&
	    (f = add(out, &n, "edns_stripped", "upstream"))) {
		SAY(title, "EDNS queries answered without OPT");
		SAY(evidence, "%" PRIu64 " of %" PRIu64 " answers lack the OPT their query had",
		    EV(RESPONSE_NO_OPT), EV(RESPONSES));
		SAY(fix, "a proxy or firewall upstream strips EDNS (RFC 8906 'noopt'): replace or "
			 "reconfigure it");
	}
	if (lossy(EV(RESPONSE_DO_NO_RRSIG), EV(DO_RESPONSES), c->min_samples, pct) &&
	    (f = add(out, &n, "dnssec_stripped", "upstream"))) {
		SAY(title, "DO queries answered without RRSIG");
		SAY(evidence, "%" PRIu64 " of %" PRIu64 " DO answers carry records but no signature",
		    EV(RESPONSE_DO_NO_RRSIG), EV(DO_RESPONSES));
		SAY(fix, "a proxy strips DNSSEC records, or the zones are unsigned");
	}
	if (EV(RESPONSE_TOOBIG) >= c->min_samples && (f = add(out, &n, "toobig", "upstream"))) {
		SAY(title, "answers larger than the client advertised");
		SAY(evidence, "%" PRIu64 " answers exceeded their query's EDNS size (RFC 8906 "
			      "'toobig')",
		    EV(RESPONSE_TOOBIG));
		SAY(fix, "a server ignores the client's size or a box raises it: set "
			 "dns.oversize = \"truncate\" and a path_limit");
	}
	if (lossy(EV(RESPONSES_UNMATCHED), EV(RESPONSES), c->min_samples, pct) &&
	    (f = add(out, &n, "asymmetric", "path"))) {
		SAY(title, "answers without a matching query");
		SAY(evidence, "%" PRIu64 " of %" PRIu64 " answers matched no query seen by the bump",
		    EV(RESPONSES_UNMATCHED), EV(RESPONSES));
		SAY(fix, "queries take another path, or a NAT rewrites addresses or ports between "
			 "query and answer (checkpoint 8)");
	}
	if (RS(BAD_DNS_TRUNCATED) >= c->min_samples && (f = add(out, &n, "cut_answers", "path"))) {
		SAY(title, "DNS messages cut short without TC");
		SAY(evidence, "%" PRIu64 " messages end inside a record", RS(BAD_DNS_TRUNCATED));
		SAY(fix, "a box truncates UDP payloads (a 512-octet proxy): replace it");
	}
	if (RS(BAD_DNS_OPT_MULTIPLE) >= c->min_samples && (f = add(out, &n, "opt_twice", "path"))) {
		SAY(title, "messages with two OPT records");
		SAY(evidence, "%" PRIu64 " messages", RS(BAD_DNS_OPT_MULTIPLE));
		SAY(fix, "a proxy adds its own OPT to messages that had one: fix it");
	}

	/* The bump itself. */
	if (EV(FLOW_TABLE_FULL) && (f = add(out, &n, "tables_full", "bump"))) {
		SAY(title, "correlation tables full");
		SAY(evidence, "%" PRIu64 " queries, questions or handshakes not tracked",
		    EV(FLOW_TABLE_FULL));
		SAY(fix, "raise dns.query_table_size: loss counters undercount meanwhile");
	}
	if (t->wc[DNSB_WC_DROP_TX_FULL] && (f = add(out, &n, "tx_drops", "bump"))) {
		SAY(title, "the bump dropped frames: TX queues full");
		SAY(evidence, "%" PRIu64 " frames", t->wc[DNSB_WC_DROP_TX_FULL]);
		SAY(fix, "raise tx_desc or add workers; check the egress link");
	}
	/* Last, so that no answer reads as a clean path where the bump did
	 * not look: what dns.track leaves out, and the findings it costs. */
	unsigned u = c->untrack & DNSB_TRACK_ALL;
	if (u && (f = add(out, &n, "not_tracked", "bump"))) {
		char names[32];
		SAY(title, "dns.track leaves out %s: some findings cannot be made",
		    dnsb_track_list(u, names, sizeof(names)));
		SAY(evidence, "not looked for:%s%s%s",
		    u & DNSB_TRACK_QUERIES ? " upstream_large_loss upstream_do_loss upstream_loss "
					     "edns_stripped dnssec_stripped toobig asymmetric"
					   : "",
		    u & DNSB_TRACK_RETRIES ? " downstream_large_loss downstream_loss" : "",
		    u & DNSB_TRACK_FLOWS ? " (no finding; the udp_flows gauges stay 0)" : "");
		SAY(fix, "add them to dns.track (a restart) to diagnose those; they cost worker "
			 "cycles a query (docs/benchmarks.md)");
	}
	return n;
}

void dnsb_diag_print(FILE *out, const struct dnsb_finding *fs, unsigned n)
{
	if (!n) {
		fprintf(out, "no finding: nothing on this path breaks DNS as far as the counters "
			     "show\n");
		return;
	}
	for (unsigned i = 0; i < n; i++)
		fprintf(out, "[%s] %s: %s\n    evidence: %s\n    fix: %s\n", fs[i].side, fs[i].id,
			fs[i].title, fs[i].evidence, fs[i].fix);
}

static void js(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

void dnsb_diag_json(FILE *out, const struct dnsb_finding *fs, unsigned n)
{
	fputc('[', out);
	for (unsigned i = 0; i < n; i++) {
		fprintf(out, "%s{\"id\": ", i ? ", " : "");
		js(out, fs[i].id);
		fprintf(out, ", \"side\": ");
		js(out, fs[i].side);
		fprintf(out, ", \"title\": ");
		js(out, fs[i].title);
		fprintf(out, ", \"evidence\": ");
		js(out, fs[i].evidence);
		fprintf(out, ", \"fix\": ");
		js(out, fs[i].fix);
		fputc('}', out);
	}
	fputc(']', out);
}
