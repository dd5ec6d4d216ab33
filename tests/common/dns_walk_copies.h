/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file dns_walk_copies.h
 * Two more builds of dataplane/dns_wire.c for the tests to hold the
 * library's walk to: ref_* walks every record in the general loop (no
 * shortcut for records of a known owner, DNSB_DNS_WALK_REFERENCE), port_*
 * is the library's walk with its vector compare built without SSE4.1
 * (DNSB_DNS_PORTABLE).
 */
#ifndef DNSBUMP_DNS_WALK_COPIES_H
#define DNSBUMP_DNS_WALK_COPIES_H

#include "dns_wire.h"

enum dnsb_reason ref_dns_parse(const uint8_t *m, uint32_t len, struct dnsb_dns *d);
enum dnsb_reason ref_dns_parse_walk(const uint8_t *m, uint32_t len, struct dnsb_dns *d);
enum dnsb_reason ref_dns_name(const uint8_t *msg, uint32_t len, uint32_t *pos, uint32_t *wire_len);
enum dnsb_reason port_dns_parse(const uint8_t *m, uint32_t len, struct dnsb_dns *d);
enum dnsb_reason port_dns_parse_walk(const uint8_t *m, uint32_t len, struct dnsb_dns *d);
enum dnsb_reason port_dns_name(const uint8_t *msg, uint32_t len, uint32_t *pos, uint32_t *wire_len);

#endif
