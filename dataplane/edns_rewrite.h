/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file edns_rewrite.h
 * Clamp (and optionally raise) the UDP payload size a query advertises in
 * its OPT record, in place, with an incremental UDP checksum update.
 */
#ifndef DNSBUMP_EDNS_REWRITE_H
#define DNSBUMP_EDNS_REWRITE_H

#include <stdint.h>
#include "dns_wire.h"
#include "pkt_parse.h"

/** RFC 6891 s6.2.5: advertised sizes below 512 are treated as 512. */
#define DNSB_EDNS_MIN_SIZE 512

enum dnsb_edns_change {
	DNSB_EDNS_UNCHANGED = 0,
	DNSB_EDNS_LOWERED,
	DNSB_EDNS_RAISED,
};

/**
 * The size to advertise instead of @p adv: @p max when @p adv is above it,
 * @p floor when @p adv is below it, else @p adv. 0 disables either bound.
 */
uint16_t dnsb_edns_target(uint16_t adv, uint16_t max, uint16_t floor);

/**
 * Rewrite the UDP size of the OPT record found by dnsb_dns_parse() in the
 * UDP datagram described by @p p, inside the caller's @p frame. DO, other
 * flags and options are untouched. The UDP checksum is patched per RFC
 * 1624; a zero UDP checksum (none sent) stays zero.
 * @return what was done; the frame is unchanged for DNSB_EDNS_UNCHANGED.
 */
enum dnsb_edns_change dnsb_edns_rewrite(uint8_t *frame, const struct dnsb_pkt *p,
					struct dnsb_dns *d, uint16_t max, uint16_t floor);

/**
 * Replace the 16-bit field at @p field_off of the UDP datagram of @p p by
 * @p value and patch the UDP checksum incrementally. Shared by every
 * in-place rewrite of a UDP payload.
 */
void dnsb_udp_set16(uint8_t *frame, const struct dnsb_pkt *p, uint32_t field_off,
		    uint16_t value);

#endif
