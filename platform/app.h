/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file app.h
 * The daemon's state: configuration, ports, and one cache-aligned worker
 * record per lcore. Workers write only their own record; the control plane
 * reads the counters (64-bit, monotonic) and never writes them.
 */
#ifndef DNSBUMP_APP_H
#define DNSBUMP_APP_H

#include <pthread.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>

#include "config.h"
#include "engine.h"
#include "totals.h"
#include "worker_counters.h"

#define DNSB_MAX_RXQ_PER_WORKER (2 * DNSB_MAX_PAIRS)

/** One RX queue a worker polls, and where its frames go. */
struct dnsb_rxq {
	uint16_t port, queue;
	uint16_t out_port;     /**< the other port of the pair (itself offline) */
	uint8_t dir;           /**< enum dnsb_dir of frames arriving here */
};

/** Frames buffered for one port's TX queue. */
struct dnsb_txbuf {
	uint16_t queue;
	uint16_t n;
	struct rte_mbuf *m[DNSB_MAX_BURST];
};

struct dnsb_worker {
	struct dnsb_engine engine;
	uint64_t wc[DNSB_WC__END];
	unsigned lcore;
	unsigned n_rxq;
	struct dnsb_rxq rxq[DNSB_MAX_RXQ_PER_WORKER];
	struct dnsb_txbuf tx[RTE_MAX_ETHPORTS > DNSB_MAX_PORTS ? DNSB_MAX_PORTS : RTE_MAX_ETHPORTS];
	uint16_t port_index[RTE_MAX_ETHPORTS]; /**< DPDK port id -> tx[] index */
	void *table_mem;
	size_t table_mapped;   /**< table_mem's length when mapped (no hugepages), else 0 */
	uint8_t *emit_buf;     /**< frames of reassembled datagrams larger than an mbuf */
	uint32_t emit_cap;
	uint64_t epoch;        /**< loop turns; a reload waits for it to move */
	uint64_t last_ns;      /**< time of the last frame (offline: capture time) */
	volatile int done;     /**< set by the worker when it has left its loop */
} __rte_cache_aligned;

struct dnsb_app {
	struct dnsb_config cfg;
	/* Policy published to the workers: two slots, one in force; a reload
	 * writes the other, publishes it, and waits until every worker has
	 * passed a loop turn, after which the old slot is free again. */
	struct dnsb_policy pol_slot[2];
	const struct dnsb_policy *pol_active;
	pthread_mutex_t ctl_lock;           /**< serializes reloads and config reads */
	struct rte_mempool *pool;
	unsigned n_ports;
	unsigned n_started;                 /**< ports started, closed at exit */
	uint16_t n_txq[DNSB_MAX_PORTS];     /**< TX queues per port */
	uint16_t port_id[DNSB_MAX_PORTS];   /**< config port index -> DPDK port id */
	unsigned n_workers;
	struct dnsb_worker *workers;        /**< n_workers records */
	/* offline mode */
	int offline;
	uint64_t offline_total;             /**< frames in the input capture */
	int ts_offset;                      /**< mbuf timestamp dynfield, -1 if none */
	uint64_t ts_flag;
	uint64_t tsc_hz;
	uint64_t start_tsc;
	volatile int quit;
};

struct dnsb_totals;

/**
 * Re-read the configuration file and put its dns and diag sections in
 * force for every worker; anything else changed is refused (restart). A
 * bad file is refused and the running policy stays.
 * @return 0 with a summary in @p msg, or -1 with the reason in @p msg.
 */
int dnsb_app_reload(struct dnsb_app *app, char *msg, size_t len);

/** Sum every worker's counters and gauges into @p t. */
void dnsb_app_totals(const struct dnsb_app *app, struct dnsb_totals *t);


#endif
