/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file msgbuild.h
 * Hand-built DNS messages for malformation tests, and a plain IPv4/UDP
 * wrapper to put them in a frame.
 */
#ifndef DNSBUMP_MSGBUILD_H
#define DNSBUMP_MSGBUILD_H

#include <stdint.h>

#include "testlib.h"

struct msg {
	uint32_t len;
	uint8_t b[4096];
};

void mb_put(struct msg *m, const void *p, uint32_t n);
void mb_put8(struct msg *m, uint8_t v);
void mb_put16(struct msg *m, uint16_t v);
/** Start a message: ID 0xbeef, @p flags, the four counts. */
void mb_header(struct msg *m, uint16_t flags, uint16_t qd, uint16_t an, uint16_t ns, uint16_t ar);
/** www.example.com IN A (21 octets). */
void mb_question(struct msg *m);
/** TYPE, CLASS, TTL, RDLENGTH after an owner name. */
void mb_rr_tail(struct msg *m, uint16_t type, uint16_t cls, uint32_t ttl, uint16_t rdlen);
/** OPT with root owner, no options. */
void mb_opt(struct msg *m, uint16_t size, uint16_t flags);
/** A record owned by a pointer to the question name. */
void mb_a_rr(struct msg *m);
/** A question whose name is three labels of @p label octets and one of
 * @p last (name length 3 * (label + 1) + last + 2), type A, class IN. */
void mb_sized_question(struct msg *m, uint8_t label, uint8_t last);
/** A question name of 4 labels of 63 octets: 256 octets, one too many. */
void mb_long_question(struct msg *m);
/** @p n chained pointers in a TXT RDATA and an owner pointing at the last. */
void mb_pointer_chain(struct msg *m, unsigned n);

/**
 * Wrap @p m in Ethernet/IPv4/UDP (client 40000 -> server 53, or the reverse
 * when @p response), valid IP and UDP checksums.
 */
void mb_frame4(const struct msg *m, int response, struct fx *out);

#endif
