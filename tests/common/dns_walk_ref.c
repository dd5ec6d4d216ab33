/* SPDX-License-Identifier: BSD-3-Clause */
/* The walk without its shortcut for records of a known owner: see
 * dns_walk_copies.h. */
#include "dns_walk_copies.h"

#define DNSB_DNS_WALK_REFERENCE
#define dnsb_dns_parse ref_dns_parse
#define dnsb_dns_parse_walk ref_dns_parse_walk
#define dnsb_dns_name ref_dns_name
#include "../../dataplane/dns_wire.c"
