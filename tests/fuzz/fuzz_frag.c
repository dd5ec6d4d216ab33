/* SPDX-License-Identifier: BSD-3-Clause */
/* Fuzz target: the fragment path. The input describes fragments (IPv4 or
 * IPv6, identification, offset, MF, length, UDP ports in first fragments)
 * that are built into valid frames and sent through one engine whose
 * fragment policy and egress MTU also come from the input. Checks: every
 * frame gets one reason; memory stays within the table; whatever the
 * engine sends for a held datagram parses, and when it is more than one
 * frame, each is a fragment that fits the MTU; at the end, with time moved
 * on, the table is empty. Every fragment also goes to two bare
 * reassembly tables: the module, and a second copy of it built without its
 * shortcuts (DNSB_REASM_REFERENCE: every datagram in the bitmap, not held
 * as one run of blocks; every probe window scanned, none known empty from
 * the live map), which the module must agree with in every status,
 * datagram, eviction and expiry.
 * Record: [ctl][id][off hi][off lo][len/8][data]. */
#include <stdlib.h>

#include "engine.h"
#include "fuzz_frame.h"

size_t ref_reasm_mem(const struct dnsb_reasm_cfg *c);
int ref_reasm_init(struct dnsb_reasm *r, void *mem, const struct dnsb_reasm_cfg *c,
		   dnsb_reasm_expire_fn expire, void *ctx);
enum dnsb_reasm_status ref_reasm_add(struct dnsb_reasm *r, const uint8_t *frame,
				     const struct dnsb_pkt *p, const uint16_t *ports,
				     unsigned n_ports, uint64_t now, uint8_t **out,
				     uint32_t *out_len);
void ref_reasm_tick(struct dnsb_reasm *r, uint64_t now, uint32_t budget);
void ref_reasm_tick_paced(struct dnsb_reasm *r, uint64_t now, uint64_t period_ns);
#define DNSB_REASM_REFERENCE 1
#define dnsb_reasm_mem ref_reasm_mem
#define dnsb_reasm_init ref_reasm_init
#define dnsb_reasm_add ref_reasm_add
#define dnsb_reasm_tick ref_reasm_tick
#define dnsb_reasm_tick_paced ref_reasm_tick_paced
#include "../../dataplane/reasm.c"
#undef dnsb_reasm_mem
#undef dnsb_reasm_init
#undef dnsb_reasm_add
#undef dnsb_reasm_tick
#undef dnsb_reasm_tick_paced

#define SLOTS 64
#define RA_SLOTS 16
#define RA_MAX 8192

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint16_t mtus[4] = { 576, 1280, 1500, 9000 };

/* Build the fragment of a record into @p f; returns the frame length. */
static uint32_t build_frame(uint8_t *f, uint8_t ctl, uint8_t id, uint16_t off8, uint32_t dlen,
		      const uint8_t *src, size_t srclen)
{
	int v6 = ctl & 1, more = (ctl >> 1) & 1;
	uint32_t off = (uint32_t)(off8 & 0x1fff) * 8;
	memset(f, 0, 14);
	f[12] = v6 ? 0x86 : 0x08;
	f[13] = v6 ? 0xdd : 0x00;
	uint32_t l3 = 14, hl = v6 ? 48 : 20, pl = dlen;
	uint8_t *d = f + l3 + hl;
	for (uint32_t i = 0; i < dlen; i++)
		d[i] = srclen ? src[i % srclen] : (uint8_t)i;
	if (off == 0 && dlen >= 8) { /* a first fragment: a UDP header */
		fz_put16(d, (ctl & 0x20) ? 53 : 123);
		fz_put16(d + 2, 40000);
	}
	uint8_t *ip = f + l3;
	if (!v6) {
		ip[0] = 0x45;
		fz_put16(ip + 2, hl + pl);
		fz_put16(ip + 4, id);
		fz_put16(ip + 6, (off / 8) | (more ? 0x2000 : 0));
		ip[8] = 64;
		ip[9] = 17;
		ip[12] = 203, ip[13] = 0, ip[14] = 113, ip[15] = 53;
		ip[16] = 198, ip[17] = 51, ip[18] = 100, ip[19] = 10;
		fz_put16(ip + 10, (uint16_t)~fz_fold(fz_sum(ip, 20)));
	} else {
		ip[0] = 0x60;
		fz_put16(ip + 4, 8 + pl);
		ip[6] = 44;
		ip[7] = 64;
		ip[8] = 0x20, ip[9] = 0x01, ip[10] = 0x0d, ip[11] = 0xb8, ip[23] = 0x53;
		ip[24] = 0x20, ip[25] = 0x01, ip[26] = 0x0d, ip[27] = 0xb8, ip[39] = 0x10;
		uint8_t *fh = ip + 40;
		fh[0] = 17;
		fz_put16(fh + 2, off | (more ? 1 : 0));
		fh[7] = id;
	}
	return l3 + hl + pl;
}

/* The two bare tables: expiries counted, whole datagrams compared. */
struct pair {
	struct dnsb_reasm ra, ref;
	uint64_t expired[2][2]; /* [table][first fragment seen] */
};

static void on_expire(void *ctx, const struct dnsb_reasm_slot *s)
{
	uint64_t *n = ctx;
	n[s->have_first ? 1 : 0]++;
}

static void pair_init(struct pair *t)
{
	static void *mem[2];
	static const struct dnsb_reasm_cfg c = { RA_SLOTS, RA_MAX, 16, 1000000000ull };
	FUZZ_CHECK(dnsb_reasm_mem(&c) == ref_reasm_mem(&c));
	for (int i = 0; i < 2; i++)
		if (!mem[i])
			FUZZ_CHECK((mem[i] = malloc(dnsb_reasm_mem(&c))) != NULL);
	memset(t->expired, 0, sizeof(t->expired));
	FUZZ_CHECK(dnsb_reasm_init(&t->ra, mem[0], &c, on_expire, t->expired[0]) == 0);
	FUZZ_CHECK(ref_reasm_init(&t->ref, mem[1], &c, on_expire, t->expired[1]) == 0);
}

static void pair_add(struct pair *t, const uint8_t *frame, uint32_t len, uint64_t now)
{
	static const uint16_t ports[] = { 53 };
	struct dnsb_pkt p;
	if (dnsb_pkt_parse(frame, len, &p) != DNSB_R_OK || !p.frag)
		return;
	uint8_t *a = NULL, *b = NULL;
	uint32_t na = 0, nb = 0;
	enum dnsb_reasm_status sa = dnsb_reasm_add(&t->ra, frame, &p, ports, 1, now, &a, &na);
	enum dnsb_reasm_status sb = ref_reasm_add(&t->ref, frame, &p, ports, 1, now, &b, &nb);
	FUZZ_CHECK(sa == sb);
	if (sa == DNSB_RA_DONE)
		FUZZ_CHECK(na == nb && memcmp(a, b, na) == 0);
	const struct dnsb_reasm_last *la = &t->ra.last, *lb = &t->ref.last;
	FUZZ_CHECK(la->id == lb->id && la->known_dns == lb->known_dns &&
		   la->from_server == lb->from_server && la->passing == lb->passing &&
		   !la->slot == !lb->slot);
	FUZZ_CHECK(t->ra.live == t->ref.live && t->ra.evicted == t->ref.evicted);
	for (uint32_t i = 0; i < RA_SLOTS; i++) /* the live map: the live slots */
		FUZZ_CHECK(((t->ra.live_map[i >> 3] >> (i & 7)) & 1) == (t->ra.slot[i].ts_ns != 0));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pair bare;
	static uint8_t mem[DNSB_T__END * SLOTS * sizeof(struct dnsb_fentry) +
			      (DNSB_FC_RING + 1) * DNSB_FC_M +
			   RA_SLOTS * (sizeof(struct dnsb_reasm_slot) + RA_MAX + 140) + RA_MAX + 1024];
	static uint8_t buf[FUZZ_CAP], out[FUZZ_CAP];
	struct dnsb_engine e;
	struct dnsb_policy pol;
	struct dnsb_result res;
	struct dnsb_engine_cfg cfg = { SLOTS, 1000000000ull, 5000000000ull, 42, 0,
				       { RA_SLOTS, RA_MAX, 16, 1000000000ull }, 0 };
	FUZZ_CHECK(dnsb_engine_mem(&cfg) <= sizeof(mem));
	uint64_t now = 1, frames = 0;

	if (size < 1)
		return 0;
	dnsb_policy_default(&pol);
	pol.edns_max = 0;
	pol.frag_to_client = data[0] & 3;
	pol.frag_to_server = (data[0] >> 2) & 3;
	if (pol.frag_to_server == DNSB_FRAG_TRUNCATE)
		pol.frag_to_server = DNSB_FRAG_REASSEMBLE;
	pol.mtu_client = mtus[(data[0] >> 4) & 3];
	pol.mtu_server = mtus[(data[0] >> 6) & 3];
	FUZZ_CHECK(dnsb_engine_init(&e, &pol, mem, &cfg) == 0);
	pair_init(&bare);
	size_t off = 1;
	while (size - off >= 5) {
		uint8_t ctl = data[off], id = data[off + 1];
		uint16_t o8 = (uint16_t)(data[off + 2] << 8 | data[off + 3]);
		uint32_t dlen = (uint32_t)data[off + 4] * 8;
		off += 5;
		size_t take = size - off < 16 ? size - off : 16;
		uint32_t n = build_frame(buf, ctl, id, o8, dlen, data + off, take);
		off += take;
		now += (uint64_t)(ctl >> 6) * 400000000ull; /* 0..1.2 s */
		enum dnsb_dir dir = (ctl & 0x10) ? DNSB_DIR_TO_CLIENT
				  : (ctl & 0x08) ? DNSB_DIR_TO_SERVER : DNSB_DIR_UNKNOWN;
		pair_add(&bare, buf, n, now);
		enum dnsb_verdict v = dnsb_engine_process(&e, buf, n, FUZZ_CAP, dir, now, &res);
		frames++;
		FUZZ_CHECK(v == res.verdict);
		if (v == DNSB_V_EMIT) {
			uint32_t k = dnsb_engine_emit_count(&e);
			FUZZ_CHECK(k >= 1);
			for (uint32_t i = 0; i < k; i++) {
				uint32_t len = dnsb_engine_emit(&e, i, out, sizeof(out));
				struct dnsb_pkt p;
				FUZZ_CHECK(len > 0);
				FUZZ_CHECK(dnsb_pkt_parse(out, len, &p) == DNSB_R_OK);
				if (k > 1) {
					FUZZ_CHECK(p.frag);
					FUZZ_CHECK(p.ip_end - p.l3_off <= 9000);
					FUZZ_CHECK(p.ip_end - p.l3_off <= pol.mtu_client ||
						   p.ip_end - p.l3_off <= pol.mtu_server);
					FUZZ_CHECK(p.frag_more == (i + 1 < k));
				}
			}
		} else {
			FUZZ_CHECK(dnsb_engine_emit_count(&e) == 0);
		}
		FUZZ_CHECK(e.ra.live <= RA_SLOTS);
		FUZZ_CHECK(e.ra.live + e.ra.n_free == RA_SLOTS); /* every buffer held or free */
	}
	uint64_t sum = 0;
	for (unsigned r = 0; r < DNSB_R__END; r++)
		sum += e.reasons[r];
	FUZZ_CHECK(sum == frames);
	dnsb_engine_tick(&e, now + 10000000000ull, 0);
	FUZZ_CHECK(e.ra.live == 0);
	dnsb_reasm_tick(&bare.ra, now + 10000000000ull, 0);
	ref_reasm_tick(&bare.ref, now + 10000000000ull, 0);
	FUZZ_CHECK(bare.ra.live == 0 && bare.ref.live == 0);
	FUZZ_CHECK(memcmp(bare.expired[0], bare.expired[1], sizeof(bare.expired[0])) == 0);
	return 0;
}
