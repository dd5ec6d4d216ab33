/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "engine.h"

int dnsb_engine_init(struct dnsb_engine *e, const struct dnsb_policy *pol, void *qt_mem,
		     uint32_t qt_slots, uint64_t query_timeout_ns, uint32_t seed)
{
	memset(e, 0, sizeof(*e));
	e->pol = pol;
	return dnsb_qtable_init(&e->qt, qt_mem, qt_slots, query_timeout_ns, seed);
}

/* Key of the transaction: client = the side that is not the DNS port. */
static void make_key(const struct dnsb_pkt *p, const struct dnsb_dns *d, int response,
		     struct dnsb_qkey *k)
{
	unsigned alen = p->ip_ver == 4 ? 4 : 16;

	memset(k, 0, sizeof(*k));
	memcpy(k->client, response ? p->dst : p->src, alen);
	memcpy(k->server, response ? p->src : p->dst, alen);
	k->client_port = response ? p->dport : p->sport;
	k->server_port = response ? p->sport : p->dport;
	k->id = d->id;
	k->ip_ver = p->ip_ver;
}

enum dnsb_verdict dnsb_engine_process(struct dnsb_engine *e, uint8_t *frame, uint32_t len,
				      uint32_t cap, enum dnsb_dir dir, uint64_t now_ns,
				      struct dnsb_result *res)
{
	const struct dnsb_policy *pol = e->pol;
	const struct dnsb_query_hint *hint = NULL;
	struct dnsb_query_hint h;

	(void)cap;
	enum dnsb_stage st = dnsb_inspect(frame, len, pol, res);
	if (st == DNSB_STAGE_UDP_DNS) {
		const struct dnsb_dns *d = &res->dns;
		struct dnsb_qkey k;
		int response = dnsb_dns_is_response(d);
		if (!response && dir != DNSB_DIR_TO_CLIENT) {
			e->events[DNSB_EV_QUERIES]++;
			e->events[DNSB_EV_DO_QUERIES] += dnsb_dns_do(d);
			make_key(&res->pkt, d, 0, &k);
			/* What the client asked for, before any clamp. */
			if (dnsb_qtable_insert(&e->qt, &k, d->has_opt ? d->opt_udp_size : 0,
					       (uint8_t)dnsb_dns_do(d), now_ns))
				e->events[DNSB_EV_FLOW_TABLE_FULL]++;
		} else if (response && dir != DNSB_DIR_TO_SERVER) {
			struct dnsb_qentry q;
			e->events[DNSB_EV_RESPONSES]++;
			e->events[DNSB_EV_DO_RESPONSES] += dnsb_dns_do(d);
			make_key(&res->pkt, d, 1, &k);
			if (dnsb_qtable_take(&e->qt, &k, now_ns, &q)) {
				h.client_udp_size = q.udp_size;
				h.client_do = q.do_bit;
				hint = &h;
			} else {
				e->events[DNSB_EV_RESPONSES_UNMATCHED]++;
			}
		}
	}
	enum dnsb_verdict v = dnsb_act(frame, st, dir, pol, hint, res);
	e->reasons[res->reason]++;
	return v;
}
