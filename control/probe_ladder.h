/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file probe_ladder.h
 * The reply-size ladder of dnsbump-probe: names sNNNN.ZONE whose TXT answer
 * (to a query for that name and type, without DO, with an OPT record in
 * the answer and the owner name compressed) is exactly NNNN octets, for
 * NNNN from min to max by step plus a few sizes that matter (1232, 1452,
 * 1472). The zone announces its ladder in a TXT record at _ladder.ZONE:
 * "v=dnsbump-ladder1 min=400 max=4000 step=100 extra=1232,1452,1472".
 * Also the search over it: the largest answer that arrives, found by
 * bisection (answers are assumed to arrive up to a size and not above).
 * No I/O here except writing the zone text to a FILE.
 */
#ifndef DNSBUMP_PROBE_LADDER_H
#define DNSBUMP_PROBE_LADDER_H

#include <stdint.h>
#include <stdio.h>

#define PROBE_LADDER_MAX 256
#define PROBE_LADDER_MAX_EXTRA 8

struct probe_ladder {
	unsigned min, max, step;
	unsigned n_extra;
	unsigned extra[PROBE_LADDER_MAX_EXTRA];
	unsigned n;                       /**< sizes, ascending, no duplicates */
	unsigned size[PROBE_LADDER_MAX];
};

/** The default ladder: 400..4000 step 100, extras 1232, 1452, 1472. */
void probe_ladder_default(struct probe_ladder *l);

/**
 * Set @p l from its parts; sizes below 100 or above 65000, a step of 0 or
 * more than PROBE_LADDER_MAX sizes are refused.
 * @return 0, or -1 (l unchanged).
 */
int probe_ladder_set(struct probe_ladder *l, unsigned min, unsigned max, unsigned step,
		     const unsigned *extra, unsigned n_extra);

/** Parse the _ladder TXT text (the strings joined); 0, or -1 when not a ladder. */
int probe_ladder_parse(struct probe_ladder *l, const char *txt);

/** Write the _ladder TXT text for @p l into @p out. */
void probe_ladder_format(const struct probe_ladder *l, char *out, size_t outlen);

/** Owner label of the rung of @p size: "s0400". */
void probe_ladder_label(unsigned size, char *out, size_t outlen);

/**
 * Write the ladder's records for @p zone (an absolute or relative name;
 * written as absolute) in zone-file syntax: the _ladder TXT and one TXT
 * per rung sized so that the answer is exactly the rung's size.
 * @return 0, or -1 when a rung cannot be made that small for this zone
 *   name (the message overhead is larger).
 */
int probe_ladder_write_zone(const struct probe_ladder *l, const char *zone, unsigned ttl,
			    FILE *out);

/** Octets of TXT RDATA that make the rung of @p size for @p zone (-1: impossible). */
int probe_ladder_rdata_len(unsigned size, const char *zone);

/** Outcome of one rung. */
enum probe_outcome {
	PROBE_ARRIVED = 0, /**< the whole answer arrived over UDP */
	PROBE_TRUNCATED,   /**< a TC=1 answer arrived instead */
	PROBE_LOST,        /**< nothing arrived (after the retries) */
	PROBE_ERROR,       /**< an answer arrived but is wrong (rcode, name missing) */
};

const char *probe_outcome_name(enum probe_outcome o);

/** Ask rung @p size; @p got gets the octets received (0 if none). */
typedef enum probe_outcome (*probe_try_fn)(void *ctx, unsigned size, unsigned *got);

struct probe_try {
	unsigned size;
	unsigned got;
	enum probe_outcome outcome;
};

struct probe_search {
	int largest;            /**< index of the largest rung that arrived; -1: none */
	int smallest_failed;    /**< index of the smallest rung that did not; -1: none */
	unsigned largest_got;   /**< octets received for the largest */
	enum probe_outcome failed_how;
	unsigned n_tries;
	struct probe_try tries[32];
};

/**
 * Find the boundary on @p l: the smallest rung first, then the largest,
 * then bisection between the last that arrived and the first that did not
 * (ceil(log2(n)) + 2 questions at most).
 */
void probe_ladder_search(const struct probe_ladder *l, probe_try_fn fn, void *ctx,
			 struct probe_search *s);

#endif
