/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file core_steps.h
 * The two halves of dnsb_process() as inline functions, private to the
 * packet library: core.c exports them (dnsb_inspect(), dnsb_act()) and
 * the engine's burst loop, which runs them on every frame, has them
 * inlined rather than called.
 */
#ifndef DNSBUMP_CORE_STEPS_H
#define DNSBUMP_CORE_STEPS_H

#include "core.h"
#include "edns_rewrite.h"
#include "emulate.h"
#include "pkt_plain.h"
#include "tc_synth.h"
#include "tcp_mss.h"
#include "wire.h"

static inline enum dnsb_verdict core_finish(struct dnsb_result *res, enum dnsb_verdict v,
					    enum dnsb_reason r)
{
	res->verdict = v;
	res->reason = r;
	return v;
}

static inline enum dnsb_verdict core_do_query(uint8_t *frame, enum dnsb_dir dir,
					      const struct dnsb_policy *pol, struct dnsb_result *res)
{
	struct dnsb_dns *d = &res->dns;

	if (dir == DNSB_DIR_TO_CLIENT)
		return core_finish(res, DNSB_V_PASS, DNSB_R_PASS_WRONG_DIRECTION);
	if (d->has_opt && pol->emu_clear_do && (d->opt_flags & DNSB_EDNS_DO)) {
		dnsb_emu_clear_do(frame, &res->pkt, d);
		return core_finish(res, DNSB_V_MODIFIED, DNSB_R_EMU_CLEAR_DO);
	}
	if (d->has_opt && (pol->emu_strip_opt & DNSB_EMU_STRIP_QUERIES) && dnsb_opt_is_last(d)) {
		res->len = dnsb_emu_strip_opt(frame, &res->pkt, d);
		return core_finish(res, DNSB_V_MODIFIED, DNSB_R_EMU_STRIP_OPT);
	}
	if (!d->has_opt)
		return core_finish(res, DNSB_V_PASS, DNSB_R_PASS_QUERY);
	res->udp_size_before = d->opt_udp_size;
	switch (dnsb_edns_rewrite(frame, &res->pkt, d, pol->edns_max, pol->edns_floor)) {
	case DNSB_EDNS_LOWERED:
		return core_finish(res, DNSB_V_MODIFIED, DNSB_R_EDNS_CLAMPED);
	case DNSB_EDNS_RAISED:
		return core_finish(res, DNSB_V_MODIFIED, DNSB_R_EDNS_RAISED);
	default:
		return core_finish(res, DNSB_V_PASS, DNSB_R_PASS_QUERY);
	}
}

/* The largest DNS payload the client may be sent: the path limit, and what
 * the client advertised (RFC 6891 s6.2.5: never below 512). 0 = unknown. */
static inline uint16_t core_response_limit(const struct dnsb_policy *pol,
					   const struct dnsb_query_hint *hint)
{
	uint16_t lim = pol->path_limit;

	if (hint) {
		uint16_t c = hint->client_udp_size < 512 ? 512 : hint->client_udp_size;
		if (!lim || c < lim)
			lim = c;
	}
	return lim;
}

static inline __attribute__((always_inline)) enum dnsb_verdict
core_do_response(uint8_t *frame, enum dnsb_dir dir, const struct dnsb_policy *pol,
		 const struct dnsb_query_hint *hint, struct dnsb_result *res)
{
	const struct dnsb_dns *d = &res->dns;
	const struct dnsb_pkt *p = &res->pkt;

	if (dir == DNSB_DIR_TO_SERVER)
		return core_finish(res, DNSB_V_PASS, DNSB_R_PASS_WRONG_DIRECTION);
	if (pol->emu_drop_larger && p->pl_len > pol->emu_drop_larger)
		return core_finish(res, DNSB_V_DROP, DNSB_R_EMU_DROP_LARGE);
	if (pol->emu_drop_do_answers && dnsb_dns_do(d))
		return core_finish(res, DNSB_V_DROP, DNSB_R_EMU_DROP_DO_ANSWER);
	if (d->has_opt && (pol->emu_strip_opt & DNSB_EMU_STRIP_ANSWERS) && dnsb_opt_is_last(d)) {
		res->len = dnsb_emu_strip_opt(frame, p, d);
		return core_finish(res, DNSB_V_MODIFIED, DNSB_R_EMU_STRIP_OPT);
	}
	res->limit = core_response_limit(pol, hint);
	if (!res->limit)
		return core_finish(res, DNSB_V_PASS, DNSB_R_PASS_RESPONSE_UNSIZED);
	if (p->pl_len <= res->limit)
		return core_finish(res, DNSB_V_PASS, DNSB_R_PASS_RESPONSE);

	switch (pol->oversize) {
	case DNSB_OVERSIZE_DROP:
		return core_finish(res, DNSB_V_DROP, DNSB_R_DROP_OVERSIZE);
	case DNSB_OVERSIZE_TRUNCATE:
		/* Only when the truncated answer fits: a question section alone
		 * past the limit (many questions) cannot be helped by it. */
		if (dnsb_tc_dns_len(d) <= res->limit) {
			enum dnsb_tc_do do_bit = !hint ? DNSB_TC_DO_FROM_RESPONSE
					       : hint->client_do ? DNSB_TC_DO_SET
								 : DNSB_TC_DO_CLEAR;
			res->len = dnsb_tc_synth(frame, p, d, do_bit);
			return core_finish(res, DNSB_V_MODIFIED, DNSB_R_TC_SYNTHESIZED);
		}
		/* fall through */
	default:
		return core_finish(res, DNSB_V_PASS, DNSB_R_PASS_OVERSIZE);
	}
}

static inline __attribute__((always_inline)) enum dnsb_stage
core_inspect(const uint8_t *frame, uint32_t len, const struct dnsb_policy *pol,
	     struct dnsb_result *res)
{
	res->len = len;
	res->is_dns = 0;
	res->dns_port_dst = 0;
	res->udp_size_before = 0;
	res->limit = 0;

	enum dnsb_reason r = dnsb_pkt_plain(frame, len, &res->pkt)
				     ? DNSB_R_OK
				     : dnsb_pkt_parse_general(frame, len, &res->pkt);
	if (r != DNSB_R_OK)
		return core_finish(res, DNSB_V_PASS, r), DNSB_STAGE_DONE;
	const struct dnsb_pkt *p = &res->pkt;
	if (p->frag) {
		if (pol->emu_frag == DNSB_EMU_FRAG_ALL ||
		    (pol->emu_frag == DNSB_EMU_FRAG_NON_FIRST && p->frag_offset))
			return core_finish(res, DNSB_V_DROP, DNSB_R_EMU_DROP_FRAGMENT), DNSB_STAGE_DONE;
		/* A box dropping large UDP drops the first fragment: its UDP
		 * header still gives the whole datagram's length. */
		if (pol->emu_drop_larger && p->has_l4 && p->proto == DNSB_IPPROTO_UDP &&
		    dnsb_policy_is_dns_port(pol, p->sport) &&
		    dnsb_get16(frame + p->l4_off + 4) > pol->emu_drop_larger + 8u)
			return core_finish(res, DNSB_V_DROP, DNSB_R_EMU_DROP_LARGE), DNSB_STAGE_DONE;
		return core_finish(res, DNSB_V_PASS, DNSB_R_PASS_FRAGMENT), DNSB_STAGE_DONE;
	}
	if (!p->has_l4)
		return core_finish(res, DNSB_V_PASS, DNSB_R_PASS_NON_DNS), DNSB_STAGE_DONE;

	int to_dns = dnsb_policy_is_dns_port(pol, p->dport);
	if (!to_dns && !dnsb_policy_is_dns_port(pol, p->sport))
		return core_finish(res, DNSB_V_PASS, DNSB_R_PASS_NON_DNS), DNSB_STAGE_DONE;
	res->dns_port_dst = (uint8_t)to_dns;
	if (p->proto == DNSB_IPPROTO_TCP)
		return DNSB_STAGE_TCP_DNS;

	r = dnsb_dns_parse(frame + p->pl_off, p->pl_len, &res->dns);
	if (r != DNSB_R_OK)
		return core_finish(res, DNSB_V_PASS, r), DNSB_STAGE_DONE;
	res->is_dns = 1;
	return DNSB_STAGE_UDP_DNS;
}

static inline __attribute__((always_inline)) enum dnsb_verdict
core_act(uint8_t *frame, enum dnsb_stage stage, enum dnsb_dir dir, const struct dnsb_policy *pol,
	 const struct dnsb_query_hint *hint, struct dnsb_result *res)
{
	switch (stage) {
	case DNSB_STAGE_UDP_DNS:
		if (dnsb_dns_is_response(&res->dns))
			return core_do_response(frame, dir, pol, hint, res);
		return core_do_query(frame, dir, pol, res);
	case DNSB_STAGE_TCP_DNS:
		if (pol->emu_tcp53 == DNSB_EMU_TCP53_RESET &&
		    (res->pkt.tcp_flags & (DNSB_TCP_SYN | DNSB_TCP_ACK)) == DNSB_TCP_SYN &&
		    res->dns_port_dst) {
			uint32_t n = dnsb_emu_tcp_reset(frame, &res->pkt);
			if (n) {
				res->len = n;
				return core_finish(res, DNSB_V_REPLY, DNSB_R_EMU_RESET_TCP53);
			}
		}
		if (pol->emu_tcp53)
			return core_finish(res, DNSB_V_DROP, DNSB_R_EMU_DROP_TCP53);
		if (pol->tcp_mss && dnsb_tcp_mss_clamp(frame, &res->pkt, pol->tcp_mss))
			return core_finish(res, DNSB_V_MODIFIED, DNSB_R_TCP_MSS_CLAMPED);
		return core_finish(res, DNSB_V_PASS, DNSB_R_PASS_DNS_TCP);
	default:
		return res->verdict;
	}
}

#endif
