/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <string.h>

#include "core_steps.h"
#include "engine.h"
#include "hash.h"
#include "tc_synth.h"

#define LARGE_ANSWER 1232

static unsigned size_bucket(uint32_t n)
{
	return n <= 512 ? 0 : n <= 1232 ? 1 : n <= 1400 ? 2 : n <= 1500 ? 3 : 4;
}

static unsigned latency_bucket(uint64_t ns)
{
	static const uint64_t ms[] = { 1, 5, 20, 100, 500, 2000 };
	unsigned i = 0;
	while (i < 6 && ns > ms[i] * 1000000)
		i++;
	return i;
}

/* What the client may receive: RFC 6891 s6.2.5, 512 without EDNS. */
static uint16_t client_size(const struct dnsb_fentry *q)
{
	return q->v.q.edns && q->v.q.udp_size > 512 ? q->v.q.udp_size : 512;
}

static void expire_query(void *ctx, const struct dnsb_fentry *q)
{
	struct dnsb_engine *e = ctx;
	e->events[q->v.q.do_bit ? DNSB_EV_UNANSWERED_DO : DNSB_EV_UNANSWERED_NODO]++;
	e->events[DNSB_EV_UNANSWERED_SIZE_LE512 + size_bucket(client_size(q))]++;
}

static void expire_tc(void *ctx, const struct dnsb_fentry *q)
{
	((struct dnsb_engine *)ctx)->events[DNSB_EV_TC_NO_TCP_FOLLOWUP] += q->v.tc.pending;
}

static void expire_syn(void *ctx, const struct dnsb_fentry *q)
{
	(void)q;
	((struct dnsb_engine *)ctx)->events[DNSB_EV_TCP53_SYN_UNANSWERED]++;
}

static void expire_datagram(void *ctx, const struct dnsb_reasm_slot *s)
{
	((struct dnsb_engine *)ctx)->events[s->have_first ? DNSB_EV_FRAG_INCOMPLETE_LATER_MISSING
							   : DNSB_EV_FRAG_INCOMPLETE_FIRST_MISSING]++;
}

static const char *const track_names[] = { "queries", "retries", "flows" };

const uint8_t dnsb_untrack_choices[DNSB_UNTRACK_CHOICES] = {
	0,
	DNSB_TRACK_FLOWS,
	DNSB_TRACK_RETRIES,
	DNSB_TRACK_RETRIES | DNSB_TRACK_FLOWS,
	DNSB_TRACK_QUERIES | DNSB_TRACK_RETRIES,
	DNSB_TRACK_ALL,
};

unsigned dnsb_track_bit(const char *name)
{
	for (unsigned i = 0; i < sizeof(track_names) / sizeof(track_names[0]); i++)
		if (!strcmp(name, track_names[i]))
			return 1u << i;
	return 0;
}

const char *dnsb_track_name(unsigned bit)
{
	for (unsigned i = 0; i < sizeof(track_names) / sizeof(track_names[0]); i++)
		if (bit == 1u << i)
			return track_names[i];
	return NULL;
}

char *dnsb_track_list(unsigned track, char *buf, size_t len)
{
	size_t used = 0;
	if (!len)
		return buf;
	buf[0] = 0;
	if (!(track & DNSB_TRACK_ALL)) {
		snprintf(buf, len, "nothing");
		return buf;
	}
	for (unsigned b = 1; b & DNSB_TRACK_ALL; b <<= 1) {
		if (!(track & b))
			continue;
		int k = snprintf(buf + used, len - used, "%s%s", used ? " " : "", dnsb_track_name(b));
		if (k < 0 || (size_t)k >= len - used)
			break; /* cut short */
		used += (size_t)k;
	}
	return buf;
}

int dnsb_engine_init(struct dnsb_engine *e, const struct dnsb_policy *pol, void *mem,
		     const struct dnsb_engine_cfg *c)
{
	static const dnsb_ft_expire_fn fns[DNSB_T__END] = {
		[DNSB_T_QUERIES] = expire_query,
		[DNSB_T_TC] = expire_tc,
		[DNSB_T_SYN] = expire_syn,
	};
	memset(e, 0, sizeof(*e));
	e->track = DNSB_TRACK_ALL & ~c->untrack;
	if (!dnsb_track_ok(e->track))
		return -1;
	e->pol = pol;
	e->hypothetical = c->hypothetical;
	e->frag_id_next = c->seed * 2654435761u; /* ids differ between workers and runs */
	e->hseed = (c->seed + 1ull) * 0x9e3779b97f4a7c15ull;
	uint8_t *m = mem;
	for (unsigned i = 0; i < DNSB_T__END; i++) {
		uint32_t slots = dnsb_engine_table_slots(c, i);
		if (dnsb_ft_init(&e->t[i], m, slots, c->query_timeout_ns, c->seed + i, fns[i], e))
			return -1;
		m += dnsb_ft_mem(slots);
	}
	if (e->track & DNSB_TRACK_FLOWS) {
		if (dnsb_fc_init(&e->fc, m, c->flow_timeout_ns))
			return -1;
		m += dnsb_fc_mem();
	}
	if (c->reasm.slots) {
		if (dnsb_reasm_init(&e->ra, m, &c->reasm, expire_datagram, e))
			return -1;
		e->reasm_on = 1;
	}
	return 0;
}

static inline __attribute__((always_inline)) void
keys_of(const struct dnsb_engine *e, const struct dnsb_pkt *p, int from_server,
	struct dnsb_pkt_keys *k)
{
	const uint8_t *c = from_server ? p->dst : p->src, *s = from_server ? p->src : p->dst;
	uint64_t c0, c1 = 0, s0, s1 = 0, h = e->hseed ^ p->ip_ver;
	if (p->ip_ver == 4) {
		uint32_t c4, s4;
		memcpy(&c4, c, 4);
		memcpy(&s4, s, 4);
		c0 = c4;
		s0 = s4;
		h = dnsb_mix(h, c0);
		k->h_client = h;
		h = dnsb_mix(h, s0);
	} else {
		memcpy(&c0, c, 8);
		memcpy(&c1, c + 8, 8);
		memcpy(&s0, s, 8);
		memcpy(&s1, s + 8, 8);
		h = dnsb_mix(dnsb_mix(h, c0), c1);
		k->h_client = h;
		h = dnsb_mix(dnsb_mix(h, s0), s1);
	}
	k->h_pair = h;
	memcpy(k->flow.a, &c0, 8);
	memcpy(k->flow.a + 8, &c1, 8);
	memcpy(k->flow.b, &s0, 8);
	memcpy(k->flow.b + 8, &s1, 8);
	k->flow.pa = from_server ? p->dport : p->sport;
	k->flow.pb = from_server ? p->sport : p->dport;
	k->flow.id = 0;
	k->flow.ip_ver = p->ip_ver;
	k->flow.pad = 0;
	k->h_flow = dnsb_mix(h, (uint64_t)k->flow.pa << 16 | k->flow.pb);
}

/* An outstanding query: the flow and the DNS ID (its hash: query_hash). */
static inline void query_key(const struct dnsb_pkt_keys *pk, uint16_t id, struct dnsb_fkey *k)
{
	*k = pk->flow;
	k->id = id;
}

static inline uint32_t query_hash(const struct dnsb_pkt_keys *pk, uint16_t id)
{
	return (uint32_t)dnsb_mix(pk->h_flow, id);
}

/* The first question's identity (dnsb_question_hash()): its name has no
 * compression pointer (none can point before it), so it is contiguous,
 * its type and class right after it. */
static inline __attribute__((always_inline)) uint32_t
question_hash(const uint8_t *msg, uint32_t len, const struct dnsb_dns *d)
{
	return dnsb_question_hash(msg + d->qname_off, d->qname_len, len - d->qname_off);
}

/* A question of a client: its address and the question's hash (the
 * key's hash: question_key_hash). */
static inline uint32_t question_key_hash(const struct dnsb_pkt_keys *pk, uint32_t qh)
{
	return (uint32_t)dnsb_mix(pk->h_client, qh);
}

static inline void question_key(const struct dnsb_pkt_keys *pk, uint32_t qh, struct dnsb_fkey *k)
{
	memcpy(k->a, pk->flow.a, 16);
	memset(k->b, 0, 16);
	k->pa = (uint16_t)(qh >> 16);
	k->pb = (uint16_t)qh;
	k->id = 0;
	k->ip_ver = pk->flow.ip_ver;
	k->pad = 0;
}

/* A client and a server, no ports: TC answers awaiting TCP. */
static uint32_t pair_key(const struct dnsb_pkt_keys *pk, struct dnsb_fkey *k)
{
	*k = pk->flow;
	k->pa = k->pb = 0;
	return (uint32_t)pk->h_pair;
}

/* What correlation learned of a UDP DNS message before the policy acts. */
struct corr {
	const struct dnsb_look *lk; /**< the message's keys */
	struct dnsb_query_hint h;
	struct dnsb_fentry query; /**< a copy of the answered query (when matched) */
	int matched;   /**< the answer's query was found */
	int response;  /**< an answer heading to the client: track it after */
};

/* @p track: the DNSB_TRACK_* bits in force, a constant where the burst
 * loop is specialised for them. */
static inline __attribute__((always_inline)) void
on_query(struct dnsb_engine *e, const struct dnsb_result *res, uint64_t now,
	 const struct dnsb_look *lk, unsigned track)
{
	const struct dnsb_dns *d = &res->dns;
	const struct dnsb_pkt_keys *pk = &lk->k;
	struct dnsb_fkey k;
	int created, do_bit = dnsb_dns_do(d);

	e->events[DNSB_EV_QUERIES]++;
	e->events[DNSB_EV_DO_QUERIES] += (uint64_t)do_bit;
	e->events[DNSB_EV_QUERIES_SIZE_LE512 +
		  size_bucket(d->has_opt && d->opt_udp_size > 512 ? d->opt_udp_size : 512)]++;
	if (track & DNSB_TRACK_FLOWS)
		dnsb_fc_add(&e->fc, pk->h_flow);

	/* The question's hash is made only when retries are tracked. */
	uint32_t qh = (track & DNSB_TRACK_RETRIES) ? lk->qhash : 0;
	if (track & DNSB_TRACK_RETRIES) {
		question_key(pk, qh, &k);
		struct dnsb_fentry *c =
			dnsb_ft_upsert(&e->t[DNSB_T_QUESTIONS], &k, lk->h_question, now, &created);
		if (c && !created) {
			if (c->v.c.outstanding) {
				e->events[DNSB_EV_CLIENT_RETRY_UNANSWERED]++;
			} else if (c->v.c.answered) {
				e->events[DNSB_EV_CLIENT_RETRY_AFTER_ANSWER]++;
				if (c->v.c.answer_size > LARGE_ANSWER)
					e->events[DNSB_EV_CLIENT_RETRY_AFTER_LARGE_ANSWER]++;
			}
		}
		if (c) {
			c->ts_ns = now ? now : 1;
			c->v.c.outstanding = 1;
		}
	}
	if (!(track & DNSB_TRACK_QUERIES))
		return;

	query_key(pk, d->id, &k);
	struct dnsb_fentry *q = dnsb_ft_upsert(&e->t[DNSB_T_QUERIES], &k, lk->h_query, now, &created);
	if (!q) {
		e->events[DNSB_EV_FLOW_TABLE_FULL]++;
		return;
	}
	q->ts_ns = now ? now : 1;
	q->v.q.qhash = qh;
	q->v.q.edns = d->has_opt;
	q->v.q.udp_size = d->has_opt ? d->opt_udp_size : 0; /* before any clamp */
	q->v.q.do_bit = (uint8_t)do_bit;
}

/* Before policy: find the query, judge the answer against it. */
static inline __attribute__((always_inline)) int
on_response(struct dnsb_engine *e, const struct dnsb_result *res, uint64_t now, struct corr *c,
	    unsigned track)
{
	const struct dnsb_dns *d = &res->dns;
	const struct dnsb_fentry *query = &c->query;
	struct dnsb_fkey k;

	e->events[DNSB_EV_RESPONSES]++;
	e->events[DNSB_EV_DO_RESPONSES] += (uint64_t)dnsb_dns_do(d);
	if (track & DNSB_TRACK_FLOWS)
		dnsb_fc_add(&e->fc, c->lk->k.h_flow);
	if (!(track & DNSB_TRACK_QUERIES))
		return 0; /* not matched, and not counted unmatched either */
	query_key(&c->lk->k, d->id, &k);
	struct dnsb_fentry *q = dnsb_ft_find(&e->t[DNSB_T_QUERIES], &k, c->lk->h_query, now);
	if (!q) {
		e->events[DNSB_EV_RESPONSES_UNMATCHED]++;
		return 0;
	}
	c->query = *q;
	dnsb_ft_remove(&e->t[DNSB_T_QUERIES], q);
	c->h.client_udp_size = query->v.q.edns ? query->v.q.udp_size : 0;
	c->h.client_do = query->v.q.do_bit;

	uint32_t n = res->pkt.pl_len;
	if (n > client_size(query))
		e->events[DNSB_EV_RESPONSE_TOOBIG]++;
	if (query->v.q.edns && !d->has_opt)
		e->events[DNSB_EV_RESPONSE_NO_OPT]++;
	/* A truncated answer may lack signatures by design. */
	if (query->v.q.do_bit && (d->flags & 0xf) == 0 && !(d->flags & DNSB_F_TC) && d->ancount &&
	    !d->rrsig_answer)
		e->events[DNSB_EV_RESPONSE_DO_NO_RRSIG]++;
	e->events[(query->v.q.do_bit ? DNSB_EV_RESPONSE_SIZE_DO_LE512 : DNSB_EV_RESPONSE_SIZE_NODO_LE512) +
		  size_bucket(n)]++;
	e->events[query->v.q.do_bit ? DNSB_EV_RESPONSE_OCTETS_DO : DNSB_EV_RESPONSE_OCTETS_NODO] += n;
	uint64_t lat = now > query->ts_ns ? now - query->ts_ns : 0;
	e->events[DNSB_EV_LATENCY_LE1MS + latency_bucket(lat)]++;
	e->events[DNSB_EV_LATENCY_US_SUM] += lat / 1000;
	return 1;
}

/* After policy: what the client was sent (offline: what it was sent in
 * the capture). */
static inline __attribute__((always_inline)) void
after_response(struct dnsb_engine *e, const struct dnsb_result *res, uint64_t now,
	       enum dnsb_verdict v, const struct corr *cr, unsigned track)
{
	struct dnsb_fkey k;
	int created;

	if (v == DNSB_V_DROP && !e->hypothetical)
		return;
	int made = res->reason == DNSB_R_TC_SYNTHESIZED || res->reason == DNSB_R_FRAG_TC;
	int synth = made && !e->hypothetical;
	int tc = synth || (res->dns.flags & DNSB_F_TC);
	if (!made && (res->dns.flags & DNSB_F_TC))
		e->events[DNSB_EV_TC_FORWARDED]++;
	if (tc) {
		struct dnsb_pkt_keys own;
		const struct dnsb_pkt_keys *pk = &cr->lk->k;
		if (!track) { /* keyed by nothing before (key_message()) */
			keys_of(e, &res->pkt, 1, &own);
			pk = &own;
		}
		uint32_t h = pair_key(pk, &k);
		/* One entry per (client, server); each TC answer expects its
		 * own TCP connection. */
		struct dnsb_fentry *t = dnsb_ft_upsert(&e->t[DNSB_T_TC], &k, h, now, &created);
		if (t) {
			t->ts_ns = now ? now : 1;
			t->v.tc.pending++;
		} else {
			e->events[DNSB_EV_FLOW_TABLE_FULL]++;
		}
	}
	/* Retries are tracked with queries (dnsb_engine_init()): only a
	 * matched answer ends a question's wait. */
	if (!(track & DNSB_TRACK_RETRIES) || !cr->matched)
		return;
	question_key(&cr->lk->k, cr->query.v.q.qhash, &k);
	struct dnsb_fentry *c = dnsb_ft_find(&e->t[DNSB_T_QUESTIONS], &k,
					     question_key_hash(&cr->lk->k, cr->query.v.q.qhash), now);
	if (c) {
		c->ts_ns = now ? now : 1; /* the retry window runs from the answer */
		c->v.c.outstanding = 0;
		c->v.c.answered = 1;
		c->v.c.answer_size = (uint16_t)(e->hypothetical ? res->pkt.pl_len
								 : res->len - res->pkt.pl_off);
		/* A TC answer asks for a retry over TCP: not a loss. */
		if (tc)
			dnsb_ft_remove(&e->t[DNSB_T_QUESTIONS], c);
	}
}

/* DNS messages a client's TCP segment of @p len octets at @p pl starts or
 * carries whole: its 2-octet length prefixes, walked (RFC 7766 pipelining).
 * A message split over segments may count twice; that can only hide a
 * missing follow-up, never make one up. */
static uint32_t tcp_messages(const uint8_t *pl, uint32_t len)
{
	uint32_t n = 0;
	for (uint32_t off = 0; off + 2 <= len; n++)
		off += 2u + (uint32_t)(pl[off] << 8 | pl[off + 1]);
	return n ? n : len != 0;
}

/*
 * The client's TCP/53 to a server after TC answers from it: a new
 * connection (its first SYN) stands for one of them, and each further
 * query the client sends that server over TCP, on a connection it reuses
 * or after the first on the new one, for one more.
 */
static void tc_followup(struct dnsb_engine *e, const struct dnsb_pkt_keys *pk, uint16_t sport,
			int syn, uint32_t msgs, uint64_t now)
{
	struct dnsb_fkey k;
	uint32_t h = pair_key(pk, &k);
	struct dnsb_fentry *t = dnsb_ft_find(&e->t[DNSB_T_TC], &k, h, now);
	if (!t)
		return;
	uint32_t n = msgs;
	if (syn) {
		n = 1;
		t->v.tc.fresh_port = sport;
	} else if (t->v.tc.fresh_port == sport) {
		t->v.tc.fresh_port = 0; /* the query the SYN stood for */
		n--;
	}
	if (n > t->v.tc.pending)
		n = t->v.tc.pending;
	e->events[DNSB_EV_TC_TCP_FOLLOWUP] += n;
	t->v.tc.pending -= n;
	if (!t->v.tc.pending)
		dnsb_ft_remove(&e->t[DNSB_T_TC], t);
}

static void on_tcp(struct dnsb_engine *e, const uint8_t *frame, const struct dnsb_result *res,
		   uint64_t now)
{
	const struct dnsb_pkt *p = &res->pkt;
	const struct dnsb_policy *pol = e->pol;
	uint8_t f = p->tcp_flags;
	struct dnsb_pkt_keys pk;

	if (dnsb_policy_is_dns_port(pol, p->dport)) {
		if ((f & (DNSB_TCP_SYN | DNSB_TCP_ACK)) == DNSB_TCP_SYN) {
			int created;
			keys_of(e, p, 0, &pk);
			struct dnsb_fentry *s = dnsb_ft_upsert(&e->t[DNSB_T_SYN], &pk.flow,
							       (uint32_t)pk.h_flow, now, &created);
			if (!s) {
				e->events[DNSB_EV_FLOW_TABLE_FULL]++;
				created = 1;
			}
			/* A retransmitted SYN is the same attempt. */
			if (created) {
				e->events[DNSB_EV_TCP53_SYN]++;
				tc_followup(e, &pk, p->sport, 1, 0, now);
			}
			return;
		}
		if (!(f & (DNSB_TCP_SYN | DNSB_TCP_RST)) && p->pl_len) {
			keys_of(e, p, 0, &pk);
			tc_followup(e, &pk, p->sport, 0, tcp_messages(frame + p->pl_off, p->pl_len),
				    now);
		}
	}
	/* From a DNS port (both ports may be). */
	if (!dnsb_policy_is_dns_port(pol, p->sport))
		return;
	if ((f & (DNSB_TCP_SYN | DNSB_TCP_ACK)) == (DNSB_TCP_SYN | DNSB_TCP_ACK) ||
	    (f & DNSB_TCP_RST)) {
		if (f & DNSB_TCP_RST)
			e->events[DNSB_EV_TCP53_RESET]++;
		keys_of(e, p, 1, &pk);
		struct dnsb_fentry *s =
			dnsb_ft_find(&e->t[DNSB_T_SYN], &pk.flow, (uint32_t)pk.h_flow, now);
		if (s)
			dnsb_ft_remove(&e->t[DNSB_T_SYN], s);
	}
}


/* The policy for fragments heading @p dir (unknown: the same both ways, or pass). */
static enum dnsb_frag_policy frag_mode(const struct dnsb_policy *pol, enum dnsb_dir dir)
{
	if (dir == DNSB_DIR_TO_CLIENT)
		return (enum dnsb_frag_policy)pol->frag_to_client;
	if (dir == DNSB_DIR_TO_SERVER)
		return (enum dnsb_frag_policy)pol->frag_to_server;
	return pol->frag_to_client == pol->frag_to_server ? (enum dnsb_frag_policy)pol->frag_to_client
							   : DNSB_FRAG_PASS;
}

static enum dnsb_verdict frag_verdict(struct dnsb_result *res, enum dnsb_verdict v,
				      enum dnsb_reason r)
{
	res->verdict = v;
	res->reason = r;
	return v;
}

/* The keys of a UDP DNS message and their hashes, before any state is
 * touched: a query heading to a server is tracked, an answer heading to a
 * client matched; anything heading the wrong way is left alone. */
static inline __attribute__((always_inline)) void
key_message(const struct dnsb_engine *e, const uint8_t *frame, const struct dnsb_result *res,
	    enum dnsb_dir dir, struct dnsb_look *lk, unsigned track)
{
	int response = dnsb_dns_is_response(&res->dns);
	lk->corr = DNSB_LOOK_NONE;
	if (dir == (response ? DNSB_DIR_TO_SERVER : DNSB_DIR_TO_CLIENT))
		return;
	lk->corr = response ? DNSB_LOOK_ANSWER : DNSB_LOOK_QUERY;
	if (!track)
		return; /* no keys: TC answers find theirs (after_response()) */
	keys_of(e, &res->pkt, response, &lk->k);
	lk->h_query = query_hash(&lk->k, res->dns.id);
	if (!response && (track & DNSB_TRACK_RETRIES)) {
		lk->qhash = question_hash(frame + res->pkt.pl_off, res->pkt.pl_len, &res->dns);
		lk->h_question = question_key_hash(&lk->k, lk->qhash);
	}
}

/* What the first pass fetches of the tables (0: nothing). */
enum { FETCH_HOME = 1, FETCH_RUNS = 2 };

/* The first pass, written once for dnsb_engine_process(), its halves and
 * a reassembled datagram: the frame inspected, a UDP DNS message keyed. */
static inline __attribute__((always_inline)) void
look(const struct dnsb_engine *e, const uint8_t *frame, uint32_t len, enum dnsb_dir dir,
     struct dnsb_result *res, struct dnsb_look *lk, int prefetch, unsigned track)
{
	/* prefetch: 0 none, FETCH_HOME the slots' home lines, FETCH_RUNS
	 * their runs' too where a table is crowded (crowding()). */
	enum dnsb_stage st = core_inspect(frame, len, e->pol, res);
	lk->stage = (uint8_t)st;
	lk->corr = DNSB_LOOK_NONE;
	if (st != DNSB_STAGE_UDP_DNS)
		return;
	key_message(e, frame, res, dir, lk, track);
	if (!prefetch || lk->corr == DNSB_LOOK_NONE)
		return;
	/* The lines correlation will read and write, on their way while the
	 * frames before this one are finished (one frame alone: no time for
	 * that, and nothing to gain). */
	int question = lk->corr == DNSB_LOOK_QUERY && (track & DNSB_TRACK_RETRIES);
	if (track & DNSB_TRACK_QUERIES)
		dnsb_ft_prefetch(&e->t[DNSB_T_QUERIES], lk->h_query);
	if (question)
		dnsb_ft_prefetch(&e->t[DNSB_T_QUESTIONS], lk->h_question);
	if (__builtin_expect(prefetch == FETCH_RUNS, 0)) {
		if (track & DNSB_TRACK_QUERIES)
			dnsb_ft_prefetch_run(&e->t[DNSB_T_QUERIES], lk->h_query);
		if (question)
			dnsb_ft_prefetch_run(&e->t[DNSB_T_QUESTIONS], lk->h_question);
	}
}

/* What look() fetches of the tables: FETCH_RUNS when one the first pass
 * fetches for is crowded (read once a burst: a hint, it need not be
 * exact). */
static inline int crowding(const struct dnsb_engine *e)
{
	return dnsb_ft_crowded(&e->t[DNSB_T_QUERIES]) | dnsb_ft_crowded(&e->t[DNSB_T_QUESTIONS])
		       ? FETCH_RUNS
		       : FETCH_HOME;
}

/* A UDP DNS message keyed by key_message(): track a query, or find an
 * answer's query. */
static inline __attribute__((always_inline)) void
correlate(struct dnsb_engine *e, const struct dnsb_result *res, const struct dnsb_look *lk,
	  uint64_t now, struct corr *c, unsigned track)
{
	c->matched = c->response = 0;
	c->lk = lk;
	if (lk->corr == DNSB_LOOK_QUERY) {
		on_query(e, res, now, lk, track);
	} else if (lk->corr == DNSB_LOOK_ANSWER) {
		c->response = 1;
		c->matched = on_response(e, res, now, c, track);
	}
}

static enum dnsb_verdict run_policy(struct dnsb_engine *e, uint8_t *frame, enum dnsb_stage st,
				     enum dnsb_dir dir, uint64_t now, uint32_t frag_id,
				     struct dnsb_result *res, const struct dnsb_look *lk,
				     unsigned track);

/*
 * A reassembled DNS datagram under policy reassemble or truncate: judged
 * and rewritten like any datagram (run_policy: over the egress MTU it is
 * re-fragmented, or becomes TC=1 under truncate), then sent whole unless
 * that already planned its frames. Out of line, in two copies (below).
 */
static inline __attribute__((always_inline)) enum dnsb_verdict
send_reassembled_as(struct dnsb_engine *e, enum dnsb_dir dir, uint32_t n, uint32_t id,
		    uint64_t now, struct dnsb_result *res, unsigned track)
{
	uint8_t *f = e->ra_out;
	struct dnsb_result sub;
	struct dnsb_look lk;
	look(e, f, n, dir, &sub, &lk, 0, track);
	enum dnsb_verdict v =
		run_policy(e, f, (enum dnsb_stage)lk.stage, dir, now, id, &sub, &lk, track);
	if (v == DNSB_V_DROP)
		return frag_verdict(res, v, sub.reason);
	if (v != DNSB_V_EMIT) {
		/* It fits (or is no DNS run_policy could judge): plan it anyway. */
		struct dnsb_pkt again;
		const struct dnsb_pkt *p = &sub.pkt; /* as parsed, unless rewritten */
		uint16_t mtu = dir == DNSB_DIR_TO_CLIENT ? e->pol->mtu_client : e->pol->mtu_server;
		uint32_t frames = 0;
		if (v != DNSB_V_PASS || lk.stage != DNSB_STAGE_UDP_DNS)
			p = dnsb_pkt_parse(f, sub.len, &again) == DNSB_R_OK ? &again : NULL;
		if (p)
			frames = dnsb_refrag_plan(&e->emit, f, p, mtu, id);
		if (!frames) /* an MTU too small for the headers */
			return frag_verdict(res, DNSB_V_DROP, DNSB_R_FRAG_DROP_INVALID);
		if (frames > 1) {
			e->events[DNSB_EV_FRAG_REFRAGMENTED]++;
			e->events[DNSB_EV_FRAG_SENT_FRAGMENTS] += frames;
		} else if (sub.reason != DNSB_R_FRAG_TC) { /* a TC is in frag_tc_sent */
			e->events[DNSB_EV_FRAG_SENT_WHOLE]++;
		}
	}
	return frag_verdict(res, DNSB_V_EMIT, sub.reason);
}

/* With everything tracked, the tracking costs no tests here either. */
static enum dnsb_verdict send_reassembled(struct dnsb_engine *e, enum dnsb_dir dir, uint32_t n,
					  uint32_t id, uint64_t now, struct dnsb_result *res,
					  unsigned track)
{
	if (track == DNSB_TRACK_ALL)
		return send_reassembled_as(e, dir, n, id, now, res, DNSB_TRACK_ALL);
	return send_reassembled_as(e, dir, n, id, now, res, track);
}

/*
 * Under policy pass a fragment goes on untouched while its data is kept;
 * once the datagram is whole, the reassembled copy is correlated like any
 * DNS message. Under reassemble and truncate the fragments of a DNS
 * datagram are held and the datagram goes out when whole; under drop they
 * are dropped. Whether a datagram is DNS shows in its first fragment:
 * fragments that come before it go on as they are (and so does the rest
 * of that datagram, under reassemble and truncate, so that the receiver
 * never gets a mix).
 */
static inline __attribute__((always_inline)) enum dnsb_verdict
on_fragment(struct dnsb_engine *e, const uint8_t *frame, struct dnsb_result *res, enum dnsb_dir dir,
	    uint64_t now, unsigned track)
{
	static const uint8_t ev[] = {
		[DNSB_RA_DUP] = DNSB_EV_FRAG_DUPLICATE,     [DNSB_RA_OVERLAP] = DNSB_EV_FRAG_OVERLAP,
		[DNSB_RA_TINY_FIRST] = DNSB_EV_FRAG_TINY_FIRST, [DNSB_RA_TOO_BIG] = DNSB_EV_FRAG_TOO_BIG,
		[DNSB_RA_TOO_MANY] = DNSB_EV_FRAG_TOO_MANY, [DNSB_RA_BAD] = DNSB_EV_FRAG_BAD,
	};
	const struct dnsb_policy *pol = e->pol;
	uint32_t n = 0;
	struct dnsb_result sub;

	e->events[res->pkt.ip_ver == 4 ? DNSB_EV_FRAG_V4 : DNSB_EV_FRAG_V6]++;
	if (!e->reasm_on)
		return res->verdict;
	uint64_t evicted = e->ra.evicted;
	enum dnsb_reasm_status st = dnsb_reasm_add(&e->ra, frame, &res->pkt, pol->dns_ports,
						   pol->n_dns_ports, now, &e->ra_out, &n);
	e->events[DNSB_EV_FRAG_EVICTED] += e->ra.evicted - evicted;
	const struct dnsb_reasm_last *l = &e->ra.last;
	/* Offline the direction is the first fragment's. */
	if (dir == DNSB_DIR_UNKNOWN && l->known_dns)
		dir = l->from_server ? DNSB_DIR_TO_CLIENT : DNSB_DIR_TO_SERVER;
	enum dnsb_frag_policy mode = frag_mode(pol, dir);
	int as_is = mode == DNSB_FRAG_PASS || l->passing;

	switch (st) {
	case DNSB_RA_NOT_DNS:
		return res->verdict;
	case DNSB_RA_HELD:
		if (l->passing)
			return res->verdict;
		if (!l->known_dns) {
			/* Offline, before the first fragment, the direction is not
			 * known either: go by the holding policy, if any. */
			enum dnsb_frag_policy m = dir != DNSB_DIR_UNKNOWN ? mode
						: pol->frag_to_client ? (enum dnsb_frag_policy)pol->frag_to_client
								      : (enum dnsb_frag_policy)pol->frag_to_server;
			if (m == DNSB_FRAG_PASS)
				return res->verdict;
			e->events[DNSB_EV_FRAG_PASS_EARLY]++;
			if (m != DNSB_FRAG_DROP)
				l->slot->passing = 1;
			return res->verdict;
		}
		if (mode == DNSB_FRAG_PASS)
			return res->verdict;
		return frag_verdict(res, DNSB_V_DROP,
				    mode == DNSB_FRAG_DROP ? DNSB_R_FRAG_DROP_POLICY : DNSB_R_FRAG_HELD);
	case DNSB_RA_DONE:
		break;
	default:
		if (st < sizeof(ev) && ev[st])
			e->events[ev[st]]++;
		if (as_is || (!l->known_dns && st != DNSB_RA_TINY_FIRST && mode == DNSB_FRAG_DROP))
			return res->verdict;
		return frag_verdict(res, DNSB_V_DROP,
				    mode == DNSB_FRAG_DROP ? DNSB_R_FRAG_DROP_POLICY : DNSB_R_FRAG_DROP_INVALID);
	}
	e->events[DNSB_EV_FRAG_REASSEMBLED]++;
	if (!as_is && mode != DNSB_FRAG_DROP)
		return send_reassembled(e, dir, n, l->id, now, res, track);
	/* The fragments went on (or were dropped): correlate the copy. */
	enum dnsb_verdict v = as_is ? res->verdict
				    : frag_verdict(res, DNSB_V_DROP, DNSB_R_FRAG_DROP_POLICY);
	struct corr c;
	c.query.v.q.qhash = 0; /* GCC cannot see that a matched answer has it set */
	struct dnsb_look lk;
	lk.qhash = lk.h_question = 0; /* nor that key_message() sets them for a query */
	look(e, e->ra_out, n, dir, &sub, &lk, 0, track);
	if (lk.stage != DNSB_STAGE_UDP_DNS)
		return v;
	correlate(e, &sub, &lk, now, &c, track);
	if (c.response) {
		sub.verdict = v;
		sub.reason = res->reason;
		after_response(e, &sub, now, v, &c, track);
	}
	return v;
}

static inline int unlikely_holding(const struct dnsb_policy *pol)
{
	return __builtin_expect(pol->frag_to_client | pol->frag_to_server, 0);
}

/*
 * A DNS datagram (arrived whole, or reassembled: then @p frag_id is its
 * identification, else 0 for a fresh one) larger than the egress MTU,
 * under reassemble or truncate: the next hop cannot take it (it would vanish in the black hole
 * the policy is there to repair), so it leaves as fragments of the MTU
 * (reassemble; IPv4 even with DF set, since the path could not report its
 * MTU) or, for an answer under truncate, as a TC=1 answer.
 */
static enum dnsb_verdict over_mtu(struct dnsb_engine *e, uint8_t *frame, enum dnsb_dir dir,
				  int response, const struct dnsb_query_hint *h, uint32_t frag_id,
				  enum dnsb_verdict v, struct dnsb_result *res)
{
	const struct dnsb_policy *pol = e->pol;
	if (dir == DNSB_DIR_UNKNOWN) /* offline: the message says */
		dir = dnsb_dns_is_response(&res->dns) ? DNSB_DIR_TO_CLIENT : DNSB_DIR_TO_SERVER;
	enum dnsb_frag_policy mode = frag_mode(pol, dir);
	uint16_t mtu = dir == DNSB_DIR_TO_CLIENT ? pol->mtu_client : pol->mtu_server;
	if (mode == DNSB_FRAG_PASS || mode == DNSB_FRAG_DROP || res->len - res->pkt.l3_off <= mtu)
		return v;
	/* A frame the policy passed is as it was parsed; one it rewrote is
	 * parsed again. */
	struct dnsb_result again;
	const struct dnsb_result *cur = res;
	if (v != DNSB_V_PASS) {
		if (dnsb_inspect(frame, res->len, pol, &again) != DNSB_STAGE_UDP_DNS)
			return v;
		cur = &again;
	}
	if (mode == DNSB_FRAG_TRUNCATE && response) {
		res->len = dnsb_tc_synth(frame, &cur->pkt, &cur->dns,
					 h ? (enum dnsb_tc_do)h->client_do : DNSB_TC_DO_FROM_RESPONSE);
		res->reason = DNSB_R_FRAG_TC;
		res->verdict = DNSB_V_MODIFIED;
		e->events[DNSB_EV_FRAG_TC_SENT]++;
		return DNSB_V_MODIFIED;
	}
	if (cur->pkt.ip_ver == 4)
		frame[cur->pkt.l3_off + 6] &= 0xbf; /* DF off: the header is rebuilt per fragment */
	uint32_t frames = dnsb_refrag_plan(&e->emit, frame, &cur->pkt, mtu,
					   frag_id ? frag_id : ++e->frag_id_next);
	if (frames < 2) {
		e->emit.n = 0;
		return v;
	}
	e->events[DNSB_EV_FRAG_REFRAGMENTED]++;
	e->events[DNSB_EV_FRAG_SENT_FRAGMENTS] += frames;
	res->verdict = DNSB_V_EMIT;
	return DNSB_V_EMIT;
}

/*
 * Correlation, the policy and, under a holding fragments policy, the
 * egress MTU, for a frame at stage @p st: the common path of frames and of
 * reassembled datagrams.
 */
static inline __attribute__((always_inline)) enum dnsb_verdict
run_policy(struct dnsb_engine *e, uint8_t *frame, enum dnsb_stage st, enum dnsb_dir dir,
	   uint64_t now, uint32_t frag_id, struct dnsb_result *res, const struct dnsb_look *lk,
	   unsigned track)
{
	const struct dnsb_policy *pol = e->pol;
	struct corr c; /* not zeroed whole: the query entry is written only when found */
	c.matched = c.response = 0;
	if (st == DNSB_STAGE_UDP_DNS)
		correlate(e, res, lk, now, &c, track);
	else if (st == DNSB_STAGE_TCP_DNS)
		on_tcp(e, frame, res, now);
	const struct dnsb_query_hint *h = c.matched ? &c.h : NULL;
	enum dnsb_verdict v = core_act(frame, st, dir, pol, h, res);
	if (unlikely_holding(pol) && st == DNSB_STAGE_UDP_DNS && v != DNSB_V_DROP)
		v = over_mtu(e, frame, dir, c.response, h, frag_id, v, res);
	if (c.response)
		after_response(e, res, now, v, &c, track);
	return v;
}

/* The second pass, written once for dnsb_engine_process() and for its
 * halves. */
static inline __attribute__((always_inline)) enum dnsb_verdict
finish(struct dnsb_engine *e, uint8_t *frame, enum dnsb_dir dir, uint64_t now_ns,
       struct dnsb_result *res, const struct dnsb_look *lk, unsigned track)
{
	enum dnsb_verdict v;
	enum dnsb_stage st = (enum dnsb_stage)lk->stage;

	e->emit.n = 0;
	if (st == DNSB_STAGE_DONE && res->reason == DNSB_R_PASS_FRAGMENT)
		v = on_fragment(e, frame, res, dir, now_ns, track);
	else
		v = run_policy(e, frame, st, dir, now_ns, 0, res, lk, track);
	e->reasons[res->reason]++;
	return v;
}

enum dnsb_verdict dnsb_engine_process(struct dnsb_engine *e, uint8_t *frame, uint32_t len,
				      uint32_t cap, enum dnsb_dir dir, uint64_t now_ns,
				      struct dnsb_result *res)
{
	struct dnsb_look lk;

	(void)cap;
	look(e, frame, len, dir, res, &lk, 0, e->track);
	return finish(e, frame, dir, now_ns, res, &lk, e->track);
}

void dnsb_engine_look(const struct dnsb_engine *e, const uint8_t *frame, uint32_t len,
		      enum dnsb_dir dir, struct dnsb_result *res, struct dnsb_look *lk)
{
	look(e, frame, len, dir, res, lk, crowding(e), e->track);
}

enum dnsb_verdict dnsb_engine_finish(struct dnsb_engine *e, uint8_t *frame, enum dnsb_dir dir,
				     uint64_t now_ns, struct dnsb_result *res,
				     const struct dnsb_look *lk)
{
	return finish(e, frame, dir, now_ns, res, lk, e->track);
}

static inline __attribute__((always_inline)) void
burst_look(const struct dnsb_engine *e, struct dnsb_bframe *b, int fetch, unsigned track)
{
	if (b->frame)
		look(e, b->frame, b->len, (enum dnsb_dir)b->dir, &b->res, &b->lk, fetch, track);
}

/* Always inlined: a function that only prefetches, left out of line, is
 * taken for one without effects and its calls dropped (ftable.h). */
static inline __attribute__((always_inline)) void burst_fetch(const struct dnsb_bframe *b)
{
	if (b->frame)
		__builtin_prefetch(b->frame);
}

static inline __attribute__((always_inline)) uint32_t burst(struct dnsb_engine *e,
							   struct dnsb_bframe *f, uint32_t n,
							   uint32_t from, int fetch,
							   unsigned track)
{
	uint32_t j;

	/* Frames before from have been finished, and from then on the first
	 * pass is DNSB_LOOK_AHEAD frames ahead: from 0 it is yet to start. */
	if (from == 0) {
		for (j = 0; j < n && j < DNSB_LOOK_AHEAD + DNSB_FETCH_AHEAD; j++)
			burst_fetch(&f[j]);
		for (j = 0; j < n && j < DNSB_LOOK_AHEAD; j++)
			burst_look(e, &f[j], fetch, track);
	}
	for (j = from; j < n; j++) {
		uint32_t ahead = j + DNSB_LOOK_AHEAD;
		if (ahead < n) {
			if (ahead + DNSB_FETCH_AHEAD < n)
				burst_fetch(&f[ahead + DNSB_FETCH_AHEAD]);
			burst_look(e, &f[ahead], fetch, track);
		}
		struct dnsb_bframe *b = &f[j];
		if (b->frame && finish(e, b->frame, (enum dnsb_dir)b->dir, b->now_ns, &b->res,
				       &b->lk, track) == DNSB_V_EMIT)
			return j + 1;
	}
	return n;
}

/*
 * The copies of the loop, each a function of its own so that each gets
 * its own registers and layout, and a copy added for one choice does not
 * move the others: with everything tracked, one for each fetch, so that
 * the crowded tables' case costs the usual one nothing and the tracking
 * costs no tests; one each for nothing tracked and for queries alone (the
 * two choices made for rate); for the others, one that tests both. The
 * names start with loop_ (tests/golden/test_prefetch_kept.py).
 */
#define LOOP_COPY(name, fetch, track)                                              \
	static __attribute__((noinline)) uint32_t name(struct dnsb_engine *e,       \
						       struct dnsb_bframe *f,       \
						       uint32_t n, uint32_t from)   \
	{                                                                           \
		return burst(e, f, n, from, fetch, track);                          \
	}
LOOP_COPY(loop_all, FETCH_HOME, DNSB_TRACK_ALL)
LOOP_COPY(loop_all_runs, FETCH_RUNS, DNSB_TRACK_ALL)
LOOP_COPY(loop_none, FETCH_HOME, 0)
LOOP_COPY(loop_queries, crowding(e), DNSB_TRACK_QUERIES)
LOOP_COPY(loop_some, crowding(e), e->track)
#undef LOOP_COPY

uint32_t dnsb_engine_burst(struct dnsb_engine *e, struct dnsb_bframe *f, uint32_t n,
			   uint32_t from)
{
	if (__builtin_expect(e->track != DNSB_TRACK_ALL, 0)) {
		if (!e->track)
			return loop_none(e, f, n, from);
		if (e->track == DNSB_TRACK_QUERIES)
			return loop_queries(e, f, n, from);
		return loop_some(e, f, n, from);
	}
	if (__builtin_expect(crowding(e) == FETCH_RUNS, 0))
		return loop_all_runs(e, f, n, from);
	return loop_all(e, f, n, from);
}

void dnsb_engine_tick(struct dnsb_engine *e, uint64_t now_ns, uint32_t budget)
{
	for (unsigned i = 0; i < DNSB_T__END; i++)
		dnsb_ft_sweep(&e->t[i], now_ns, budget);
	if (e->track & DNSB_TRACK_FLOWS)
		dnsb_fc_tick(&e->fc, now_ns);
	if (e->reasm_on)
		dnsb_reasm_tick(&e->ra, now_ns, budget);
}

void dnsb_engine_tick_paced(struct dnsb_engine *e, uint64_t now_ns)
{
	for (unsigned i = 0; i < DNSB_T__END; i++)
		dnsb_ft_sweep_paced(&e->t[i], now_ns, e->t[i].timeout_ns / DNSB_SWEEP_PER_TIMEOUT);
	if (e->track & DNSB_TRACK_FLOWS)
		dnsb_fc_tick(&e->fc, now_ns);
	if (e->reasm_on)
		dnsb_reasm_tick_paced(&e->ra, now_ns, e->ra.timeout_ns / DNSB_SWEEP_PER_TIMEOUT);
}

uint64_t dnsb_engine_gauge(const struct dnsb_engine *e, enum dnsb_gauge g)
{
	switch (g) {
	case DNSB_G_UDP_FLOWS_ACTIVE:
		return __atomic_load_n(&e->fc.live, __ATOMIC_RELAXED);
	case DNSB_G_UDP_FLOWS_PEAK:
		return __atomic_load_n(&e->fc.peak, __ATOMIC_RELAXED);
	case DNSB_G_QUERIES_OUTSTANDING:
		return __atomic_load_n(&e->t[DNSB_T_QUERIES].live, __ATOMIC_RELAXED);
	default:
		return 0;
	}
}
