/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "report.h"

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

/* Keys that need a restart: everything outside dns and diag, and the table
 * sizes and timeouts that shaped the workers' memory. */
static const char *restart_needed(const struct dnsb_config *a, const struct dnsb_config *b)
{
	if (a->n_eal != b->n_eal)
		return "eal";
	for (unsigned i = 0; i < a->n_eal; i++)
		if (strcmp(a->eal[i], b->eal[i]))
			return "eal";
	if (a->n_ports != b->n_ports || memcmp(a->ports, b->ports, sizeof(a->ports)))
		return "ports";
	if (a->n_pairs != b->n_pairs || memcmp(a->pairs, b->pairs, sizeof(a->pairs)))
		return "pairs";
	if (a->n_workers != b->n_workers || memcmp(a->workers, b->workers, sizeof(a->workers)))
		return "workers";
	if (a->mbufs != b->mbufs || a->mbuf_cache != b->mbuf_cache || a->data_room != b->data_room)
		return "mempool";
	if (a->burst != b->burst || a->rx_desc != b->rx_desc || a->tx_desc != b->tx_desc ||
	    a->drain_us != b->drain_us)
		return "burst, rx_desc, tx_desc or drain_us";
	if (a->query_table_size != b->query_table_size || a->query_timeout_ms != b->query_timeout_ms ||
	    a->flow_timeout_ms != b->flow_timeout_ms || a->untrack != b->untrack)
		return "dns.query_table_size, query_timeout_ms, flow_timeout_ms or track";
	return NULL;
}

int dnsb_app_reload(struct dnsb_app *app, char *msg, size_t len)
{
	struct dnsb_config nc;
	char err[1024];
	int rc = -1;

	pthread_mutex_lock(&app->ctl_lock);
	if (dnsb_config_load(app->cfg.path, !app->offline, &nc, err, sizeof(err))) {
		snprintf(msg, len, "rejected, old policy kept: %s", err);
		goto out;
	}
	const char *what = restart_needed(&app->cfg, &nc);
	if (what) {
		snprintf(msg, len, "rejected, old policy kept: %s changed, restart needed", what);
		dnsb_config_free(&nc);
		goto out;
	}
	struct dnsb_policy *next = app->pol_active == &app->pol_slot[0] ? &app->pol_slot[1]
									: &app->pol_slot[0];
	*next = nc.policy;
	uint64_t seen[DNSB_MAX_WORKERS];
	for (unsigned i = 0; i < app->n_workers; i++)
		seen[i] = __atomic_load_n(&app->workers[i].epoch, __ATOMIC_ACQUIRE);
	__atomic_store_n(&app->pol_active, next, __ATOMIC_RELEASE);
	/* Until every worker has taken a turn, the old slot may be in use. */
	unsigned waiting = app->n_workers;
	for (int tries = 0; waiting && tries < 2000; tries++) {
		waiting = 0;
		for (unsigned i = 0; i < app->n_workers; i++)
			waiting += !app->workers[i].done &&
				   __atomic_load_n(&app->workers[i].epoch, __ATOMIC_ACQUIRE) == seen[i];
		if (waiting)
			usleep(1000);
	}
	app->cfg.diag = nc.diag;
	app->cfg.policy = nc.policy;
	dnsb_config_free(&nc);
	snprintf(msg, len,
		 "ok: clamp %u, floor %u, oversize %s, path_limit %u, mss %u, fragments %s/%s%s",
		 next->edns_max, next->edns_floor, dnsb_oversize_name(next->oversize),
		 next->path_limit, next->tcp_mss, dnsb_frag_policy_name(next->frag_to_client),
		 dnsb_frag_policy_name(next->frag_to_server),
		 waiting ? " (a worker did not confirm)" : "");
	rc = 0;
out:
	pthread_mutex_unlock(&app->ctl_lock);
	return rc;
}
