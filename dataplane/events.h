/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file events.h
 * Event counters of the engine: things seen or done, zero or more per
 * frame (the one per-frame outcome is the reason, reasons.h). Same shape
 * as the reason list: enum, names and help text from one list.
 */
#ifndef DNSBUMP_EVENTS_H
#define DNSBUMP_EVENTS_H

#define DNSB_EVENT_LIST(X)                                                   \
	X(QUERIES, "queries", "DNS queries over UDP heading to servers")     \
	X(FRAG_V4, "frag_v4", "IPv4 fragments seen")                         \
	X(FRAG_V6, "frag_v6", "IPv6 fragments seen")                         \
	X(FRAG_REASSEMBLED, "frag_reassembled",                              \
	  "fragmented DNS datagrams reassembled and inspected")             \
	X(FRAG_INCOMPLETE_FIRST_MISSING, "frag_incomplete_first_missing",    \
	  "fragmented datagrams given up at timeout with the first "        \
	  "fragment missing")                                                \
	X(FRAG_INCOMPLETE_LATER_MISSING, "frag_incomplete_later_missing",    \
	  "fragmented DNS datagrams given up at timeout with the first "    \
	  "fragment there and a later one missing")                          \
	X(FRAG_DUPLICATE, "frag_duplicate", "exact duplicate fragments ignored") \
	X(FRAG_OVERLAP, "frag_overlap",                                      \
	  "fragments overlapping others: datagram discarded (RFC 5722)")     \
	X(FRAG_TINY_FIRST, "frag_tiny_first",                                \
	  "first fragments too short for the UDP header: datagram discarded") \
	X(FRAG_TOO_BIG, "frag_too_big",                                      \
	  "fragments past 65535 octets or the configured maximum: datagram " \
	  "discarded")                                                       \
	X(FRAG_TOO_MANY, "frag_too_many",                                    \
	  "datagrams with more fragments than the limit: discarded")         \
	X(FRAG_BAD, "frag_bad",                                              \
	  "fragments with inconsistent lengths: datagram discarded")         \
	X(FRAG_EVICTED, "frag_evicted",                                      \
	  "datagrams in reassembly given up to make room (table full)")      \
	X(FRAG_PASS_EARLY, "frag_pass_early",                                \
	  "fragments arriving before their first fragment under a holding "  \
	  "policy: forwarded as they are, with the rest of their datagram")  \
	X(FRAG_SENT_WHOLE, "frag_sent_whole",                                \
	  "reassembled DNS datagrams forwarded whole (they fit the egress MTU)") \
	X(FRAG_REFRAGMENTED, "frag_refragmented",                            \
	  "DNS datagrams (reassembled, or arriving whole) larger than the "  \
	  "egress MTU, sent as fragments of it")                             \
	X(FRAG_SENT_FRAGMENTS, "frag_sent_fragments",                        \
	  "fragments the bump made when re-fragmenting")                     \
	X(FRAG_TC_SENT, "frag_tc_sent",                                      \
	  "TC=1 answers sent in place of answers over the client-side MTU "  \
	  "(policy truncate)")                                               \
	X(DO_QUERIES, "do_queries", "DNS queries over UDP with the DO bit")  \
	X(RESPONSES, "responses", "DNS responses over UDP heading to clients") \
	X(DO_RESPONSES, "do_responses",                                      \
	  "DNS responses over UDP whose OPT has the DO bit")                 \
	X(RESPONSES_UNMATCHED, "responses_unmatched",                        \
	  "responses with no tracked query (query before start, asymmetric " \
	  "path, timed out, or spoofed)")                                    \
	X(FLOW_TABLE_FULL, "flow_table_full",                                \
	  "queries, questions or handshakes not tracked because their slots "\
	  "were all live (forwarded all the same)")                          \
	X(UNANSWERED_DO, "unanswered_do",                                    \
	  "queries with DO that got no answer through the bump in time "     \
	  "(upstream loss)")                                                 \
	X(UNANSWERED_NODO, "unanswered_nodo",                                \
	  "queries without DO that got no answer in time (upstream loss)")   \
	X(UNANSWERED_SIZE_LE512, "unanswered_size_le512",                    \
	  "unanswered queries advertising at most 512 (or no EDNS)")         \
	X(UNANSWERED_SIZE_LE1232, "unanswered_size_le1232",                  \
	  "unanswered queries advertising 513..1232")                        \
	X(UNANSWERED_SIZE_LE1400, "unanswered_size_le1400",                  \
	  "unanswered queries advertising 1233..1400")                       \
	X(UNANSWERED_SIZE_LE1500, "unanswered_size_le1500",                  \
	  "unanswered queries advertising 1401..1500")                       \
	X(UNANSWERED_SIZE_GT1500, "unanswered_size_gt1500",                  \
	  "unanswered queries advertising more than 1500")                   \
	X(RESPONSE_TOOBIG, "response_toobig",                                \
	  "UDP answers larger than the size their client advertised "        \
	  "(RFC 8906 'toobig')")                                             \
	X(RESPONSE_NO_OPT, "response_no_opt",                                \
	  "EDNS queries answered without OPT (RFC 8906 'noopt')")            \
	X(RESPONSE_DO_NO_RRSIG, "response_do_no_rrsig",                      \
	  "DO queries answered NOERROR with records but no RRSIG")           \
	X(CLIENT_RETRY_AFTER_ANSWER, "client_retry_after_answer",            \
	  "clients asking the same question again after the bump "           \
	  "forwarded them an answer (the answer died downstream)")           \
	X(CLIENT_RETRY_AFTER_LARGE_ANSWER, "client_retry_after_large_answer", \
	  "the same, when that answer was larger than 1232 octets")          \
	X(CLIENT_RETRY_UNANSWERED, "client_retry_unanswered",                \
	  "clients asking the same question again while it was still "       \
	  "unanswered (lost upstream, or slow)")                             \
	X(TC_FORWARDED, "tc_forwarded",                                      \
	  "TC=1 answers from servers forwarded to clients")                  \
	X(TC_TCP_FOLLOWUP, "tc_tcp_followup",                                \
	  "TC=1 answers (forwarded or made by the bump) followed by TCP/53 " \
	  "from that client to that server: a new connection, or a query "   \
	  "on one it reuses")                                                \
	X(TC_NO_TCP_FOLLOWUP, "tc_no_tcp_followup",                          \
	  "TC=1 answers with no TCP/53 from the client after them in time")  \
	X(TCP53_SYN, "tcp53_syn",                                            \
	  "TCP/53 connection attempts (first SYNs; one sent again while "    \
	  "the attempt waits is not counted again)")                         \
	X(TCP53_SYN_UNANSWERED, "tcp53_syn_unanswered",                      \
	  "TCP/53 connection attempts with no SYN-ACK or RST through the "   \
	  "bump in time (TCP/53 filtered upstream)")                         \
	X(TCP53_RESET, "tcp53_reset", "TCP RSTs from a DNS port")            \
	X(RESPONSE_SIZE_DO_LE512, "response_size_do_le512",                  \
	  "answers to DO queries of at most 512 octets")                     \
	X(RESPONSE_SIZE_DO_LE1232, "response_size_do_le1232",                \
	  "answers to DO queries of 513..1232 octets")                       \
	X(RESPONSE_SIZE_DO_LE1400, "response_size_do_le1400",                \
	  "answers to DO queries of 1233..1400 octets")                      \
	X(RESPONSE_SIZE_DO_LE1500, "response_size_do_le1500",                \
	  "answers to DO queries of 1401..1500 octets")                      \
	X(RESPONSE_SIZE_DO_GT1500, "response_size_do_gt1500",                \
	  "answers to DO queries of more than 1500 octets")                  \
	X(RESPONSE_SIZE_NODO_LE512, "response_size_nodo_le512",              \
	  "answers to queries without DO of at most 512 octets")             \
	X(RESPONSE_SIZE_NODO_LE1232, "response_size_nodo_le1232",            \
	  "answers to queries without DO of 513..1232 octets")               \
	X(RESPONSE_SIZE_NODO_LE1400, "response_size_nodo_le1400",            \
	  "answers to queries without DO of 1233..1400 octets")              \
	X(RESPONSE_SIZE_NODO_LE1500, "response_size_nodo_le1500",            \
	  "answers to queries without DO of 1401..1500 octets")              \
	X(RESPONSE_SIZE_NODO_GT1500, "response_size_nodo_gt1500",            \
	  "answers to queries without DO of more than 1500 octets")          \
	X(RESPONSE_OCTETS_DO, "response_octets_do",                          \
	  "sum of the sizes of answers to DO queries")                       \
	X(RESPONSE_OCTETS_NODO, "response_octets_nodo",                      \
	  "sum of the sizes of answers to queries without DO")               \
	X(QUERIES_SIZE_LE512, "queries_size_le512",                          \
	  "queries advertising at most 512 (or no EDNS)")                    \
	X(QUERIES_SIZE_LE1232, "queries_size_le1232",                        \
	  "queries advertising 513..1232")                                   \
	X(QUERIES_SIZE_LE1400, "queries_size_le1400",                        \
	  "queries advertising 1233..1400")                                  \
	X(QUERIES_SIZE_LE1500, "queries_size_le1500",                        \
	  "queries advertising 1401..1500")                                  \
	X(QUERIES_SIZE_GT1500, "queries_size_gt1500",                        \
	  "queries advertising more than 1500")                              \
	X(LATENCY_LE1MS, "latency_le1ms", "answers within 1 ms of their query") \
	X(LATENCY_LE5MS, "latency_le5ms", "answers after 1..5 ms")           \
	X(LATENCY_LE20MS, "latency_le20ms", "answers after 5..20 ms")        \
	X(LATENCY_LE100MS, "latency_le100ms", "answers after 20..100 ms")    \
	X(LATENCY_LE500MS, "latency_le500ms", "answers after 100..500 ms")   \
	X(LATENCY_LE2000MS, "latency_le2000ms", "answers after 0.5..2 s")    \
	X(LATENCY_GT2000MS, "latency_gt2000ms", "answers after more than 2 s") \
	X(LATENCY_US_SUM, "latency_us_sum",                                  \
	  "sum of answer latencies in microseconds")

/** Upper bounds of the size buckets (octets); the last is open. */
#define DNSB_SIZE_BUCKETS 5
/** Upper bounds of the latency buckets (ms); the last is open. */
#define DNSB_LATENCY_BUCKETS 7

/** Gauges of the engine (not monotonic): list like the events. */
#define DNSB_GAUGE_LIST(X)                                                   \
	X(UDP_FLOWS_ACTIVE, "udp_flows_active",                              \
	  "distinct UDP DNS flows (5-tuples) seen within the flow timeout, " \
	  "estimated (1.6%): the session state a NAT or load balancer in "  \
	  "this path must hold")                                             \
	X(UDP_FLOWS_PEAK, "udp_flows_peak",                                  \
	  "most UDP DNS flows active at once (summed over workers)")         \
	X(QUERIES_OUTSTANDING, "queries_outstanding",                        \
	  "queries waiting for their answer")

enum dnsb_gauge {
#define DNSB_X_ENUM(e, n, h) DNSB_G_##e,
	DNSB_GAUGE_LIST(DNSB_X_ENUM)
#undef DNSB_X_ENUM
	DNSB_G__END
};

/** Stable name and help of gauge @p g. */
const char *dnsb_gauge_name(enum dnsb_gauge g);
const char *dnsb_gauge_help(enum dnsb_gauge g);

enum dnsb_event {
#define DNSB_X_ENUM(e, n, h) DNSB_EV_##e,
	DNSB_EVENT_LIST(DNSB_X_ENUM)
#undef DNSB_X_ENUM
	DNSB_EV__END
};

/** Stable counter name of @p e; "?" when out of range. */
const char *dnsb_event_name(enum dnsb_event e);

/** One-line help text of @p e. */
const char *dnsb_event_help(enum dnsb_event e);

#endif
