/* SPDX-License-Identifier: BSD-3-Clause */
/** @file report.h Final counters as JSON or as a table. */
#ifndef DNSBUMP_REPORT_H
#define DNSBUMP_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "events.h"
#include "reasons.h"
#include "../platform/worker_counters.h"

struct dnsb_totals {
	uint64_t reasons[DNSB_R__END];
	uint64_t events[DNSB_EV__END];
	uint64_t wc[DNSB_WC__END];
	uint64_t gauges[DNSB_G__END];
};

/** Name of worker counter @p i (defined by the platform). */
const char *dnsb_wc_name(unsigned i);
const char *dnsb_wc_help(unsigned i);

/** Mbufs in use from the pool: after the ports started, when the workers
 * stopped (ports still open), and after the ports closed. */
struct dnsb_mbuf_use {
	long long start, exit, closed;
};

/**
 * Write @p t as one JSON object: {"mode": ..., "config": ..., "counters":
 * {name: value, ...}, "mbufs": {"start": n, "exit": n, "closed": n}};
 * "mbufs" is left out when @p mu is NULL.
 */
void dnsb_report_json(FILE *f, const char *mode, const char *config, const struct dnsb_totals *t,
		      const struct dnsb_mbuf_use *mu);

/** Write the counters of @p t as "name value" lines, for tools. */
void dnsb_report_lines(FILE *f, const struct dnsb_totals *t);

/** Write the non-zero counters of @p t as a table with help text. */
void dnsb_report_table(FILE *f, const struct dnsb_totals *t);

#endif
