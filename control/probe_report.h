/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file probe_report.h
 * What dnsbump-probe measured, the verdict per checkpoint of the brief
 * that follows from it, the suggested EDNS size and whether the path is
 * DNSSEC-safe; as text or JSON. Pure: no network here, so the judging is
 * unit-tested on made-up measurements.
 */
#ifndef DNSBUMP_PROBE_REPORT_H
#define DNSBUMP_PROBE_REPORT_H

#include <stdio.h>

#include "probe_ladder.h"

enum probe_verdict { PV_PASS = 0, PV_WARN, PV_FAIL, PV_SKIP };

/** TCP/53: answered, reset, no SYN-ACK, connected but no answer, broken answer, not run. */
enum probe_tcp { PT_OK = 0, PT_REFUSED, PT_TIMEOUT, PT_STALLED, PT_BAD, PT_NOT_RUN };

/** Three-state answers: -1 unknown (no answer), 0 no, 1 yes. */
struct probe_family {
	int tested;            /**< an address of this family was given */
	char server[64];
	int reachable;         /**< the SOA query was answered over UDP */
	int edns_opt;          /**< the EDNS SOA answer carried an OPT */
	int signed_zone;       /**< the zone has DNSKEYs (-1: could not tell) */
	int do_answered;       /**< the DO=1 SOA query was answered */
	int do_bit;            /**< ... with DO set in the answer's OPT */
	int do_rrsig;          /**< ... with an RRSIG in the answer section */
	int ladder;            /**< the ladder names answer (0: no ladder in the zone) */
	struct probe_search do0, do1;
	unsigned big;          /**< rung used for the TC, toobig and TCP checks */
	enum probe_outcome tc512;  /**< big asked advertising 512 */
	unsigned tc512_got;
	enum probe_outcome toobig; /**< big asked advertising 1232 */
	unsigned toobig_got;
	enum probe_tcp tcp;
	unsigned tcp_got;
	int addr_mismatch;     /**< an answer came from another address */
	char addr_seen[64];
};

struct probe_result {
	char zone[256];
	struct probe_ladder ladder;
	int ladder_announced;  /**< read from _ladder.ZONE (else the default) */
	struct probe_family fam[2]; /**< IPv4, IPv6 */
};

#define PROBE_CHECKPOINTS 8

struct probe_checkpoint {
	int id;
	const char *name;
	enum probe_verdict verdict;
	char detail[320];
};

struct probe_judgement {
	struct probe_checkpoint cp[PROBE_CHECKPOINTS];
	unsigned suggested_edns;
	unsigned limit_do0, limit_do1; /**< largest answers that arrived (octets received) */
	int safe;
};

const char *probe_verdict_name(enum probe_verdict v);

/** Verdicts from measurements. */
void probe_judge(const struct probe_result *r, struct probe_judgement *j);

/** Exit status: 0 safe, 1 not safe, 3 the server answered nothing. */
int probe_exit_status(const struct probe_result *r, const struct probe_judgement *j);

void probe_print_text(FILE *out, const struct probe_result *r, const struct probe_judgement *j);
void probe_print_json(FILE *out, const struct probe_result *r, const struct probe_judgement *j);

#endif
