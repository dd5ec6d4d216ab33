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

/**
 * Write what correlation tracks (dns.track) as the gauge family
 * dnsbump_tracked{part="queries"|"retries"|"flows"}, 1 or 0, so that a
 * counter that stays 0 because its part is left out can be told from one
 * that stays 0 on a clean path. @p untrack: the DNSB_TRACK_* bits left out.
 */
void dnsb_prom_write_tracked(FILE *f, unsigned untrack);

#endif
