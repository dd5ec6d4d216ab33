/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mempool.h>

#include "ports.h"

/* A Toeplitz key made of one repeated 16-bit pattern hashes (a, b) and
 * (b, a) alike: both directions of a flow land on the same queue. */
static uint8_t sym_rss_key[40] = {
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
};

uint16_t dnsb_port_max_rxq(uint16_t port)
{
	struct rte_eth_dev_info info;

	if (rte_eth_dev_info_get(port, &info) != 0)
		return 1;
	if (!(info.flow_type_rss_offloads & RTE_ETH_RSS_IP))
		return 1;
	return info.max_rx_queues ? info.max_rx_queues : 1;
}

int dnsb_port_start(uint16_t port, uint16_t n_rxq, uint16_t n_txq, uint16_t rx_desc,
		    uint16_t tx_desc, struct rte_mempool *pool, char *err, size_t errlen)
{
	struct rte_eth_dev_info info;
	struct rte_eth_conf conf;
	int rc;

	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_info_get(port, &info);
	if (rc) {
		snprintf(err, errlen, "port %u: cannot get device info: %s", port, strerror(-rc));
		return rc;
	}
	if (n_txq > info.max_tx_queues) {
		snprintf(err, errlen, "port %u (%s): %u TX queues needed, device has %u", port,
			 info.driver_name, n_txq, info.max_tx_queues);
		return -EINVAL;
	}
	if (n_rxq > 1) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_key = sym_rss_key;
		conf.rx_adv_conf.rss_conf.rss_key_len = sizeof(sym_rss_key);
		conf.rx_adv_conf.rss_conf.rss_hf = RTE_ETH_RSS_IP & info.flow_type_rss_offloads;
	}
	if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS)
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;

	rc = rte_eth_dev_configure(port, n_rxq, n_txq, &conf);
	if (rc) {
		snprintf(err, errlen, "port %u: configure: %s", port, strerror(-rc));
		return rc;
	}
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(port, &rx_desc, &tx_desc);
	if (rc) {
		snprintf(err, errlen, "port %u: descriptors: %s", port, strerror(-rc));
		return rc;
	}
	int socket = rte_eth_dev_socket_id(port);
	if (socket < 0)
		socket = (int)rte_socket_id();
	struct rte_eth_rxconf rxc = info.default_rxconf;
	rxc.offloads = conf.rxmode.offloads;
	for (uint16_t q = 0; q < n_rxq; q++) {
		rc = rte_eth_rx_queue_setup(port, q, rx_desc, (unsigned)socket, &rxc, pool);
		if (rc) {
			/* Drivers fill their RX rings from the pool at setup (af_xdp
			 * takes 2048 per queue): the usual cause is a small pool. */
			snprintf(err, errlen,
				 "port %u (%s): RX queue %u: %s (%u of %u mbufs free: raise mempool.mbufs?)",
				 port, info.driver_name, q, strerror(-rc),
				 rte_mempool_avail_count(pool), pool->size);
			return rc;
		}
	}
	struct rte_eth_txconf txc = info.default_txconf;
	txc.offloads = conf.txmode.offloads;
	for (uint16_t q = 0; q < n_txq; q++) {
		rc = rte_eth_tx_queue_setup(port, q, tx_desc, (unsigned)socket, &txc);
		if (rc) {
			snprintf(err, errlen, "port %u: TX queue %u: %s", port, q, strerror(-rc));
			return rc;
		}
	}
	rc = rte_eth_dev_start(port);
	if (rc) {
		snprintf(err, errlen, "port %u: start: %s", port, strerror(-rc));
		return rc;
	}
	rc = rte_eth_promiscuous_enable(port);
	if (rc && rc != -ENOTSUP)
		RTE_LOG(WARNING, USER1, "port %u: promiscuous mode: %s\n", port, strerror(-rc));
	return 0;
}

void dnsb_port_reclaim_tx(uint16_t port, uint16_t n_txq)
{
	for (int round = 0; round < 10; round++) {
		for (uint16_t q = 0; q < n_txq; q++)
			if (rte_eth_tx_done_cleanup(port, q, 0) == -ENOTSUP)
				rte_eth_tx_burst(port, q, NULL, 0);
		rte_delay_us_sleep(1000);
	}
}

void dnsb_port_close(uint16_t port)
{
	int rc = rte_eth_dev_stop(port);
	if (rc)
		RTE_LOG(WARNING, USER1, "port %u: stop: %s\n", port, strerror(-rc));
	rc = rte_eth_dev_close(port);
	if (rc)
		RTE_LOG(WARNING, USER1, "port %u: close: %s\n", port, strerror(-rc));
}
