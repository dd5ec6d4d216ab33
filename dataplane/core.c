/* SPDX-License-Identifier: BSD-3-Clause */
#include <assert.h>

#include "core.h"
#include "edns_rewrite.h"
#include "emulate.h"
#include "events.h"
#include "tc_synth.h"
#include "tcp_mss.h"
#include "wire.h"

#define DNSB_X_NAME(e, n, h) n,
#define DNSB_X_HELP(e, n, h) h,
static const char *const reason_names[] = { "ok", DNSB_REASON_LIST(DNSB_X_NAME) };
static const char *const reason_help[] = { "", DNSB_REASON_LIST(DNSB_X_HELP) };
static const char *const event_names[] = { DNSB_EVENT_LIST(DNSB_X_NAME) };
static const char *const event_help[] = { DNSB_EVENT_LIST(DNSB_X_HELP) };
static const char *const gauge_names[] = { DNSB_GAUGE_LIST(DNSB_X_NAME) };
static const char *const gauge_help[] = { DNSB_GAUGE_LIST(DNSB_X_HELP) };
#undef DNSB_X_NAME
#undef DNSB_X_HELP

const char *dnsb_event_name(enum dnsb_event e)
{
	return (unsigned)e < DNSB_EV__END ? event_names[e] : "?";
}

const char *dnsb_event_help(enum dnsb_event e)
{
	return (unsigned)e < DNSB_EV__END ? event_help[e] : "?";
}

const char *dnsb_gauge_name(enum dnsb_gauge g)
{
	return (unsigned)g < DNSB_G__END ? gauge_names[g] : "?";
}

const char *dnsb_gauge_help(enum dnsb_gauge g)
{
	return (unsigned)g < DNSB_G__END ? gauge_help[g] : "?";
}

const char *dnsb_reason_name(enum dnsb_reason r)
{
	return (unsigned)r < DNSB_R__END ? reason_names[r] : "?";
}

const char *dnsb_reason_help(enum dnsb_reason r)
{
	return (unsigned)r < DNSB_R__END ? reason_help[r] : "?";
}

void dnsb_policy_default(struct dnsb_policy *pol)
{
	*pol = (struct dnsb_policy){
		.dns_ports = { 53 },
		.n_dns_ports = 1,
		.oversize = DNSB_OVERSIZE_TRUNCATE,
		.edns_max = DNSB_DEFAULT_EDNS_MAX,
		.mtu_client = 1500,
		.mtu_server = 1500,
	};
}

static enum dnsb_verdict finish(struct dnsb_result *res, enum dnsb_verdict v,
				enum dnsb_reason r)
{
	res->verdict = v;
	res->reason = r;
	return v;
}

static enum dnsb_verdict do_query(uint8_t *frame, enum dnsb_dir dir,
				  const struct dnsb_policy *pol, struct dnsb_result *res)
{
	struct dnsb_dns *d = &res->dns;

	if (dir == DNSB_DIR_TO_CLIENT)
		return finish(res, DNSB_V_PASS, DNSB_R_PASS_WRONG_DIRECTION);
	if (d->has_opt && pol->emu_clear_do && (d->opt_flags & DNSB_EDNS_DO)) {
		dnsb_emu_clear_do(frame, &res->pkt, d);
		return finish(res, DNSB_V_MODIFIED, DNSB_R_EMU_CLEAR_DO);
	}
	if (d->has_opt && (pol->emu_strip_opt & DNSB_EMU_STRIP_QUERIES) && dnsb_opt_is_last(d)) {
		res->len = dnsb_emu_strip_opt(frame, &res->pkt, d);
		return finish(res, DNSB_V_MODIFIED, DNSB_R_EMU_STRIP_OPT);
	}
	if (!d->has_opt)
		return finish(res, DNSB_V_PASS, DNSB_R_PASS_QUERY);
	res->udp_size_before = d->opt_udp_size;
	switch (dnsb_edns_rewrite(frame, &res->pkt, d, pol->edns_max, pol->edns_floor)) {
	case DNSB_EDNS_LOWERED:
		return finish(res, DNSB_V_MODIFIED, DNSB_R_EDNS_CLAMPED);
	case DNSB_EDNS_RAISED:
		return finish(res, DNSB_V_MODIFIED, DNSB_R_EDNS_RAISED);
	default:
		return finish(res, DNSB_V_PASS, DNSB_R_PASS_QUERY);
	}
}

/* The largest DNS payload the client may be sent: the path limit, and what
 * the client advertised (RFC 6891 s6.2.5: never below 512). 0 = unknown. */
static uint16_t response_limit(const struct dnsb_policy *pol, const struct dnsb_query_hint *hint)
{
	uint16_t lim = pol->path_limit;

	if (hint) {
		uint16_t c = hint->client_udp_size < 512 ? 512 : hint->client_udp_size;
		if (!lim || c < lim)
			lim = c;
	}
	return lim;
}

static enum dnsb_verdict do_response(uint8_t *frame, enum dnsb_dir dir,
				     const struct dnsb_policy *pol,
				     const struct dnsb_query_hint *hint, struct dnsb_result *res)
{
	const struct dnsb_dns *d = &res->dns;
	const struct dnsb_pkt *p = &res->pkt;

	if (dir == DNSB_DIR_TO_SERVER)
		return finish(res, DNSB_V_PASS, DNSB_R_PASS_WRONG_DIRECTION);
	if (pol->emu_drop_larger && p->pl_len > pol->emu_drop_larger)
		return finish(res, DNSB_V_DROP, DNSB_R_EMU_DROP_LARGE);
	if (pol->emu_drop_do_answers && dnsb_dns_do(d))
		return finish(res, DNSB_V_DROP, DNSB_R_EMU_DROP_DO_ANSWER);
	if (d->has_opt && (pol->emu_strip_opt & DNSB_EMU_STRIP_ANSWERS) && dnsb_opt_is_last(d)) {
		res->len = dnsb_emu_strip_opt(frame, p, d);
		return finish(res, DNSB_V_MODIFIED, DNSB_R_EMU_STRIP_OPT);
	}
	res->limit = response_limit(pol, hint);
	if (!res->limit)
		return finish(res, DNSB_V_PASS, DNSB_R_PASS_RESPONSE_UNSIZED);
	if (p->pl_len <= res->limit)
		return finish(res, DNSB_V_PASS, DNSB_R_PASS_RESPONSE);

	switch (pol->oversize) {
	case DNSB_OVERSIZE_DROP:
		return finish(res, DNSB_V_DROP, DNSB_R_DROP_OVERSIZE);
	case DNSB_OVERSIZE_TRUNCATE:
		/* Only when the truncated answer fits: a question section alone
		 * past the limit (many questions) cannot be helped by it. */
		if (dnsb_tc_dns_len(d) <= res->limit) {
			enum dnsb_tc_do do_bit = !hint ? DNSB_TC_DO_FROM_RESPONSE
					       : hint->client_do ? DNSB_TC_DO_SET
								 : DNSB_TC_DO_CLEAR;
			res->len = dnsb_tc_synth(frame, p, d, do_bit);
			return finish(res, DNSB_V_MODIFIED, DNSB_R_TC_SYNTHESIZED);
		}
		/* fall through */
	default:
		return finish(res, DNSB_V_PASS, DNSB_R_PASS_OVERSIZE);
	}
}

enum dnsb_stage dnsb_inspect(const uint8_t *frame, uint32_t len, const struct dnsb_policy *pol,
			     struct dnsb_result *res)
{
	res->len = len;
	res->is_dns = 0;
	res->dns_port_dst = 0;
	res->udp_size_before = 0;
	res->limit = 0;

	enum dnsb_reason r = dnsb_pkt_parse(frame, len, &res->pkt);
	if (r != DNSB_R_OK)
		return finish(res, DNSB_V_PASS, r), DNSB_STAGE_DONE;
	const struct dnsb_pkt *p = &res->pkt;
	if (p->frag) {
		if (pol->emu_frag == DNSB_EMU_FRAG_ALL ||
		    (pol->emu_frag == DNSB_EMU_FRAG_NON_FIRST && p->frag_offset))
			return finish(res, DNSB_V_DROP, DNSB_R_EMU_DROP_FRAGMENT), DNSB_STAGE_DONE;
		/* A box dropping large UDP drops the first fragment: its UDP
		 * header still gives the whole datagram's length. */
		if (pol->emu_drop_larger && p->has_l4 && p->proto == DNSB_IPPROTO_UDP &&
		    dnsb_policy_is_dns_port(pol, p->sport) &&
		    dnsb_get16(frame + p->l4_off + 4) > pol->emu_drop_larger + 8u)
			return finish(res, DNSB_V_DROP, DNSB_R_EMU_DROP_LARGE), DNSB_STAGE_DONE;
		return finish(res, DNSB_V_PASS, DNSB_R_PASS_FRAGMENT), DNSB_STAGE_DONE;
	}
	if (!p->has_l4)
		return finish(res, DNSB_V_PASS, DNSB_R_PASS_NON_DNS), DNSB_STAGE_DONE;

	int to_dns = dnsb_policy_is_dns_port(pol, p->dport);
	if (!to_dns && !dnsb_policy_is_dns_port(pol, p->sport))
		return finish(res, DNSB_V_PASS, DNSB_R_PASS_NON_DNS), DNSB_STAGE_DONE;
	res->dns_port_dst = (uint8_t)to_dns;
	if (p->proto == DNSB_IPPROTO_TCP)
		return DNSB_STAGE_TCP_DNS;

	r = dnsb_dns_parse(frame + p->pl_off, p->pl_len, &res->dns);
	if (r != DNSB_R_OK)
		return finish(res, DNSB_V_PASS, r), DNSB_STAGE_DONE;
	res->is_dns = 1;
	return DNSB_STAGE_UDP_DNS;
}

enum dnsb_verdict dnsb_act(uint8_t *frame, enum dnsb_stage stage, enum dnsb_dir dir,
			   const struct dnsb_policy *pol, const struct dnsb_query_hint *hint,
			   struct dnsb_result *res)
{
	switch (stage) {
	case DNSB_STAGE_UDP_DNS:
		if (dnsb_dns_is_response(&res->dns))
			return do_response(frame, dir, pol, hint, res);
		return do_query(frame, dir, pol, res);
	case DNSB_STAGE_TCP_DNS:
		if (pol->emu_tcp53 == DNSB_EMU_TCP53_RESET &&
		    (res->pkt.tcp_flags & (DNSB_TCP_SYN | DNSB_TCP_ACK)) == DNSB_TCP_SYN &&
		    res->dns_port_dst) {
			uint32_t n = dnsb_emu_tcp_reset(frame, &res->pkt);
			if (n) {
				res->len = n;
				return finish(res, DNSB_V_REPLY, DNSB_R_EMU_RESET_TCP53);
			}
		}
		if (pol->emu_tcp53)
			return finish(res, DNSB_V_DROP, DNSB_R_EMU_DROP_TCP53);
		if (pol->tcp_mss && dnsb_tcp_mss_clamp(frame, &res->pkt, pol->tcp_mss))
			return finish(res, DNSB_V_MODIFIED, DNSB_R_TCP_MSS_CLAMPED);
		return finish(res, DNSB_V_PASS, DNSB_R_PASS_DNS_TCP);
	default:
		return res->verdict;
	}
}

enum dnsb_verdict dnsb_process(uint8_t *frame, uint32_t len, uint32_t cap, enum dnsb_dir dir,
			       uint64_t now_ns, const struct dnsb_policy *pol,
			       const struct dnsb_query_hint *hint, struct dnsb_result *res)
{
	(void)now_ns; /* the stateless core keeps no timed state */
	assert(len <= cap);
	(void)cap;    /* every rewrite keeps or shrinks the frame */
	enum dnsb_stage st = dnsb_inspect(frame, len, pol, res);
	return dnsb_act(frame, st, dir, pol, hint, res);
}
