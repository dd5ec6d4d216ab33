/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file wire.h
 * Big-endian loads and stores on plain buffers. Callers check bounds first.
 */
#ifndef DNSBUMP_WIRE_H
#define DNSBUMP_WIRE_H

#include <stdint.h>

static inline uint16_t dnsb_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t dnsb_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline void dnsb_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

#endif
