/* SPDX-License-Identifier: BSD-3-Clause */
/* dnsb_ck_add against RFC 1071 summed octet pair by pair: every length
 * around the lanes' blocks, every alignment, all-ones data for the end-
 * around carries and the lanes' bounds, and more than one pass of them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "checksum.h"

/* Big-endian octet pairs, an odd last octet padded with zero, folded with
 * end-around carries: 0 only when every octet is. */
static uint16_t ref_sum(const uint8_t *p, uint32_t len)
{
	uint64_t s = 0;
	for (uint32_t i = 0; i < len; i += 2)
		s += (uint32_t)p[i] << 8 | (i + 1 < len ? p[i + 1] : 0);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static uint32_t next(uint32_t *x)
{
	*x = *x * 1103515245u + 12345u;
	return *x >> 16;
}

/* The sum is exact (folded the same way as the reference), added to the
 * caller's. */
static void check(const uint8_t *p, uint32_t len, uint32_t sum)
{
	assert_int_equal(dnsb_ck_add(sum, p, len), sum + ref_sum(p, len));
}

/* Lengths 0..300 at offsets 0..15 into the buffer, over octets from a
 * fixed generator, over all-ones and over zeros. */
static void test_lengths_and_alignments(void **st)
{
	(void)st;
	static uint8_t buf[16 + 300];
	uint32_t x = 1071;
	for (unsigned fill = 0; fill < 3; fill++) {
		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = fill == 0 ? (uint8_t)next(&x) : fill == 1 ? 0xff : 0;
		for (uint32_t off = 0; off < 16; off++)
			for (uint32_t len = 0; len <= 300; len++)
				check(buf + off, len, fill == 2 ? 0 : next(&x));
	}
}

/* A datagram's worth and more: all-ones, the largest each lane can be
 * given, past one pass of the lanes (65536 octets), past several, and
 * past the 1 MiB of all-ones that would overflow a lane summed in one. */
static void test_long(void **st)
{
	(void)st;
	const uint32_t n = 33 * 65536 + 77;
	uint8_t *buf = malloc(n);
	assert_non_null(buf);
	memset(buf, 0xff, n);
	const uint32_t lens[] = { 1472, 65507, 65535, 65536, 65537, 65536 + 64, 3 * 65536 + 15, 17 * 65536 + 1, n };
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		check(buf, lens[i], 0);
		check(buf + 1, lens[i] - 1, 7);
	}
	uint32_t x = 791;
	for (uint32_t i = 0; i < n; i++)
		buf[i] = (uint8_t)(0xf0 | next(&x));
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		check(buf + 3, lens[i] - 3, 0xfffe);
	free(buf);
}

/* Any one octet changed changes the sum: a sum that skipped part of the
 * data would not see it. */
static void test_every_octet_counts(void **st)
{
	(void)st;
	uint8_t buf[1500];
	uint32_t x = 1624;
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)next(&x);
	uint32_t base = dnsb_ck_fold(dnsb_ck_add(0, buf, sizeof(buf)));
	for (size_t i = 0; i < sizeof(buf); i++) {
		uint8_t o = buf[i];
		buf[i] = (uint8_t)(o + 1);
		assert_int_not_equal(dnsb_ck_fold(dnsb_ck_add(0, buf, sizeof(buf))), base);
		check(buf, sizeof(buf), 0);
		buf[i] = o;
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lengths_and_alignments),
		cmocka_unit_test(test_long),
		cmocka_unit_test(test_every_octet_counts),
	};
	return cmocka_run_group_tests_name("checksum", tests, NULL, NULL);
}
