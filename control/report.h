/* SPDX-License-Identifier: BSD-3-Clause */
/** @file report.h Final counters as JSON or as a table. */
#ifndef DNSBUMP_REPORT_H
#define DNSBUMP_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "diag.h"
#include "totals.h"

/** Mbufs in use from the pool: after the ports started, when the workers
 * stopped (ports still open), and after the ports closed. */
struct dnsb_mbuf_use {
	long long start, exit, closed;
};

/**
 * Write @p t as one JSON object on one line: {"mode": ..., "config": ...,
 * "counters": {name: value, ...}, "gauges": {...}, "mbufs": {"start": n,
 * "exit": n, "closed": n}, "findings": [...]}; "mbufs" is left out when
 * @p mu is NULL.
 */
void dnsb_report_json(FILE *f, const char *mode, const char *config, const struct dnsb_totals *t,
		      const struct dnsb_mbuf_use *mu, const struct dnsb_finding *fs, unsigned nf);

/** Write the non-zero counters of @p t as a table with help text. */
void dnsb_report_table(FILE *f, const struct dnsb_totals *t);

#endif
