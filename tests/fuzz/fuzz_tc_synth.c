/* SPDX-License-Identifier: BSD-3-Clause */
/* Fuzz target: responses through TC synthesis. First octet picks the
 * family, the client's size and DO; the rest is the DNS message. */
#include "core.h"
#include "fuzz_frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t f[FUZZ_CAP];
	static const uint16_t sizes[] = { 0, 512, 1232, 1400 };
	struct dnsb_policy pol;
	struct dnsb_result res;
	struct dnsb_pkt p;
	struct dnsb_dns d;
	uint32_t l4;

	if (size < 1)
		return 0;
	uint8_t sel = data[0];
	uint32_t n = fz_frame(f, data + 1, (uint32_t)size - 1, sel & 1, 1, &l4);
	if (!n)
		return 0;
	dnsb_policy_default(&pol);
	pol.path_limit = (sel & 2) ? 1232 : 0;
	struct dnsb_query_hint hint = { sizes[(sel >> 2) & 3], (uint8_t)((sel >> 4) & 1) };

	dnsb_process(f, n, FUZZ_CAP, DNSB_DIR_TO_CLIENT, 0, &pol, (sel & 32) ? &hint : NULL, &res);
	if (res.reason != DNSB_R_TC_SYNTHESIZED)
		return 0;
	FUZZ_CHECK(res.len < n && res.len <= FUZZ_CAP);
	FUZZ_CHECK(dnsb_pkt_parse(f, res.len, &p) == DNSB_R_OK);
	FUZZ_CHECK(p.ip_end == res.len);
	FUZZ_CHECK(dnsb_dns_parse(f + p.pl_off, p.pl_len, &d) == DNSB_R_OK);
	FUZZ_CHECK(d.msg_end == p.pl_len);
	FUZZ_CHECK((d.flags & DNSB_F_TC) && (d.flags & DNSB_F_QR));
	FUZZ_CHECK(d.id == res.dns.id && d.qdcount == res.dns.qdcount);
	FUZZ_CHECK(d.ancount == 0 && d.nscount == 0 && d.arcount == res.dns.has_opt);
	FUZZ_CHECK(p.pl_len <= res.limit);
	if (sel & 32 && d.has_opt)
		FUZZ_CHECK(dnsb_dns_do(&d) == hint.client_do);
	FUZZ_CHECK(fz_udp_sum(f, 14, l4) == 0xffff);
	if (!(sel & 1))
		FUZZ_CHECK(fz_fold(fz_sum(f + 14, 20)) == 0xffff);
	return 0;
}
