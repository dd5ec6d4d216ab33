/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file config.h
 * The daemon's configuration: read from a libconfig file, every key
 * checked, unknown keys rejected. No DPDK here; the platform turns it into
 * EAL arguments, ports and lcores.
 */
#ifndef DNSBUMP_CONFIG_H
#define DNSBUMP_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "core.h"
#include "diag.h"

#define DNSB_MAX_PORTS 16
#define DNSB_MAX_PAIRS 8
#define DNSB_MAX_WORKERS 16
#define DNSB_MAX_EAL_ARGS 64
#define DNSB_NAME_LEN 32
#define DNSB_DEVICE_LEN 256
#define DNSB_MAX_BURST 64

struct dnsb_port_cfg {
	char name[DNSB_NAME_LEN];
	char device[DNSB_DEVICE_LEN]; /**< DPDK device string: PCI address or vdev */
};

struct dnsb_pair_cfg {
	uint8_t client; /**< index into ports */
	uint8_t server;
};

struct dnsb_config {
	char path[1024];
	unsigned n_eal;
	char *eal[DNSB_MAX_EAL_ARGS];      /**< owned; freed by dnsb_config_free() */
	unsigned n_ports, n_pairs, n_workers;
	struct dnsb_port_cfg ports[DNSB_MAX_PORTS];
	struct dnsb_pair_cfg pairs[DNSB_MAX_PAIRS];
	unsigned workers[DNSB_MAX_WORKERS]; /**< worker lcore ids */
	uint32_t mbufs, mbuf_cache, data_room;
	uint32_t burst, rx_desc, tx_desc;
	uint32_t drain_us;
	uint8_t io_only;                    /**< benchmark: forward with no DNS work */
	uint32_t query_table_size;          /**< slots per worker, a power of two */
	uint32_t query_timeout_ms;
	uint32_t flow_timeout_ms;           /**< UDP flow idle timeout */
	uint8_t untrack;                    /**< DNSB_TRACK_* bits dns.track leaves out */
	uint32_t frag_table_size;           /**< datagrams in reassembly per worker; 0 = off */
	uint32_t frag_max_datagram;
	uint32_t frag_max_fragments;
	uint32_t frag_timeout_ms;
	struct dnsb_policy policy;
	struct dnsb_diag_cfg diag;
};

/** Defaults for every key (ports, pairs and workers empty). */
void dnsb_config_defaults(struct dnsb_config *c);

/**
 * Read and check @p path into @p c (defaults first). With @p need_ports,
 * ports, pairs and workers are required (live mode); offline mode runs
 * without them.
 * @return 0, or -1 with "file:line: what is wrong" in @p err.
 */
int dnsb_config_load(const char *path, int need_ports, struct dnsb_config *c, char *err,
		     size_t errlen);

/** Release what dnsb_config_load() allocated. */
void dnsb_config_free(struct dnsb_config *c);

/** Name of a fragments policy value ("pass", "reassemble", "truncate", "drop"). */
const char *dnsb_frag_policy_name(unsigned v);

/** Name of an oversize policy value ("truncate", "pass", "drop"). */
const char *dnsb_oversize_name(unsigned v);

#endif
