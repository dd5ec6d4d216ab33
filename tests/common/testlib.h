/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file testlib.h
 * Fixture loading and independent checks shared by the unit tests.
 */
#ifndef DNSBUMP_TESTLIB_H
#define DNSBUMP_TESTLIB_H

#include <stdint.h>

#define FX_CAP 16384

/** One frame copied out of a fixture pcap, in a buffer with spare room. */
struct fx {
	uint32_t len;
	uint8_t buf[FX_CAP];
};

/** Load frame @p idx of tests/data/core/@p name.pcap; aborts the test run if absent. */
void fx_load(const char *name, unsigned idx, struct fx *out);

/** The same from tests/data/@p dir/@p name.pcap; returns the frames in the file. */
unsigned fx_load_from(const char *dir, const char *name, unsigned idx, struct fx *out);

/** Directory of the test data (DNSB_TEST_DATA, else tests/data). */
const char *fx_data_dir(void);

/**
 * Verify the UDP checksum of the datagram at @p l4_off in @p frame with a
 * plain reference sum over the pseudo header taken from the IP header at
 * @p l3_off (IPv4, or IPv6 with the fixed header's addresses).
 * @return 1 if the checksum verifies, 0 if not, 2 if it is zero (none sent).
 */
int ref_udp_checksum_ok(const uint8_t *frame, uint32_t l3_off, uint32_t l4_off);

/** Verify the TCP checksum of the @p seglen-octet segment at @p l4_off. */
int ref_tcp_checksum_ok(const uint8_t *frame, uint32_t l3_off, uint32_t l4_off, uint32_t seglen);

/** Verify an IPv4 header checksum with the reference sum. */
int ref_ip4_checksum_ok(const uint8_t *frame, uint32_t l3_off);

/** Deterministic PRNG for reproducible tests (xorshift64*). */
uint64_t t_rand(uint64_t *state);

#endif
