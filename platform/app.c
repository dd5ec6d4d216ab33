/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "app.h"

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

void dnsb_app_totals(const struct dnsb_app *app, uint64_t reasons[DNSB_R__END],
		     uint64_t events[DNSB_EV__END], uint64_t wc[DNSB_WC__END])
{
	memset(reasons, 0, sizeof(uint64_t) * DNSB_R__END);
	memset(events, 0, sizeof(uint64_t) * DNSB_EV__END);
	memset(wc, 0, sizeof(uint64_t) * DNSB_WC__END);
	for (unsigned i = 0; i < app->n_workers; i++) {
		const struct dnsb_worker *w = &app->workers[i];
		/* Single writer per counter: a relaxed load sees a value it had. */
		for (unsigned r = 0; r < DNSB_R__END; r++)
			reasons[r] += __atomic_load_n(&w->engine.reasons[r], __ATOMIC_RELAXED);
		for (unsigned e = 0; e < DNSB_EV__END; e++)
			events[e] += __atomic_load_n(&w->engine.events[e], __ATOMIC_RELAXED);
		for (unsigned c = 0; c < DNSB_WC__END; c++)
			wc[c] += __atomic_load_n(&w->wc[c], __ATOMIC_RELAXED);
	}
}
