/* SPDX-License-Identifier: BSD-3-Clause */
#include <inttypes.h>

#include "json.h"
#include "report.h"

void dnsb_report_json(FILE *f, const char *mode, const char *config, const struct dnsb_totals *t,
		      const struct dnsb_mbuf_use *mu, const struct dnsb_finding *fs, unsigned nf)
{
	fprintf(f, "{\"mode\": ");
	json_write_string(f, mode);
	fprintf(f, ", \"config\": ");
	json_write_string(f, config);
	fprintf(f, ", \"counters\": {");
	const char *sep = "";
	for (unsigned i = 0; i < DNSB_WC__END; i++, sep = ", ")
		fprintf(f, "%s\"%s\": %" PRIu64, sep, dnsb_wc_name(i), t->wc[i]);
	for (int r = 1; r < DNSB_R__END; r++)
		fprintf(f, ", \"%s\": %" PRIu64, dnsb_reason_name((enum dnsb_reason)r), t->reasons[r]);
	for (int e = 0; e < DNSB_EV__END; e++)
		fprintf(f, ", \"%s\": %" PRIu64, dnsb_event_name((enum dnsb_event)e), t->events[e]);
	fprintf(f, "}, \"gauges\": {");
	for (int g = 0; g < DNSB_G__END; g++)
		fprintf(f, "%s\"%s\": %" PRIu64, g ? ", " : "", dnsb_gauge_name((enum dnsb_gauge)g),
			t->gauges[g]);
	fprintf(f, "}");
	if (mu)
		fprintf(f, ", \"mbufs\": {\"start\": %lld, \"exit\": %lld, \"closed\": %lld}",
			mu->start, mu->exit, mu->closed);
	fprintf(f, ", \"findings\": ");
	dnsb_diag_json(f, fs, nf);
	fprintf(f, "}\n");
}

static void row(FILE *f, const char *name, uint64_t v, const char *help)
{
	if (v)
		fprintf(f, "  %-24s %12" PRIu64 "  %s\n", name, v, help);
}

void dnsb_report_table(FILE *f, const struct dnsb_totals *t)
{
	fprintf(f, "frames\n");
	for (unsigned i = 0; i < DNSB_WC__END; i++)
		row(f, dnsb_wc_name(i), t->wc[i], dnsb_wc_help(i));
	fprintf(f, "outcomes (one per frame)\n");
	for (int r = 1; r < DNSB_R__END; r++)
		row(f, dnsb_reason_name((enum dnsb_reason)r), t->reasons[r],
		    dnsb_reason_help((enum dnsb_reason)r));
	fprintf(f, "events\n");
	for (int e = 0; e < DNSB_EV__END; e++)
		row(f, dnsb_event_name((enum dnsb_event)e), t->events[e],
		    dnsb_event_help((enum dnsb_event)e));
	fprintf(f, "gauges\n");
	for (int g = 0; g < DNSB_G__END; g++)
		row(f, dnsb_gauge_name((enum dnsb_gauge)g), t->gauges[g],
		    dnsb_gauge_help((enum dnsb_gauge)g));
}
