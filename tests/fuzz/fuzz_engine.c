/* SPDX-License-Identifier: BSD-3-Clause */
/* Fuzz target: a sequence of frames through one engine with small tables,
 * time moving on between them: correlation state stays bounded and every
 * frame gets exactly one reason. Input: records of
 * [flags][len hi][len lo][frame...]. */
#include <stdlib.h>

#include "engine.h"
#include "fuzz_frame.h"

#define SLOTS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t mem[DNSB_T__END * SLOTS * sizeof(struct dnsb_fentry) +
			   16 * (sizeof(struct dnsb_reasm_slot) + 4096 + 520) + 8192];
	static uint8_t buf[FUZZ_CAP];
	struct dnsb_engine e;
	struct dnsb_policy pol;
	struct dnsb_result res;
	struct dnsb_engine_cfg cfg = { SLOTS, 1000000000ull, 5000000000ull, 42, 0,
				       { 16, 4096, 8, 1000000000ull } };
	FUZZ_CHECK(dnsb_engine_mem(&cfg) <= sizeof(mem));
	uint64_t now = 1, frames = 0;

	dnsb_policy_default(&pol);
	pol.path_limit = 512;
	pol.tcp_mss = 1200;
	FUZZ_CHECK(dnsb_engine_init(&e, &pol, mem, &cfg) == 0);
	size_t off = 0;
	while (size - off >= 3) {
		uint8_t fl = data[off];
		size_t n = (size_t)data[off + 1] << 8 | data[off + 2];
		off += 3;
		if (n > size - off)
			n = size - off;
		memcpy(buf, data + off, n);
		off += n;
		now += (uint64_t)(fl >> 2) * 50000000ull; /* 0..3.15 s */
		e.hypothetical = fl & 1;
		/* Every other record, some breakage emulation on. */
		pol.emu_frag = (fl & 0x40) ? (uint8_t)(1 + (n & 1)) : 0;
		pol.emu_tcp53 = (fl & 0x40) ? (uint8_t)(n % 3) : 0;
		pol.emu_strip_opt = (fl & 0x40) ? (uint8_t)(n & 3) : 0;
		pol.emu_clear_do = (fl & 0x40) && (n & 4);
		pol.emu_drop_do_answers = (fl & 0x40) && (n & 8);
		pol.emu_drop_larger = (fl & 0x40) && (n & 16) ? 600 : 0;
		/* The fragments policy, and the MTU it applies to whole datagrams. */
		pol.frag_to_client = (uint8_t)((n >> 5) & 3);
		pol.frag_to_server = (n & 0x80) ? DNSB_FRAG_REASSEMBLE : DNSB_FRAG_PASS;
		pol.mtu_client = pol.mtu_server = (n & 0x100) ? 576 : 1280;
		enum dnsb_verdict v = dnsb_engine_process(&e, buf, (uint32_t)n, FUZZ_CAP,
							  (enum dnsb_dir)((fl >> 1) % 3), now, &res);
		frames++;
		FUZZ_CHECK(res.len <= n);
		for (uint32_t i = 0; v == DNSB_V_EMIT && i < dnsb_engine_emit_count(&e); i++) {
			static uint8_t out[FUZZ_CAP];
			struct dnsb_pkt p;
			uint32_t len = dnsb_engine_emit(&e, i, out, sizeof(out));
			FUZZ_CHECK(len > 0 && dnsb_pkt_parse(out, len, &p) == DNSB_R_OK);
			FUZZ_CHECK(dnsb_engine_emit_count(&e) == 1 || p.ip_end - p.l3_off <= 1280);
		}
		if (fl & 0x80)
			dnsb_engine_tick(&e, now, 7);
		for (unsigned t = 0; t < DNSB_T__END; t++)
			FUZZ_CHECK(e.t[t].live <= SLOTS && e.t[t].peak <= SLOTS);
		FUZZ_CHECK(e.ra.live <= 16);
	}
	uint64_t sum = 0;
	for (unsigned r = 0; r < DNSB_R__END; r++)
		sum += e.reasons[r];
	FUZZ_CHECK(sum == frames && e.reasons[DNSB_R_OK] == 0);
	dnsb_engine_tick(&e, now + 10000000000ull, 0);
	for (unsigned t = 0; t < DNSB_T__END; t++)
		FUZZ_CHECK(e.t[t].live == 0);
	FUZZ_CHECK(e.ra.live == 0);
	return 0;
}
