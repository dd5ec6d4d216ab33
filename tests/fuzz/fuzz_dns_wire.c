/* SPDX-License-Identifier: BSD-3-Clause */
/* Fuzz target: the DNS walk on arbitrary messages; the fast path for the
 * common query shape gives exactly what the general walk gives, and the
 * walk with its loop for records of a known owner exactly what the walk
 * without it gives (a second copy of the walk, built without that loop). */
#include "dns_wire.h"
#include "fuzz_frame.h"

enum dnsb_reason ref_dns_parse(const uint8_t *m, uint32_t len, struct dnsb_dns *d);
enum dnsb_reason ref_dns_parse_walk(const uint8_t *m, uint32_t len, struct dnsb_dns *d);
enum dnsb_reason ref_dns_name(const uint8_t *msg, uint32_t len, uint32_t *pos, uint32_t *wire_len);
#define DNSB_DNS_WALK_REFERENCE
#define dnsb_dns_parse ref_dns_parse
#define dnsb_dns_parse_walk ref_dns_parse_walk
#define dnsb_dns_name ref_dns_name
#include "../../dataplane/dns_wire.c"
#undef dnsb_dns_parse
#undef dnsb_dns_parse_walk
#undef dnsb_dns_name

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dnsb_dns d;

	if (size > 65535)
		return 0;
	enum dnsb_reason r = dnsb_dns_parse(data, (uint32_t)size, &d);
	struct dnsb_dns w;
	FUZZ_CHECK(dnsb_dns_parse_walk(data, (uint32_t)size, &w) == r);
	FUZZ_CHECK(r != DNSB_R_OK || memcmp(&d, &w, sizeof(d)) == 0);
	struct dnsb_dns ref;
	FUZZ_CHECK(ref_dns_parse(data, (uint32_t)size, &ref) == r);
	FUZZ_CHECK(r != DNSB_R_OK || memcmp(&d, &ref, sizeof(d)) == 0);
	if (r != DNSB_R_OK) {
		FUZZ_CHECK(dnsb_reason_is_malformed(r));
		return 0;
	}
	FUZZ_CHECK(d.question_end >= DNSB_DNS_HLEN && d.question_end <= d.msg_end);
	FUZZ_CHECK(d.msg_end <= size);
	FUZZ_CHECK(d.qdcount == 0 || (d.qname_len >= 1 && d.qname_len <= DNSB_DNS_MAX_NAME));
	if (d.has_opt) {
		FUZZ_CHECK(d.opt_off >= d.question_end);
		FUZZ_CHECK(d.opt_off + DNSB_OPT_FIXED_LEN + d.opt_rdlen <= d.msg_end);
		FUZZ_CHECK(data[d.opt_off] == 0);
		FUZZ_CHECK(((uint16_t)data[d.opt_off + 3] << 8 | data[d.opt_off + 4]) == d.opt_udp_size);
	}
	/* Parsing is a pure function of the bytes. */
	struct dnsb_dns d2;
	FUZZ_CHECK(dnsb_dns_parse(data, (uint32_t)size, &d2) == DNSB_R_OK);
	FUZZ_CHECK(memcmp(&d, &d2, sizeof(d)) == 0);
	return 0;
}
