/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file wire.h
 * Big-endian loads and stores on plain buffers. Callers check bounds first.
 */
#ifndef DNSBUMP_WIRE_H
#define DNSBUMP_WIRE_H

#include <stdint.h>
#include <string.h>

static inline uint16_t dnsb_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t dnsb_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/** @p v as its two octets lie on the wire, read as a native word: for
 * comparing a field loaded whole with memcpy, no byte swap. */
static inline uint16_t dnsb_wire16(uint16_t v)
{
	const uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };
	uint16_t w;
	memcpy(&w, b, 2);
	return w;
}

static inline void dnsb_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

#endif
