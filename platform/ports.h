/* SPDX-License-Identifier: BSD-3-Clause */
/** @file ports.h Port bring-up in the DPDK order, and shutdown. */
#ifndef DNSBUMP_PORTS_H
#define DNSBUMP_PORTS_H

#include <stddef.h>
#include <stdint.h>

struct rte_mempool;

/**
 * Configure port @p port with @p n_rxq RX and @p n_txq TX queues (RSS over
 * IP addresses with a symmetric key when @p n_rxq > 1, so both directions
 * and every fragment of a flow meet on one queue), set up its queues on
 * the port's socket from @p pool, start it and enable promiscuous mode.
 * @return 0, or a negative errno with a message in @p err.
 */
int dnsb_port_start(uint16_t port, uint16_t n_rxq, uint16_t n_txq, uint16_t rx_desc,
		    uint16_t tx_desc, struct rte_mempool *pool, char *err, size_t errlen);

/** Largest RX queue count @p port supports for RSS (1 without RSS). */
uint16_t dnsb_port_max_rxq(uint16_t port);

/**
 * Let TX queues 0..@p n_txq-1 of @p port hand back mbufs whose sending
 * completed (drivers reclaim lazily, on the next burst). Call only when no
 * worker uses the queues any more.
 */
void dnsb_port_reclaim_tx(uint16_t port, uint16_t n_txq);

/** Stop and close @p port; errors are logged, not fatal. */
void dnsb_port_close(uint16_t port);

#endif
