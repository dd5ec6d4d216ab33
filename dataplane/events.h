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
	X(DO_QUERIES, "do_queries", "DNS queries over UDP with the DO bit")  \
	X(RESPONSES, "responses", "DNS responses over UDP heading to clients") \
	X(DO_RESPONSES, "do_responses",                                      \
	  "DNS responses over UDP whose OPT has the DO bit")                 \
	X(RESPONSES_UNMATCHED, "responses_unmatched",                        \
	  "responses with no tracked query (query before start, asymmetric " \
	  "path, timed out, or spoofed)")                                    \
	X(FLOW_TABLE_FULL, "flow_table_full",                                \
	  "queries not tracked because their slots in the query table were " \
	  "all live (forwarded; answers then sized by path_limit only)")

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
