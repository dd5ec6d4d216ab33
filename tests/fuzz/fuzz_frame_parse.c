/* SPDX-License-Identifier: BSD-3-Clause */
/* Fuzz target: raw frames through the parser and the whole entry point.
 * First octet picks the policy, direction and hint; the rest is the frame.
 * The parse with its path for plain frames gives exactly what the general
 * parse alone gives (dnsb_pkt_parse_general()). */
#include <stddef.h>

#include "core.h"
#include "fuzz_frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[FUZZ_CAP];
	struct dnsb_pkt p;
	struct dnsb_dns d;
	struct dnsb_result res;
	struct dnsb_policy pol;

	if (size < 1 || size - 1 > FUZZ_CAP)
		return 0;
	uint8_t sel = data[0];
	const uint8_t *f = data + 1;
	uint32_t n = (uint32_t)size - 1;

	enum dnsb_reason r = dnsb_pkt_parse(f, n, &p);
	FUZZ_CHECK(r < DNSB_R__END);
	/* Every field the same: the view ends with dst, no padding before. */
	struct dnsb_pkt ref;
	FUZZ_CHECK(dnsb_pkt_parse_general(f, n, &ref) == r);
	FUZZ_CHECK(memcmp(&p, &ref, offsetof(struct dnsb_pkt, dst) + sizeof(p.dst)) == 0);
	if (r == DNSB_R_OK) {
		FUZZ_CHECK(p.ip_end <= n && p.l3_off < p.ip_end);
		if (p.has_l4 && !p.frag)
			FUZZ_CHECK(p.pl_off >= p.l4_off && p.pl_off + p.pl_len <= p.ip_end);
	}

	dnsb_policy_default(&pol);
	pol.oversize = sel % 3;
	pol.edns_max = (sel & 4) ? 1232 : 0;
	pol.edns_floor = (sel & 8) ? 1232 : 0;
	pol.path_limit = (sel & 16) ? 512 : 0;
	struct dnsb_query_hint hint = { (uint16_t)(sel & 64 ? 1232 : 0), (uint8_t)(sel >> 7) };
	enum dnsb_dir dir = (enum dnsb_dir)((sel >> 6) % 3);

	memcpy(buf, f, n);
	dnsb_process(buf, n, FUZZ_CAP, dir, 0, &pol, (sel & 32) ? &hint : NULL, &res);
	FUZZ_CHECK(res.reason > DNSB_R_OK && res.reason < DNSB_R__END);
	FUZZ_CHECK(res.len <= n);
	switch (res.verdict) {
	case DNSB_V_PASS:
		FUZZ_CHECK(memcmp(buf, f, n) == 0);
		break;
	case DNSB_V_MODIFIED:
		FUZZ_CHECK(dnsb_pkt_parse(buf, res.len, &p) == DNSB_R_OK);
		FUZZ_CHECK(dnsb_dns_parse(buf + p.pl_off, p.pl_len, &d) == DNSB_R_OK);
		break;
	case DNSB_V_DROP:
		FUZZ_CHECK(res.reason == DNSB_R_DROP_OVERSIZE);
		break;
	default:
		FUZZ_CHECK(0);
	}
	return 0;
}
