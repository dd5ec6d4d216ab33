/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file fuzz_frame.h
 * Helpers shared by the fuzz targets: wrap fuzzer bytes as the DNS payload
 * of a valid Ethernet/IPv4 or IPv6/UDP frame, and check checksums with a
 * sum written independently of the core's.
 */
#ifndef DNSBUMP_FUZZ_FRAME_H
#define DNSBUMP_FUZZ_FRAME_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CAP 70000u
#define FUZZ_CHECK(c) do { if (!(c)) abort(); } while (0)

static inline uint16_t fz_fold(uint64_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static inline uint64_t fz_sum(const uint8_t *p, uint32_t n)
{
	uint64_t s = 0;
	for (uint32_t i = 0; i < n; i++)
		s += (i & 1) ? p[i] : (uint64_t)p[i] << 8;
	return s;
}

static inline void fz_put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* UDP checksum over the pseudo header of the IP header at @p l3. */
static inline uint16_t fz_udp_sum(const uint8_t *f, uint32_t l3, uint32_t l4)
{
	uint32_t ulen = (uint32_t)f[l4 + 4] << 8 | f[l4 + 5];
	uint64_t s = (f[l3] >> 4) == 4 ? fz_sum(f + l3 + 12, 8) : fz_sum(f + l3 + 8, 32);
	return fz_fold(s + 17 + ulen + fz_sum(f + l4, ulen));
}

/**
 * Build in @p f an Ethernet frame carrying @p dns (@p n octets) over UDP,
 * IPv6 when @p v6, from port 53 when @p response. Returns the frame length,
 * 0 when @p n does not fit an IP datagram. Sets *l4 to the UDP offset.
 */
static inline uint32_t fz_frame(uint8_t *f, const uint8_t *dns, uint32_t n, int v6, int response,
				uint32_t *l4)
{
	uint32_t ihl = v6 ? 40 : 20;
	if (n + 8 + ihl > 65535)
		return 0;
	memset(f, 0, 14 + ihl + 8);
	memcpy(f, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01", 12);
	uint8_t *ip = f + 14;
	if (v6) {
		fz_put16(f + 12, 0x86dd);
		ip[0] = 0x60;
		fz_put16(ip + 4, n + 8);
		ip[6] = 17;
		ip[7] = 64;
		ip[8] = 0x20, ip[9] = 0x01, ip[10] = 0x0d, ip[11] = 0xb8, ip[23] = 1;
		ip[24] = 0x20, ip[25] = 0x01, ip[26] = 0x0d, ip[27] = 0xb8, ip[39] = 2;
	} else {
		fz_put16(f + 12, 0x0800);
		ip[0] = 0x45;
		fz_put16(ip + 2, n + 28);
		ip[8] = 64;
		ip[9] = 17;
		ip[12] = 198, ip[13] = 51, ip[14] = 100, ip[15] = 1;
		ip[16] = 203, ip[17] = 0, ip[18] = 113, ip[19] = 1;
		fz_put16(ip + 10, (uint16_t)~fz_fold(fz_sum(ip, 20)));
	}
	uint8_t *udp = ip + ihl;
	fz_put16(udp, response ? 53 : 40000);
	fz_put16(udp + 2, response ? 40000 : 53);
	fz_put16(udp + 4, n + 8);
	memcpy(udp + 8, dns, n);
	*l4 = 14 + ihl;
	uint16_t ck = (uint16_t)~fz_udp_sum(f, 14, *l4);
	fz_put16(udp + 6, ck ? ck : 0xffff);
	return 14 + ihl + 8 + n;
}

#endif
