/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DNSBUMP_TEST_ENGINE_CFG_H
#define DNSBUMP_TEST_ENGINE_CFG_H

#include "engine.h"

/* The per-lcore engine as the daemon's defaults set it up (configs/
 * reference.cfg: 5 s queries, 30 s flows, 256 datagrams of up to 16384
 * octets in at most 64 fragments for 2 s), with @p slots per table, for
 * the tools that run the engine without the daemon. */
static inline struct dnsb_engine_cfg tool_engine_cfg(uint32_t slots, uint8_t hypothetical)
{
	return (struct dnsb_engine_cfg){ slots, 5000000000ull, 30000000000ull, 1, hypothetical,
					 { 256, 16384, 64, 2000000000ull } };
}

#endif
