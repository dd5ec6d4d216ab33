/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_telemetry.h>

#include "../platform/app.h"
#include "config.h"
#include "diag.h"
#include "engine.h"
#include "report.h"
#include "telemetry.h"

#define DNSBUMP_VERSION "0.1"

/* Set once before the endpoints are registered. */
static struct dnsb_app *tel_app;

static void add_totals(struct rte_tel_data *d, const struct dnsb_totals *t)
{
	for (unsigned i = 0; i < DNSB_WC__END; i++)
		rte_tel_data_add_dict_u64(d, dnsb_wc_name(i), t->wc[i]);
	for (int r = 1; r < DNSB_R__END; r++)
		rte_tel_data_add_dict_u64(d, dnsb_reason_name((enum dnsb_reason)r), t->reasons[r]);
	for (int e = 0; e < DNSB_EV__END; e++)
		rte_tel_data_add_dict_u64(d, dnsb_event_name((enum dnsb_event)e), t->events[e]);
	for (int g = 0; g < DNSB_G__END; g++)
		rte_tel_data_add_dict_u64(d, dnsb_gauge_name((enum dnsb_gauge)g), t->gauges[g]);
}

static int cb_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct dnsb_totals t;
	(void)cmd;
	(void)params;
	dnsb_app_totals(tel_app, &t);
	rte_tel_data_start_dict(d);
	add_totals(d, &t);
	return 0;
}

static int add_u64_array(struct rte_tel_data *d, const char *name, const uint64_t *v, unsigned n)
{
	struct rte_tel_data *a = rte_tel_data_alloc();
	if (!a)
		return -ENOMEM;
	rte_tel_data_start_array(a, RTE_TEL_U64_VAL);
	for (unsigned i = 0; i < n; i++)
		rte_tel_data_add_array_u64(a, v[i]);
	return rte_tel_data_add_dict_container(d, name, a, 0);
}

/* Histograms: bucket upper bounds (the last open) and counts. */
static int cb_histograms(const char *cmd, const char *params, struct rte_tel_data *d)
{
	static const uint64_t size_le[DNSB_SIZE_BUCKETS] = { 512, 1232, 1400, 1500, 65535 };
	static const uint64_t lat_le_us[DNSB_LATENCY_BUCKETS] = { 1000, 5000, 20000, 100000,
								  500000, 2000000, UINT64_MAX };
	struct dnsb_totals t;
	(void)cmd;
	(void)params;
	dnsb_app_totals(tel_app, &t);
	rte_tel_data_start_dict(d);
	if (add_u64_array(d, "response_size_le", size_le, DNSB_SIZE_BUCKETS) ||
	    add_u64_array(d, "response_size_do", &t.events[DNSB_EV_RESPONSE_SIZE_DO_LE512],
			  DNSB_SIZE_BUCKETS) ||
	    add_u64_array(d, "response_size_nodo", &t.events[DNSB_EV_RESPONSE_SIZE_NODO_LE512],
			  DNSB_SIZE_BUCKETS) ||
	    add_u64_array(d, "latency_le_us", lat_le_us, DNSB_LATENCY_BUCKETS) ||
	    add_u64_array(d, "latency", &t.events[DNSB_EV_LATENCY_LE1MS], DNSB_LATENCY_BUCKETS))
		return -ENOMEM;
	rte_tel_data_add_dict_u64(d, "response_octets_do", t.events[DNSB_EV_RESPONSE_OCTETS_DO]);
	rte_tel_data_add_dict_u64(d, "response_octets_nodo", t.events[DNSB_EV_RESPONSE_OCTETS_NODO]);
	rte_tel_data_add_dict_u64(d, "latency_us_sum", t.events[DNSB_EV_LATENCY_US_SUM]);
	return 0;
}

/* Findings by id with their title (full text: dnsbumpctl diag). */
static int cb_diag(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct dnsb_totals t;
	struct dnsb_finding fs[DNSB_DIAG_MAX];
	(void)cmd;
	(void)params;
	dnsb_app_totals(tel_app, &t);
	pthread_mutex_lock(&tel_app->ctl_lock);
	struct dnsb_diag_cfg dc = tel_app->cfg.diag;
	pthread_mutex_unlock(&tel_app->ctl_lock);
	unsigned n = dnsb_diag(&t, &dc, fs);
	rte_tel_data_start_dict(d);
	for (unsigned i = 0; i < n; i++)
		rte_tel_data_add_dict_string(d, fs[i].id, fs[i].title);
	return 0;
}

static int cb_reload(const char *cmd, const char *params, struct rte_tel_data *d)
{
	char msg[1200];
	(void)cmd;
	(void)params;
	int rc = dnsb_app_reload(tel_app, msg, sizeof(msg));
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "result", rc ? "rejected" : "ok");
	/* Telemetry strings are short: the message in pieces of 100. */
	char part[104], name[16];
	for (size_t off = 0, i = 0; off < strlen(msg) && i < 12; off += 100, i++) {
		snprintf(part, sizeof(part), "%.100s", msg + off);
		snprintf(name, sizeof(name), "message_%zu", i);
		rte_tel_data_add_dict_string(d, name, part);
	}
	return 0;
}

/* Per-lcore counters: "lcores" lists the worker lcores and each counter is
 * an array in that order (this DPDK's containers are arrays only). */
static int cb_lcores(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	const struct dnsb_app *app = tel_app;
	rte_tel_data_start_dict(d);
	struct rte_tel_data *ids = rte_tel_data_alloc();
	if (!ids)
		return -ENOMEM;
	rte_tel_data_start_array(ids, RTE_TEL_U64_VAL);
	for (unsigned i = 0; i < app->n_workers; i++)
		rte_tel_data_add_array_u64(ids, app->workers[i].lcore);
	rte_tel_data_add_dict_container(d, "lcores", ids, 0);

	for (int kind = 0; kind < 3; kind++) {
		unsigned n = kind == 0 ? DNSB_WC__END : kind == 1 ? DNSB_R__END : DNSB_EV__END;
		for (unsigned c = kind == 1 ? 1 : 0; c < n; c++) {
			struct rte_tel_data *a = rte_tel_data_alloc();
			if (!a)
				return -ENOMEM;
			rte_tel_data_start_array(a, RTE_TEL_U64_VAL);
			for (unsigned i = 0; i < app->n_workers; i++) {
				const struct dnsb_worker *w = &app->workers[i];
				const uint64_t *src = kind == 0 ? &w->wc[c]
						    : kind == 1 ? &w->engine.reasons[c]
								: &w->engine.events[c];
				rte_tel_data_add_array_u64(a, __atomic_load_n(src, __ATOMIC_RELAXED));
			}
			const char *name = kind == 0 ? dnsb_wc_name(c)
					 : kind == 1 ? dnsb_reason_name((enum dnsb_reason)c)
						     : dnsb_event_name((enum dnsb_event)c);
			rte_tel_data_add_dict_container(d, name, a, 0);
		}
	}
	return 0;
}

static int cb_config(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	struct dnsb_app *app = tel_app;
	pthread_mutex_lock(&app->ctl_lock);
	struct dnsb_policy pol = *__atomic_load_n(&app->pol_active, __ATOMIC_ACQUIRE);
	struct dnsb_diag_cfg dc = app->cfg.diag;
	pthread_mutex_unlock(&app->ctl_lock);
	const struct dnsb_policy *p = &pol;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "diag_min_samples", (int)dc.min_samples);
	rte_tel_data_add_dict_int(d, "diag_min_tcp", (int)dc.min_tcp);
	rte_tel_data_add_dict_int(d, "diag_loss_percent", (int)dc.loss_percent);
	rte_tel_data_add_dict_string(d, "config_file", app->cfg.path);
	rte_tel_data_add_dict_int(d, "edns_clamp", p->edns_max);
	rte_tel_data_add_dict_int(d, "edns_floor", p->edns_floor);
	rte_tel_data_add_dict_string(d, "oversize", dnsb_oversize_name(p->oversize));
	rte_tel_data_add_dict_int(d, "path_limit", p->path_limit);
	rte_tel_data_add_dict_int(d, "tcp_mss_clamp", p->tcp_mss);
	rte_tel_data_add_dict_string(d, "fragments_to_client", dnsb_frag_policy_name(p->frag_to_client));
	rte_tel_data_add_dict_string(d, "fragments_to_server", dnsb_frag_policy_name(p->frag_to_server));
	rte_tel_data_add_dict_int(d, "client_mtu", p->mtu_client);
	rte_tel_data_add_dict_int(d, "server_mtu", p->mtu_server);
	rte_tel_data_add_dict_int(d, "query_table_size", (int)app->cfg.query_table_size);
	rte_tel_data_add_dict_int(d, "query_timeout_ms", (int)app->cfg.query_timeout_ms);
	struct rte_tel_data *track = rte_tel_data_alloc();
	if (!track)
		return -ENOMEM;
	rte_tel_data_start_array(track, RTE_TEL_STRING_VAL);
	for (unsigned b = 1; b & DNSB_TRACK_ALL; b <<= 1)
		if (!(app->cfg.untrack & b))
			rte_tel_data_add_array_string(track, dnsb_track_name(b));
	rte_tel_data_add_dict_container(d, "track", track, 0);
	struct rte_tel_data *ports = rte_tel_data_alloc();
	if (!ports)
		return -ENOMEM;
	rte_tel_data_start_array(ports, RTE_TEL_INT_VAL);
	for (unsigned i = 0; i < p->n_dns_ports; i++)
		rte_tel_data_add_array_int(ports, p->dns_ports[i]);
	rte_tel_data_add_dict_container(d, "dns_ports", ports, 0);
	return 0;
}

static int cb_info(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	const struct dnsb_app *app = tel_app;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "version", DNSBUMP_VERSION);
	rte_tel_data_add_dict_string(d, "mode", app->offline ? "offline" : "live");
	rte_tel_data_add_dict_u64(d, "uptime_s", (rte_rdtsc() - app->start_tsc) / app->tsc_hz);
	rte_tel_data_add_dict_int(d, "workers", (int)app->n_workers);
	struct rte_tel_data *ports = rte_tel_data_alloc();
	if (!ports)
		return -ENOMEM;
	rte_tel_data_start_array(ports, RTE_TEL_STRING_VAL);
	for (unsigned i = 0; i < app->cfg.n_ports; i++)
		rte_tel_data_add_array_string(ports, app->cfg.ports[i].name);
	rte_tel_data_add_dict_container(d, "ports", ports, 0);
	return 0;
}

int dnsb_telemetry_init(struct dnsb_app *app)
{
	tel_app = app;
	if (rte_telemetry_register_cmd("/dnsbump/stats", cb_stats,
				       "Counters summed over workers. No parameters") ||
	    rte_telemetry_register_cmd("/dnsbump/lcores", cb_lcores,
				       "Counters per worker lcore, as arrays in 'lcores' order") ||
	    rte_telemetry_register_cmd("/dnsbump/config", cb_config, "Policy in force") ||
	    rte_telemetry_register_cmd("/dnsbump/info", cb_info, "Version, mode, uptime, ports") ||
	    rte_telemetry_register_cmd("/dnsbump/diag", cb_diag, "Findings: id and title") ||
	    rte_telemetry_register_cmd("/dnsbump/histograms", cb_histograms,
				       "Answer size (by DO) and latency histograms") ||
	    rte_telemetry_register_cmd("/dnsbump/reload", cb_reload,
				       "Re-read the config file; dns and diag sections take effect"))
		return -1;
	return 0;
}
