/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * engine-cycles: TSC cycles a frame of the engine alone, the frames of a
 * capture fed from memory over and over (no DPDK, no I/O), for
 * A/B comparisons of the packet logic where the daemon's rate is too noisy
 * to show them (docs/benchmarks.md). x86 only (rdtsc). Frames come in
 * bursts of 32, copied in first as a driver's receive does, and go through
 * the engine in two passes four frames apart (dnsb_engine_burst), as the
 * daemon's worker runs it; --single: dnsb_engine_process() on each frame
 * of the burst in turn instead. The policy is the daemon's defaults, or
 * a repair path of fragments and of the egress MTU (--frag-to-client
 * and the rest, as in core-replay).
 * usage: engine-cycles [--to-client] [--frames N] [--slots N] [--burst N] [--single]
 *                      [--frag-to-client P] [--frag-to-server P] [--client-mtu N]
 *                      [--server-mtu N] [--path-limit N] [--track none|T[,T...]] PCAP
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

#define BURST_MAX 64

static void usage(FILE *f)
{
	fprintf(f, "usage: engine-cycles [--to-client] [--frames N] [--slots N] [--burst N] [--single]\n"
		   "                     [--frag-to-client P] [--frag-to-server P] [--client-mtu N]\n"
		   "                     [--server-mtu N] [--path-limit N] [--track none|T[,T...]] PCAP\n"
		   "  --to-client  the frames head to clients (answers), else to servers\n"
		   "  --frames N   frames processed (default 3000000; the first fifth warms up)\n"
		   "  --slots N    correlation table slots (power of two, default 65536)\n"
		   "  --burst N    frames a burst, 1..%d (default 32)\n"
		   "  --single     one pass a frame (dnsb_engine_process), not two\n"
		   "  --track      what correlation tracks: none, or of queries, retries,\n"
		   "               flows (default all three; retries only with queries)\n"
		   "  P: pass (default), reassemble, truncate, drop; MTUs default 1500, the\n"
		   "  path limit 1232\n",
		BURST_MAX);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "to-client", no_argument, 0, 'c' }, { "frames", required_argument, 0, 'n' },
		{ "slots", required_argument, 0, 's' }, { "burst", required_argument, 0, 'b' },
		{ "single", no_argument, 0, '1' },
		{ "frag-to-client", required_argument, 0, 'C' },
		{ "frag-to-server", required_argument, 0, 'S' },
		{ "client-mtu", required_argument, 0, 'M' },
		{ "server-mtu", required_argument, 0, 'N' },
		{ "path-limit", required_argument, 0, 'p' },
		{ "track", required_argument, 0, 'T' },
		{ "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	/* The daemon's defaults: clamp 1232, the path limit at it, 5 s query
	 * and 30 s flow timeouts, reassembly on, fragments passed on. */
	struct dnsb_policy pol;
	dnsb_policy_default(&pol);
	pol.path_limit = 1232;
	enum dnsb_dir dir = DNSB_DIR_TO_SERVER;
	long frames = 3000000;
	unsigned long slots = 65536, burst = 32;
	int single = 0, bad = 0;
	uint8_t untrack = 0;
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': dir = DNSB_DIR_TO_CLIENT; break;
		case 'n': frames = strtol(optarg, NULL, 10); break;
		case 's': slots = strtoul(optarg, NULL, 10); break;
		case 'b': burst = strtoul(optarg, NULL, 10); break;
		case '1': single = 1; break;
		case 'C': bad |= tool_parse_frag(optarg, &pol.frag_to_client); break;
		case 'S': bad |= tool_parse_frag(optarg, &pol.frag_to_server); break;
		case 'M': bad |= tool_parse_u16(optarg, &pol.mtu_client); break;
		case 'N': bad |= tool_parse_u16(optarg, &pol.mtu_server); break;
		case 'p': bad |= tool_parse_u16(optarg, &pol.path_limit); break;
		case 'T': bad |= tool_parse_track(optarg, &untrack); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (bad || optind + 1 != argc || frames < 5 || !slots || slots > (1ul << 24) || (slots & (slots - 1)) ||
	    !burst || burst > BURST_MAX) {
		usage(stderr);
		return 2;
	}
	struct pcap_file pf;
	if (pcap_read_all(argv[optind], &pf) || !pf.n) {
		fprintf(stderr, "engine-cycles: no frames in %s\n", argv[optind]);
		return 1;
	}
	struct dnsb_engine_cfg cfg = tool_engine_cfg((uint32_t)slots, 0);
	cfg.untrack = untrack;
	void *mem = tool_table_alloc(dnsb_engine_mem(&cfg));
	struct dnsb_engine e;
	if (!mem || dnsb_engine_init(&e, &pol, mem, &cfg)) {
		fprintf(stderr, "engine-cycles: no memory for the engine\n");
		return 1;
	}
	static uint8_t buf[BURST_MAX][65536 + 256];
	static struct dnsb_bframe bf[BURST_MAX];
	uint64_t now = 1000000000ull, t0 = 0;
	long since = 0, warm = frames / 5 / (long)burst * (long)burst;
	for (long i = 0; i < frames; i += (long)burst) {
		if (i == warm)
			t0 = __rdtsc();
		/* The copy stands for the driver's receive into the mbufs. */
		for (unsigned long k = 0; k < burst; k++) {
			const struct pcap_pkt *p = &pf.pkts[(unsigned long)(i + (long)k) % pf.n];
			memcpy(buf[k], p->data, p->len);
			bf[k].frame = buf[k];
			bf[k].len = p->len;
			bf[k].dir = (uint8_t)dir;
			bf[k].now_ns = now;
			now += 120; /* about 8 Mpps of capture time */
		}
		if (single) {
			for (unsigned long k = 0; k < burst; k++)
				dnsb_engine_process(&e, buf[k], bf[k].len, sizeof(buf[k]), dir,
						    bf[k].now_ns, &bf[k].res);
		} else {
			/* The worker's calls: again after a verdict with frames of
			 * its own (which the worker would send, and this drops). */
			for (uint32_t from = 0; from < burst;)
				from = dnsb_engine_burst(&e, bf, (uint32_t)burst, from);
		}
		if ((since += (long)burst) >= 1024) {
			dnsb_engine_tick_paced(&e, now);
			since = 0;
		}
	}
	frames = (frames + (long)burst - 1) / (long)burst * (long)burst;
	double per = (double)(__rdtsc() - t0) / (double)(frames - warm);
	char tr[32];
	printf("%s: %.1f cycles a frame (TSC) over %ld frames, %s, %lu slots, bursts of %lu, %s; "
	       "fragments to clients %s, to servers %s, MTUs %u and %u, path limit %u, "
	       "tracking %s\n",
	       argv[optind], per, frames - warm, dir == DNSB_DIR_TO_CLIENT ? "to clients" : "to servers",
	       slots, burst, single ? "one pass" : "two passes", tool_frag_name(pol.frag_to_client),
	       tool_frag_name(pol.frag_to_server), pol.mtu_client, pol.mtu_server, pol.path_limit,
	       dnsb_track_list(DNSB_TRACK_ALL & ~untrack, tr, sizeof(tr)));
	pcap_free(&pf);
	free(mem);
	return 0;
}
