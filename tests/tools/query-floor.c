/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * query-floor: the least a query can cost with the engine's correlation as
 * it is designed, to set its instruction count against (docs/benchmarks.md,
 * "Profile and what is next"). One straight function takes the usual query
 * (untagged IPv4 without options, UDP to port 53, one question of plain
 * labels, at most an OPT) with every check the engine makes of it, clamps
 * its EDNS size, and does the engine's correlation: the flow counted
 * (dataplane/fcount.h), the client's question and the query itself
 * upserted in tables of the engine's own kind (dataplane/ftable.h), all
 * placed by its own hashes (dataplane/hash.h), the counters. It keeps no
 * view of the frame, takes no other shape, policy or direction and has no
 * second pass: what the
 * engine does beyond that is what its layers cost. It is
 * handed the IPv4 frames of the capture and takes those of its shape (all
 * of them in the bench's queries: count them with callgrind on
 * floor_query, over "taken"); --check runs the engine beside it on each
 * frame it took, and fails unless both made the same frame and the same
 * counts and tables. --cycles (x86: rdtsc) then also times them on
 * those queries, the capture's over and over, each copied in first as a
 * driver's receive does: the floor one query at a time, the floor in
 * bursts of 32 with each query's slots fetched as soon as its hashes are
 * known (floor_burst: what a fast path for the usual query inside the
 * engine would cost), and the engine in bursts of 32 as the daemon's
 * worker runs it, in alternating rounds (the VM's drift weighs on all
 * alike); the floors keep tables of their own, and the check runs after,
 * so each did the same work as the engine in the rounds too.
 * --without T[,T...] (flows, questions, queries) times the floors without
 * those operations (the flow count, the two tables' upserts) and what
 * they keep (the keys and hashes still made, the counters of the others
 * kept): what each costs a query, for a
 * design with fewer. The check then holds for the capture's own pass,
 * before the rounds, and "changed" names what of the floors' state the
 * rounds wrote to: all but those.
 * usage: query-floor [--check | --cycles [--without T[,T...]]] PCAP
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define HAVE_TSC 1
#endif

#include "checksum.h"
#include "engine.h"
#include "engine_cfg.h"
#include "fcount.h"
#include "ftable.h"
#include "hash.h"
#include "pcap_io.h"
#include "wire.h"

#define SLOTS 65536
#define BURST 32 /* the worker's burst (--cycles) */

struct floor_state {
	struct dnsb_fcount flows;
	struct dnsb_ftable questions, queries;
	uint64_t seed;
	uint64_t queries_seen, do_queries, size[5], retry_unanswered, retry_answered, full;
};

static inline unsigned size_bucket(uint32_t n)
{
	return n <= 512 ? 0 : n <= 1232 ? 1 : n <= 1400 ? 2 : n <= 1500 ? 3 : 4;
}

/* Tables left out (--without): a bit each, in the order of their names. */
enum { SKIP_FLOWS = 1, SKIP_QUESTIONS = 2, SKIP_QUERIES = 4 };
static const char *const table_name[3] = { "flows", "questions", "queries" };

/* What floor_look() finds of a query for floor_finish(): where its
 * question and OPT are, its keys' parts and their hashes. */
struct floor_query {
	uint8_t *f;
	uint32_t qend, qname_len, n, c4, s4, qh;
	uint16_t adv, flags, sport, id;
	int has_opt;
	uint64_t hc, hf;
};

/* The checks of the usual query (untagged IPv4, UDP to 53, one question of
 * plain labels, at most an OPT), its keys' hashes into @p q. @return 1 when
 * it is one. */
static inline __attribute__((always_inline)) int
floor_look(const struct floor_state *s, uint8_t *f, uint32_t len, struct floor_query *q)
{
	const uint8_t *ip = f + 14;
	const uint8_t *udp = f + 34;
	if (len < 14 + 20 + 8 + 12 || f[12] != 0x08 || f[13] != 0 || ip[0] != 0x45)
		return 0;
	uint32_t tot = dnsb_get16(ip + 2);
	if (tot > len - 14 || tot < 20 || (dnsb_get16(ip + 6) & 0x3fff) || ip[9] != 17 ||
	    !dnsb_ck_ip4_ok(ip, 20) || dnsb_get16(udp + 2) != 53)
		return 0;
	uint32_t ulen = dnsb_get16(udp + 4);
	if (ulen < 8 + 12 || ulen > tot - 20)
		return 0;
	/* RFC 1035 s4.1: a query, one question, no answer or authority
	 * records, at most one additional; the name plain labels. */
	const uint8_t *m = udp + 8;
	uint32_t n = ulen - 8, pos = 12;
	if ((m[2] & 0x80) || dnsb_get16(m + 4) != 1 || dnsb_get16(m + 6) || dnsb_get16(m + 8) ||
	    dnsb_get16(m + 10) > 1)
		return 0;
	while (pos < n && m[pos] && m[pos] <= 63)
		pos += m[pos] + 1u;
	uint32_t qname_len = pos - 12 + 1;
	if (pos >= n || m[pos] || qname_len > 255 || n - (pos + 1) < 4)
		return 0;
	uint32_t qend = pos + 5;
	q->adv = q->flags = 0;
	q->has_opt = dnsb_get16(m + 10) == 1;
	if (q->has_opt) {
		/* RFC 6891 s6.1.2: root owner, TYPE 41, options filling RDLENGTH. */
		if (n - qend < 11 || m[qend] || dnsb_get16(m + qend + 1) != 41)
			return 0;
		uint32_t end = qend + 11 + dnsb_get16(m + qend + 9);
		if (end > n)
			return 0;
		for (uint32_t o = qend + 11; o < end; o += 4u + dnsb_get16(m + o + 2))
			if (end - o < 4 || end - o - 4 < dnsb_get16(m + o + 2))
				return 0;
		q->adv = dnsb_get16(m + qend + 3);
		q->flags = dnsb_get16(m + qend + 7);
	}
	q->f = f;
	q->qend = qend;
	q->qname_len = qname_len;
	q->n = n;
	memcpy(&q->c4, ip + 12, 4);
	memcpy(&q->s4, ip + 16, 4);
	q->sport = dnsb_get16(udp);
	q->id = dnsb_get16(m);
	q->hc = dnsb_mix(s->seed ^ 4, q->c4);
	q->hf = dnsb_mix(dnsb_mix(q->hc, q->s4), (uint64_t)q->sport << 16 | 53);
	q->qh = dnsb_question_hash(m + 12, qname_len, n - 12);
	return 1;
}

/* The home slots of @p q's entries fetched, but for the tables in @p skip
 * (for floor_burst()); the flow count's registers are not fetched, as the
 * engine does not. */
static inline __attribute__((always_inline)) void
floor_fetch(const struct floor_state *s, const struct floor_query *q, unsigned skip)
{
	if (!(skip & SKIP_QUESTIONS))
		dnsb_ft_prefetch(&s->questions, (uint32_t)dnsb_mix(q->hc, q->qh));
	if (!(skip & SKIP_QUERIES))
		dnsb_ft_prefetch(&s->queries, (uint32_t)dnsb_mix(q->hf, q->id));
}

/* The query @p q found by floor_look(): correlation, but for the tables in
 * @p skip (0 in floor_query(), which is built without any test of it), the
 * counters, and the clamp. */
static inline __attribute__((always_inline)) void
floor_finish(struct floor_state *s, const struct floor_query *q, uint64_t now, unsigned skip)
{
	uint8_t *udp = q->f + 34;
	int has_opt = q->has_opt;
	uint16_t adv = q->adv;
	/* Correlation: the flow, the client's question, the query. */
	struct dnsb_fkey k = { .pa = q->sport, .pb = 53, .ip_ver = 4 };
	memcpy(k.a, &q->c4, 4);
	memcpy(k.b, &q->s4, 4);
	int do_bit = has_opt && (q->flags & 0x8000), created;
	s->queries_seen++;
	s->do_queries += (uint64_t)do_bit;
	s->size[size_bucket(has_opt && adv > 512 ? adv : 512)]++;
	if (!(skip & SKIP_FLOWS))
		dnsb_fc_add(&s->flows, q->hf);
	uint32_t qh = q->qh;
	struct dnsb_fkey qk = { .pa = (uint16_t)(qh >> 16), .pb = (uint16_t)qh, .ip_ver = 4 };
	memcpy(qk.a, &q->c4, 4);
	struct dnsb_fentry *e =
		skip & SKIP_QUESTIONS
			? NULL
			: dnsb_ft_upsert(&s->questions, &qk, (uint32_t)dnsb_mix(q->hc, qh), now, &created);
	if (e && !created) {
		if (e->v.c.outstanding)
			s->retry_unanswered++;
		else if (e->v.c.answered)
			s->retry_answered++;
	}
	if (e) {
		e->ts_ns = now;
		e->v.c.outstanding = 1;
	}
	k.id = q->id;
	e = NULL;
	if (!(skip & SKIP_QUERIES) &&
	    !(e = dnsb_ft_upsert(&s->queries, &k, (uint32_t)dnsb_mix(q->hf, q->id), now, &created)))
		s->full++;
	if (e) {
		e->ts_ns = now;
		e->v.q.qhash = qh;
		e->v.q.edns = (uint8_t)has_opt;
		e->v.q.udp_size = adv;
		e->v.q.do_bit = (uint8_t)do_bit;
	}
	/* The clamp (RFC 6891 s6.2.5), the UDP checksum patched (RFC 1624). */
	if (has_opt && adv > DNSB_DEFAULT_EDNS_MAX) {
		uint32_t at = 8 + q->qend + 3;
		uint16_t ck = dnsb_get16(udp + 6), old = adv, new = DNSB_DEFAULT_EDNS_MAX;
		dnsb_put16(udp + at, DNSB_DEFAULT_EDNS_MAX);
		if (ck) {
			if (at & 1) {
				old = dnsb_bswap16(old);
				new = dnsb_bswap16(new);
			}
			ck = dnsb_ck_adjust(ck, old, new);
			dnsb_put16(udp + 6, ck ? ck : 0xffff);
		}
	}
}

/* The usual query, all of it but the tables in @p skip. @return 1 when it
 * was one (and was done). */
static inline __attribute__((always_inline)) int
floor_do(struct floor_state *s, uint8_t *f, uint32_t len, uint64_t now, unsigned skip)
{
	struct floor_query q;
	if (!floor_look(s, f, len, &q))
		return 0;
	floor_finish(s, &q, now, skip);
	return 1;
}

__attribute__((noinline)) int floor_query(struct floor_state *s, uint8_t *f, uint32_t len,
					  uint64_t now);
int floor_query(struct floor_state *s, uint8_t *f, uint32_t len, uint64_t now)
{
	return floor_do(s, f, len, now, 0);
}

#ifdef HAVE_TSC
/*
 * The floor as the engine's worker runs: a burst at a time, the checks and
 * hashes of every query first, each query's three home slots fetched as
 * soon as its hashes are known, then the tables, counters and clamp of
 * each in order (the same work as floor_query() on each in turn: the
 * hashes do not depend on the tables). What a fast path for the usual
 * query would cost inside the engine.
 */
__attribute__((noinline)) void floor_burst(struct floor_state *s, const struct dnsb_bframe *bf,
					   uint32_t n, unsigned skip);
void floor_burst(struct floor_state *s, const struct dnsb_bframe *bf, uint32_t n, unsigned skip)
{
	struct floor_query q[BURST];
	uint64_t usual = 0;
	for (uint32_t k = 0; k < n; k++)
		if (floor_look(s, bf[k].frame, bf[k].len, &q[k])) {
			floor_fetch(s, &q[k], skip);
			usual |= 1ull << k;
		}
	for (uint32_t k = 0; k < n; k++)
		if (usual >> k & 1)
			floor_finish(s, &q[k], bf[k].now_ns, skip);
}

__attribute__((noinline)) int floor_query_without(struct floor_state *s, uint8_t *f,
						  uint32_t len, uint64_t now, unsigned skip);
int floor_query_without(struct floor_state *s, uint8_t *f, uint32_t len, uint64_t now,
			unsigned skip)
{
	return floor_do(s, f, len, now, skip);
}

/* The tables in @p mask as a JSON member named @p key. */
static void print_tables(const char *key, unsigned mask)
{
	printf(", \"%s\": [", key);
	for (unsigned k = 0, first = 1; k < 3; k++)
		if (mask & 1u << k) {
			printf("%s\"%s\"", first ? "" : ", ", table_name[k]);
			first = 0;
		}
	printf("]");
}

#define ROUNDS 9
#define ROUND_FRAMES (1u << 17)

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/*
 * ROUNDS rounds (and one to warm up) of ROUND_FRAMES of the @p n queries at
 * @p idx through three arms, whose order turns from round to round: the
 * copies alone (what the others' figures include), the floor, and the
 * engine. Their clocks start at @p now (after the capture's, so that the
 * entries it left are the same age to both) and go 120 ns a query. The
 * medians of the rounds' TSC cycles a query into @p out, in that order,
 * their least and most into @p lo and @p hi.
 */
enum { ARM_COPY, ARM_FLOOR, ARM_BURST, ARM_ENGINE, ARMS };
static void time_arms(struct floor_state s[2], unsigned skip, struct dnsb_engine *e,
		      const struct pcap_file *pf, const uint32_t *idx, uint32_t n, uint64_t now0,
		      double out[ARMS], double lo[ARMS], double hi[ARMS])
{
	static uint8_t buf[BURST][65536];
	static struct dnsb_bframe bf[BURST];
	uint64_t per[ARMS][ROUNDS], now[ARMS] = { now0, now0, now0, now0 };
	uint32_t at[ARMS] = { 0 };
	for (unsigned r = 0; r <= ROUNDS; r++) {
		for (unsigned w = 0; w < ARMS; w++) {
			unsigned arm = (r + w) % ARMS;
			uint64_t t0 = __rdtsc();
			/* The copy stands for the driver's receive into the mbufs. */
			for (uint32_t i = 0; i < ROUND_FRAMES; i += BURST) {
				for (unsigned k = 0; k < BURST; k++, at[arm] = (at[arm] + 1) % n) {
					const struct pcap_pkt *p = &pf->pkts[idx[at[arm]]];
					memcpy(buf[k], p->data, p->len);
					bf[k].frame = buf[k];
					bf[k].len = p->len;
					bf[k].dir = DNSB_DIR_TO_SERVER;
					bf[k].now_ns = now[arm] += 120;
				}
				if (arm == ARM_FLOOR && skip)
					for (unsigned k = 0; k < BURST; k++)
						floor_query_without(&s[0], buf[k], bf[k].len, bf[k].now_ns,
								    skip);
				else if (arm == ARM_FLOOR)
					for (unsigned k = 0; k < BURST; k++)
						floor_query(&s[0], buf[k], bf[k].len, bf[k].now_ns);
				else if (arm == ARM_BURST)
					floor_burst(&s[1], bf, BURST, skip);
				else if (arm == ARM_ENGINE)
					for (uint32_t from = 0; from < BURST;)
						from = dnsb_engine_burst(e, bf, BURST, from);
			}
			if (r) /* round 0 warms up */
				per[arm][r - 1] = __rdtsc() - t0;
		}
	}
	for (unsigned k = 0; k < ARMS; k++) {
		qsort(per[k], ROUNDS, sizeof(per[k][0]), cmp_u64);
		out[k] = (double)per[k][ROUNDS / 2] / ROUND_FRAMES;
		lo[k] = (double)per[k][0] / ROUND_FRAMES;
		hi[k] = (double)per[k][ROUNDS - 1] / ROUND_FRAMES;
	}
}
#endif

/* The engine's counts of what floor_query() counted, and its verdicts. */
static int check(const struct floor_state *s, const struct dnsb_engine *e)
{
	const uint64_t *ev = e->events;
	int bad = ev[DNSB_EV_QUERIES] != s->queries_seen || ev[DNSB_EV_DO_QUERIES] != s->do_queries ||
		  ev[DNSB_EV_CLIENT_RETRY_UNANSWERED] != s->retry_unanswered ||
		  ev[DNSB_EV_CLIENT_RETRY_AFTER_ANSWER] != s->retry_answered ||
		  ev[DNSB_EV_FLOW_TABLE_FULL] != s->full ||
		  memcmp(s->flows.hist, e->fc.hist, sizeof(s->flows.hist)) != 0 ||
		  e->t[DNSB_T_QUERIES].live != s->queries.live ||
		  e->t[DNSB_T_QUESTIONS].live != s->questions.live;
	for (unsigned i = 0; i < 5; i++)
		bad |= ev[DNSB_EV_QUERIES_SIZE_LE512 + i] != s->size[i];
	/* Hashed alike, the tables hold the same entries in the same slots,
	 * the flow counts the same registers. */
	bad |= memcmp(s->flows.reg, e->fc.reg, dnsb_fc_mem()) != 0;
	const struct dnsb_ftable *mine[2] = { &s->questions, &s->queries };
	const enum dnsb_table theirs[2] = { DNSB_T_QUESTIONS, DNSB_T_QUERIES };
	for (unsigned i = 0; i < 2; i++)
		bad |= memcmp(mine[i]->slot, e->t[theirs[i]].slot, dnsb_ft_mem(SLOTS)) != 0;
	return bad;
}

int main(int argc, char **argv)
{
	int chk = 0, cycles = 0, bad_args = argc < 2;
	unsigned skip = 0;
	for (int i = 1; i < argc - 1 && !bad_args; i++) {
		if (!strcmp(argv[i], "--check")) {
			chk = 1;
#ifdef HAVE_TSC
		} else if (!strcmp(argv[i], "--cycles")) {
			chk = cycles = 1;
		} else if (!strcmp(argv[i], "--without") && cycles && !skip && i + 1 < argc - 1) {
			for (char *tok = strtok(argv[++i], ","); tok; tok = strtok(NULL, ",")) {
				unsigned bit = 0;
				for (unsigned k = 0; k < 3; k++)
					bit |= strcmp(tok, table_name[k]) ? 0 : 1u << k;
				bad_args |= !bit;
				skip |= bit;
			}
			bad_args |= !skip;
#endif
		} else {
			bad_args = 1;
		}
	}
	if (bad_args) {
		fprintf(stderr, "usage: query-floor [--check | --cycles [--without T[,T...]]] PCAP\n"
				"  T: flows, questions, queries\n");
		return 2;
	}
	struct pcap_file pf;
	if (pcap_read_all(argv[argc - 1], &pf) != 0)
		return 1;
	/* Two floors: one a query at a time, one in bursts (--cycles). */
	static struct floor_state fs[2];
	struct dnsb_engine_cfg ecfg = tool_engine_cfg(SLOTS, 0);
	/* Each floor's state by table name (flows, questions, queries): its
	 * memory and size, to see what the rounds changed. */
	uint8_t *state[6];
	size_t state_len[6];
	for (unsigned f = 0; f < 2; f++) {
		struct dnsb_ftable *t[2] = { &fs[f].questions, &fs[f].queries };
		void *mem = tool_table_alloc(dnsb_fc_mem());
		if (!mem || dnsb_fc_init(&fs[f].flows, mem, 30000000000ull))
			return 1;
		state[3 * f] = mem;
		state_len[3 * f] = dnsb_fc_mem();
		for (unsigned i = 0; i < 2; i++) {
			mem = tool_table_alloc(dnsb_ft_mem(SLOTS));
			if (!mem || dnsb_ft_init(t[i], mem, SLOTS, 5000000000ull, i + 1, NULL, NULL))
				return 1;
			state[3 * f + 1 + i] = mem;
			state_len[3 * f + 1 + i] = dnsb_ft_mem(SLOTS);
		}
	}
	/* The engine's own hash seed (dnsb_engine_init), so that both place
	 * every entry alike, even in a table too small for the capture. */
	fs[0].seed = fs[1].seed = (ecfg.seed + 1ull) * 0x9e3779b97f4a7c15ull;
	/* The engine beside it, for --check: the daemon's policy. */
	struct dnsb_policy pol;
	dnsb_policy_default(&pol);
	pol.path_limit = 1232;
	struct dnsb_engine eng;
	void *emem = chk ? tool_table_alloc(dnsb_engine_mem(&ecfg)) : NULL;
	if (chk && (!emem || dnsb_engine_init(&eng, &pol, emem, &ecfg)))
		return 1;
	static uint8_t a[65536], b[65536];
	uint64_t taken = 0, differ = 0, last = 0;
	uint32_t *idx = cycles ? malloc(sizeof(*idx) * (pf.n + 1u)) : NULL;
	if (cycles && !idx)
		return 1;
	for (uint32_t i = 0; i < pf.n; i++) {
		const struct pcap_pkt *p = &pf.pkts[i];
		/* Only the IPv4 frames are handed over (IPv6 ones are not its shape). */
		if (p->len > sizeof(a) || p->len < 14 || p->data[12] != 0x08 || p->data[13] != 0)
			continue;
		memcpy(a, p->data, p->len);
		uint64_t now = p->ts_ns ? p->ts_ns : 1;
		last = now > last ? now : last;
		if (!floor_query(&fs[0], a, p->len, now))
			continue; /* not the usual query: left out, by both */
		memcpy(b, p->data, p->len);
		floor_do(&fs[1], b, p->len, now, 0); /* inlined: not in floor_query's count */
		if (idx)
			idx[taken] = i;
		taken++;
		if (chk) {
			struct dnsb_result res;
			memcpy(b, p->data, p->len);
			dnsb_engine_process(&eng, b, p->len, sizeof(b), DNSB_DIR_TO_SERVER, now, &res);
			differ += res.len != p->len || memcmp(a, b, p->len) != 0;
		}
	}
	/* Left out of the floor, tables differ after the rounds: checked before. */
	int bad = chk && skip && (differ || check(&fs[0], &eng) || check(&fs[1], &eng));
#ifdef HAVE_TSC
	double cyc[ARMS], lo[ARMS], hi[ARMS];
	unsigned changed = 0;
	void *before[6] = { NULL };
	/* The flows the rounds count are the capture's, counted already: from
	 * zero again, the rounds change the registers only if they count. */
	for (unsigned f = 0; f < 2 && skip; f++)
		dnsb_fc_init(&fs[f].flows, state[3 * f], 30000000000ull);
	for (unsigned k = 0; k < 6 && skip; k++) {
		if (!(before[k] = malloc(state_len[k])))
			return 1;
		memcpy(before[k], state[k], state_len[k]);
	}
	if (cycles && taken && !bad)
		time_arms(fs, skip, &eng, &pf, idx, (uint32_t)taken, last + 1000000000ull, cyc, lo,
			  hi);
	for (unsigned k = 0; k < 6 && skip; k++) {
		changed |= memcmp(before[k], state[k], state_len[k]) ? 1u << k % 3 : 0;
		free(before[k]);
	}
#endif
	bad = bad || (chk && !skip && (differ || check(&fs[0], &eng) || check(&fs[1], &eng)));
	if (bad)
		fprintf(stderr, "query-floor: the engine made %lu other frames or other counts\n",
			(unsigned long)differ);
#ifdef HAVE_TSC
	else if (cycles && taken) {
		static const char *const name[ARMS] = { "copy", "floor", "floor_burst", "engine" };
		printf("{\"frames\": %u, \"taken\": %lu, \"checked\": true", pf.n,
		       (unsigned long)taken);
		print_tables("without", skip);
		if (skip)
			print_tables("changed", changed);
		for (unsigned k = 0; k < ARMS; k++)
			printf(", \"%s_cycles\": %.1f, \"%s_cycles_range\": [%.1f, %.1f]", name[k],
			       cyc[k], name[k], lo[k], hi[k]);
		printf("}\n");
	}
#endif
	else
		printf("{\"frames\": %u, \"taken\": %lu, \"checked\": %s}\n", pf.n,
		       (unsigned long)taken, chk ? "true" : "false");
	for (unsigned i = 0; i < 6; i++)
		free(state[i]);
	free(emem);
	free(idx);
	pcap_free(&pf);
	return bad;
}
