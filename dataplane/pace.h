/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file pace.h
 * Paced sweeping of a table: how many slots are due at a given time so
 * that every slot is looked at once per period, a few at a time, instead
 * of the whole table streaming through the cache at every tick.
 */
#ifndef DNSBUMP_PACE_H
#define DNSBUMP_PACE_H

#include <stdint.h>

/** State of one paced sweep; zeroed, it starts at the first call. */
struct dnsb_pace {
	uint64_t t0_ns; /**< when the pace started (0: not yet) */
	uint64_t done;  /**< slots handed out since then */
};

/**
 * Slots of a table of @p slots due at @p now_ns for a sweep that covers it
 * once per @p period_ns: none on the first call, then what the time since
 * it stands for, less what was handed out (exact, never ahead). After a
 * pause of a period or more (or a clock going back), one pass at most, and
 * the pace starts again.
 */
static inline uint64_t dnsb_pace_due(struct dnsb_pace *p, uint64_t now_ns, uint64_t slots,
				     uint64_t period_ns)
{
	if (!p->t0_ns || now_ns < p->t0_ns || !period_ns) {
		p->t0_ns = now_ns ? now_ns : 1;
		p->done = 0;
		return period_ns ? 0 : slots;
	}
	unsigned __int128 owed = (unsigned __int128)(now_ns - p->t0_ns) * slots / period_ns;
	uint64_t due = (uint64_t)(owed - p->done);
	if (due >= slots) {
		p->t0_ns = now_ns;
		p->done = 0;
		return slots;
	}
	p->done += due;
	return due;
}

#endif
