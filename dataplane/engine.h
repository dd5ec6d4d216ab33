/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file engine.h
 * Per-lcore processing state around the stateless core: the policy in
 * force, the correlation tables and the counters. One engine per worker;
 * nothing in it is shared, so nothing is locked. Time is an argument.
 *
 * Correlation: each UDP query is tracked until its answer (which is then
 * judged against what the client advertised) or its timeout (counted
 * unanswered); questions per client reveal retries; TC answers wait for
 * the client's TCP/53 connection; TCP/53 SYNs wait for their SYN-ACK;
 * the distinct UDP 5-tuples (fcount.h) give the flow load a stateful box
 * in the path must hold.
 */
#ifndef DNSBUMP_ENGINE_H
#define DNSBUMP_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "core.h"
#include "events.h"
#include "fcount.h"
#include "ftable.h"
#include "reasm.h"
#include "refrag.h"

/** Tables of an engine, all of the same size. */
enum dnsb_table {
	DNSB_T_QUERIES = 0,  /**< outstanding UDP queries */
	DNSB_T_QUESTIONS,    /**< (client, question): retries */
	DNSB_T_TC,           /**< (client, server): TC awaiting TCP */
	DNSB_T_SYN,          /**< TCP/53 4-tuple: SYN awaiting SYN-ACK */
	DNSB_T__END
};

/** What correlation keeps state for; dnsb_engine_cfg.untrack leaves parts
 * out. TC answers awaiting TCP and SYNs awaiting their SYN-ACK are always
 * tracked: they cost only on TC answers and TCP/53. */
enum dnsb_track {
	DNSB_TRACK_QUERIES = 1, /**< each query until its answer: the answer
				     matched and judged against it, the client's
				     size for the repairs, unanswered queries */
	DNSB_TRACK_RETRIES = 2, /**< questions per client: retries (needs
				     DNSB_TRACK_QUERIES, whose match ends a wait) */
	DNSB_TRACK_FLOWS = 4,   /**< UDP 5-tuples counted: the flow gauges */
	DNSB_TRACK_ALL = 7,
};

struct dnsb_engine_cfg {
	uint32_t slots;            /**< per table, a power of two */
	uint64_t query_timeout_ns; /**< answer, retry window, TCP follow-up, SYN-ACK */
	uint64_t flow_timeout_ns;  /**< UDP flow idle timeout */
	uint32_t seed;             /**< hash seed (random per worker) */
	/** Offline analysis: what the bump sends is hypothetical, so loss
	 * tracking follows the frames as captured (a TC answer the bump would
	 * have made expects no TCP connection in the capture). */
	uint8_t hypothetical;
	/** Reassembly of fragmented DNS datagrams (slots 0: off). */
	struct dnsb_reasm_cfg reasm;
	/** DNSB_TRACK_* bits left out (0: everything tracked). A table left
	 * out takes one slot of memory, the flow count none. */
	uint8_t untrack;
};

struct dnsb_engine {
	/** Policy in force; the control plane publishes a new one whole. */
	const struct dnsb_policy *pol;
	struct dnsb_ftable t[DNSB_T__END];
	struct dnsb_fcount fc;  /**< distinct UDP flows (DNSB_TRACK_FLOWS) */
	uint8_t hypothetical;
	uint8_t reasm_on;
	uint8_t track;         /**< DNSB_TRACK_* bits in force */
	struct dnsb_reasm ra;
	uint8_t *ra_out;       /**< the reassembled frame, in the reassembly table */
	struct dnsb_refrag emit; /**< what DNSB_V_EMIT sends (from ra_out or the frame) */
	uint32_t frag_id_next;   /**< IPv6 fragment ids of datagrams the bump fragments */
	uint64_t hseed;          /**< seeds the hashes of the correlation keys */
	/** Monotonic counters, read (never reset) by the control plane. */
	uint64_t reasons[DNSB_R__END];
	uint64_t events[DNSB_EV__END];
};

/** @p track (DNSB_TRACK_* bits tracked) is a choice the engine takes:
 * retries only with queries, whose match of an answer ends a question's
 * wait. */
static inline int dnsb_track_ok(unsigned track)
{
	return !(track & DNSB_TRACK_RETRIES) || (track & DNSB_TRACK_QUERIES);
}

/** Every value of dnsb_engine_cfg.untrack the engine takes: everything
 * tracked, no flows, no retries, queries alone, flows alone, nothing. */
#define DNSB_UNTRACK_CHOICES 6
extern const uint8_t dnsb_untrack_choices[DNSB_UNTRACK_CHOICES];

/** The DNSB_TRACK_* bit of @p name as the configuration spells it
 * ("queries", "retries", "flows"), or 0 for no such name. */
unsigned dnsb_track_bit(const char *name);

/** The name of the single DNSB_TRACK_* bit @p bit, or NULL. */
const char *dnsb_track_name(unsigned bit);

/** The names of the DNSB_TRACK_* bits of @p track joined by spaces, or
 * "nothing", in @p buf of @p len octets (32 always suffice). @return buf. */
char *dnsb_track_list(unsigned track, char *buf, size_t len);

/** Slots of table @p t (enum dnsb_table) under @p c: one when not tracked. */
static inline uint32_t dnsb_engine_table_slots(const struct dnsb_engine_cfg *c, unsigned t)
{
	static const uint8_t need[DNSB_T__END] = {
		[DNSB_T_QUERIES] = DNSB_TRACK_QUERIES,
		[DNSB_T_QUESTIONS] = DNSB_TRACK_RETRIES,
	};
	return need[t] & c->untrack ? 1 : c->slots;
}

/** Bytes of memory an engine configured by @p c needs. */
static inline size_t dnsb_engine_mem(const struct dnsb_engine_cfg *c)
{
	size_t n = 0;
	for (unsigned t = 0; t < DNSB_T__END; t++)
		n += dnsb_ft_mem(dnsb_engine_table_slots(c, t));
	if (!(c->untrack & DNSB_TRACK_FLOWS))
		n += dnsb_fc_mem();
	if (c->reasm.slots)
		n += dnsb_reasm_mem(&c->reasm);
	return n;
}

/**
 * Set up @p e with policy @p pol and tables over @p mem (owned by the
 * caller, dnsb_engine_mem() bytes). Counters start at zero.
 * @return 0, or -1 on a bad table size, or retries tracked without queries.
 */
int dnsb_engine_init(struct dnsb_engine *e, const struct dnsb_policy *pol, void *mem,
		     const struct dnsb_engine_cfg *cfg);

/**
 * Process one frame like dnsb_process(), with correlation, and count the
 * outcome. Same buffer ownership and verdicts as dnsb_process().
 * dnsb_engine_look() then dnsb_engine_finish().
 */
enum dnsb_verdict dnsb_engine_process(struct dnsb_engine *e, uint8_t *frame, uint32_t len,
				      uint32_t cap, enum dnsb_dir dir, uint64_t now_ns,
				      struct dnsb_result *res);

/*
 * A burst in two passes: dnsb_engine_look() on each frame of the burst,
 * then dnsb_engine_finish() on each in the same order, each with its own
 * result and look (dnsb_engine_burst() below runs both, the first a few
 * frames ahead of the second). The first pass parses the frame and
 * derives the keys its correlation will use, and starts fetching the
 * table slots they lead to; it changes nothing, in the engine or the
 * frame. With tables larger
 * than the caches (a busy edge, 1M slots), the misses of a burst then
 * overlap instead of each frame waiting for its own. The verdicts, the
 * frames and the counters are those of dnsb_engine_process() on each
 * frame in turn, provided the policy stays the same across the burst and
 * the frames are not changed between the two passes.
 */

/** The correlation keys of a DNS packet, oriented client (the end that is
 * not the DNS port) to server, with the hashes of their parts: the client
 * address (question keys), both addresses (TC pairs), the 5-tuple (flows
 * and SYNs; a query adds its ID). An IPv4 address is one word of the key,
 * the other three zero. */
struct dnsb_pkt_keys {
	struct dnsb_fkey flow; /**< id 0 */
	uint64_t h_client, h_pair, h_flow;
};

enum dnsb_look_corr {
	DNSB_LOOK_NONE = 0, /**< no correlation (not UDP DNS, or the wrong way) */
	DNSB_LOOK_QUERY,    /**< a query heading to a server: tracked */
	DNSB_LOOK_ANSWER,   /**< an answer heading to a client: matched */
};

/** Frames between a frame's first pass and its second, as the worker runs
 * them: time enough for its table slots to arrive from memory, few enough
 * for the frames in between to stay in the first-level cache (with the
 * first pass over a whole burst of 1.3 kB answers first, they did not). */
#define DNSB_LOOK_AHEAD 4

/** What the first pass found of one frame. */
struct dnsb_look {
	struct dnsb_pkt_keys k; /**< set unless corr is DNSB_LOOK_NONE or
				     nothing is tracked */
	uint32_t h_query;       /**< hash of the query key (flow and DNS ID) */
	uint32_t qhash;         /**< a query's question hash */
	uint32_t h_question;    /**< hash of a query's (client, question) key */
	uint8_t stage;          /**< enum dnsb_stage of dnsb_inspect() */
	uint8_t corr;           /**< enum dnsb_look_corr */
};

/** First pass over @p frame of @p len octets heading @p dir: the parse
 * into @p res and the keys into @p lk, and the prefetch of their slots. */
void dnsb_engine_look(const struct dnsb_engine *e, const uint8_t *frame, uint32_t len,
		      enum dnsb_dir dir, struct dnsb_result *res, struct dnsb_look *lk);

/** Second pass: the rest of dnsb_engine_process() for the frame @p res and
 * @p lk are of (its emitted frames, under DNSB_V_EMIT, to be taken before
 * the next call). */
enum dnsb_verdict dnsb_engine_finish(struct dnsb_engine *e, uint8_t *frame, enum dnsb_dir dir,
				     uint64_t now_ns, struct dnsb_result *res,
				     const struct dnsb_look *lk);

/** One frame of a burst for dnsb_engine_burst(). */
struct dnsb_bframe {
	uint8_t *frame;         /**< the frame; NULL: not the engine's, skipped */
	uint32_t len;           /**< its length */
	uint8_t dir;            /**< enum dnsb_dir: where it heads */
	uint64_t now_ns;        /**< its time */
	struct dnsb_result res; /**< what became of it: res.verdict, res.len */
	struct dnsb_look lk;    /**< the engine's, between the two passes */
};

/** Frames between the fetch of a frame's data and its first pass. */
#define DNSB_FETCH_AHEAD 3

/**
 * Both passes over the @p n frames of @p f in one call, as a caller of
 * dnsb_engine_look() and dnsb_engine_finish() would run them: a frame's
 * first pass DNSB_LOOK_AHEAD frames before its second, its data fetched
 * DNSB_FETCH_AHEAD frames before its first. Start with @p from 0. The call
 * returns after a frame whose verdict is DNSB_V_EMIT, whose frames are to
 * be taken (dnsb_engine_emit()) before the call is made again from the
 * index returned; else at the end of the burst.
 * @return the index after the last frame finished (@p n: all of them).
 */
uint32_t dnsb_engine_burst(struct dnsb_engine *e, struct dnsb_bframe *f, uint32_t n,
			   uint32_t from);

/** Frames to send after a DNSB_V_EMIT verdict. */
static inline uint32_t dnsb_engine_emit_count(const struct dnsb_engine *e)
{
	return e->emit.n;
}

/**
 * Write frame @p i of those a DNSB_V_EMIT verdict asks for into @p out
 * (@p cap octets; DNSB_REASM_MAX_HDR + 8 + the configured max_datagram
 * always suffice). Valid until the next dnsb_engine_process(),
 * dnsb_engine_finish() or dnsb_engine_burst(), and while the frame given
 * to it is unchanged (the frames may be cut from it).
 * @return its length, 0 when @p cap is too small.
 */
static inline uint32_t dnsb_engine_emit(const struct dnsb_engine *e, uint32_t i, uint8_t *out,
					uint32_t cap)
{
	return dnsb_refrag_build(&e->emit, i, out, cap);
}

/**
 * Age out what timed out by @p now_ns, looking at up to @p budget slots of
 * each table (0: all of them). Call it regularly, with or without traffic;
 * offline, call it with budget 0 and the last frame's time at the end.
 */
void dnsb_engine_tick(struct dnsb_engine *e, uint64_t now_ns, uint32_t budget);

/** Parts of a table's timeout in which a paced tick looks at all its slots. */
#define DNSB_SWEEP_PER_TIMEOUT 4

/**
 * Age out what timed out by @p now_ns at a pace: each table's slots are
 * all looked at once per quarter of its timeout (DNSB_SWEEP_PER_TIMEOUT),
 * a few per call, so an entry is counted at most that late. Call it often
 * (the worker does on its drain tick); the cost follows the table's size
 * over its timeout, not the call rate.
 */
void dnsb_engine_tick_paced(struct dnsb_engine *e, uint64_t now_ns);

/** Current value of gauge @p g. */
uint64_t dnsb_engine_gauge(const struct dnsb_engine *e, enum dnsb_gauge g);

#endif
