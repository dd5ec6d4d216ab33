/* SPDX-License-Identifier: BSD-3-Clause */
/* Fuzz target: queries through the EDNS clamp/floor. First octet picks
 * the family and the bounds; the rest is the DNS message, sent in a valid
 * frame so the checksum must still verify afterwards. */
#include "core.h"
#include "edns_rewrite.h"
#include "fuzz_frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t f[FUZZ_CAP], orig[FUZZ_CAP];
	static const uint16_t maxes[] = { 0, 512, 1232, 1400 };
	struct dnsb_policy pol;
	struct dnsb_result res, again;
	uint32_t l4;

	if (size < 1)
		return 0;
	uint8_t sel = data[0];
	uint32_t n = fz_frame(f, data + 1, (uint32_t)size - 1, sel & 1, 0, &l4);
	if (!n)
		return 0;
	memcpy(orig, f, n);
	dnsb_policy_default(&pol);
	pol.edns_max = maxes[(sel >> 1) & 3];
	pol.edns_floor = (sel & 8) ? (pol.edns_max ? pol.edns_max : 1232) : 0;

	dnsb_process(f, n, FUZZ_CAP, DNSB_DIR_TO_SERVER, 0, &pol, NULL, &res);
	FUZZ_CHECK(res.len == n);
	if (res.verdict == DNSB_V_PASS) {
		FUZZ_CHECK(memcmp(f, orig, n) == 0);
		return 0;
	}
	FUZZ_CHECK(res.verdict == DNSB_V_MODIFIED);
	FUZZ_CHECK(res.reason == DNSB_R_EDNS_CLAMPED || res.reason == DNSB_R_EDNS_RAISED);
	FUZZ_CHECK(fz_udp_sum(f, 14, l4) == 0xffff);
	uint16_t want = dnsb_edns_target(res.udp_size_before, pol.edns_max, pol.edns_floor);
	FUZZ_CHECK(want != res.udp_size_before);
	/* Only the size and the checksum changed. */
	uint32_t size_off = res.pkt.pl_off + res.dns.opt_off + 3, diff = 0;
	for (uint32_t i = 0; i < n; i++)
		if (f[i] != orig[i])
			FUZZ_CHECK(i == size_off || i == size_off + 1 || i == l4 + 6 || i == l4 + 7 ||
				   !++diff);
	FUZZ_CHECK(diff == 0);
	/* Idempotent: the rewritten query is left alone. */
	dnsb_process(f, n, FUZZ_CAP, DNSB_DIR_TO_SERVER, 0, &pol, NULL, &again);
	FUZZ_CHECK(again.verdict == DNSB_V_PASS && again.dns.opt_udp_size == want);
	return 0;
}
