/* SPDX-License-Identifier: BSD-3-Clause */
/* Fuzz target: a sequence of frames through one engine with small tables,
 * time moving on between them: correlation state stays bounded and every
 * frame gets exactly one reason. A second engine takes the same frames in
 * two passes, each frame's first pass (dnsb_engine_look) before the second
 * pass of the frame before it: the same verdicts, frames, emitted frames
 * and counters. Then two more engines take the records again in bursts of
 * 1..8 under each burst's first policy, one through dnsb_engine_burst (as
 * the worker runs it), one a frame at a time: the same again, with what
 * they track (dns.track) taken from the input's last octet, and nothing
 * kept or counted of what is not tracked. Input: records of
 * [flags][len hi][len lo][frame...]. */
#include <stdlib.h>

#include "engine.h"
#include "fuzz_frame.h"

#define SLOTS 64
#define RECORDS 2048 /* more than -max_len=4096 can hold */

struct record {
	size_t off, n;
	uint8_t fl;
};

/* The policy of a record: every other one with some breakage emulation,
 * the fragments policy and the MTU from its length. */
static void record_policy(struct dnsb_policy *pol, const struct record *r)
{
	size_t n = r->n;
	uint8_t fl = r->fl;
	dnsb_policy_default(pol);
	pol->path_limit = 512;
	pol->tcp_mss = 1200;
	pol->emu_frag = (fl & 0x40) ? (uint8_t)(1 + (n & 1)) : 0;
	pol->emu_tcp53 = (fl & 0x40) ? (uint8_t)(n % 3) : 0;
	pol->emu_strip_opt = (fl & 0x40) ? (uint8_t)(n & 3) : 0;
	pol->emu_clear_do = (fl & 0x40) && (n & 4);
	pol->emu_drop_do_answers = (fl & 0x40) && (n & 8);
	pol->emu_drop_larger = (fl & 0x40) && (n & 16) ? 600 : 0;
	pol->frag_to_client = (uint8_t)((n >> 5) & 3);
	pol->frag_to_server = (n & 0x80) ? DNSB_FRAG_REASSEMBLE : DNSB_FRAG_PASS;
	pol->mtu_client = pol->mtu_server = (n & 0x100) ? 576 : 1280;
}

#define BURST 8

/* The records in bursts: dnsb_engine_burst in one engine, the same frames
 * one at a time (dnsb_engine_process) in another, each burst under the
 * policy of its first record and ticked after it. */
static int bursts(const uint8_t *data, const struct record *rec, uint32_t nrec, void *mem3,
		  void *mem4, const struct dnsb_engine_cfg *cfg)
{
	static uint8_t b3[BURST][FUZZ_CAP], b4[BURST][FUZZ_CAP], o3[FUZZ_CAP], o4[FUZZ_CAP];
	static struct dnsb_bframe bf[BURST];
	struct dnsb_engine e3, e4;
	struct dnsb_policy pol;
	struct dnsb_result res;
	uint64_t now = 1;

	dnsb_policy_default(&pol);
	FUZZ_CHECK(dnsb_engine_init(&e3, &pol, mem3, cfg) == 0);
	FUZZ_CHECK(dnsb_engine_init(&e4, &pol, mem4, cfg) == 0);
	for (uint32_t k0 = 0; k0 < nrec;) {
		uint32_t nb = 1 + (uint32_t)(rec[k0].fl >> 3) % BURST;
		if (nb > nrec - k0)
			nb = nrec - k0;
		record_policy(&pol, &rec[k0]);
		e3.hypothetical = e4.hypothetical = rec[k0].fl & 1;
		for (uint32_t j = 0; j < nb; j++) {
			const struct record *r = &rec[k0 + j];
			memcpy(b3[j], data + r->off, r->n);
			memcpy(b4[j], data + r->off, r->n);
			now += (uint64_t)(r->fl >> 2) * 50000000ull;
			/* A frame left out now and then, as the worker leaves out
			 * one that is not in one piece. */
			bf[j] = (struct dnsb_bframe){ .frame = (r->fl & 0x7f) == 0x7f ? NULL : b3[j],
						      .len = (uint32_t)r->n,
						      .dir = (uint8_t)((r->fl >> 1) % 3),
						      .now_ns = now };
		}
		for (uint32_t from = 0; from < nb;) {
			uint32_t to = dnsb_engine_burst(&e3, bf, nb, from);
			FUZZ_CHECK(to > from && to <= nb);
			for (uint32_t j = from; j < to; j++) {
				if (!bf[j].frame)
					continue;
				enum dnsb_verdict v = dnsb_engine_process(&e4, b4[j], bf[j].len, FUZZ_CAP,
									  (enum dnsb_dir)bf[j].dir,
									  bf[j].now_ns, &res);
				const struct dnsb_result *r3 = &bf[j].res;
				FUZZ_CHECK(r3->verdict == v && r3->reason == res.reason &&
					   r3->len == res.len);
				FUZZ_CHECK(v == DNSB_V_DROP || memcmp(b3[j], b4[j], res.len) == 0);
				/* It stops after an emit, for its frames to be taken. */
				FUZZ_CHECK(v != DNSB_V_EMIT || j == to - 1);
			}
			if (bf[to - 1].frame && bf[to - 1].res.verdict == DNSB_V_EMIT) {
				uint32_t n = dnsb_engine_emit_count(&e4);
				FUZZ_CHECK(dnsb_engine_emit_count(&e3) == n);
				for (uint32_t i = 0; i < n; i++) {
					uint32_t len = dnsb_engine_emit(&e4, i, o4, sizeof(o4));
					FUZZ_CHECK(dnsb_engine_emit(&e3, i, o3, sizeof(o3)) == len &&
						   memcmp(o3, o4, len) == 0);
				}
			} else {
				FUZZ_CHECK(to == nb);
			}
			from = to;
		}
		if (rec[k0].fl & 0x80) {
			dnsb_engine_tick(&e3, now, 7);
			dnsb_engine_tick(&e4, now, 7);
		}
		k0 += nb;
	}
	FUZZ_CHECK(memcmp(e3.reasons, e4.reasons, sizeof(e3.reasons)) == 0);
	FUZZ_CHECK(memcmp(e3.events, e4.events, sizeof(e3.events)) == 0);
	/* What is not tracked is neither kept nor counted. */
	if (cfg->untrack & DNSB_TRACK_QUERIES) {
		FUZZ_CHECK(e3.t[DNSB_T_QUERIES].peak == 0);
		FUZZ_CHECK(e3.events[DNSB_EV_RESPONSES_UNMATCHED] == 0);
		FUZZ_CHECK(e3.events[DNSB_EV_UNANSWERED_DO] + e3.events[DNSB_EV_UNANSWERED_NODO] == 0);
		FUZZ_CHECK(e3.events[DNSB_EV_RESPONSE_TOOBIG] + e3.events[DNSB_EV_LATENCY_US_SUM] == 0);
	}
	if (cfg->untrack & DNSB_TRACK_RETRIES) {
		FUZZ_CHECK(e3.t[DNSB_T_QUESTIONS].peak == 0);
		FUZZ_CHECK(e3.events[DNSB_EV_CLIENT_RETRY_UNANSWERED] +
				   e3.events[DNSB_EV_CLIENT_RETRY_AFTER_ANSWER] ==
			   0);
	}
	dnsb_engine_tick(&e3, now, 7);
	dnsb_engine_tick(&e4, now, 7);
	if (cfg->untrack & DNSB_TRACK_FLOWS)
		FUZZ_CHECK(dnsb_engine_gauge(&e3, DNSB_G_UDP_FLOWS_PEAK) == 0);
	else
		FUZZ_CHECK(memcmp(e3.fc.reg, e4.fc.reg, dnsb_fc_mem()) == 0);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t mem[4][DNSB_T__END * SLOTS * sizeof(struct dnsb_fentry) +
			      (DNSB_FC_RING + 1) * DNSB_FC_M +
			      16 * (sizeof(struct dnsb_reasm_slot) + 4096 + 520) + 8192];
	static uint8_t buf[FUZZ_CAP], buf2[2][FUZZ_CAP], out[FUZZ_CAP], out2[FUZZ_CAP];
	static struct record rec[RECORDS];
	struct dnsb_engine e, e2;
	struct dnsb_policy pol, pol2[2];
	struct dnsb_result res, res2[2];
	struct dnsb_look lk2[2];
	struct dnsb_engine_cfg cfg = { SLOTS, 1000000000ull, 5000000000ull, 42, 0,
				       { 16, 4096, 8, 1000000000ull }, 0 };
	FUZZ_CHECK(dnsb_engine_mem(&cfg) <= sizeof(mem[0]));
	uint64_t now = 1, frames = 0;

	dnsb_policy_default(&pol);
	FUZZ_CHECK(dnsb_engine_init(&e, &pol, mem[0], &cfg) == 0);
	FUZZ_CHECK(dnsb_engine_init(&e2, &pol, mem[1], &cfg) == 0);
	uint32_t nrec = 0;
	for (size_t off = 0; size - off >= 3 && nrec < RECORDS; nrec++) {
		rec[nrec].fl = data[off];
		size_t n = (size_t)data[off + 1] << 8 | data[off + 2];
		off += 3;
		rec[nrec].n = n > size - off ? size - off : n;
		rec[nrec].off = off;
		off += rec[nrec].n;
	}
	/* The second engine's first pass over record k + 1 comes before its
	 * second pass over record k. */
	if (nrec) {
		record_policy(&pol2[0], &rec[0]);
		memcpy(buf2[0], data + rec[0].off, rec[0].n);
		e2.pol = &pol2[0];
		dnsb_engine_look(&e2, buf2[0], (uint32_t)rec[0].n, (enum dnsb_dir)((rec[0].fl >> 1) % 3),
				 &res2[0], &lk2[0]);
	}
	for (uint32_t k = 0; k < nrec; k++) {
		const struct record *r = &rec[k];
		size_t n = r->n;
		uint8_t fl = r->fl;
		enum dnsb_dir dir = (enum dnsb_dir)((fl >> 1) % 3);
		memcpy(buf, data + r->off, n);
		now += (uint64_t)(fl >> 2) * 50000000ull; /* 0..3.15 s */
		e.hypothetical = fl & 1;
		record_policy(&pol, r);
		enum dnsb_verdict v = dnsb_engine_process(&e, buf, (uint32_t)n, FUZZ_CAP, dir, now, &res);
		frames++;
		FUZZ_CHECK(res.len <= n);

		uint32_t c = k & 1, nx = c ^ 1;
		if (k + 1 < nrec) {
			const struct record *r1 = &rec[k + 1];
			record_policy(&pol2[nx], r1);
			memcpy(buf2[nx], data + r1->off, r1->n);
			e2.pol = &pol2[nx];
			dnsb_engine_look(&e2, buf2[nx], (uint32_t)r1->n, (enum dnsb_dir)((r1->fl >> 1) % 3),
					 &res2[nx], &lk2[nx]);
		}
		e2.pol = &pol2[c];
		e2.hypothetical = fl & 1;
		enum dnsb_verdict v2 = dnsb_engine_finish(&e2, buf2[c], dir, now, &res2[c], &lk2[c]);
		FUZZ_CHECK(v2 == v && res2[c].reason == res.reason && res2[c].len == res.len);
		FUZZ_CHECK(v == DNSB_V_DROP || memcmp(buf, buf2[c], res.len) == 0);
		FUZZ_CHECK(v != DNSB_V_EMIT || dnsb_engine_emit_count(&e2) == dnsb_engine_emit_count(&e));

		for (uint32_t i = 0; v == DNSB_V_EMIT && i < dnsb_engine_emit_count(&e); i++) {
			struct dnsb_pkt p;
			uint32_t len = dnsb_engine_emit(&e, i, out, sizeof(out));
			FUZZ_CHECK(len > 0 && dnsb_pkt_parse(out, len, &p) == DNSB_R_OK);
			FUZZ_CHECK(dnsb_engine_emit_count(&e) == 1 || p.ip_end - p.l3_off <= 1280);
			FUZZ_CHECK(dnsb_engine_emit(&e2, i, out2, sizeof(out2)) == len &&
				   memcmp(out, out2, len) == 0);
		}
		if (fl & 0x80) {
			dnsb_engine_tick(&e, now, 7);
			dnsb_engine_tick(&e2, now, 7);
		}
		for (unsigned t = 0; t < DNSB_T__END; t++)
			FUZZ_CHECK(e.t[t].live <= SLOTS && e.t[t].peak <= SLOTS);
		FUZZ_CHECK(e.ra.live <= 16);
	}
	uint64_t sum = 0;
	for (unsigned r = 0; r < DNSB_R__END; r++)
		sum += e.reasons[r];
	FUZZ_CHECK(sum == frames && e.reasons[DNSB_R_OK] == 0);
	FUZZ_CHECK(memcmp(e.reasons, e2.reasons, sizeof(e.reasons)) == 0);
	FUZZ_CHECK(memcmp(e.events, e2.events, sizeof(e.events)) == 0);
	dnsb_engine_tick(&e, now + 10000000000ull, 0);
	for (unsigned t = 0; t < DNSB_T__END; t++)
		FUZZ_CHECK(e.t[t].live == 0);
	FUZZ_CHECK(e.ra.live == 0);
	/* Any choice dns.track allows. */
	cfg.untrack = size ? dnsb_untrack_choices[data[size - 1] % DNSB_UNTRACK_CHOICES] : 0;
	return bursts(data, rec, nrec, mem[2], mem[3], &cfg);
}
