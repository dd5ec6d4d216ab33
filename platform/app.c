/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "app.h"
#include "report.h"

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

void dnsb_app_totals(const struct dnsb_app *app, struct dnsb_totals *t)
{
	memset(t, 0, sizeof(*t));
	for (unsigned i = 0; i < app->n_workers; i++) {
		const struct dnsb_worker *w = &app->workers[i];
		/* Single writer per counter: a relaxed load sees a value it had. */
		for (unsigned r = 0; r < DNSB_R__END; r++)
			t->reasons[r] += __atomic_load_n(&w->engine.reasons[r], __ATOMIC_RELAXED);
		for (unsigned e = 0; e < DNSB_EV__END; e++)
			t->events[e] += __atomic_load_n(&w->engine.events[e], __ATOMIC_RELAXED);
		for (unsigned c = 0; c < DNSB_WC__END; c++)
			t->wc[c] += __atomic_load_n(&w->wc[c], __ATOMIC_RELAXED);
		for (unsigned g = 0; g < DNSB_G__END; g++)
			t->gauges[g] += dnsb_engine_gauge(&w->engine, (enum dnsb_gauge)g);
	}
}
