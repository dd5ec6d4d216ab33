/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file worker_counters.h
 * Counters of the DPDK worker loop itself (packet I/O), one list with
 * names and help text like the core's reasons and events.
 */
#ifndef DNSBUMP_WORKER_COUNTERS_H
#define DNSBUMP_WORKER_COUNTERS_H

#define DNSB_WORKER_COUNTER_LIST(X)                                          \
	X(RX_PACKETS, "rx_packets", "frames received on all ports")          \
	X(TX_PACKETS, "tx_packets", "frames handed to a port for sending")   \
	X(DROP_TX_FULL, "drop_tx_full",                                      \
	  "frames dropped because a port's TX queue stayed full")            \
	X(DROP_EMIT_NO_MBUF, "drop_emit_no_mbuf",                            \
	  "frames of a reassembled datagram not sent for want of mbufs "     \
	  "(the mempool is too small)")                                      \
	X(PASS_MULTISEG, "pass_multiseg",                                    \
	  "multi-segment frames forwarded untouched, not inspected")         \
	X(OFFLINE_NO_TIMESTAMP, "offline_no_timestamp",                      \
	  "offline frames without a capture timestamp (clock used instead)") \
	X(BUSY_CYCLES, "busy_cycles",                                        \
	  "TSC cycles spent on bursts that brought frames (per frame: "      \
	  "busy_cycles / rx_packets)")                                      \
	X(ENGINE_CYCLES, "engine_cycles",                                    \
	  "TSC cycles of busy_cycles spent in the packet logic (per frame: " \
	  "engine_cycles / rx_packets; the rest is the I/O and the worker's " \
	  "own work)")

enum dnsb_worker_counter {
#define DNSB_X_ENUM(e, n, h) DNSB_WC_##e,
	DNSB_WORKER_COUNTER_LIST(DNSB_X_ENUM)
#undef DNSB_X_ENUM
	DNSB_WC__END
};

#endif
