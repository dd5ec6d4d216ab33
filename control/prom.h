/* SPDX-License-Identifier: BSD-3-Clause */
/** @file prom.h Prometheus text exposition (format 0.0.4) of the totals. */
#ifndef DNSBUMP_PROM_H
#define DNSBUMP_PROM_H

#include <stdio.h>

#include "totals.h"

/**
 * Write @p t: counters as dnsbump_<name>_total with HELP from the counter
 * lists, gauges as dnsbump_<name>, the answer size (by DO) and latency
 * buckets as Prometheus histograms.
 */
void dnsb_prom_write(FILE *f, const struct dnsb_totals *t);

#endif
