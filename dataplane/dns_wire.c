/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "dns_wire.h"
#include "wire.h"

/*
 * Pointer targets already validated in this message, with the length of
 * the name found there. Answers repeat the same few owners (mostly the
 * question name), so a handful of slots spares re-walking them.
 */
#define NAME_CACHE_SLOTS 4

struct name_cache {
	uint16_t target[NAME_CACHE_SLOTS];
	uint16_t wire_len[NAME_CACHE_SLOTS];
	uint8_t used;
	uint8_t next;
	uint32_t far;  /**< furthest octet read through a compression pointer */
};

static uint32_t cache_get(const struct name_cache *nc, uint32_t target)
{
	for (unsigned i = 0; i < nc->used; i++)
		if (nc->target[i] == target)
			return nc->wire_len[i];
	return 0;
}

/* An owner that is one pointer to a name already walked: most owners of a
 * section point where the one before did (*@p last), so that is tried first. */
static inline int owner_known(const struct name_cache *nc, uint32_t target, uint32_t *last)
{
	if (target == *last)
		return 1;
	if (!cache_get(nc, target))
		return 0;
	*last = target;
	return 1;
}

static void cache_put(struct name_cache *nc, uint32_t target, uint32_t wire_len)
{
	nc->target[nc->next] = (uint16_t)target;
	nc->wire_len[nc->next] = (uint16_t)wire_len;
	nc->next = (uint8_t)((nc->next + 1) % NAME_CACHE_SLOTS);
	if (nc->used < NAME_CACHE_SLOTS)
		nc->used++;
}

/*
 * RFC 1035 s3.1 / s4.1.4: labels of at most 63 octets, names of at most
 * 255, pointers only to earlier octets past the header (so every hop moves
 * backwards and the walk ends), label types 01/10 rejected (RFC 6891 s5).
 * "lab" counts length octets and label octets; the root adds one.
 */
static enum dnsb_reason walk_name(const uint8_t *m, uint32_t len, uint32_t *pos,
				  uint32_t *wire_len, struct name_cache *nc)
{
	uint32_t p = *pos, lab = 0, hops = 0;
	uint32_t first_target = 0, lab_at_jump = 0;

	for (;;) {
		if (p >= len)
			return DNSB_R_BAD_DNS_TRUNCATED;
		uint8_t b = m[p];
		if (b == 0) {
			if (hops == 0) {
				*pos = p + 1;
			} else if (nc) {
				if (p > nc->far)
					nc->far = p;
				cache_put(nc, first_target, lab - lab_at_jump + 1);
			}
			break;
		}
		if ((b & 0xc0) == 0xc0) {
			if (len - p < 2)
				return DNSB_R_BAD_DNS_TRUNCATED;
			uint32_t t = (uint32_t)(b & 0x3f) << 8 | m[p + 1];
			if (t >= p || t < DNSB_DNS_HLEN)
				return DNSB_R_BAD_DNS_POINTER;
			if (hops == 0) {
				*pos = p + 2;
				first_target = t;
				lab_at_jump = lab;
				uint32_t known = nc ? cache_get(nc, t) : 0;
				if (known) {
					lab += known - 1;
					if (lab + 1 > DNSB_DNS_MAX_NAME)
						return DNSB_R_BAD_DNS_NAME_LONG;
					break;
				}
			}
			if (++hops > DNSB_DNS_MAX_HOPS)
				return DNSB_R_BAD_DNS_POINTER_LOOP;
			p = t;
			continue;
		}
		if (b & 0xc0)
			return DNSB_R_BAD_DNS_LABEL;
		if (hops && nc && p + b > nc->far)
			nc->far = p + b;
		lab += (uint32_t)b + 1;
		if (lab + 1 > DNSB_DNS_MAX_NAME)
			return DNSB_R_BAD_DNS_NAME_LONG;
		p += (uint32_t)b + 1;
	}
	if (wire_len)
		*wire_len = lab + 1;
	return DNSB_R_OK;
}

enum dnsb_reason dnsb_dns_name(const uint8_t *msg, uint32_t len, uint32_t *pos,
			       uint32_t *wire_len)
{
	return walk_name(msg, len, pos, wire_len, NULL);
}

/* RFC 6891 s6.1.2: OPT's RDATA [@p q, @p end) is a list of {code,
 * length, data} that fills it exactly. @return the options, or -1. */
static inline int opt_options(const uint8_t *q, const uint8_t *end)
{
	int n = 0;
	while (q < end) {
		if (end - q < 4 || (uint32_t)(end - q - 4) < dnsb_get16(q + 2))
			return -1;
		q += 4 + dnsb_get16(q + 2);
		n++;
	}
	return n;
}

/* The OPT record whose root owner is at @p start into @p d: CLASS is the
 * UDP payload size, TTL holds extended RCODE, version and flags. */
static inline void opt_fill(struct dnsb_dns *d, const uint8_t *m, uint32_t start, uint16_t rdlen,
		     int n_options)
{
	const uint8_t *o = m + start + 1;
	d->has_opt = 1;
	d->opt_off = (uint16_t)start;
	d->opt_udp_size = dnsb_get16(o + 2);
	d->opt_ext_rcode = o[4];
	d->opt_version = o[5];
	d->opt_flags = dnsb_get16(o + 6);
	d->opt_rdlen = rdlen;
	d->opt_n_options = (uint8_t)(n_options > 255 ? 255 : n_options);
}

/* RFC 6891 s6.1.1: one OPT at most, in the additional section, owner root. */
static enum dnsb_reason parse_opt(const uint8_t *m, uint32_t start, uint32_t fixed,
				  uint16_t rdlen, int in_additional, struct dnsb_dns *d)
{
	if (!in_additional)
		return DNSB_R_BAD_DNS_OPT_SECTION;
	if (d->has_opt)
		return DNSB_R_BAD_DNS_OPT_MULTIPLE;
	if (fixed != start + 1)
		return DNSB_R_BAD_DNS_OPT_OWNER;
	int n = opt_options(m + fixed + 10, m + fixed + 10 + rdlen);
	if (n < 0)
		return DNSB_R_BAD_DNS_OPT_OPTIONS;
	opt_fill(d, m, start, rdlen, n);
	return DNSB_R_OK;
}

/* Header and counts: RFC 1035 s4.1.1. */
static inline __attribute__((always_inline)) enum dnsb_reason
parse_header(const uint8_t *m, uint32_t len, struct dnsb_dns *d)
{
	memset(d, 0, sizeof(*d));
	if (len < DNSB_DNS_HLEN)
		return DNSB_R_BAD_DNS_HEADER;
	if (len > 0xffff)
		return DNSB_R_BAD_DNS_COUNTS;

	d->id = dnsb_get16(m);
	d->flags = dnsb_get16(m + 2);
	d->qdcount = dnsb_get16(m + 4);
	d->ancount = dnsb_get16(m + 6);
	d->nscount = dnsb_get16(m + 8);
	d->arcount = dnsb_get16(m + 10);

	uint32_t rr = (uint32_t)d->ancount + d->nscount + d->arcount;
	/* Each question needs 5 octets and each record 11 at the least. */
	if ((uint64_t)d->qdcount * DNSB_DNS_MIN_QUESTION + (uint64_t)rr * DNSB_DNS_MIN_RR >
	    len - DNSB_DNS_HLEN)
		return DNSB_R_BAD_DNS_COUNTS;
	return DNSB_R_OK;
}

/*
 * A name of plain labels at @p pos, walked without the general machinery:
 * what the first question's name always is when valid (a pointer there has
 * nothing before it to point to).
 * @return the position after its root octet, with *@p wire_len set, or 0
 *   when it is anything else (a defect included), for walk_name() to judge.
 */
static inline uint32_t plain_name(const uint8_t *m, uint32_t len, uint32_t pos,
				  uint32_t *wire_len)
{
	uint32_t start = pos;
	for (;;) {
		if (pos >= len)
			return 0;
		uint32_t b = m[pos];
		if (b == 0)
			break;
		if (b > DNSB_DNS_MAX_LABEL)
			return 0;
		pos += b + 1;
	}
	*wire_len = pos - start + 1;
	return *wire_len > DNSB_DNS_MAX_NAME ? 0 : pos + 1;
}

/*
 * The common query (one question, no answer or authority records, at most
 * one additional that is an OPT with a root owner), header and all, walked
 * without the general machinery: the question's name is plain labels (a
 * first question cannot hold a valid pointer: there is nothing before it
 * to point to). Writes every field of @p d, exactly what parse_header() and
 * walk_sections() would, only when it recognises the whole message;
 * anything else (a defect included) is left to them, which then say what
 * it is (their count check holds for such a message: the question and the
 * OPT are in it).
 * @return 1 when @p d was filled.
 */
static inline int parse_query_fast(const uint8_t *m, uint32_t len, struct dnsb_dns *d)
{
	if (len < DNSB_DNS_HLEN || (m[2] & 0x80) || len > 0xffff) /* QR: an answer */
		return 0;
	uint32_t an_ns; /* ANCOUNT and NSCOUNT as they are: both zero */
	memcpy(&an_ns, m + 6, 4);
	if (dnsb_get16(m + 4) != 1 || an_ns)
		return 0;
	uint32_t ar = dnsb_get16(m + 10);
	if (ar > 1)
		return 0;
	uint32_t wire_len, pos = plain_name(m, len, DNSB_DNS_HLEN, &wire_len);
	if (!pos || len - pos < 4)
		return 0;
	uint32_t qend = pos + 4, end = qend, opt_rdlen = 0;
	int n_opts = 0;
	if (ar) {
		/* RFC 6891 s6.1.2: root owner, TYPE 41, and options filling RDLENGTH. */
		if (len - qend < DNSB_OPT_FIXED_LEN || m[qend] != 0 ||
		    dnsb_get16(m + qend + 1) != DNSB_TYPE_OPT)
			return 0;
		opt_rdlen = dnsb_get16(m + qend + 9);
		end = qend + DNSB_OPT_FIXED_LEN + opt_rdlen;
		if (end > len || (n_opts = opt_options(m + qend + DNSB_OPT_FIXED_LEN, m + end)) < 0)
			return 0;
	}
	d->id = dnsb_get16(m);
	d->flags = dnsb_get16(m + 2);
	d->qdcount = 1;
	d->ancount = d->nscount = 0;
	d->arcount = (uint16_t)ar;
	d->qtype = dnsb_get16(m + pos);
	d->qclass = dnsb_get16(m + pos + 2);
	d->qname_off = DNSB_DNS_HLEN;
	d->qname_len = (uint16_t)wire_len;
	d->question_end = (uint16_t)qend;
	d->msg_end = (uint16_t)end;
	d->rrsig_answer = 0;
	d->rr_total = (uint16_t)ar;
	if (ar) {
		opt_fill(d, m, qend, (uint16_t)opt_rdlen, n_opts);
	} else {
		d->has_opt = d->opt_ext_rcode = d->opt_version = d->opt_n_options = 0;
		d->opt_off = d->opt_udp_size = d->opt_flags = d->opt_rdlen = 0;
	}
	return 1;
}

static enum dnsb_reason walk_sections(const uint8_t *m, uint32_t len, struct dnsb_dns *d);

enum dnsb_reason dnsb_dns_parse_walk(const uint8_t *m, uint32_t len, struct dnsb_dns *d)
{
	enum dnsb_reason r = parse_header(m, len, d);
	return r != DNSB_R_OK ? r : walk_sections(m, len, d);
}

enum dnsb_reason dnsb_dns_parse(const uint8_t *m, uint32_t len, struct dnsb_dns *d)
{
	if (parse_query_fast(m, len, d))
		return DNSB_R_OK;
	return dnsb_dns_parse_walk(m, len, d);
}

typedef uint8_t dnsb_v16 __attribute__((vector_size(16)));

/* Whether the octets of @p x under @p keep are all zero: one PTEST where
 * the build has SSE4.1 (the baseline of the DPDK build the daemon links),
 * else the two halves or-ed (also built so, with DNSB_DNS_PORTABLE, for
 * the tests to hold the two to the same walk). */
static inline int group_same(dnsb_v16 x, dnsb_v16 keep)
{
#if defined(__SSE4_1__) && !defined(DNSB_DNS_PORTABLE)
	typedef long long v2di __attribute__((vector_size(16)));
	return __builtin_ia32_ptestz128((v2di)x, (v2di)keep);
#else
	uint64_t w[2];
	x &= keep;
	memcpy(w, &x, 16);
	return (w[0] | w[1]) == 0;
#endif
}

/*
 * Records owned by one pointer to @p target (a name already walked), of
 * any type but OPT: the body of most answers (RRsets of the question's
 * name, their RRSIGs). Each is stepped over with the checks the general
 * walk makes of such a record; RRSIGs among the first @p ancount records
 * are counted into *@p rrsig. Stops before the first record that is
 * anything else (another owner, OPT, one that does not fit), which the
 * general walk then judges, or at record @p n.
 * @return the position after the records; *@p i counts them.
 */
static inline uint32_t owned_records(const uint8_t *m, uint32_t len, uint32_t pos,
				     uint32_t target, uint32_t *i, uint32_t n, uint32_t ancount,
				     uint32_t *rrsig)
{
	const uint16_t ptr = dnsb_wire16((uint16_t)(0xc000 | target));
	const uint16_t opt = dnsb_wire16(DNSB_TYPE_OPT), sig = dnsb_wire16(DNSB_TYPE_RRSIG);
	const dnsb_v16 keep = { 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0 };
	uint32_t k = *i;
#ifdef DNSB_DNS_WALK_REFERENCE
	/* Built so for the fuzz target's reference: every record walked by
	 * the general loop, which this must always agree with. */
	return pos;
#endif
	const uint8_t *p = m + pos, *const end = m + len;
	while (k < n && end - p >= 12) {
		uint16_t owner, type;
		memcpy(&owner, p, 2);
		memcpy(&type, p + 2, 2);
		if (owner != ptr || type == opt)
			break;
		uint32_t step = 12 + dnsb_get16(p + 10);
		if ((uint64_t)(end - p) < step)
			break;
		if (type == sig) {
			*rrsig += k < ancount;
		} else if (n - k > 4) {
			/* An RRset of records of one length (A, AAAA): the
			 * next four compared as one vector each with this
			 * one's owner, type and length (class and TTL do not
			 * change the walk), while four records are left after
			 * this one and the four end at least 12 octets before
			 * the end (so every load is in the message: step is
			 * at least 12). lim: the octets the groups may cover,
			 * by room and by count. */
			int64_t room = (int64_t)(end - p) - 12 - step;
			int64_t lim = (int64_t)(n - k - 1) * step;
			const size_t s1 = step, s2 = 2 * (size_t)step, s3 = 3 * (size_t)step;
			const int64_t quad = 4 * (int64_t)step;
			if (room < lim)
				lim = room;
			if (lim >= quad) {
				const uint8_t *q = p + step, *const last = q + (lim - quad);
				dnsb_v16 f, a, b, c, d;
				memcpy(&f, p, 16);
				do {
					memcpy(&a, q, 16);
					memcpy(&b, q + s1, 16);
					memcpy(&c, q + s2, 16);
					memcpy(&d, q + s3, 16);
					if (!group_same((a ^ f) | (b ^ f) | (c ^ f) | (d ^ f), keep)) {
						/* Those before the first that
						 * differs are like this one. */
						int like = group_same(a ^ f, keep);
						like += like && group_same(b ^ f, keep);
						like += like == 2 && group_same(c ^ f, keep);
						q += (size_t)like * step;
						k += (uint32_t)like;
						break;
					}
					q += quad;
					k += 4;
				} while (q <= last);
				p = q - step;
			}
		}
		p += step;
		k++;
	}
	*i = k;
	return (uint32_t)(p - m);
}

/* A record owner that is not one known pointer, walked in full.
 * @return the position after it, or 0 with the reason in *@p err. */
static __attribute__((noinline)) uint32_t walk_owner(const uint8_t *m, uint32_t len, uint32_t pos,
						     struct name_cache *nc, enum dnsb_reason *err)
{
	*err = walk_name(m, len, &pos, NULL, nc);
	return *err == DNSB_R_OK ? pos : 0;
}

/* Every question and every record of every section, in order. */
static enum dnsb_reason walk_sections(const uint8_t *m, uint32_t len, struct dnsb_dns *d)
{
	uint32_t rr = (uint32_t)d->ancount + d->nscount + d->arcount;
	uint32_t pos = DNSB_DNS_HLEN;
	enum dnsb_reason r;
	struct name_cache qc = { .used = 0, .far = 0 };
	for (uint32_t i = 0; i < d->qdcount; i++) {
		uint32_t start = pos, wl, next = i == 0 ? plain_name(m, len, pos, &wl) : 0;
		if (next) {
			pos = next;
		} else {
			r = walk_name(m, len, &pos, &wl, &qc);
			if (r != DNSB_R_OK)
				return r;
		}
		if (len - pos < 4)
			return DNSB_R_BAD_DNS_TRUNCATED;
		if (i == 0) {
			d->qname_off = (uint16_t)start;
			d->qname_len = (uint16_t)wl;
			d->qtype = dnsb_get16(m + pos);
			d->qclass = dnsb_get16(m + pos + 2);
		}
		pos += 4;
	}
	d->question_end = (uint16_t)pos;
	/* A question name read through a pointer stays within the questions
	 * (only a pointer into the name itself, its labels then running on
	 * past it, gets out): a TC answer keeps the questions alone. */
	if (qc.far >= pos)
		return DNSB_R_BAD_DNS_POINTER;

	struct name_cache nc = { .used = 0, .far = 0 };
	uint32_t an_ns = (uint32_t)d->ancount + d->nscount, last = 0, rrsig = 0;
	/* The first question's name, walked above, is what most owners point
	 * to: known already (its octets are all before the records). */
	if (d->qdcount) {
		cache_put(&nc, d->qname_off, d->qname_len);
		last = d->qname_off;
	}
	for (uint32_t i = 0; i < rr; i++) {
		if (last) {
			pos = owned_records(m, len, pos, last, &i, rr, d->ancount, &rrsig);
			if (i == rr)
				break;
		}
		uint32_t start = pos;
		if (__builtin_expect(len - pos >= 2 + 10 && (m[pos] & 0xc0) == 0xc0 &&
				     owner_known(&nc, dnsb_get16(m + pos) & 0x3fff, &last), 1)) {
			/* The usual owner: one pointer to a name already walked
			 * (cached targets are earlier and past the header), and
			 * the fixed fields there. */
			pos += 2;
		} else {
			if (pos < len && m[pos] == 0) /* root: OPT's owner */
				pos++;
			else if (!(pos = walk_owner(m, len, pos, &nc, &r)))
				return r;
			if (len - pos < 10)
				return DNSB_R_BAD_DNS_TRUNCATED;
		}
		uint16_t type = dnsb_get16(m + pos);
		uint16_t rdlen = dnsb_get16(m + pos + 8);
		if (len - pos - 10 < rdlen)
			return DNSB_R_BAD_DNS_TRUNCATED;
		/* The two types the walk looks into: OPT, and RRSIG in the
		 * answer section. */
		if (type == DNSB_TYPE_OPT) {
			r = parse_opt(m, start, pos, rdlen, i >= an_ns, d);
			if (r != DNSB_R_OK)
				return r;
		} else if (type == DNSB_TYPE_RRSIG) {
			rrsig += i < d->ancount;
		}
		pos += 10 + (uint32_t)rdlen;
	}
	d->rrsig_answer = (uint16_t)(d->rrsig_answer + rrsig);
	d->rr_total = (uint16_t)rr;
	d->msg_end = (uint16_t)pos;
	/* No encoder compresses a name into the OPT record or past it; a name
	 * that read OPT's octets would change when the bump rewrites them. */
	if (d->has_opt && (nc.far >= d->opt_off || qc.far >= d->opt_off))
		return DNSB_R_BAD_DNS_POINTER;
	return DNSB_R_OK;
}
