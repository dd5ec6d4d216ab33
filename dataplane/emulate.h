/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file emulate.h
 * In-place rewrites the breakage emulation needs: remove the OPT record,
 * clear the DO bit, answer a TCP SYN with a RST.
 */
#ifndef DNSBUMP_EMULATE_H
#define DNSBUMP_EMULATE_H

#include <stdint.h>

#include "dns_wire.h"
#include "pkt_parse.h"

/** True when nothing but trailing octets follows the OPT record: removing
 * it then moves no record that another could point into. */
static inline int dnsb_opt_is_last(const struct dnsb_dns *d)
{
	return (uint32_t)d->opt_off + DNSB_OPT_FIXED_LEN + d->opt_rdlen == d->msg_end;
}

/**
 * Remove the OPT record of the UDP DNS message (it must be the last one,
 * dnsb_opt_is_last()) (ARCOUNT lowered, later
 * records moved down, lengths and checksums fixed).
 * @return the new frame length.
 */
uint32_t dnsb_emu_strip_opt(uint8_t *frame, const struct dnsb_pkt *p, const struct dnsb_dns *d);

/** Clear the DO bit of the message's OPT (checksum patched). */
void dnsb_emu_clear_do(uint8_t *frame, const struct dnsb_pkt *p, const struct dnsb_dns *d);

/**
 * Turn the TCP SYN of @p p into the RST+ACK its receiver would send back
 * (addresses, ports and MACs swapped, no options, checksums computed).
 * @return the new frame length, or 0 when the frame cannot be turned
 * (IPv6 extension headers).
 */
uint32_t dnsb_emu_tcp_reset(uint8_t *frame, const struct dnsb_pkt *p);

#endif
