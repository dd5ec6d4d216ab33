/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "checksum.h"

/* Four 32-bit lanes: 16 octets a load (SSE2 on x86-64). */
typedef uint32_t ck_v4 __attribute__((vector_size(16)));

/* Octets a pass of the lanes takes before they are added up: 4096 loads
 * of 16, so a lane's sum of 16-bit halves stays below 2^28. */
#define CK_LANE_SPAN 65536u

/*
 * The native 16-bit words of @p p[0..len), len a multiple of 16, summed
 * exactly in four lanes (four loads an iteration, then one at a time).
 * Each lane adds the whole 32-bit words (wrapping) and, apart, their high
 * halves. The low halves' sum is then the first less 2^16 times the
 * second, modulo 2^32: exact, as it is below 2^32. Two adds and a shift a
 * load, instead of a mask, a shift and two adds.
 */
static uint64_t sum_blocks(const uint8_t *p, uint32_t len)
{
	uint64_t acc = 0;

	while (len) {
		uint32_t n = len < CK_LANE_SPAN ? len : CK_LANE_SPAN;
		ck_v4 all = { 0, 0, 0, 0 }, hi = all, a, b, c, d;
		len -= n;
		for (; n >= 64; n -= 64, p += 64) {
			memcpy(&a, p, 16);
			memcpy(&b, p + 16, 16);
			memcpy(&c, p + 32, 16);
			memcpy(&d, p + 48, 16);
			all += (a + b) + (c + d);
			hi += ((a >> 16) + (b >> 16)) + ((c >> 16) + (d >> 16));
		}
		for (; n; n -= 16, p += 16) {
			memcpy(&a, p, 16);
			all += a;
			hi += a >> 16;
		}
		ck_v4 lo = all - (hi << 16);
		acc += (uint64_t)lo[0] + lo[1] + lo[2] + lo[3] + hi[0] + hi[1] + hi[2] + hi[3];
	}
	return acc;
}

/* RFC 1071 s2(B): the one's complement sum does not depend on byte order,
 * so sum native words (16-bit ones in the lanes, 32-bit ones in the
 * rest) in 64 bits, fold, and swap once at the end. Every word starts at
 * an even offset from @p p, whichever part sums it. */
uint32_t dnsb_ck_add(uint32_t sum, const uint8_t *p, uint32_t len)
{
	uint64_t acc = 0;
	uint64_t w8;
	uint32_t w4;
	uint16_t w2;

	if (len >= 16) {
		uint32_t blocks = len & ~15u;
		acc = sum_blocks(p, blocks);
		p += blocks;
		len -= blocks;
	}
	if (len >= 8) {
		memcpy(&w8, p, 8);
		acc += (w8 & 0xffffffffu) + (w8 >> 32);
		p += 8;
		len -= 8;
	}
	if (len >= 4) {
		memcpy(&w4, p, 4);
		acc += w4;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		memcpy(&w2, p, 2);
		acc += w2;
		p += 2;
		len -= 2;
	}
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (len)
		acc += p[0]; /* the odd octet is the high half of a zero-padded word */
	uint16_t f = dnsb_ck_fold64(acc);
	return sum + (uint16_t)(f << 8 | f >> 8);
#else
	if (len)
		acc += (uint32_t)p[0] << 8;
	return sum + dnsb_ck_fold64(acc);
#endif
}
