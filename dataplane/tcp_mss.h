/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file tcp_mss.h
 * Lower the MSS option of a TCP SYN in place (RFC 9293 s3.7.1), with an
 * incremental checksum update, so DNS over TCP segments fit the path.
 */
#ifndef DNSBUMP_TCP_MSS_H
#define DNSBUMP_TCP_MSS_H

#include <stdint.h>
#include "pkt_parse.h"

/**
 * If the SYN described by @p p carries an MSS option above @p mss, write
 * @p mss there and patch the TCP checksum. The option list is walked with
 * bounds checks; a malformed list is left alone.
 * @return 1 when the frame was changed, 0 otherwise.
 */
int dnsb_tcp_mss_clamp(uint8_t *frame, const struct dnsb_pkt *p, uint16_t mss);

#endif
