/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file hash.h
 * The hashes correlation keys are placed by (engine.c): a 64-bit
 * multiply-xorshift step, and the identity of a DNS question. Pure
 * functions of plain buffers, shared with the tools that must place
 * entries as the engine does (tests/tools/query-floor.c).
 */
#ifndef DNSBUMP_HASH_H
#define DNSBUMP_HASH_H

#include <stdint.h>
#include <string.h>

/** One step of a hash chain: @p w mixed into @p h. */
static inline uint64_t dnsb_mix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0xff51afd7ed558ccdull;
	return h ^ (h >> 32);
}

typedef int8_t dnsb_q16 __attribute__((vector_size(16)));

/* The first k of 16 lanes set: sixteen octets at (dnsb_lanes + 16 - k). */
static const int8_t dnsb_lanes[32] = { -1, -1, -1, -1, -1, -1, -1, -1,
				       -1, -1, -1, -1, -1, -1, -1, -1 };

static inline dnsb_q16 dnsb_first_lanes(uint32_t k)
{
	dnsb_q16 m;
	memcpy(&m, dnsb_lanes + 16 - (k < 16 ? k : 16), 16);
	return m;
}

/* Sixteen octets of a question mixed into @p h, 'A'..'Z' made lower case
 * (RFC 4343) in the lanes @p fold sets (those of the name; other octets,
 * label lengths, type and class included, unchanged). */
static inline uint64_t dnsb_question_mix(uint64_t h, dnsb_q16 v, dnsb_q16 fold)
{
	const dnsb_q16 a = { 'A' - 1, 'A' - 1, 'A' - 1, 'A' - 1, 'A' - 1, 'A' - 1, 'A' - 1, 'A' - 1,
			     'A' - 1, 'A' - 1, 'A' - 1, 'A' - 1, 'A' - 1, 'A' - 1, 'A' - 1, 'A' - 1 };
	const dnsb_q16 z = { 'Z' + 1, 'Z' + 1, 'Z' + 1, 'Z' + 1, 'Z' + 1, 'Z' + 1, 'Z' + 1, 'Z' + 1,
			     'Z' + 1, 'Z' + 1, 'Z' + 1, 'Z' + 1, 'Z' + 1, 'Z' + 1, 'Z' + 1, 'Z' + 1 };
	const dnsb_q16 bit = { 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
			       0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20 };
	v |= (v > a) & (z > v) & fold & bit;
	uint64_t w[2];
	memcpy(w, &v, 16);
	return dnsb_mix(dnsb_mix(h, w[0]), w[1]);
}

/**
 * Question identity: the name at @p q of @p n octets in wire form, plain
 * labels (a first question's), lower-cased, with the type and class that
 * follow it, @p left octets readable at @p q (at least n + 4). Hashed
 * sixteen octets at a time, the last sixteen overlapping the ones before
 * (the name's length, mixed in first, tells where they start). A question
 * shorter than sixteen octets is read as sixteen when @p left allows, the
 * octets past it masked off, else copied.
 */
static inline __attribute__((always_inline)) uint32_t
dnsb_question_hash(const uint8_t *q, uint32_t n, uint32_t left)
{
	uint32_t total = n + 4, o = 0;
	uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
	dnsb_q16 v;
	if (__builtin_expect(total < 16, 0)) {
		if (left >= 16) {
			memcpy(&v, q, 16);
			v &= dnsb_first_lanes(total);
		} else {
			uint8_t b[16] = { 0 };
			for (uint32_t i = 0; i < total; i++)
				b[i] = q[i];
			memcpy(&v, b, 16);
		}
		return (uint32_t)dnsb_question_mix(h, v, dnsb_first_lanes(n));
	}
	for (; o + 16 < total; o += 16) {
		memcpy(&v, q + o, 16);
		h = dnsb_question_mix(h, v, dnsb_first_lanes(n - o));
	}
	o = total - 16;
	memcpy(&v, q + o, 16);
	return (uint32_t)dnsb_question_mix(h, v, dnsb_first_lanes(n - o));
}

#endif
