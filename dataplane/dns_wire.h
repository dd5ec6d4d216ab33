/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file dns_wire.h
 * DNS message walk (RFC 1035 s4.1): header, questions, every resource
 * record of every section, and the EDNS(0) OPT record (RFC 6891 s6).
 * Record data is skipped, not interpreted, except OPT's option list.
 */
#ifndef DNSBUMP_DNS_WIRE_H
#define DNSBUMP_DNS_WIRE_H

#include <stdint.h>
#include "reasons.h"

#define DNSB_DNS_HLEN 12
#define DNSB_DNS_MAX_NAME 255
#define DNSB_DNS_MAX_LABEL 63
/** Compression pointers followed in one name before it is a loop. */
#define DNSB_DNS_MAX_HOPS 32
/** Smallest question: root name, type, class. */
#define DNSB_DNS_MIN_QUESTION 5
/** Smallest record: root owner, type, class, TTL, RDLENGTH. */
#define DNSB_DNS_MIN_RR 11
/** Fixed part of an OPT record with a root owner, up to RDATA. */
#define DNSB_OPT_FIXED_LEN 11

#define DNSB_TYPE_OPT 41
#define DNSB_TYPE_RRSIG 46

/* Header flag bits (RFC 1035 s4.1.1, RFC 4035 s3.2). */
#define DNSB_F_QR 0x8000
#define DNSB_F_AA 0x0400
#define DNSB_F_TC 0x0200
#define DNSB_F_RD 0x0100
#define DNSB_F_RA 0x0080
#define DNSB_F_AD 0x0020
#define DNSB_F_CD 0x0010
#define DNSB_EDNS_DO 0x8000

/** Parsed view of one DNS message. Offsets are from the message start. */
struct dnsb_dns {
	uint16_t id;
	uint16_t flags;
	uint16_t qdcount, ancount, nscount, arcount;
	uint16_t qtype, qclass;     /**< first question (when qdcount > 0) */
	uint16_t qname_off;         /**< first question's name */
	uint16_t qname_len;         /**< its length in uncompressed wire form */
	uint16_t question_end;      /**< end of the question section */
	uint16_t msg_end;           /**< end of the last record; bytes after are trailing */
	uint16_t rrsig_answer;      /**< RRSIG records in the answer section */
	uint16_t rr_total;          /**< records walked in all sections */
	uint8_t has_opt;
	uint8_t opt_ext_rcode;      /**< upper 8 bits of the extended RCODE */
	uint8_t opt_version;
	uint8_t opt_n_options;
	uint16_t opt_off;           /**< OPT record (its root owner byte) */
	uint16_t opt_udp_size;      /**< requestor's UDP payload size, as sent */
	uint16_t opt_flags;         /**< DO and Z bits */
	uint16_t opt_rdlen;
};

static inline int dnsb_dns_is_response(const struct dnsb_dns *d)
{
	return (d->flags & DNSB_F_QR) != 0;
}

static inline int dnsb_dns_do(const struct dnsb_dns *d)
{
	return d->has_opt && (d->opt_flags & DNSB_EDNS_DO);
}

/**
 * Walk the DNS message @p msg of @p len bytes (a UDP payload, or a TCP
 * message without its length prefix) and fill @p d.
 * @return DNSB_R_OK, or the DNSB_R_BAD_DNS_* reason of the first defect.
 *   @p msg is owned by the caller and not modified. Messages over 65535
 *   bytes are reported as DNSB_R_BAD_DNS_COUNTS.
 */
enum dnsb_reason dnsb_dns_parse(const uint8_t *msg, uint32_t len, struct dnsb_dns *d);

/**
 * dnsb_dns_parse() without its fast path for the common query shape: the
 * general walk alone, for tests that hold the two to the same result.
 */
enum dnsb_reason dnsb_dns_parse_walk(const uint8_t *msg, uint32_t len, struct dnsb_dns *d);

/**
 * Validate the name at @p *pos of @p msg and move @p *pos past its wire
 * form. @p wire_len (may be NULL) receives the uncompressed length.
 * @return DNSB_R_OK or the reason the name is malformed.
 */
enum dnsb_reason dnsb_dns_name(const uint8_t *msg, uint32_t len, uint32_t *pos,
			       uint32_t *wire_len);

#endif
