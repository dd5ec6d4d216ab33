/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file pcap_io.h
 * Classic pcap files (microsecond and nanosecond, either byte order) read
 * into memory and written back, for tests and tools that drive the core
 * without DPDK.
 */
#ifndef DNSBUMP_PCAP_IO_H
#define DNSBUMP_PCAP_IO_H

#include <stdint.h>
#include <stdio.h>

struct pcap_pkt {
	uint64_t ts_ns;
	uint32_t len;   /**< captured length */
	uint32_t orig_len;
	uint8_t *data;  /**< owned by the pcap_file */
};

struct pcap_file {
	uint32_t linktype;
	uint32_t n;
	struct pcap_pkt *pkts;
};

/** Read all of @p path. @return 0, or -1 with a message on stderr. */
int pcap_read_all(const char *path, struct pcap_file *pf);

/** Free what pcap_read_all() allocated. */
void pcap_free(struct pcap_file *pf);

/** Open @p path for writing Ethernet frames (nanosecond pcap). NULL on error. */
FILE *pcap_write_open(const char *path);

/** Append one frame. @return 0 or -1. */
int pcap_write_pkt(FILE *f, uint64_t ts_ns, const uint8_t *data, uint32_t len);

#endif
