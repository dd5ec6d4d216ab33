/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * engine-cycles: TSC cycles a frame of dnsb_engine_process() alone, the
 * frames of a capture fed from memory over and over (no DPDK, no I/O), for
 * A/B comparisons of the packet logic where the daemon's rate is too noisy
 * to show them (docs/benchmarks.md). x86 only (rdtsc).
 * usage: engine-cycles [--to-client] [--frames N] [--slots N] PCAP
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <x86intrin.h>

#include "core.h"
#include "engine.h"
#include "engine_cfg.h"
#include "pcap_io.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: engine-cycles [--to-client] [--frames N] [--slots N] PCAP\n"
		   "  --to-client  the frames head to clients (answers), else to servers\n"
		   "  --frames N   frames processed (default 3000000; the first fifth warms up)\n"
		   "  --slots N    correlation table slots (power of two, default 65536)\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "to-client", no_argument, 0, 'c' }, { "frames", required_argument, 0, 'n' },
		{ "slots", required_argument, 0, 's' }, { "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	enum dnsb_dir dir = DNSB_DIR_TO_SERVER;
	long frames = 3000000;
	unsigned long slots = 65536;
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': dir = DNSB_DIR_TO_CLIENT; break;
		case 'n': frames = strtol(optarg, NULL, 10); break;
		case 's': slots = strtoul(optarg, NULL, 10); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind + 1 != argc || frames < 5 || !slots || slots > (1ul << 24) || (slots & (slots - 1))) {
		usage(stderr);
		return 2;
	}
	struct pcap_file pf;
	if (pcap_read_all(argv[optind], &pf) || !pf.n) {
		fprintf(stderr, "engine-cycles: no frames in %s\n", argv[optind]);
		return 1;
	}
	/* The daemon's defaults: clamp 1232, the path limit at it, 5 s query
	 * and 30 s flow timeouts, reassembly on. */
	struct dnsb_policy pol;
	dnsb_policy_default(&pol);
	pol.path_limit = 1232;
	struct dnsb_engine_cfg cfg = tool_engine_cfg((uint32_t)slots, 0);
	void *mem = calloc(1, dnsb_engine_mem(&cfg));
	struct dnsb_engine e;
	if (!mem || dnsb_engine_init(&e, &pol, mem, &cfg)) {
		fprintf(stderr, "engine-cycles: no memory for the engine\n");
		return 1;
	}
	static uint8_t buf[65536 + 256];
	struct dnsb_result res;
	uint64_t now = 1000000000ull, t0 = 0;
	long warm = frames / 5;
	for (long i = 0; i < frames; i++) {
		const struct pcap_pkt *p = &pf.pkts[i % pf.n];
		if (i == warm)
			t0 = __rdtsc();
		memcpy(buf, p->data, p->len);
		dnsb_engine_process(&e, buf, p->len, sizeof(buf), dir, now, &res);
		now += 120; /* about 8 Mpps of capture time */
		if ((i & 1023) == 0)
			dnsb_engine_tick_paced(&e, now);
	}
	double per = (double)(__rdtsc() - t0) / (double)(frames - warm);
	printf("%s: %.1f cycles a frame (TSC) over %ld frames, %s, %lu slots\n", argv[optind], per,
	       frames - warm, dir == DNSB_DIR_TO_CLIENT ? "to clients" : "to servers", slots);
	pcap_free(&pf);
	free(mem);
	return 0;
}
