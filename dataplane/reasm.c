/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "checksum.h"
#include "reasm.h"
#include "wire.h"

#define PROBE 8
/* 1 in the fuzz target's reference copy, which the shortcuts must always
 * agree with: every datagram in the bitmap (no run of blocks standing for
 * it), every probe window scanned (none known empty from the live map). */
#ifndef DNSB_REASM_REFERENCE
#define DNSB_REASM_REFERENCE 0
#endif
#define IP_MAX 65535u
#define UDP_HLEN 8
#define IP6_HLEN 40

static size_t map_len(uint32_t max_datagram)
{
	return (max_datagram / 8 + 1 + 7) / 8;
}

/* The memory: the slots, the free buffers' stack and the live slots' map
 * (each rounded up to a cache line; the map with an octet to spare, read
 * two octets at a time), then the buffers, each DNSB_REASM_MAX_HDR octets
 * of headers, the data and its bitmap. */
static size_t stack_len(uint32_t slots)
{
	return ((size_t)slots * sizeof(uint32_t) + 63) & ~(size_t)63;
}

static size_t live_len(uint32_t slots)
{
	return ((size_t)slots / 8 + 2 + 63) & ~(size_t)63;
}

size_t dnsb_reasm_mem(const struct dnsb_reasm_cfg *c)
{
	if (!c->slots)
		return 0;
	return (size_t)c->slots * (sizeof(struct dnsb_reasm_slot) + DNSB_REASM_MAX_HDR +
				   c->max_datagram + map_len(c->max_datagram)) +
	       stack_len(c->slots) + live_len(c->slots);
}

int dnsb_reasm_init(struct dnsb_reasm *r, void *mem, const struct dnsb_reasm_cfg *c,
		    dnsb_reasm_expire_fn expire, void *ctx)
{
	if (!c->slots || (c->slots & (c->slots - 1)) || c->max_datagram < 512 ||
	    c->max_datagram > IP_MAX || !c->max_frags)
		return -1;
	memset(mem, 0, dnsb_reasm_mem(c));
	memset(r, 0, sizeof(*r));
	r->slot = mem;
	r->free_buf = (uint32_t *)(r->slot + c->slots);
	r->live_map = (uint8_t *)r->free_buf + stack_len(c->slots);
	r->buf_area = r->live_map + live_len(c->slots);
	r->buf_stride = DNSB_REASM_MAX_HDR + c->max_datagram + map_len(c->max_datagram);
	/* Buffer 0 on top: the first datagrams use the lowest ones. */
	for (uint32_t i = 0; i < c->slots; i++)
		r->free_buf[i] = c->slots - 1 - i;
	r->n_free = c->slots;
	r->mask = c->slots - 1;
	r->max_datagram = c->max_datagram;
	r->max_frags = c->max_frags;
	r->timeout_ns = c->timeout_ns;
	r->expire = expire;
	r->ctx = ctx;
	return 0;
}

/* A free buffer's bitmap is all clear: only a mapped slot wrote to it. */
static void release(struct dnsb_reasm *r, struct dnsb_reasm_slot *s)
{
	if (s->mapped)
		memset(s->map, 0, map_len(r->max_datagram));
	s->ts_ns = 0;
	uint32_t i = (uint32_t)(s - r->slot);
	r->live_map[i >> 3] &= (uint8_t)~(1u << (i & 7));
	r->free_buf[r->n_free++] = s->buf;
	r->live--;
}

/* The slot @p s, free, takes the buffer on top of the free ones. */
static void take_buffer(struct dnsb_reasm *r, struct dnsb_reasm_slot *s)
{
	uint32_t b = r->free_buf[--r->n_free];
	uint8_t *area = r->buf_area + (size_t)b * r->buf_stride;
	s->buf = b;
	s->data = area + DNSB_REASM_MAX_HDR;
	s->map = s->data + r->max_datagram;
}

static void age_out(struct dnsb_reasm *r, struct dnsb_reasm_slot *s)
{
	if (r->expire && !s->not_dns)
		r->expire(r->ctx, s);
	release(r, s);
}

static int aged(const struct dnsb_reasm *r, const struct dnsb_reasm_slot *s, uint64_t now)
{
	return now > s->ts_ns && now - s->ts_ns > r->timeout_ns;
}

static int same(const struct dnsb_reasm_slot *s, const struct dnsb_pkt *p)
{
	return s->id == p->frag_id && s->ver == p->ip_ver && s->proto == p->proto &&
	       !memcmp(s->src, p->src, 16) && !memcmp(s->dst, p->dst, 16);
}

static uint32_t hash(const struct dnsb_pkt *p)
{
	/* Addresses as 64-bit words, multiply-xorshift mixed. */
	uint64_t h = 0x9e3779b97f4a7c15ull ^ ((uint64_t)p->frag_id << 8 | p->proto), w;
	for (int i = 0; i < 16; i += 8) {
		memcpy(&w, p->src + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
		memcpy(&w, p->dst + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	return (uint32_t)h;
}

/* No live slot among the PROBE from @p i (a window that does not wrap
 * round the table's end; one that does is scanned). */
static int window_empty(const struct dnsb_reasm *r, uint32_t i)
{
	if (DNSB_REASM_REFERENCE || i + PROBE > r->mask + 1)
		return 0;
	const uint8_t *m = r->live_map + (i >> 3);
	uint32_t w = (uint32_t)m[0] | (uint32_t)m[1] << 8;
	return ((w >> (i & 7)) & ((1u << PROBE) - 1)) == 0;
}

static struct dnsb_reasm_slot *lookup(struct dnsb_reasm *r, const struct dnsb_pkt *p, uint64_t now)
{
	uint32_t h = hash(p);
	struct dnsb_reasm_slot *free_slot = NULL;

	/* An empty window: nothing to age, nothing to match, the home slot
	 * free; what the scan below would find. */
	if (window_empty(r, h & r->mask)) {
		free_slot = &r->slot[h & r->mask];
		goto take;
	}
	for (uint32_t i = 0; i < PROBE && i <= r->mask; i++) {
		struct dnsb_reasm_slot *s = &r->slot[(h + i) & r->mask];
		if (s->ts_ns && aged(r, s, now))
			age_out(r, s);
		if (s->ts_ns && same(s, p))
			return s;
		if (!s->ts_ns && !free_slot)
			free_slot = s;
	}
	if (!free_slot) {
		/* Full: give up the oldest datagram of the window. Under a flood
		 * of never-completed datagrams the flood evicts itself, and a
		 * real train, whose fragments come close together, completes. */
		for (uint32_t i = 0; i < PROBE && i <= r->mask; i++) {
			struct dnsb_reasm_slot *s = &r->slot[(h + i) & r->mask];
			if (!free_slot || s->ts_ns < free_slot->ts_ns)
				free_slot = s;
		}
		release(r, free_slot);
		r->evicted++;
	}
take:;
	struct dnsb_reasm_slot *s = free_slot;
	take_buffer(r, s);
	memcpy(s->src, p->src, 16);
	memcpy(s->dst, p->dst, 16);
	s->id = p->frag_id;
	s->ver = p->ip_ver;
	s->proto = p->proto;
	s->have_first = s->have_last = s->not_dns = 0;
	s->from_server = s->passing = 0;
	s->mapped = DNSB_REASM_REFERENCE;
	s->run_lo = s->run_hi = 0;
	s->nfrags = 0;
	s->hdr_len = 0;
	s->total = s->have = 0;
	s->ts_ns = now ? now : 1;
	uint32_t i = (uint32_t)(s - r->slot);
	r->live_map[i >> 3] |= (uint8_t)(1u << (i & 7));
	if (++r->live > r->peak)
		r->peak = r->live;
	return s;
}

static int is_dns_port(const uint16_t *ports, unsigned n, uint16_t port)
{
	for (unsigned i = 0; i < n; i++)
		if (ports[i] == port)
			return 1;
	return 0;
}

/* Mask of bits [lo, hi) within one octet (0 <= lo < hi <= 8). */
static inline uint8_t bits(uint32_t lo, uint32_t hi)
{
	return (uint8_t)((0xffu << lo) & (0xffu >> (8 - hi)));
}

/* Blocks [b0, b1) of the bitmap (b0 < b1): 0 none set, 2 all set, 1 some.
 * The edge octets masked, the octets between whole. */
static int blocks_state(const uint8_t *map, uint32_t b0, uint32_t b1)
{
	uint32_t i0 = b0 >> 3, i1 = (b1 - 1) >> 3;
	if (i0 == i1) {
		uint8_t m = bits(b0 & 7, ((b1 - 1) & 7) + 1), v = map[i0] & m;
		return v == m ? 2 : v != 0;
	}
	uint8_t m0 = bits(b0 & 7, 8), m1 = bits(0, ((b1 - 1) & 7) + 1);
	uint8_t v0 = map[i0] & m0, v1 = map[i1] & m1, and8 = 0xff;
	uint64_t or_ = v0 | v1, and_ = ~0ull, w;
	uint32_t i = i0 + 1;
	for (; i + 8 <= i1; i += 8) { /* eight octets (512 data octets) at a time */
		memcpy(&w, map + i, 8);
		or_ |= w;
		and_ &= w;
	}
	for (; i < i1; i++) {
		or_ |= map[i];
		and8 &= map[i];
	}
	if (v0 == m0 && v1 == m1 && and_ == ~0ull && and8 == 0xff)
		return 2;
	return or_ != 0;
}

static void blocks_mark(uint8_t *map, uint32_t b0, uint32_t b1)
{
	uint32_t i0 = b0 >> 3, i1 = (b1 - 1) >> 3;
	if (i0 == i1) {
		map[i0] |= bits(b0 & 7, ((b1 - 1) & 7) + 1);
		return;
	}
	map[i0] |= bits(b0 & 7, 8);
	if (i1 > i0 + 1)
		memset(map + i0 + 1, 0xff, i1 - i0 - 1);
	map[i1] |= bits(0, ((b1 - 1) & 7) + 1);
}

/* What the slot holds of blocks [b0, b1): as blocks_state(). */
static int held_state(const struct dnsb_reasm_slot *s, uint32_t b0, uint32_t b1)
{
	if (s->mapped)
		return blocks_state(s->map, b0, b1);
	if (b1 <= s->run_lo || b0 >= s->run_hi) /* apart from the run, or it is empty */
		return 0;
	return b0 >= s->run_lo && b1 <= s->run_hi ? 2 : 1;
}

/* Blocks [b0, b1), none of them held before, now held: the run grows at
 * either end, or, across a gap, the run and they go into the bitmap. */
static void hold(struct dnsb_reasm_slot *s, uint32_t b0, uint32_t b1)
{
	if (!s->mapped) {
		if (s->run_lo == s->run_hi) {
			s->run_lo = (uint16_t)b0;
			s->run_hi = (uint16_t)b1;
			return;
		}
		if (b1 == s->run_lo) {
			s->run_lo = (uint16_t)b0;
			return;
		}
		if (b0 == s->run_hi) {
			s->run_hi = (uint16_t)b1;
			return;
		}
		s->mapped = 1;
		blocks_mark(s->map, s->run_lo, s->run_hi);
	}
	blocks_mark(s->map, b0, b1);
}

/* The whole datagram as one frame, in place: the first fragment's headers
 * (kept so that they end where the data starts) without fragmentation,
 * then the data. @return where the frame starts; its length in *@p n. */
static uint8_t *build(const struct dnsb_reasm_slot *s, uint32_t *n)
{
	uint8_t *h = s->data - s->hdr_len;
	if (s->ver == 4) {
		uint8_t *ip = h + s->l3_off;
		uint32_t ihl = (uint32_t)(ip[0] & 0x0f) * 4;
		dnsb_put16(ip + 2, (uint16_t)(ihl + s->total));
		dnsb_put16(ip + 6, 0);
		dnsb_ck_ip4_set(ip, ihl);
		*n = s->hdr_len + s->total;
		return h;
	}
	/* RFC 8200 s4.5: the unfragmentable part, moved up over the fragment
	 * header, its last next-header set to the fragment header's. */
	uint8_t nh = h[s->frag_hdr_off], *out = s->data - s->frag_hdr_off;
	memmove(out, h, s->frag_hdr_off);
	out[s->frag_nh_off] = nh;
	dnsb_put16(out + s->l3_off + 4, (uint16_t)(s->frag_hdr_off - s->l3_off - IP6_HLEN + s->total));
	*n = s->frag_hdr_off + s->total;
	return out;
}

enum dnsb_reasm_status dnsb_reasm_add(struct dnsb_reasm *r, const uint8_t *frame,
				      const struct dnsb_pkt *p, const uint16_t *ports, unsigned n_ports,
				      uint64_t now, uint8_t **out, uint32_t *out_len)
{
	struct dnsb_reasm_slot *s = lookup(r, p, now);
	struct dnsb_reasm_last *l = &r->last;
	l->slot = NULL;
	l->id = s->id;
	l->known_dns = s->have_first && !s->not_dns;
	l->from_server = s->from_server;
	l->passing = s->passing;
	if (s->not_dns)
		return DNSB_RA_NOT_DNS;

	const uint8_t *data = frame + p->frag_data_off;
	uint32_t off = p->frag_offset, len = p->ip_end - p->frag_data_off;
	enum dnsb_reasm_status st = DNSB_RA_HELD;

	/* RFC 791 / RFC 8200 s4.5: all but the last carry multiples of 8. */
	if ((p->frag_more && (len & 7)) || len == 0) {
		st = DNSB_RA_BAD;
		goto discard;
	}
	if (off + len > IP_MAX || off + len > r->max_datagram) {
		st = DNSB_RA_TOO_BIG;
		goto discard;
	}
	if (++s->nfrags > r->max_frags) {
		st = DNSB_RA_TOO_MANY;
		goto discard;
	}
	if (off == 0) {
		/* The first fragment decides: it must hold the whole UDP header
		 * (RFC 8200 s4.5 wants the upper-layer header in it), and the
		 * datagram must be DNS. */
		if (p->proto != DNSB_IPPROTO_UDP || !p->has_l4) {
			if (p->proto == DNSB_IPPROTO_UDP) {
				st = DNSB_RA_TINY_FIRST;
				goto discard;
			}
			s->not_dns = 1;
			return DNSB_RA_NOT_DNS;
		}
		if (len < UDP_HLEN) {
			st = DNSB_RA_TINY_FIRST;
			goto discard;
		}
		if (!is_dns_port(ports, n_ports, p->sport) && !is_dns_port(ports, n_ports, p->dport)) {
			s->not_dns = 1;
			return DNSB_RA_NOT_DNS;
		}
		if (p->frag_data_off > DNSB_REASM_MAX_HDR) {
			st = DNSB_RA_BAD;
			goto discard;
		}
		s->from_server = (uint8_t)is_dns_port(ports, n_ports, p->sport);
		l->known_dns = 1;
		l->from_server = s->from_server;
		memcpy(s->data - p->frag_data_off, frame, p->frag_data_off);
		s->hdr_len = (uint16_t)p->frag_data_off;
		s->l3_off = (uint16_t)p->l3_off;
		s->frag_hdr_off = (uint16_t)p->frag_off_hdr;
		s->frag_nh_off = (uint16_t)p->frag_nh_off;
	}
	if (!p->frag_more) {
		if (s->have_last && s->total != off + len) {
			st = DNSB_RA_OVERLAP;
			goto discard;
		}
		if (s->have > off + len) {
			st = DNSB_RA_BAD;
			goto discard;
		}
	} else if (s->have_last && off + len > s->total) {
		st = DNSB_RA_BAD;
		goto discard;
	}

	uint32_t b0 = off / 8, b1 = (off + len + 7) / 8;
	int set = held_state(s, b0, b1);
	if (set == 2 && !memcmp(s->data + off, data, len)) {
		s->nfrags--;
		return DNSB_RA_DUP;
	}
	if (set) {
		st = DNSB_RA_OVERLAP;
		goto discard;
	}
	memcpy(s->data + off, data, len);
	hold(s, b0, b1);
	s->have += len;
	if (off == 0)
		s->have_first = 1;
	if (!p->frag_more) {
		s->have_last = 1;
		s->total = off + len;
	}
	if (s->have_first && s->have_last && s->have == s->total) {
		*out = build(s, out_len);
		release(r, s);
		return DNSB_RA_DONE;
	}
	l->slot = s;
	return DNSB_RA_HELD;
discard:
	release(r, s);
	return st;
}

void dnsb_reasm_tick(struct dnsb_reasm *r, uint64_t now, uint32_t budget)
{
	uint32_t n = budget && budget <= r->mask ? budget : r->mask + 1;
	for (uint32_t i = 0; i < n; i++) {
		struct dnsb_reasm_slot *s = &r->slot[r->cursor];
		r->cursor = (r->cursor + 1) & r->mask;
		if (s->ts_ns && aged(r, s, now))
			age_out(r, s);
	}
}

void dnsb_reasm_tick_paced(struct dnsb_reasm *r, uint64_t now, uint64_t period_ns)
{
	uint64_t due = dnsb_pace_due(&r->pace, now, (uint64_t)r->mask + 1, period_ns);
	if (due)
		dnsb_reasm_tick(r, now, (uint32_t)due);
}
