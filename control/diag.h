/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file diag.h
 * Findings from counters: which box in the path eats DNSSEC answers, with
 * the evidence and a suggested fix. Pure C: the daemon (offline report),
 * dnsbumpctl and the tests share it. No finding on a clean path.
 */
#ifndef DNSBUMP_DIAG_H
#define DNSBUMP_DIAG_H

#include <stdint.h>
#include <stdio.h>

#include "totals.h"

struct dnsb_diag_cfg {
	uint32_t min_samples;  /**< events needed before a ratio means anything */
	uint32_t min_tcp;      /**< the same for TCP and TC events, rarer */
	uint32_t loss_percent; /**< a loss ratio at or above this is a finding */
	uint8_t untrack;       /**< DNSB_TRACK_* bits dns.track leaves out: the
				    findings that rest on them cannot be made */
};

#define DNSB_DIAG_MAX 16

struct dnsb_finding {
	const char *id;       /**< stable identifier, e.g. "upstream_large_loss" */
	const char *side;     /**< "upstream", "downstream", "bump" or "path" */
	char title[160];
	char evidence[256];
	char fix[256];
};

/** Defaults: 10 samples, 3 for TCP, 20 percent, everything tracked. */
void dnsb_diag_defaults(struct dnsb_diag_cfg *c);

/**
 * Turn the totals @p t into findings in @p out (at most DNSB_DIAG_MAX).
 * @return the number of findings.
 */
unsigned dnsb_diag(const struct dnsb_totals *t, const struct dnsb_diag_cfg *c,
		   struct dnsb_finding *out);

/** Print findings as text ("no finding" when there are none). */
void dnsb_diag_print(FILE *f, const struct dnsb_finding *fs, unsigned n);

/** Print findings as a JSON array. */
void dnsb_diag_json(FILE *f, const struct dnsb_finding *fs, unsigned n);

#endif
