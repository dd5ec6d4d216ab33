/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DNSBUMP_TEST_ENGINE_CFG_H
#define DNSBUMP_TEST_ENGINE_CFG_H

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "engine.h"

/* The per-lcore engine as the daemon's defaults set it up (configs/
 * reference.cfg: 5 s queries, 30 s flows, 256 datagrams of up to 16384
 * octets in at most 64 fragments for 2 s), with @p slots per table, for
 * the tools that run the engine without the daemon. */
static inline struct dnsb_engine_cfg tool_engine_cfg(uint32_t slots, uint8_t hypothetical)
{
	return (struct dnsb_engine_cfg){ slots, 5000000000ull, 30000000000ull, 1, hypothetical,
					 { 256, 16384, 64, 2000000000ull }, 0 };
}

/* @p size octets for the engine's tables, on 2 MiB pages where the kernel
 * gives them (transparent hugepages), as the daemon's tables are on
 * hugepages: on 4 KiB pages the TLB misses of large tables weigh more on
 * the tools' timings than their cache misses. Free with free(). */
static inline void *tool_table_alloc(size_t size)
{
	size_t huge = 2u << 20;
	size = (size + huge - 1) / huge * huge;
	void *mem = aligned_alloc(huge, size);
	if (mem)
		madvise(mem, size, MADV_HUGEPAGE);
	return mem;
}

/* The name of fragment policy @p p (pass, reassemble, truncate, drop),
 * as the configuration spells it; NULL past the last. */
static inline const char *tool_frag_name(uint8_t p)
{
	static const char *const names[] = { "pass", "reassemble", "truncate", "drop" };
	return p < sizeof(names) / sizeof(names[0]) ? names[p] : NULL;
}

/* A fragment policy by its name. @return 0, or -1 for no such name. */
static inline int tool_parse_frag(const char *s, uint8_t *out)
{
	for (uint8_t i = 0; tool_frag_name(i); i++)
		if (!strcmp(s, tool_frag_name(i))) {
			*out = i;
			return 0;
		}
	return -1;
}

/* What to track, as --track takes it: "none", or names of
 * dnsb_track_bit() joined by commas, each once; retries only with queries.
 * Sets the bits left out in @p untrack. @return 0, or -1. */
static inline int tool_parse_track(const char *s, uint8_t *untrack)
{
	unsigned track = 0;
	if (strcmp(s, "none")) {
		char buf[64];
		if (strlen(s) >= sizeof(buf))
			return -1;
		strcpy(buf, s);
		for (char *save, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			unsigned b = dnsb_track_bit(t);
			if (!b || (track & b))
				return -1;
			track |= b;
		}
		if (!track || !dnsb_track_ok(track))
			return -1;
	}
	*untrack = (uint8_t)(DNSB_TRACK_ALL & ~track);
	return 0;
}

/* A decimal 0..65535, nothing after it. @return 0, or -1. */
static inline int tool_parse_u16(const char *s, uint16_t *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (!*s || *end || v > 65535)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

#endif
