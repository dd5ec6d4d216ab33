/* SPDX-License-Identifier: BSD-3-Clause */
#include <inttypes.h>

#include "engine.h"
#include "prom.h"

/* The histograms read their buckets as runs of consecutive events. */
_Static_assert(DNSB_EV_RESPONSE_SIZE_DO_GT1500 - DNSB_EV_RESPONSE_SIZE_DO_LE512 ==
		       DNSB_SIZE_BUCKETS - 1, "DO size buckets are consecutive");
_Static_assert(DNSB_EV_RESPONSE_SIZE_NODO_GT1500 - DNSB_EV_RESPONSE_SIZE_NODO_LE512 ==
		       DNSB_SIZE_BUCKETS - 1, "no-DO size buckets are consecutive");
_Static_assert(DNSB_EV_LATENCY_GT2000MS - DNSB_EV_LATENCY_LE1MS == DNSB_LATENCY_BUCKETS - 1,
	       "latency buckets are consecutive");

/* Events that make up the histograms, written only as histograms. */
static int in_histogram(int e)
{
	return (e >= DNSB_EV_RESPONSE_SIZE_DO_LE512 && e <= DNSB_EV_RESPONSE_SIZE_NODO_GT1500) ||
	       e == DNSB_EV_RESPONSE_OCTETS_DO || e == DNSB_EV_RESPONSE_OCTETS_NODO ||
	       (e >= DNSB_EV_LATENCY_LE1MS && e <= DNSB_EV_LATENCY_US_SUM);
}

static void counter(FILE *f, const char *name, const char *help, uint64_t v)
{
	fprintf(f, "# HELP dnsbump_%s_total %s\n# TYPE dnsbump_%s_total counter\n"
		   "dnsbump_%s_total %" PRIu64 "\n",
		name, help, name, name, v);
}

static void histogram(FILE *f, const char *name, const char *label, const uint64_t *buckets,
		      const char *const *le, unsigned n, double sum)
{
	uint64_t cum = 0;
	for (unsigned i = 0; i < n; i++) {
		cum += buckets[i];
		fprintf(f, "%s_bucket{%s%sle=\"%s\"} %" PRIu64 "\n", name, label, *label ? "," : "",
			le[i], cum);
	}
	fprintf(f, "%s_sum%s%s%s %.6f\n", name, *label ? "{" : "", label, *label ? "}" : "", sum);
	fprintf(f, "%s_count%s%s%s %" PRIu64 "\n", name, *label ? "{" : "", label,
		*label ? "}" : "", cum);
}

void dnsb_prom_write_tracked(FILE *f, unsigned untrack)
{
	fprintf(f, "# HELP dnsbump_tracked parts of correlation in force (dns.track): 0 means "
		   "their counters stay 0 whatever the path does\n# TYPE dnsbump_tracked gauge\n");
	for (unsigned b = 1; b & DNSB_TRACK_ALL; b <<= 1)
		fprintf(f, "dnsbump_tracked{part=\"%s\"} %d\n", dnsb_track_name(b), !(untrack & b));
}

void dnsb_prom_write(FILE *f, const struct dnsb_totals *t)
{
	for (unsigned i = 0; i < DNSB_WC__END; i++)
		counter(f, dnsb_wc_name(i), dnsb_wc_help(i), t->wc[i]);
	for (int r = 1; r < DNSB_R__END; r++)
		counter(f, dnsb_reason_name((enum dnsb_reason)r), dnsb_reason_help((enum dnsb_reason)r),
			t->reasons[r]);
	for (int e = 0; e < DNSB_EV__END; e++)
		if (!in_histogram(e))
			counter(f, dnsb_event_name((enum dnsb_event)e),
				dnsb_event_help((enum dnsb_event)e), t->events[e]);
	for (int g = 0; g < DNSB_G__END; g++)
		fprintf(f, "# HELP dnsbump_%s %s\n# TYPE dnsbump_%s gauge\ndnsbump_%s %" PRIu64 "\n",
			dnsb_gauge_name((enum dnsb_gauge)g), dnsb_gauge_help((enum dnsb_gauge)g),
			dnsb_gauge_name((enum dnsb_gauge)g), dnsb_gauge_name((enum dnsb_gauge)g),
			t->gauges[g]);

	static const char *const size_le[] = { "512", "1232", "1400", "1500", "+Inf" };
	fprintf(f, "# HELP dnsbump_response_size_bytes DNS answers over UDP by size, by the DO "
		   "bit of their query\n# TYPE dnsbump_response_size_bytes histogram\n");
	histogram(f, "dnsbump_response_size_bytes", "do=\"1\"",
		  &t->events[DNSB_EV_RESPONSE_SIZE_DO_LE512], size_le, DNSB_SIZE_BUCKETS,
		  (double)t->events[DNSB_EV_RESPONSE_OCTETS_DO]);
	histogram(f, "dnsbump_response_size_bytes", "do=\"0\"",
		  &t->events[DNSB_EV_RESPONSE_SIZE_NODO_LE512], size_le, DNSB_SIZE_BUCKETS,
		  (double)t->events[DNSB_EV_RESPONSE_OCTETS_NODO]);
	static const char *const lat_le[] = { "0.001", "0.005", "0.02", "0.1", "0.5", "2", "+Inf" };
	fprintf(f, "# HELP dnsbump_answer_latency_seconds time from a query to its answer, seen "
		   "at the bump\n# TYPE dnsbump_answer_latency_seconds histogram\n");
	histogram(f, "dnsbump_answer_latency_seconds", "", &t->events[DNSB_EV_LATENCY_LE1MS], lat_le,
		  DNSB_LATENCY_BUCKETS, (double)t->events[DNSB_EV_LATENCY_US_SUM] / 1e6);
}
