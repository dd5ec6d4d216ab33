/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "checksum.h"

/* RFC 1071 s2(B): the one's complement sum does not depend on byte order,
 * so sum native 32-bit words in 64 bits, fold, and swap once at the end. */
uint32_t dnsb_ck_add(uint32_t sum, const uint8_t *p, uint32_t len)
{
	uint64_t acc = 0;
	uint64_t w8;
	uint32_t w4;
	uint16_t w2;

	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&w8, p, 8);
		acc += (w8 & 0xffffffffu) + (w8 >> 32);
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
