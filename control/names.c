/* SPDX-License-Identifier: BSD-3-Clause */
/* Names and help of the worker loop's counters, for the daemon and the CLI. */
#include "totals.h"

#define DNSB_X_NAME(e, n, h) n,
#define DNSB_X_HELP(e, n, h) h,
static const char *const wc_names[] = { DNSB_WORKER_COUNTER_LIST(DNSB_X_NAME) };
static const char *const wc_help[] = { DNSB_WORKER_COUNTER_LIST(DNSB_X_HELP) };
#undef DNSB_X_NAME
#undef DNSB_X_HELP

const char *dnsb_wc_name(unsigned i)
{
	return i < DNSB_WC__END ? wc_names[i] : "?";
}

const char *dnsb_wc_help(unsigned i)
{
	return i < DNSB_WC__END ? wc_help[i] : "?";
}
