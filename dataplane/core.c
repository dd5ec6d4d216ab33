/* SPDX-License-Identifier: BSD-3-Clause */
#include <assert.h>

#include "core_steps.h"
#include "events.h"

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

enum dnsb_stage dnsb_inspect(const uint8_t *frame, uint32_t len, const struct dnsb_policy *pol,
			     struct dnsb_result *res)
{
	return core_inspect(frame, len, pol, res);
}

enum dnsb_verdict dnsb_act(uint8_t *frame, enum dnsb_stage stage, enum dnsb_dir dir,
			   const struct dnsb_policy *pol, const struct dnsb_query_hint *hint,
			   struct dnsb_result *res)
{
	return core_act(frame, stage, dir, pol, hint, res);
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
