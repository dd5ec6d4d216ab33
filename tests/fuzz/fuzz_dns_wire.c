/* SPDX-License-Identifier: BSD-3-Clause */
/* Fuzz target: the DNS walk on arbitrary messages; the fast path for the
 * common query shape gives exactly what the general walk gives. */
#include "dns_wire.h"
#include "fuzz_frame.h"

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
