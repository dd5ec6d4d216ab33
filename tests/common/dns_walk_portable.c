/* SPDX-License-Identifier: BSD-3-Clause */
/* The walk with its vector compare built without SSE4.1: see
 * dns_walk_copies.h. */
#include "dns_walk_copies.h"

#define DNSB_DNS_PORTABLE
#define dnsb_dns_parse port_dns_parse
#define dnsb_dns_parse_walk port_dns_parse_walk
#define dnsb_dns_name port_dns_name
#include "../../dataplane/dns_wire.c"
