/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file engine.h
 * Per-lcore processing state around the stateless core: the policy in
 * force, the query table and the counters. One engine per worker; nothing
 * in it is shared, so nothing is locked. Time is an argument.
 */
#ifndef DNSBUMP_ENGINE_H
#define DNSBUMP_ENGINE_H

#include <stdint.h>

#include "core.h"
#include "events.h"
#include "query_track.h"

struct dnsb_engine {
	/** Policy in force; the control plane publishes a new one whole. */
	const struct dnsb_policy *pol;
	struct dnsb_qtable qt;
	/** Monotonic counters, read (never reset) by the control plane. */
	uint64_t reasons[DNSB_R__END];
	uint64_t events[DNSB_EV__END];
};

/**
 * Set up @p e with policy @p pol and a query table over @p qt_mem (owned
 * by the caller, dnsb_qtable_mem(@p qt_slots) bytes, @p qt_slots a power
 * of two). Counters start at zero.
 * @return 0, or -1 on a bad table size.
 */
int dnsb_engine_init(struct dnsb_engine *e, const struct dnsb_policy *pol, void *qt_mem,
		     uint32_t qt_slots, uint64_t query_timeout_ns, uint32_t seed);

/**
 * Process one frame like dnsb_process(), tracking queries so responses
 * are judged against what their client advertised, and count the outcome.
 * Same buffer ownership and verdicts as dnsb_process().
 */
enum dnsb_verdict dnsb_engine_process(struct dnsb_engine *e, uint8_t *frame, uint32_t len,
				      uint32_t cap, enum dnsb_dir dir, uint64_t now_ns,
				      struct dnsb_result *res);

#endif
