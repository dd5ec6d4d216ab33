/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file checksum.h
 * Internet checksum (RFC 1071) and its incremental update (RFC 1624).
 * Sums are kept unfolded in 32 bits over big-endian 16-bit words.
 */
#ifndef DNSBUMP_CHECKSUM_H
#define DNSBUMP_CHECKSUM_H

#include <stdint.h>
#include <string.h>

/**
 * Add the bytes @p p[0..len) to @p sum as big-endian 16-bit words; an odd
 * trailing byte is padded with zero (RFC 1071 s4.1). The bytes' sum is
 * folded to 16 bits before it is added, so the result is only equal to an
 * unfolded sum modulo 0xffff: fold it before use. Caller owns @p p.
 */
uint32_t dnsb_ck_add(uint32_t sum, const uint8_t *p, uint32_t len);

/** Fold a 32-bit sum to 16 bits (end-around carry). */
static inline uint16_t dnsb_ck_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/** Fold a 64-bit sum of 32-bit words to 16 bits (end-around carries). */
static inline uint16_t dnsb_ck_fold64(uint64_t acc)
{
	acc = (acc & 0xffffffffu) + (acc >> 32);
	acc = (acc & 0xffffffffu) + (acc >> 32);
	return dnsb_ck_fold((uint32_t)acc);
}

/**
 * RFC 1624 eqn. 3: checksum @p ck after a 16-bit word of the covered data
 * changes from @p old_w to @p new_w. Values are as the checksum sees them:
 * for a field at an odd offset from the start of the covered data, pass
 * both byte-swapped.
 */
static inline uint16_t dnsb_ck_adjust(uint16_t ck, uint16_t old_w, uint16_t new_w)
{
	uint32_t sum = (uint16_t)~ck;
	sum += (uint16_t)~old_w;
	sum += new_w;
	return (uint16_t)~dnsb_ck_fold(sum);
}

/* The native 32-bit words of an IPv4 header of @p ihl octets added up in
 * 64 bits, unfolded; the usual 20 octets unrolled. */
static inline uint64_t dnsb_ck_ip4_words(const uint8_t *h, uint32_t ihl)
{
	uint64_t acc, a, b;
	uint32_t w;
	memcpy(&a, h, 8);
	memcpy(&b, h + 8, 8);
	memcpy(&w, h + 16, 4);
	acc = (a & 0xffffffffu) + (a >> 32) + (b & 0xffffffffu) + (b >> 32) + w;
	for (uint32_t i = 20; i < ihl; i += 4) {
		memcpy(&w, h + i, 4);
		acc += w;
	}
	return acc;
}

/**
 * RFC 791 s3.1, RFC 1071: the one's complement sum of an IPv4 header of
 * @p ihl octets (a multiple of 4, at least 20, readable at @p h), folded,
 * as a native word: summed as native 32-bit words (the sum does not depend
 * on byte order).
 */
static inline uint16_t dnsb_ck_ip4_sum(const uint8_t *h, uint32_t ihl)
{
	return dnsb_ck_fold64(dnsb_ck_ip4_words(h, ihl));
}

/**
 * An IPv4 header whose checksum verifies: its 16-bit words sum to all ones
 * (RFC 1071). With end-around carries that sum is the plain sum of the words
 * modulo 0xffff, taken as 0xffff where it is 0 (the words are not all zero:
 * the version is there), and so is the plain sum of the header's native
 * 32-bit words, since 2^16 is 1 modulo 0xffff: the header verifies when that
 * sum is a multiple of 0xffff (a multiply and a compare, no folds).
 */
static inline int dnsb_ck_ip4_ok(const uint8_t *h, uint32_t ihl)
{
	return dnsb_ck_ip4_words(h, ihl) % 0xffff == 0;
}

/** The checksum of the IPv4 header at @p h (@p ihl octets) computed and set. */
static inline void dnsb_ck_ip4_set(uint8_t *h, uint32_t ihl)
{
	memset(h + 10, 0, 2);
	uint16_t ck = (uint16_t)~dnsb_ck_ip4_sum(h, ihl); /* native, stored as it is */
	memcpy(h + 10, &ck, 2);
}

/** Byte swap of a 16-bit value. */
static inline uint16_t dnsb_bswap16(uint16_t v)
{
	return (uint16_t)((v << 8) | (v >> 8));
}

#endif
