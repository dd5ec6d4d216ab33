/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <string.h>

#include "json.h"
#include "probe_report.h"

static const char *const fam_name[2] = { "IPv4", "IPv6" };

const char *probe_verdict_name(enum probe_verdict v)
{
	static const char *const n[] = { "pass", "warn", "fail", "skip" };
	return (unsigned)v < 4 ? n[v] : "?";
}

/* One family's verdict and detail for a checkpoint. */
struct fv {
	enum probe_verdict v;
	char d[150];
};

static void set(struct fv *f, enum probe_verdict v, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set(struct fv *f, enum probe_verdict v, const char *fmt, ...)
{
	va_list ap;
	f->v = v;
	va_start(ap, fmt);
	vsnprintf(f->d, sizeof(f->d), fmt, ap);
	va_end(ap);
}

static unsigned rung(const struct probe_result *r, int i)
{
	return i >= 0 ? r->ladder.size[i] : 0;
}

/* Usable for the ladder checks? Sets the skip reason when not. */
static int ladder_usable(const struct probe_family *f, struct fv *o)
{
	if (!f->reachable) {
		set(o, PV_SKIP, "no answer from the server");
		return 0;
	}
	if (!f->ladder) {
		set(o, PV_SKIP, "the zone has no reply-size ladder (dnsbump-probe --make-zone)");
		return 0;
	}
	return 1;
}

static void cp_large(const struct probe_result *r, const struct probe_family *f, struct fv *o)
{
	const struct probe_search *s = &f->do0;
	if (!ladder_usable(f, o))
		return;
	unsigned a = rung(r, s->largest), b = rung(r, s->smallest_failed);
	if (s->largest < 0) {
		set(o, PV_FAIL, "even the smallest ladder answer (%u octets) %s", b,
		    s->failed_how == PROBE_TRUNCATED ? "comes truncated" : "is lost");
	} else if (s->smallest_failed < 0) {
		set(o, PV_PASS, "every ladder answer arrived, up to %u octets", a);
	} else if (s->failed_how == PROBE_TRUNCATED) {
		set(o, PV_PASS, "answers up to %u octets arrive; from %u on they come truncated "
				"(TC=1): the server's limit or an EDNS clamp", a, b);
	} else if (b <= 1232) {
		set(o, PV_FAIL, "answers of %u octets are %s (%u arrived): UDP above ~%u is dropped",
		    b, probe_outcome_name(s->failed_how), a, a);
	} else if (b <= 1400) {
		set(o, PV_WARN, "answers above %u octets are lost (%u did not arrive): an MTU below "
				"1500 or a size filter", a, b);
	} else {
		set(o, PV_PASS, "unfragmented answers arrive (up to %u octets)", a);
	}
}

static void cp_frag(const struct probe_result *r, const struct probe_family *f, struct fv *o)
{
	const struct probe_search *s = &f->do0;
	if (!ladder_usable(f, o))
		return;
	unsigned a = rung(r, s->largest), b = rung(r, s->smallest_failed);
	if (s->largest >= 0 && a > 1500)
		set(o, PV_PASS, "fragmented answers arrive (%u octets)", a);
	else if (s->smallest_failed < 0 || s->largest < 0)
		set(o, PV_SKIP, "no ladder answer larger than one frame to test");
	else if (s->failed_how == PROBE_TRUNCATED)
		set(o, PV_SKIP, "answers above %u come truncated: no fragmented answer to test", a);
	else if (b <= 1400)
		set(o, PV_SKIP, "not testable: datagrams above %u octets are lost whole (checkpoint 1)", a);
	else
		set(o, PV_FAIL, "answers that need IP fragments (%u octets and more) are lost, while "
				"%u arrives whole: fragments are dropped", b, a);
}

static void cp_tc(const struct probe_result *r, const struct probe_family *f, struct fv *o)
{
	(void)r;
	if (!ladder_usable(f, o))
		return;
	switch (f->tc512) {
	case PROBE_TRUNCATED:
		set(o, PV_PASS, "a TC=1 answer (%u octets) arrived for a %u-octet answer", f->tc512_got,
		    f->big);
		break;
	case PROBE_LOST:
		set(o, PV_FAIL, "the TC=1 answer for a %u-octet answer (512 advertised) is lost: "
				"clients never learn to retry over TCP", f->big);
		break;
	case PROBE_ARRIVED:
		set(o, PV_SKIP, "the whole %u-octet answer came although 512 was advertised "
				"(checkpoint 5)", f->tc512_got);
		break;
	default:
		set(o, PV_FAIL, "a broken answer came instead of TC=1");
	}
}

static void cp_tcp(const struct probe_family *f, struct fv *o)
{
	switch (f->tcp) {
	case PT_OK:
		set(o, PV_PASS, "answer over TCP/53 (%u octets)", f->tcp_got);
		break;
	case PT_REFUSED:
		set(o, PV_FAIL, "TCP/53 connection refused (reset)");
		break;
	case PT_TIMEOUT:
		set(o, PV_FAIL, "no SYN-ACK: TCP/53 filtered");
		break;
	case PT_STALLED:
		set(o, PV_FAIL, "connected, but the %u-octet answer never came: large segments lost "
				"(an MTU black hole? clamp the MSS)", f->big);
		break;
	case PT_BAD:
		set(o, PV_FAIL, "TCP/53 connected but the answer is broken or missing");
		break;
	default:
		set(o, PV_SKIP, f->reachable ? "not run" : "no answer from the server");
	}
}

static void cp_edns(const struct probe_family *f, struct fv *o)
{
	if (!f->reachable)
		set(o, PV_SKIP, "no answer from the server");
	else if (f->edns_opt == 0)
		set(o, PV_FAIL, "answers to EDNS queries come without OPT: EDNS is stripped on the way");
	else if (f->toobig == PROBE_ARRIVED && f->toobig_got > 1232)
		set(o, PV_FAIL, "1232 advertised, a %u-octet answer came: the advertised size is not "
				"honoured (raised on the way? RFC 8906)", f->toobig_got);
	else
		set(o, PV_PASS, "OPT answered%s", f->ladder ? ", the advertised size honoured" : "");
}

static void cp_do(const struct probe_family *f, struct fv *o)
{
	if (!f->reachable)
		set(o, PV_SKIP, "no answer from the server");
	else if (f->signed_zone == 0)
		set(o, PV_SKIP, "the zone is not signed (no DNSKEY)");
	else if (f->do_answered == 0)
		set(o, PV_FAIL, "answers to DO=1 queries are lost, DO=0 ones arrive");
	else if (!f->do_bit && !f->do_rrsig)
		set(o, PV_FAIL, "answers to DO=1 queries lack DO and RRSIGs: DO is cleared on the way");
	else if (!f->do_rrsig)
		set(o, PV_FAIL, "answers to DO=1 queries lack their RRSIGs: stripped on the way");
	else if (f->ladder && f->do1.largest < 0 && f->do0.largest >= 0)
		set(o, PV_FAIL, "DO=1 ladder answers are lost, DO=0 ones arrive");
	else
		set(o, PV_PASS, "DO answered with RRSIGs");
}

static void cp_addr(const struct probe_family *f, struct fv *o)
{
	if (!f->reachable)
		set(o, PV_SKIP, "no answer from the server");
	else if (f->addr_mismatch)
		set(o, PV_FAIL, "answers came from %s, not from %s (NAT or anycast surprise)",
		    f->addr_seen, f->server);
	else
		set(o, PV_PASS, "answers come from the address asked");
}

static enum probe_verdict worse(enum probe_verdict a, enum probe_verdict b)
{
	static const int rank[] = { [PV_SKIP] = 0, [PV_PASS] = 1, [PV_WARN] = 2, [PV_FAIL] = 3 };
	return rank[b] > rank[a] ? b : a;
}

void probe_judge(const struct probe_result *r, struct probe_judgement *j)
{
	static const char *const names[PROBE_CHECKPOINTS] = {
		"large UDP", "IP fragments", "TC=1 fallback", "TCP/53", "EDNS0", "DO and RRSIG",
		"UDP state", "addresses",
	};
	memset(j, 0, sizeof(*j));
	for (int c = 0; c < PROBE_CHECKPOINTS; c++) {
		struct probe_checkpoint *cp = &j->cp[c];
		cp->id = c + 1;
		cp->name = names[c];
		cp->verdict = PV_SKIP;
		if (c == 6) {
			snprintf(cp->detail, sizeof(cp->detail),
				 "not measured by the probe: see dnsbump's udp_flows gauges in the path");
			continue;
		}
		size_t n = 0;
		int first = 1;
		for (int k = 0; k < 2; k++) {
			const struct probe_family *f = &r->fam[k];
			struct fv o = { PV_SKIP, "" };
			if (!f->tested)
				continue;
			switch (c) {
			case 0: cp_large(r, f, &o); break;
			case 1: cp_frag(r, f, &o); break;
			case 2: cp_tc(r, f, &o); break;
			case 3: cp_tcp(f, &o); break;
			case 4: cp_edns(f, &o); break;
			case 5: cp_do(f, &o); break;
			default: cp_addr(f, &o); break;
			}
			cp->verdict = first ? o.v : worse(cp->verdict, o.v);
			first = 0;
			n += (size_t)snprintf(cp->detail + n, n < sizeof(cp->detail) ? sizeof(cp->detail) - n : 0,
					      "%s%s: %s", n ? "; " : "", fam_name[k], o.d);
			if (n >= sizeof(cp->detail))
				n = sizeof(cp->detail) - 1;
		}
	}
	for (int k = 0; k < 2; k++) {
		const struct probe_family *f = &r->fam[k];
		if (!f->tested || !f->reachable || !f->ladder)
			continue;
		if (f->do0.largest >= 0 && (!j->limit_do0 || f->do0.largest_got < j->limit_do0))
			j->limit_do0 = f->do0.largest_got;
		if (f->do1.largest >= 0 && (!j->limit_do1 || f->do1.largest_got < j->limit_do1))
			j->limit_do1 = f->do1.largest_got;
	}
	/* What a resolver should advertise on this path: what arrived with DO,
	 * at most 1232 (no fragments, RFC 9715), at least 512. */
	unsigned lim = j->limit_do1 ? j->limit_do1 : j->limit_do0;
	j->suggested_edns = !lim ? 1232 : lim > 1232 ? 1232 : lim < 512 ? 512 : lim;
	j->safe = 1;
	for (int c = 0; c < PROBE_CHECKPOINTS; c++)
		if (c != 1 && j->cp[c].verdict == PV_FAIL)
			j->safe = 0; /* lost fragments are survivable with a smaller EDNS size */
}

int probe_exit_status(const struct probe_result *r, const struct probe_judgement *j)
{
	if (!(r->fam[0].tested && r->fam[0].reachable) && !(r->fam[1].tested && r->fam[1].reachable))
		return 3;
	return j->safe ? 0 : 1;
}

void probe_print_text(FILE *out, const struct probe_result *r, const struct probe_judgement *j)
{
	fprintf(out, "dnsbump-probe: zone %s via", r->zone);
	for (int k = 0; k < 2; k++)
		if (r->fam[k].tested)
			fprintf(out, " %s (%s%s)", r->fam[k].server, fam_name[k],
				r->fam[k].reachable ? "" : ", no answer");
	const struct probe_ladder *l = &r->ladder;
	fprintf(out, "\nladder: %u..%u step %u, %u sizes (%s)\n\n", l->min, l->max, l->step, l->n,
		r->ladder_announced ? "announced by the zone" : "default: the zone announces none");
	fprintf(out, "  #  %-14s %-5s  %s\n", "checkpoint", "", "what was seen");
	for (int c = 0; c < PROBE_CHECKPOINTS; c++)
		fprintf(out, "  %d  %-14s %-5s  %s\n", j->cp[c].id, j->cp[c].name,
			probe_verdict_name(j->cp[c].verdict), j->cp[c].detail);
	fprintf(out, "\nlargest answer received over UDP: DO=0 %u octets, DO=1 %u octets\n",
		j->limit_do0, j->limit_do1);
	for (int k = 0; k < 2; k++) {
		const struct probe_family *f = &r->fam[k];
		if (!f->tested || !f->ladder)
			continue;
		for (int d = 0; d < 2; d++) {
			const struct probe_search *s = d ? &f->do1 : &f->do0;
			fprintf(out, "  %s DO=%d:", fam_name[k], d);
			for (unsigned i = 0; i < s->n_tries; i++)
				fprintf(out, " %u=%s", s->tries[i].size,
					probe_outcome_name(s->tries[i].outcome));
			fputc('\n', out);
		}
	}
	fprintf(out, "suggested EDNS UDP size for this path: %u\n", j->suggested_edns);
	fprintf(out, "verdict: %s\n", j->safe ? "DNSSEC-safe" : "NOT DNSSEC-safe");
}

static void json_search(FILE *out, const struct probe_result *r, const struct probe_search *s)
{
	fprintf(out, "{\"largest\": %u, \"largest_received\": %u, \"smallest_failed\": %u, "
		     "\"failed_how\": \"%s\", \"tries\": [",
		rung(r, s->largest), s->largest_got, rung(r, s->smallest_failed),
		s->smallest_failed >= 0 ? probe_outcome_name(s->failed_how) : "none");
	for (unsigned i = 0; i < s->n_tries; i++)
		fprintf(out, "%s{\"size\": %u, \"received\": %u, \"outcome\": \"%s\"}", i ? ", " : "",
			s->tries[i].size, s->tries[i].got, probe_outcome_name(s->tries[i].outcome));
	fputs("]}", out);
}

void probe_print_json(FILE *out, const struct probe_result *r, const struct probe_judgement *j)
{
	static const char *const tcp[] = { "ok", "refused", "timeout", "stalled", "bad", "not_run" };
	fputs("{\"zone\": ", out);
	json_write_string(out, r->zone);
	fprintf(out, ", \"ladder\": {\"min\": %u, \"max\": %u, \"step\": %u, \"sizes\": %u, "
		     "\"announced\": %s}, \"families\": {",
		r->ladder.min, r->ladder.max, r->ladder.step, r->ladder.n,
		r->ladder_announced ? "true" : "false");
	int first = 1;
	for (int k = 0; k < 2; k++) {
		const struct probe_family *f = &r->fam[k];
		if (!f->tested)
			continue;
		fprintf(out, "%s\"%s\": {\"server\": ", first ? "" : ", ", k ? "ipv6" : "ipv4");
		first = 0;
		json_write_string(out, f->server);
		fprintf(out, ", \"reachable\": %s, \"edns_opt\": %d, \"signed\": %d, "
			     "\"do_answered\": %d, \"do_bit\": %d, \"do_rrsig\": %d, \"ladder\": %s, "
			     "\"do0\": ",
			f->reachable ? "true" : "false", f->edns_opt, f->signed_zone, f->do_answered,
			f->do_bit, f->do_rrsig, f->ladder ? "true" : "false");
		json_search(out, r, &f->do0);
		fputs(", \"do1\": ", out);
		json_search(out, r, &f->do1);
		fprintf(out, ", \"big\": %u, \"tc512\": \"%s\", \"tc512_received\": %u, "
			     "\"toobig\": \"%s\", \"toobig_received\": %u, \"tcp\": \"%s\", "
			     "\"tcp_received\": %u, \"address_mismatch\": %s",
			f->big, probe_outcome_name(f->tc512), f->tc512_got, probe_outcome_name(f->toobig),
			f->toobig_got, tcp[f->tcp], f->tcp_got, f->addr_mismatch ? "true" : "false");
		if (f->addr_mismatch) {
			fputs(", \"address_seen\": ", out);
			json_write_string(out, f->addr_seen);
		}
		fputc('}', out);
	}
	fputs("}, \"checkpoints\": [", out);
	for (int c = 0; c < PROBE_CHECKPOINTS; c++) {
		fprintf(out, "%s{\"id\": %d, \"name\": ", c ? ", " : "", j->cp[c].id);
		json_write_string(out, j->cp[c].name);
		fprintf(out, ", \"verdict\": \"%s\", \"detail\": ", probe_verdict_name(j->cp[c].verdict));
		json_write_string(out, j->cp[c].detail);
		fputc('}', out);
	}
	fprintf(out, "], \"largest_do0\": %u, \"largest_do1\": %u, \"suggested_edns\": %u, "
		     "\"dnssec_safe\": %s}\n",
		j->limit_do0, j->limit_do1, j->suggested_edns, j->safe ? "true" : "false");
}
