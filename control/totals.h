/* SPDX-License-Identifier: BSD-3-Clause */
/** @file totals.h Every counter and gauge of the daemon, summed over workers. */
#ifndef DNSBUMP_TOTALS_H
#define DNSBUMP_TOTALS_H

#include <stdint.h>

#include "events.h"
#include "reasons.h"
#include "../platform/worker_counters.h"

struct dnsb_totals {
	uint64_t reasons[DNSB_R__END];
	uint64_t events[DNSB_EV__END];
	uint64_t wc[DNSB_WC__END];
	uint64_t gauges[DNSB_G__END];
};

/** Name and help of worker counter @p i. */
const char *dnsb_wc_name(unsigned i);
const char *dnsb_wc_help(unsigned i);

#endif
